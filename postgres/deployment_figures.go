package postgres

import (
	"context"
	"encoding/json"
	"time"

	"github.com/jackc/pgx/v5"

	cds "github.com/caobang/congdanso"
)

// Where a unit's counted figures come from.
const (
	FiguresLive      = "live"      // counted now: the campaign is open and the unit has not submitted
	FiguresSubmitted = "submitted" // frozen with the unit's latest submitted version
	FiguresClosed    = "closed"    // frozen when the campaign closed
)

// CampaignUnit is one unit's state in a campaign, for the merged report.
type CampaignUnit struct {
	Agency       cds.Agency
	Version      int
	SubmittedAt  time.Time
	Late         bool
	HasDraft     bool
	Data         json.RawMessage // the latest submitted version, if any
	Counts       UnitCounts
	CountsAsOf   time.Time
	CountsSource string // FiguresLive, FiguresSubmitted or FiguresClosed
}

// CampaignFigures are a campaign's units with their counted figures and the
// province-wide ones, as the Phụ lục I workbook shows them.
type CampaignFigures struct {
	Campaign ReportCampaign
	AsOf     time.Time // the instant the province-wide figures are counted at
	Closed   bool      // every figure is the frozen closing snapshot
	Units    []CampaignUnit
	Province ProvinceCounts
}

// CloseCampaign freezes the counted figures of every unit and of the
// province as they stood at the campaign's as-of instant (or now, if that is
// earlier) and marks the campaign closed. Closing a closed campaign returns it
// unchanged, so figures taken once never move.
func (db *DB) CloseCampaign(ctx context.Context, code string, by int64, now time.Time) (ReportCampaign, error) {
	tx, err := db.Pool.Begin(ctx)
	if err != nil {
		return ReportCampaign{}, mapErr(err)
	}
	defer tx.Rollback(ctx) //nolint:errcheck
	var asOf time.Time
	var closed *time.Time
	if err := tx.QueryRow(ctx, `SELECT COALESCE(as_of, deadline), closed_at FROM report_campaigns WHERE code = $1 FOR UPDATE`, code).Scan(&asOf, &closed); err != nil {
		return ReportCampaign{}, mapErr(err)
	}
	if closed == nil {
		if now.Before(asOf) {
			asOf = now
		}
		var units []string
		if err := tx.QueryRow(ctx, `SELECT COALESCE(array_agg(unit_code ORDER BY unit_code), '{}') FROM report_campaign_units WHERE campaign_code = $1`, code).Scan(&units); err != nil {
			return ReportCampaign{}, mapErr(err)
		}
		counts, err := countUnits(ctx, tx, units, asOf)
		if err != nil {
			return ReportCampaign{}, err
		}
		prov, err := countProvince(ctx, tx, asOf)
		if err != nil {
			return ReportCampaign{}, err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO campaign_figures (campaign_code, as_of, taken_by, units, province) VALUES ($1, $2, NULLIF($3, 0), $4, $5)`,
			code, asOf, by, counts, prov); err != nil {
			return ReportCampaign{}, mapErr(err)
		}
		if _, err := tx.Exec(ctx, `UPDATE report_campaigns SET closed_at = $2 WHERE code = $1`, code, now); err != nil {
			return ReportCampaign{}, mapErr(err)
		}
	}
	if err := tx.Commit(ctx); err != nil {
		return ReportCampaign{}, mapErr(err)
	}
	return db.GetReportCampaign(ctx, code)
}

// CampaignFigures returns a campaign's units and figures for the workbook
// and the dashboard. It only reads: a GET must not write. A campaign past
// its deadline that nobody closed reads as closed at its deadline, with
// every figure counted at its as-of instant, which is what CloseCampaign
// freezes; closing itself is the explicit operation (POST
// /api/v1/deployment-campaigns/{code}/close), and until then the figures
// are counted on each read. Before the deadline, a unit that submitted shows
// the figures frozen with its submission and the others are counted at now.
func (db *DB) CampaignFigures(ctx context.Context, code string, now time.Time) (CampaignFigures, error) {
	camp, err := db.GetReportCampaign(ctx, code)
	if err != nil {
		return CampaignFigures{}, err
	}
	out := CampaignFigures{Campaign: camp, Closed: camp.ClosedAt != nil}
	frozen := map[string]UnitCounts{}
	switch {
	case out.Closed:
		if err := db.Pool.QueryRow(ctx, `SELECT as_of, units, province FROM campaign_figures WHERE campaign_code = $1`, code).
			Scan(&out.AsOf, &frozen, &out.Province); err != nil {
			return out, mapErr(err)
		}
	case now.After(camp.Deadline):
		// Closed by its deadline, counted on read (the row is left as it is).
		deadline := camp.Deadline
		out.Closed, out.Campaign.ClosedAt, out.AsOf = true, &deadline, camp.AsOf
		if frozen, err = countUnits(ctx, db.Pool, camp.Units, out.AsOf); err != nil {
			return out, err
		}
		if out.Province, err = db.CountProvince(ctx, out.AsOf); err != nil {
			return out, err
		}
	default:
		out.AsOf = now
		if camp.AsOf.Before(now) {
			out.AsOf = camp.AsOf
		}
		if out.Province, err = db.CountProvince(ctx, out.AsOf); err != nil {
			return out, err
		}
	}
	out.AsOf = out.AsOf.In(cds.VietnamTZ)
	rows, err := db.Pool.Query(ctx, `SELECT a.code, a.name, a.type, COALESCE(a.parent_code, ''),
			COALESCE(r.version, 0), r.submitted_at, COALESCE(r.late, false), r.draft IS NOT NULL, v.data, v.counted, v.counted_as_of
		FROM report_campaign_units cu
		JOIN agencies a ON a.code = cu.unit_code
		LEFT JOIN deployment_reports r ON r.campaign_code = cu.campaign_code AND r.unit_code = cu.unit_code
		LEFT JOIN deployment_report_versions v ON v.campaign_code = r.campaign_code AND v.unit_code = r.unit_code AND v.version = r.version
		WHERE cu.campaign_code = $1 ORDER BY a.code`, code)
	if err != nil {
		return out, mapErr(err)
	}
	var live []string
	out.Units, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (CampaignUnit, error) {
		var u CampaignUnit
		var at, countedAt *time.Time
		var counted *UnitCounts
		err := r.Scan(&u.Agency.Code, &u.Agency.Name, &u.Agency.Type, &u.Agency.ParentCode, &u.Version, &at, &u.Late, &u.HasDraft, &u.Data, &counted, &countedAt)
		if at != nil {
			u.SubmittedAt = *at
		}
		switch {
		case out.Closed:
			u.Counts, u.CountsAsOf, u.CountsSource = frozen[u.Agency.Code], out.AsOf, FiguresClosed
		case counted != nil && countedAt != nil:
			u.Counts, u.CountsAsOf, u.CountsSource = *counted, countedAt.In(cds.VietnamTZ), FiguresSubmitted
		default:
			u.CountsAsOf, u.CountsSource = out.AsOf, FiguresLive
			live = append(live, u.Agency.Code)
		}
		return u, err
	})
	if err != nil {
		return out, mapErr(err)
	}
	if len(live) > 0 {
		counts, err := db.CountDeploymentUnits(ctx, live, out.AsOf)
		if err != nil {
			return out, err
		}
		for i := range out.Units {
			if out.Units[i].CountsSource == FiguresLive {
				out.Units[i].Counts = counts[out.Units[i].Agency.Code]
			}
		}
	}
	return out, nil
}

// ValidateCampaignPeriod checks a campaign's reporting period (YYYY-MM-DD,
// both or neither) and as-of instant (not after the deadline); nil when valid.
func ValidateCampaignPeriod(from, to string, asOf *time.Time, deadline time.Time) *cds.Error {
	e := cds.Errorf(cds.EINVALID, "Kỳ báo cáo không hợp lệ.", "The reporting period is not valid.")
	var f, t time.Time
	var errF, errT error
	if from != "" || to != "" {
		f, errF = time.Parse("2006-01-02", from)
		t, errT = time.Parse("2006-01-02", to)
		if errF != nil {
			e.WithField("period_from", "Ngày bắt đầu kỳ báo cáo, dạng YYYY-MM-DD / Period start, YYYY-MM-DD")
		}
		if errT != nil {
			e.WithField("period_to", "Ngày kết thúc kỳ báo cáo, dạng YYYY-MM-DD / Period end, YYYY-MM-DD")
		}
		if errF == nil && errT == nil && t.Before(f) {
			e.WithField("period_to", "Ngày kết thúc không được trước ngày bắt đầu / The end cannot be before the start")
		}
	}
	if asOf != nil && !deadline.IsZero() && asOf.After(deadline) {
		e.WithField("as_of", "Ngày tính số liệu không được sau hạn báo cáo / The as-of instant cannot be after the deadline")
	}
	if len(e.Fields) > 0 {
		return e
	}
	return nil
}

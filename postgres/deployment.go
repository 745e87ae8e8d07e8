package postgres

import (
	"context"
	"encoding/json"
	"time"

	"github.com/jackc/pgx/v5"

	cds "github.com/caobang/congdanso"
)

// ReportCampaign is an Appendix I reporting campaign.
type ReportCampaign struct {
	Code     string    `json:"code"`
	Title    string    `json:"title"`
	Deadline time.Time `json:"deadline"`
	// PeriodFrom and PeriodTo are the reporting period (YYYY-MM-DD, "" when
	// not set); AsOf is the instant the figures are counted at ("số liệu tính
	// đến ngày"), the deadline unless set.
	PeriodFrom string     `json:"period_from,omitempty"`
	PeriodTo   string     `json:"period_to,omitempty"`
	AsOf       time.Time  `json:"as_of"`
	ClosedAt   *time.Time `json:"closed_at,omitempty"`
	Units      []string   `json:"units"`
	CreatedAt  time.Time  `json:"created_at"`
}

// CreateReportCampaign inserts a campaign and its units. A duplicate code is ECONFLICT;
// an unknown unit code is EINVALID.
func (db *DB) CreateReportCampaign(ctx context.Context, c ReportCampaign, by int64) (ReportCampaign, error) {
	tx, err := db.Pool.Begin(ctx)
	if err != nil {
		return c, mapErr(err)
	}
	defer tx.Rollback(ctx) //nolint:errcheck
	var asOf *time.Time
	if !c.AsOf.IsZero() {
		asOf = &c.AsOf
	}
	if err := tx.QueryRow(ctx, `INSERT INTO report_campaigns (code, title, deadline, created_by, period_from, period_to, as_of)
		VALUES ($1, $2, $3, NULLIF($4, 0), NULLIF($5, '')::date, NULLIF($6, '')::date, $7) RETURNING created_at, COALESCE(as_of, deadline)`,
		c.Code, c.Title, c.Deadline, by, c.PeriodFrom, c.PeriodTo, asOf).Scan(&c.CreatedAt, &c.AsOf); err != nil {
		return c, mapErr(err)
	}
	c.Deadline, c.CreatedAt, c.AsOf = c.Deadline.In(cds.VietnamTZ), c.CreatedAt.In(cds.VietnamTZ), c.AsOf.In(cds.VietnamTZ)
	c.Units = dedupe(c.Units)
	// Only units in force on the as-of day may report: a 2025 campaign
	// cannot name the communes created on 1 July 2025.
	tag, err := tx.Exec(ctx, `INSERT INTO report_campaign_units (campaign_code, unit_code)
		SELECT $1, a.code FROM agencies a WHERE a.code = ANY($2)
			AND (a.in_force_from IS NULL OR a.in_force_from <= ($3::timestamptz AT TIME ZONE 'Asia/Ho_Chi_Minh')::date)
			AND (a.in_force_to IS NULL OR a.in_force_to >= ($3::timestamptz AT TIME ZONE 'Asia/Ho_Chi_Minh')::date)
		ON CONFLICT DO NOTHING`, c.Code, c.Units, c.AsOf)
	if err != nil {
		return c, mapErr(err)
	}
	if int(tag.RowsAffected()) != len(dedupe(c.Units)) {
		return c, cds.Errorf(cds.EINVALID, "Có mã đơn vị không tồn tại hoặc không hoạt động vào ngày tính số liệu.",
			"Some units do not exist or were not in force on the as-of day.").
			WithField("units", "Đơn vị không tồn tại hoặc không hoạt động vào ngày tính số liệu / Unknown unit, or not in force on the as-of day")
	}
	return c, mapErr(tx.Commit(ctx))
}

func dedupe(s []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, x := range s {
		if !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	return out
}

const campaignCols = `c.code, c.title, c.deadline, c.created_at, COALESCE(c.period_from::text, ''), COALESCE(c.period_to::text, ''),
	COALESCE(c.as_of, c.deadline), c.closed_at,
	COALESCE((SELECT array_agg(u.unit_code ORDER BY u.unit_code) FROM report_campaign_units u WHERE u.campaign_code = c.code), '{}')`

func scanReportCampaign(r pgx.Row) (ReportCampaign, error) {
	var c ReportCampaign
	err := r.Scan(&c.Code, &c.Title, &c.Deadline, &c.CreatedAt, &c.PeriodFrom, &c.PeriodTo, &c.AsOf, &c.ClosedAt, &c.Units)
	c.Deadline, c.CreatedAt, c.AsOf = c.Deadline.In(cds.VietnamTZ), c.CreatedAt.In(cds.VietnamTZ), c.AsOf.In(cds.VietnamTZ)
	if c.ClosedAt != nil {
		*c.ClosedAt = c.ClosedAt.In(cds.VietnamTZ)
	}
	return c, err
}

// Campaigns lists campaigns, newest deadline first; unit != "" keeps those the unit must report in.
func (db *DB) ReportCampaigns(ctx context.Context, unit string) ([]ReportCampaign, error) {
	rows, err := db.Pool.Query(ctx, `SELECT `+campaignCols+` FROM report_campaigns c
		WHERE $1 = '' OR EXISTS (SELECT 1 FROM report_campaign_units u WHERE u.campaign_code = c.code AND u.unit_code = $1)
		ORDER BY c.deadline DESC, c.code`, unit)
	if err != nil {
		return nil, mapErr(err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (ReportCampaign, error) { return scanReportCampaign(r) })
	return out, mapErr(err)
}

// GetReportCampaign returns one campaign.
func (db *DB) GetReportCampaign(ctx context.Context, code string) (ReportCampaign, error) {
	c, err := scanReportCampaign(db.Pool.QueryRow(ctx, `SELECT `+campaignCols+` FROM report_campaigns c WHERE c.code = $1`, code))
	if err != nil {
		return c, mapErr(err)
	}
	return c, nil
}

// DeploymentVersion is one submitted version of an entry.
type DeploymentVersion struct {
	Version     int             `json:"version"`
	Data        json.RawMessage `json:"data"`
	SubmittedAt time.Time       `json:"submitted_at"`
	SubmittedBy int64           `json:"submitted_by"`
	Late        bool            `json:"late"`
}

// DeploymentEntry is a unit's entry in a campaign with its full history.
type DeploymentEntry struct {
	Campaign       string              `json:"campaign"`
	Unit           string              `json:"unit_code"`
	Draft          json.RawMessage     `json:"draft,omitempty"`
	DraftUpdatedAt *time.Time          `json:"draft_updated_at,omitempty"`
	Version        int                 `json:"version"`
	SubmittedAt    *time.Time          `json:"submitted_at,omitempty"`
	Late           bool                `json:"late"`
	Versions       []DeploymentVersion `json:"versions"` // newest first
}

// errNotInCampaign is returned when a unit does not report in a campaign.
func errNotInCampaign() error {
	return cds.Errorf(cds.ENOTFOUND, "Đơn vị không thuộc đợt báo cáo này.", "The unit does not report in this campaign.")
}

// lockEntry makes sure the entry row exists and locks it; it returns the campaign deadline.
func lockEntry(ctx context.Context, tx pgx.Tx, campaign, unit string) (deadline time.Time, version int, err error) {
	deadline, _, version, err = lockEntryAsOf(ctx, tx, campaign, unit)
	return deadline, version, err
}

// lockEntryAsOf is lockEntry that also returns the campaign's as-of instant.
func lockEntryAsOf(ctx context.Context, tx pgx.Tx, campaign, unit string) (deadline, asOf time.Time, version int, err error) {
	err = tx.QueryRow(ctx, `SELECT c.deadline, COALESCE(c.as_of, c.deadline) FROM report_campaigns c JOIN report_campaign_units u ON u.campaign_code = c.code
		WHERE c.code = $1 AND u.unit_code = $2`, campaign, unit).Scan(&deadline, &asOf)
	if err == pgx.ErrNoRows {
		return deadline, asOf, 0, errNotInCampaign()
	}
	if err != nil {
		return deadline, asOf, 0, mapErr(err)
	}
	if _, err = tx.Exec(ctx, `INSERT INTO deployment_reports (campaign_code, unit_code) VALUES ($1, $2) ON CONFLICT DO NOTHING`, campaign, unit); err != nil {
		return deadline, asOf, 0, mapErr(err)
	}
	err = tx.QueryRow(ctx, `SELECT version FROM deployment_reports WHERE campaign_code = $1 AND unit_code = $2 FOR UPDATE`, campaign, unit).Scan(&version)
	return deadline, asOf, version, mapErr(err)
}

// SaveDeploymentDraft stores the working draft of an entry (no version is made).
func (db *DB) SaveDeploymentDraft(ctx context.Context, campaign, unit string, data []byte, by int64) error {
	tx, err := db.Pool.Begin(ctx)
	if err != nil {
		return mapErr(err)
	}
	defer tx.Rollback(ctx) //nolint:errcheck
	if _, _, err := lockEntry(ctx, tx, campaign, unit); err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `UPDATE deployment_reports SET draft = $3, draft_updated_at = now(), draft_by = NULLIF($4, 0)
		WHERE campaign_code = $1 AND unit_code = $2`, campaign, unit, data, by); err != nil {
		return mapErr(err)
	}
	return mapErr(tx.Commit(ctx))
}

// SubmitDeployment records a new version of an entry and clears the draft.
//
// Deadline policy: before the deadline every submission makes a new version.
// After it, a unit that has not submitted yet may still submit — the entry is
// accepted and marked late, because the steering committee wants the figures
// — but an entry already submitted can no longer be changed (ECONFLICT), so
// the merged report does not move under the committee's feet.
func (db *DB) SubmitDeployment(ctx context.Context, campaign, unit string, data []byte, by int64, now time.Time) (int, bool, error) {
	tx, err := db.Pool.Begin(ctx)
	if err != nil {
		return 0, false, mapErr(err)
	}
	defer tx.Rollback(ctx) //nolint:errcheck
	deadline, asOf, version, err := lockEntryAsOf(ctx, tx, campaign, unit)
	if err != nil {
		return 0, false, err
	}
	late := now.After(deadline)
	if late && version > 0 {
		return 0, false, cds.Errorf(cds.ECONFLICT, "Đã hết hạn báo cáo; báo cáo đã nộp không thể sửa đổi.", "The deadline has passed; a submitted report can no longer be changed.")
	}
	version++
	if _, err := tx.Exec(ctx, `INSERT INTO deployment_report_versions (campaign_code, unit_code, version, data, submitted_at, submitted_by, late)
		VALUES ($1, $2, $3, $4, $5, NULLIF($6, 0), $7)`, campaign, unit, version, data, now, by, late); err != nil {
		return 0, false, mapErr(err)
	}
	// Freeze the unit's counted figures with the version, as they stood at
	// the submission or the as-of instant, whichever is earlier.
	at := now
	if asOf.Before(at) {
		at = asOf
	}
	counts, err := countUnits(ctx, tx, []string{unit}, at)
	if err != nil {
		return 0, false, err
	}
	if _, err := tx.Exec(ctx, `UPDATE deployment_report_versions SET counted = $4, counted_as_of = $5
		WHERE campaign_code = $1 AND unit_code = $2 AND version = $3`, campaign, unit, version, counts[unit], at); err != nil {
		return 0, false, mapErr(err)
	}
	if _, err := tx.Exec(ctx, `UPDATE deployment_reports SET version = $3, submitted_at = $4, late = $5, draft = NULL, draft_updated_at = NULL
		WHERE campaign_code = $1 AND unit_code = $2`, campaign, unit, version, now, late); err != nil {
		return 0, false, mapErr(err)
	}
	return version, late, mapErr(tx.Commit(ctx))
}

// GetDeploymentEntry returns a unit's entry with its history. A unit that
// must report but has not started has an empty entry (version 0).
func (db *DB) GetDeploymentEntry(ctx context.Context, campaign, unit string) (DeploymentEntry, error) {
	e := DeploymentEntry{Campaign: campaign, Unit: unit, Versions: []DeploymentVersion{}}
	var member bool
	if err := db.Pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM report_campaign_units WHERE campaign_code = $1 AND unit_code = $2)`, campaign, unit).Scan(&member); err != nil {
		return e, mapErr(err)
	}
	if !member {
		return e, errNotInCampaign()
	}
	err := db.Pool.QueryRow(ctx, `SELECT draft, draft_updated_at, version, submitted_at, late FROM deployment_reports WHERE campaign_code = $1 AND unit_code = $2`,
		campaign, unit).Scan(&e.Draft, &e.DraftUpdatedAt, &e.Version, &e.SubmittedAt, &e.Late)
	if err != nil && err != pgx.ErrNoRows {
		return e, mapErr(err)
	}
	for _, t := range []*time.Time{e.DraftUpdatedAt, e.SubmittedAt} {
		if t != nil {
			*t = t.In(cds.VietnamTZ)
		}
	}
	rows, err := db.Pool.Query(ctx, `SELECT version, data, submitted_at, COALESCE(submitted_by, 0), late FROM deployment_report_versions
		WHERE campaign_code = $1 AND unit_code = $2 ORDER BY version DESC`, campaign, unit)
	if err != nil {
		return e, mapErr(err)
	}
	e.Versions, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (DeploymentVersion, error) {
		var v DeploymentVersion
		err := r.Scan(&v.Version, &v.Data, &v.SubmittedAt, &v.SubmittedBy, &v.Late)
		v.SubmittedAt = v.SubmittedAt.In(cds.VietnamTZ)
		return v, err
	})
	return e, mapErr(err)
}

// ReminderCampaign is a campaign the reminder schedule looks at.
type ReminderCampaign struct {
	Code     string    `json:"code"`
	Title    string    `json:"title"`
	Deadline time.Time `json:"deadline"`
}

// ReportCampaignsDueBetween lists campaigns whose deadline lies in [from, to].
func (db *DB) ReportCampaignsDueBetween(ctx context.Context, from, to time.Time) ([]ReminderCampaign, error) {
	rows, err := db.Pool.Query(ctx, `SELECT code, title, deadline FROM report_campaigns WHERE deadline BETWEEN $1 AND $2 ORDER BY deadline, code`, from, to)
	if err != nil {
		return nil, mapErr(err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (ReminderCampaign, error) {
		var c ReminderCampaign
		err := r.Scan(&c.Code, &c.Title, &c.Deadline)
		return c, err
	})
	return out, mapErr(err)
}

// MissingUnit is a unit that has not submitted, with its reporters' user IDs.
type MissingUnit struct {
	Code      string
	Name      string
	Reporters []int64
}

// MissingDeploymentUnits lists a campaign's units without a submitted entry, with the
// active accounts holding the reporter role in each.
func (db *DB) MissingDeploymentUnits(ctx context.Context, campaign string) ([]MissingUnit, error) {
	rows, err := db.Pool.Query(ctx, `SELECT a.code, a.name,
			COALESCE((SELECT array_agg(DISTINCT ur.user_id ORDER BY ur.user_id) FROM user_roles ur JOIN users u ON u.id = ur.user_id
				WHERE ur.role = 'reporter' AND ur.agency_code = a.code AND u.status = 'active'), '{}')
		FROM report_campaign_units cu JOIN agencies a ON a.code = cu.unit_code
		LEFT JOIN deployment_reports r ON r.campaign_code = cu.campaign_code AND r.unit_code = cu.unit_code
		WHERE cu.campaign_code = $1 AND COALESCE(r.version, 0) = 0 ORDER BY a.code`, campaign)
	if err != nil {
		return nil, mapErr(err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (MissingUnit, error) {
		var m MissingUnit
		err := r.Scan(&m.Code, &m.Name, &m.Reporters)
		return m, err
	})
	return out, mapErr(err)
}

// ReportUsersWithRole lists active accounts holding role in any agency.
func (db *DB) ReportUsersWithRole(ctx context.Context, role string) ([]int64, error) {
	rows, err := db.Pool.Query(ctx, `SELECT DISTINCT ur.user_id FROM user_roles ur JOIN users u ON u.id = ur.user_id
		WHERE ur.role = $1 AND u.status = 'active' ORDER BY 1`, role)
	if err != nil {
		return nil, mapErr(err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	return out, mapErr(err)
}

// DeploymentUnit returns the agency a deployment report is about.
func (db *DB) DeploymentUnit(ctx context.Context, code string) (cds.Agency, error) {
	var a cds.Agency
	err := db.Pool.QueryRow(ctx, `SELECT code, name, type, COALESCE(parent_code, '') FROM agencies WHERE code = $1`, code).
		Scan(&a.Code, &a.Name, &a.Type, &a.ParentCode)
	return a, mapErr(err)
}

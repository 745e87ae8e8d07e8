package postgres

import (
	"context"
	"encoding/json"
	"time"

	"github.com/jackc/pgx/v5"

	cds "github.com/caobang/congdanso"
)

// ReportCaseStat is one aggregated line of the case statistics (Biểu 06 style).
type ReportCaseStat struct {
	Group, GroupName, Kind    string
	Online, InPerson, Carried int64
	Early, OnTime, Late       int64
	WithinDeadline, Overdue   int64
	HoursSum                  float64
	HoursN                    int64
	RatingSum                 float64
	RatingN                   int64
	Reopened                  int64 // feedback reopened by the citizen's complaint (issue 21)
}

// scopeCTE selects agency $3 and its descendants ("" = the whole province).
const scopeCTE = `WITH RECURSIVE scope AS (
		SELECT code FROM agencies WHERE code = $3
		UNION ALL SELECT a.code FROM agencies a JOIN scope s ON a.parent_code = s.code)`

// caseInPeriod keeps the cases handled in [$1, $2): received before the end
// and not finished before the start.
const caseInPeriod = `c.received_at < $2 AND (c.finished_at IS NULL OR c.finished_at >= $1)
		AND ($3 = '' OR c.agency_code IN (SELECT code FROM scope))`

// ReportCaseStats aggregates the cases handled in [from, to) within agency's
// subtree, grouped by agency (byField false) or by field. Cases received
// before from are "carried over"; cases finished before to are resolved and
// classified early/on time/late; the rest are in progress, overdue when their
// due time passed before to.
func (db *DB) ReportCaseStats(ctx context.Context, from, to time.Time, agency string, byField bool) ([]ReportCaseStat, error) {
	group, name, join := `COALESCE(c.agency_code, '')`, `COALESCE(max(a.name), '')`, `LEFT JOIN agencies a ON a.code = c.agency_code`
	if byField {
		group, name, join = `c.field`, `c.field`, ``
	}
	q := scopeCTE + `, t AS (
		SELECT c.*, COALESCE(c.timeliness, CASE WHEN c.due_at IS NULL OR c.finished_at <= c.due_at THEN 'on_time' ELSE 'late' END) AS tl,
			c.finished_at IS NOT NULL AND c.finished_at < $2 AS done
		FROM cases c WHERE ` + caseInPeriod + `)
	SELECT ` + group + `, ` + name + `, c.kind,
		count(*) FILTER (WHERE c.received_at >= $1 AND c.channel <> 'in_person'),
		count(*) FILTER (WHERE c.received_at >= $1 AND c.channel = 'in_person'),
		count(*) FILTER (WHERE c.received_at < $1),
		count(*) FILTER (WHERE c.done AND c.tl = 'early'),
		count(*) FILTER (WHERE c.done AND c.tl = 'on_time'),
		count(*) FILTER (WHERE c.done AND c.tl = 'late'),
		count(*) FILTER (WHERE NOT c.done AND (c.due_at IS NULL OR c.due_at >= $2)),
		count(*) FILTER (WHERE NOT c.done AND c.due_at < $2),
		COALESCE(sum(c.handling_hours) FILTER (WHERE c.done), 0),
		count(c.handling_hours) FILTER (WHERE c.done),
		COALESCE(sum(c.rating), 0), count(c.rating),
		count(*) FILTER (WHERE EXISTS (SELECT 1 FROM feedback_reports r WHERE r.workflow_id = c.workflow_id AND r.reopen_count > 0))
	FROM t c ` + join + `
	GROUP BY 1, c.kind ORDER BY 1, c.kind`
	rows, err := db.Pool.Query(ctx, q, from, to, agency)
	if err != nil {
		return nil, mapErr(err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (ReportCaseStat, error) {
		var s ReportCaseStat
		err := r.Scan(&s.Group, &s.GroupName, &s.Kind, &s.Online, &s.InPerson, &s.Carried, &s.Early, &s.OnTime, &s.Late,
			&s.WithinDeadline, &s.Overdue, &s.HoursSum, &s.HoursN, &s.RatingSum, &s.RatingN, &s.Reopened)
		return s, err
	})
	return out, mapErr(err)
}

// ReportCaseRow is one case of the full case-list export (no personal data).
type ReportCaseRow struct {
	Code, Kind, Title, Field, AgencyCode, Status, Channel string
	ReceivedAt                                            time.Time
	DueAt, FinishedAt                                     *time.Time
	Timeliness                                            *string
	HandlingHours                                         *float64
	Rating                                                *int
}

// StreamReportCases calls fn for every case handled in [from, to) within agency's
// subtree, in received order. Rows are read from the server as fn consumes
// them, so memory does not grow with the result.
func (db *DB) StreamReportCases(ctx context.Context, from, to time.Time, agency string, fn func(*ReportCaseRow) error) error {
	rows, err := db.Pool.Query(ctx, scopeCTE+` SELECT c.code, c.kind, c.title, c.field, COALESCE(c.agency_code, ''), c.status, c.channel,
			c.received_at, c.due_at, c.finished_at, c.timeliness, c.handling_hours, c.rating
		FROM cases c WHERE `+caseInPeriod+` ORDER BY c.received_at, c.code`, from, to, agency)
	if err != nil {
		return mapErr(err)
	}
	defer rows.Close()
	var r ReportCaseRow
	for rows.Next() {
		r = ReportCaseRow{}
		if err := rows.Scan(&r.Code, &r.Kind, &r.Title, &r.Field, &r.AgencyCode, &r.Status, &r.Channel,
			&r.ReceivedAt, &r.DueAt, &r.FinishedAt, &r.Timeliness, &r.HandlingHours, &r.Rating); err != nil {
			return err
		}
		if err := fn(&r); err != nil {
			return err
		}
	}
	return mapErr(rows.Err())
}

// ReportExport is a background case-list export.
type ReportExport struct {
	ID         string          `json:"id"`
	Format     string          `json:"format"`
	Params     json.RawMessage `json:"params"`
	Status     string          `json:"status"`
	BlobKey    string          `json:"-"`
	Rows       int64           `json:"rows"`
	Size       int64           `json:"size"`
	Error      string          `json:"error,omitempty"`
	CreatedBy  int64           `json:"-"`
	CreatedAt  time.Time       `json:"created_at"`
	UpdatedAt  time.Time       `json:"updated_at"`
	FinishedAt *time.Time      `json:"finished_at,omitempty"`
}

// CreateReportExport inserts a queued export job.
func (db *DB) CreateReportExport(ctx context.Context, id, format string, params any, by int64) (ReportExport, error) {
	b, err := json.Marshal(params)
	if err != nil {
		return ReportExport{}, err
	}
	if _, err := db.Pool.Exec(ctx, `INSERT INTO report_exports (id, format, params, created_by) VALUES ($1, $2, $3, $4)`, id, format, b, by); err != nil {
		return ReportExport{}, mapErr(err)
	}
	return db.GetReportExport(ctx, id)
}

// UpdateReportExport moves a job to status with its counters, blob key and error text.
func (db *DB) UpdateReportExport(ctx context.Context, id, status string, rows, size int64, blobKey, errText string) error {
	_, err := db.Pool.Exec(ctx, `UPDATE report_exports SET status = $2, rows = $3, size = $4, blob_key = NULLIF($5, ''), error = $6,
		updated_at = now(), finished_at = CASE WHEN $2 IN ('done','failed') THEN now() END WHERE id = $1`, id, status, rows, size, blobKey, errText)
	return mapErr(err)
}

// GetReportExport returns a job.
func (db *DB) GetReportExport(ctx context.Context, id string) (ReportExport, error) {
	var j ReportExport
	var key *string
	err := db.Pool.QueryRow(ctx, `SELECT id, format, params, status, blob_key, rows, size, error, created_by, created_at, updated_at, finished_at
		FROM report_exports WHERE id = $1`, id).Scan(&j.ID, &j.Format, &j.Params, &j.Status, &key, &j.Rows, &j.Size, &j.Error, &j.CreatedBy, &j.CreatedAt, &j.UpdatedAt, &j.FinishedAt)
	if key != nil {
		j.BlobKey = *key
	}
	j.CreatedAt, j.UpdatedAt = j.CreatedAt.In(cds.VietnamTZ), j.UpdatedAt.In(cds.VietnamTZ)
	if j.FinishedAt != nil {
		t := j.FinishedAt.In(cds.VietnamTZ)
		j.FinishedAt = &t
	}
	return j, mapErr(err)
}

// FailStaleReportExports marks jobs that have not progressed since before cutoff as
// failed (their process died); it returns how many.
func (db *DB) FailStaleReportExports(ctx context.Context, cutoff time.Time) (int64, error) {
	tag, err := db.Pool.Exec(ctx, `UPDATE report_exports SET status = 'failed', error = 'interrupted', updated_at = now(), finished_at = now()
		WHERE status IN ('queued','running') AND updated_at < $1`, cutoff)
	return tag.RowsAffected(), mapErr(err)
}

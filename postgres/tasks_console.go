package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
)

// CaseSummary is the shared read-model row of a case, as the staff console shows it.
type CaseSummary struct {
	WorkflowID string
	Kind       string
	Code       string
	Title      string
	Field      string
	AgencyCode string
	AgencyName string
	Status     string
	Channel    string
	ReceivedAt time.Time
	DueAt      *time.Time
	FinishedAt *time.Time
	Closed     bool
	Overdue    bool
}

// CaseByCode reads one case of the shared read model by its readable code.
func (db *DB) CaseByCode(ctx context.Context, kind, code string) (CaseSummary, error) {
	var c CaseSummary
	err := db.Pool.QueryRow(ctx, `SELECT c.workflow_id, c.kind, c.code, c.title, c.field, COALESCE(c.agency_code, ''),
		COALESCE(a.name, ''), c.status, c.channel, c.received_at, c.due_at, c.finished_at, c.closed,
		(c.overdue OR (NOT c.closed AND c.due_at IS NOT NULL AND c.due_at < now()))
		FROM cases c LEFT JOIN agencies a ON a.code = c.agency_code WHERE c.kind = $1 AND c.code = $2`, kind, code).
		Scan(&c.WorkflowID, &c.Kind, &c.Code, &c.Title, &c.Field, &c.AgencyCode, &c.AgencyName, &c.Status, &c.Channel,
			&c.ReceivedAt, &c.DueAt, &c.FinishedAt, &c.Closed, &c.Overdue)
	return c, mapErr(err)
}

// StaffOption is a staff member a leader may assign a task to.
type StaffOption struct {
	ID   int64
	Name string
}

// AgencyStaff lists the active staff accounts of an agency.
func (db *DB) AgencyStaff(ctx context.Context, agency string) ([]StaffOption, error) {
	rows, err := db.Pool.Query(ctx, `SELECT id, full_name FROM users WHERE kind = 'staff' AND status = 'active' AND agency_code = $1 ORDER BY full_name, id`, agency)
	if err != nil {
		return nil, mapErr(err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (StaffOption, error) {
		var s StaffOption
		err := r.Scan(&s.ID, &s.Name)
		return s, err
	})
	return out, mapErr(err)
}

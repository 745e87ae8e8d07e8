package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
)

// CaseEvent is one timeline row of the shared case_events table.
type CaseEvent struct {
	Seq         int            `json:"seq"`
	At          time.Time      `json:"at"`
	ActorName   string         `json:"actor_name"`
	ActorAgency string         `json:"actor_agency"`
	Action      string         `json:"action"`
	FromStatus  string         `json:"from_status"`
	ToStatus    string         `json:"to_status"`
	Note        string         `json:"note"`
	Public      bool           `json:"public"`
	Detail      map[string]any `json:"detail,omitempty"`
}

// CaseEvents returns a case's timeline; internal rows only when withInternal.
func (db *DB) CaseEvents(ctx context.Context, workflowID string, withInternal bool) ([]CaseEvent, error) {
	rows, err := db.Pool.Query(ctx, `SELECT seq, at, actor_name, actor_agency, action, from_status, to_status, note, public, detail
		FROM case_events WHERE workflow_id = $1 AND (public OR $2) ORDER BY seq`, workflowID, withInternal)
	if err != nil {
		return nil, mapErr(err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (CaseEvent, error) {
		var e CaseEvent
		err := r.Scan(&e.Seq, &e.At, &e.ActorName, &e.ActorAgency, &e.Action, &e.FromStatus, &e.ToStatus, &e.Note, &e.Public, &e.Detail)
		return e, err
	})
	return out, mapErr(err)
}

// IsCommune reports whether code is a commune or ward.
func (db *DB) IsCommune(ctx context.Context, code string) (bool, error) {
	var ok bool
	err := db.Pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM agencies WHERE code = $1 AND type = 'commune')`, code).Scan(&ok)
	return ok, mapErr(err)
}

package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
)

// AgencyTransparency is an agency's public accountability figures over a
// period, from the shared read model (cases).
type AgencyTransparency struct {
	Code, Name  string
	Received    int64
	Resolved    int64    // finished in the period
	Timed       int64    // resolved cases with a timeliness
	OnTime      int64    // of those, early or on time
	MedianHours *float64 // median working hours, received to finished
	Rated       int64
	RatingSum   int64
	Reopened    int64 // feedback reopened in the period after the citizen's complaint (issue 21)
}

// Transparency computes the figures of every agency with a case in [from, to).
func (db *DB) Transparency(ctx context.Context, from, to time.Time) ([]AgencyTransparency, error) {
	rows, err := db.Pool.Query(ctx, `SELECT a.code, a.name,
		count(*) FILTER (WHERE c.received_at >= $1 AND c.received_at < $2),
		count(*) FILTER (WHERE c.finished_at >= $1 AND c.finished_at < $2),
		count(*) FILTER (WHERE c.finished_at >= $1 AND c.finished_at < $2 AND c.timeliness IS NOT NULL),
		count(*) FILTER (WHERE c.finished_at >= $1 AND c.finished_at < $2 AND c.timeliness IN ('early', 'on_time')),
		percentile_cont(0.5) WITHIN GROUP (ORDER BY c.handling_hours) FILTER (WHERE c.finished_at >= $1 AND c.finished_at < $2 AND c.handling_hours IS NOT NULL),
		count(*) FILTER (WHERE c.finished_at >= $1 AND c.finished_at < $2 AND c.rating IS NOT NULL),
		COALESCE(sum(c.rating) FILTER (WHERE c.finished_at >= $1 AND c.finished_at < $2), 0),
		count(*) FILTER (WHERE EXISTS (SELECT 1 FROM feedback_reports r WHERE r.workflow_id = c.workflow_id
			AND r.reopened_at >= $1 AND r.reopened_at < $2))
		FROM cases c JOIN agencies a ON a.code = c.agency_code
		WHERE (c.received_at >= $1 AND c.received_at < $2) OR (c.finished_at >= $1 AND c.finished_at < $2)
		GROUP BY a.code, a.name ORDER BY a.name`, from, to)
	if err != nil {
		return nil, mapErr(err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (AgencyTransparency, error) {
		var x AgencyTransparency
		err := r.Scan(&x.Code, &x.Name, &x.Received, &x.Resolved, &x.Timed, &x.OnTime, &x.MedianHours, &x.Rated, &x.RatingSum, &x.Reopened)
		return x, err
	})
	return out, mapErr(err)
}

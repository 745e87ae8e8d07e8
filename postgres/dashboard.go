package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
)

// WeekCounts are the cases of one week (Monday, Vietnam time): received,
// resolved (finished) and overdue (their due time fell in the week and
// they were not finished by then).
type WeekCounts struct {
	Week                        time.Time
	Received, Resolved, Overdue int64
}

// CasesPerWeek counts the last n weeks, oldest first, from the read model.
func (db *DB) CasesPerWeek(ctx context.Context, n int) ([]WeekCounts, error) {
	rows, err := db.Pool.Query(ctx, `WITH weeks AS (
		SELECT generate_series(date_trunc('week', now() AT TIME ZONE 'Asia/Ho_Chi_Minh') - ($1::int - 1) * interval '1 week',
			date_trunc('week', now() AT TIME ZONE 'Asia/Ho_Chi_Minh'), interval '1 week') AS w)
		SELECT w,
			(SELECT count(*) FROM cases WHERE received_at AT TIME ZONE 'Asia/Ho_Chi_Minh' >= w AND received_at AT TIME ZONE 'Asia/Ho_Chi_Minh' < w + interval '1 week'),
			(SELECT count(*) FROM cases WHERE finished_at AT TIME ZONE 'Asia/Ho_Chi_Minh' >= w AND finished_at AT TIME ZONE 'Asia/Ho_Chi_Minh' < w + interval '1 week'),
			(SELECT count(*) FROM cases WHERE due_at AT TIME ZONE 'Asia/Ho_Chi_Minh' >= w AND due_at AT TIME ZONE 'Asia/Ho_Chi_Minh' < w + interval '1 week'
				AND due_at < now() AND (finished_at IS NULL OR finished_at > due_at))
		FROM weeks ORDER BY w`, n)
	if err != nil {
		return nil, mapErr(err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (WeekCounts, error) {
		var w WeekCounts
		err := r.Scan(&w.Week, &w.Received, &w.Resolved, &w.Overdue)
		return w, err
	})
	return out, mapErr(err)
}

// AgencyOnTime is an agency's finished cases since a time and how many of
// them were finished by their due time.
type AgencyOnTime struct {
	Code, Name       string
	Finished, OnTime int64
}

// OnTimeByAgency lists the agencies with finished cases since from.
func (db *DB) OnTimeByAgency(ctx context.Context, from time.Time) ([]AgencyOnTime, error) {
	rows, err := db.Pool.Query(ctx, `SELECT a.code, a.name, count(*), count(*) FILTER (WHERE c.timeliness IN ('early', 'on_time'))
		FROM cases c JOIN agencies a ON a.code = c.agency_code
		WHERE c.finished_at >= $1 AND c.timeliness IS NOT NULL
		GROUP BY a.code, a.name ORDER BY a.name`, from)
	if err != nil {
		return nil, mapErr(err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (AgencyOnTime, error) {
		var x AgencyOnTime
		err := r.Scan(&x.Code, &x.Name, &x.Finished, &x.OnTime)
		return x, err
	})
	return out, mapErr(err)
}

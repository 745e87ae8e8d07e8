package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
)

// UnitCounts are the figures the platform counts for a unit at an instant.
type UnitCounts struct {
	// OfficialsRegistered: active citizen accounts whose workplace declaration
	// naming the unit was confirmed (by its admin or its staff list). Console
	// staff accounts are not app installs and do not count.
	OfficialsRegistered int64 `json:"officials_registered"`
	CitizensRegistered  int64 `json:"citizens_registered"` // active citizen accounts of the commune
	Active30d           int64 `json:"active_30d"`          // of those, signed in within 30 days before the instant
	Businesses          int64 `json:"businesses"`          // active business accounts of the commune
}

// ProvinceCounts are the province-wide figures of the Phụ lục I summary.
type ProvinceCounts struct {
	Citizens          int64 `json:"citizens"`            // every active citizen account
	CitizensNoCommune int64 `json:"citizens_no_commune"` // of those, without a commune in force ("chưa xác định xã")
	Officials         int64 `json:"officials"`           // confirmed officials, all units
	Businesses        int64 `json:"businesses"`          // every active business account
}

// countsSQL counts for units $1 as they stood at $2: an account counts when
// it existed by then, and a confirmation when it was made by then.
const countsSQL = `SELECT a.code,
	(SELECT count(*) FROM workplaces w JOIN users u ON u.id = w.user_id
		WHERE w.unit_code = a.code AND w.status = 'confirmed' AND w.decided_at <= $2 AND u.status = 'active' AND u.created_at <= $2),
	(SELECT count(*) FROM users u WHERE u.commune_code = a.code AND u.kind = 'citizen' AND u.status = 'active' AND u.created_at <= $2),
	(SELECT count(*) FROM users u WHERE u.status = 'active' AND u.created_at <= $2
		AND u.last_login_at > $2::timestamptz - interval '30 days' AND u.last_login_at <= $2
		AND ((u.kind = 'citizen' AND u.commune_code = a.code)
			OR EXISTS (SELECT 1 FROM workplaces w WHERE w.user_id = u.id AND w.unit_code = a.code AND w.status = 'confirmed' AND w.decided_at <= $2))),
	(SELECT count(*) FROM businesses b WHERE b.commune_code = a.code AND b.status = 'active' AND b.registered_at <= $2)
	FROM agencies a WHERE a.code = ANY($1)`

// querier is a pool or a transaction.
type querier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// CountDeploymentUnits counts accounts per unit as they stood at asOf.
func (db *DB) CountDeploymentUnits(ctx context.Context, units []string, asOf time.Time) (map[string]UnitCounts, error) {
	return countUnits(ctx, db.Pool, units, asOf)
}

func countUnits(ctx context.Context, q querier, units []string, asOf time.Time) (map[string]UnitCounts, error) {
	rows, err := q.Query(ctx, countsSQL, units, asOf)
	if err != nil {
		return nil, mapErr(err)
	}
	defer rows.Close()
	out := map[string]UnitCounts{}
	for rows.Next() {
		var code string
		var c UnitCounts
		if err := rows.Scan(&code, &c.OfficialsRegistered, &c.CitizensRegistered, &c.Active30d, &c.Businesses); err != nil {
			return nil, mapErr(err)
		}
		out[code] = c
	}
	return out, mapErr(rows.Err())
}

// CountProvince counts the province-wide figures as they stood at asOf. A
// citizen whose commune is empty, or names no commune in force at asOf, is
// "chưa xác định xã".
func (db *DB) CountProvince(ctx context.Context, asOf time.Time) (ProvinceCounts, error) {
	return countProvince(ctx, db.Pool, asOf)
}

func countProvince(ctx context.Context, q querier, asOf time.Time) (ProvinceCounts, error) {
	var p ProvinceCounts
	err := q.QueryRow(ctx, `SELECT
		(SELECT count(*) FROM users u WHERE u.kind = 'citizen' AND u.status = 'active' AND u.created_at <= $1),
		(SELECT count(*) FROM users u WHERE u.kind = 'citizen' AND u.status = 'active' AND u.created_at <= $1
			AND NOT EXISTS (SELECT 1 FROM agencies a WHERE a.code = u.commune_code AND a.type = 'commune'
				AND (a.in_force_to IS NULL OR a.in_force_to >= ($1::timestamptz AT TIME ZONE 'Asia/Ho_Chi_Minh')::date))),
		(SELECT count(*) FROM workplaces w JOIN users u ON u.id = w.user_id
			WHERE w.status = 'confirmed' AND w.decided_at <= $1 AND u.status = 'active' AND u.created_at <= $1),
		(SELECT count(*) FROM businesses b WHERE b.status = 'active' AND b.registered_at <= $1)`, asOf).
		Scan(&p.Citizens, &p.CitizensNoCommune, &p.Officials, &p.Businesses)
	return p, mapErr(err)
}

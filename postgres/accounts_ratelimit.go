package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
)

// Limit is a fixed-window rate limit with lockout: more than Max hits within
// Window locks the key for Lockout, doubling with each further lockout up to
// MaxLockout (backoff). A success may Reset the key.
type Limit struct {
	Max        int
	Window     time.Duration
	Lockout    time.Duration
	MaxLockout time.Duration
}

// RateHit counts one attempt on key. It returns whether the attempt may go
// ahead and, if not, how long to wait. The row lock serialises concurrent
// attempts on one key across all API instances, so at most Max get through.
func (db *DB) RateHit(ctx context.Context, key string, l Limit) (bool, time.Duration, error) {
	allowed := true
	var wait time.Duration
	err := pgx.BeginFunc(ctx, db.Pool, func(tx pgx.Tx) error {
		// One statement creates or locks the key's row, so a sweep
		// (PruneExpired) that deletes an idle row between two statements
		// cannot leave this attempt without one.
		var start, now time.Time
		var hits, lockouts int
		var lockedUntil *time.Time
		if err := tx.QueryRow(ctx, `INSERT INTO rate_limits (key) VALUES ($1)
			ON CONFLICT (key) DO UPDATE SET hits = rate_limits.hits
			RETURNING window_start, hits, lockouts, locked_until, now()`, key).
			Scan(&start, &hits, &lockouts, &lockedUntil, &now); err != nil {
			return err
		}
		if lockedUntil != nil && lockedUntil.After(now) {
			allowed, wait = false, lockedUntil.Sub(now)
			return nil
		}
		if now.Sub(start) >= l.Window {
			start, hits = now, 0
		}
		hits++
		var until *time.Time
		if hits > l.Max {
			lockouts++
			d := l.Lockout
			for i := 1; i < lockouts && d < l.MaxLockout; i++ {
				d *= 2
			}
			if l.MaxLockout > 0 && d > l.MaxLockout {
				d = l.MaxLockout
			}
			t := now.Add(d)
			until = &t
			allowed, wait = false, d
			start, hits = now, 0
		}
		_, err := tx.Exec(ctx, `UPDATE rate_limits SET window_start = $2, hits = $3, lockouts = $4, locked_until = $5, updated_at = now() WHERE key = $1`,
			key, start, hits, lockouts, until)
		return err
	})
	return allowed, wait, mapErr(err)
}

// RateReset clears a key (after a successful sign-in).
func (db *DB) RateReset(ctx context.Context, key string) error {
	_, err := db.Pool.Exec(ctx, `DELETE FROM rate_limits WHERE key = $1`, key)
	return mapErr(err)
}

package postgres

import (
	"context"
	"fmt"
	"time"
)

// Retention is how long the sweep keeps rows whose only use is to guard a
// retry, a replay or a sign-in, once that use has passed. Nothing a person
// or an auditor reads is on the list: cases, timelines, notifications (the
// person's inbox, deleted with the account), payments and the audit log
// are kept (docs/personal-data.md).
type Retention struct {
	// IdempotencyKeys: an answered key (and a reservation whose owner's
	// lease ran out) is kept this long from created_at. A retry after that
	// is a new request. The contract (api.md) names no period; clients
	// retry within minutes.
	IdempotencyKeys time.Duration
	// NoticeSteps: a step's notice mark (notice_steps) is kept this long
	// from queued_at. A mark guards the step's retried local activity and
	// the safety net run right after the Update; both come within minutes.
	NoticeSteps time.Duration
	// RateLimits: a rate-limit row untouched this long and not locked out.
	// Its escalation (lockouts) starts again from the first lockout.
	RateLimits time.Duration
	// EndedSessions: a session this long past its expiry or revocation, with
	// its refresh tokens. A token of a deleted session is refused as unknown.
	EndedSessions time.Duration
	// PasswordResets: a reset code this long past its expiry.
	PasswordResets time.Duration
}

// DefaultRetention is the product's retention (docs/personal-data.md).
func DefaultRetention() Retention {
	return Retention{
		IdempotencyKeys: 30 * 24 * time.Hour,
		NoticeSteps:     90 * 24 * time.Hour,
		RateLimits:      7 * 24 * time.Hour,
		EndedSessions:   30 * 24 * time.Hour,
		PasswordResets:  24 * time.Hour,
	}
}

// pruneRule is one table's sweep: which rows are past their use. Each
// statement deletes at most $2 rows; $1 is the table's period in seconds.
type pruneRule struct {
	name   string
	period func(Retention) time.Duration
	sql    string
}

// The candidates are locked with SKIP LOCKED, so several workers sweep at
// once without waiting on each other or on a request holding a row.
var pruneRules = []pruneRule{
	{"idempotency_keys", func(r Retention) time.Duration { return r.IdempotencyKeys },
		`DELETE FROM idempotency_keys WHERE ctid = ANY(ARRAY(
			SELECT ctid FROM idempotency_keys
			WHERE created_at < now() - make_interval(secs => $1)
			  AND (status_code IS NOT NULL
			       OR COALESCE((response #>> '{owner,lease_until}')::timestamptz, '-infinity') < now())
			LIMIT $2 FOR UPDATE SKIP LOCKED))`},
	{"notice_steps", func(r Retention) time.Duration { return r.NoticeSteps },
		`DELETE FROM notice_steps WHERE ctid = ANY(ARRAY(
			SELECT ctid FROM notice_steps WHERE queued_at < now() - make_interval(secs => $1)
			LIMIT $2 FOR UPDATE SKIP LOCKED))`},
	{"rate_limits", func(r Retention) time.Duration { return r.RateLimits },
		`DELETE FROM rate_limits WHERE ctid = ANY(ARRAY(
			SELECT ctid FROM rate_limits
			WHERE updated_at < now() - make_interval(secs => $1)
			  AND (locked_until IS NULL OR locked_until < now())
			LIMIT $2 FOR UPDATE SKIP LOCKED))`},
	{"sessions", func(r Retention) time.Duration { return r.EndedSessions },
		`DELETE FROM sessions WHERE ctid = ANY(ARRAY(
			SELECT ctid FROM sessions
			WHERE expires_at < now() - make_interval(secs => $1)
			   OR revoked_at < now() - make_interval(secs => $1)
			LIMIT $2 FOR UPDATE SKIP LOCKED))`},
	{"password_resets", func(r Retention) time.Duration { return r.PasswordResets },
		`DELETE FROM password_resets WHERE ctid = ANY(ARRAY(
			SELECT ctid FROM password_resets WHERE expires_at < now() - make_interval(secs => $1)
			LIMIT $2 FOR UPDATE SKIP LOCKED))`},
}

// PruneExpired deletes what r no longer keeps, batch rows per statement
// until a table has none left, and returns how many rows went from each
// table. A period of zero or less keeps that table whole. Each statement
// commits on its own: a sweep cut short loses nothing the next one will
// not find.
func (db *DB) PruneExpired(ctx context.Context, r Retention, batch int) (map[string]int64, error) {
	if batch <= 0 {
		batch = 1000
	}
	out := map[string]int64{}
	for _, rule := range pruneRules {
		p := rule.period(r)
		if p <= 0 {
			continue
		}
		for {
			tag, err := db.Pool.Exec(ctx, rule.sql, p.Seconds(), batch)
			if err != nil {
				return out, fmt.Errorf("prune %s: %w", rule.name, mapErr(err))
			}
			out[rule.name] += tag.RowsAffected()
			if tag.RowsAffected() < int64(batch) {
				break
			}
		}
	}
	return out, nil
}

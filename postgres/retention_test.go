package postgres

import (
	"context"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// PruneExpired deletes exactly the rows past their use, in batches, and
// keeps every row on the near side of each period: a hand-written table of
// rows either side of each boundary, with the survivors named.
func TestPruneExpired(t *testing.T) {
	ctx := context.Background()
	db := freshDB(t)
	var uid int64
	if err := db.Pool.QueryRow(ctx, `INSERT INTO users (kind, phone, full_name) VALUES ('citizen', '+84900000301', 'Người dân') RETURNING id`).Scan(&uid); err != nil {
		t.Fatal(err)
	}
	day := "interval '1 day'"
	for _, q := range []string{
		// idempotency keys: 30 days from created_at
		`INSERT INTO idempotency_keys (scope, user_id, key, status_code, response, created_at) VALUES
			('s', 1, 'answered-31d', 201, '{}', now() - 31*` + day + `),
			('s', 1, 'answered-29d', 201, '{}', now() - 29*` + day + `),
			('s', 1, 'lease-over-31d', NULL, jsonb_build_object('owner', jsonb_build_object('lease_until', now() - interval '1 hour')), now() - 31*` + day + `),
			('s', 1, 'lease-held-31d', NULL, jsonb_build_object('owner', jsonb_build_object('lease_until', now() + interval '1 hour')), now() - 31*` + day + `),
			('s', 1, 'no-owner-31d', NULL, NULL, now() - 31*` + day + `)`,
		// notice marks: 90 days from queued_at
		`INSERT INTO notice_steps (dedupe_key, queued_at) VALUES ('step-91d', now() - 91*` + day + `), ('step-89d', now() - 89*` + day + `)`,
		// rate limits: 7 days untouched and not locked out
		`INSERT INTO rate_limits (key, updated_at, locked_until) VALUES
			('idle-8d', now() - 8*` + day + `, NULL),
			('idle-8d-lock-over', now() - 8*` + day + `, now() - interval '1 hour'),
			('idle-8d-locked', now() - 8*` + day + `, now() + interval '1 hour'),
			('idle-6d', now() - 6*` + day + `, NULL)`,
		// sessions: 30 days past expiry or revocation
		`INSERT INTO sessions (id, user_id, expires_at, revoked_at) VALUES
			('expired-31d', $1, now() - 31*` + day + `, NULL),
			('expired-29d', $1, now() - 29*` + day + `, NULL),
			('revoked-31d', $1, now() + 5*` + day + `, now() - 31*` + day + `),
			('revoked-29d', $1, now() + 5*` + day + `, now() - 29*` + day + `),
			('active', $1, now() + 5*` + day + `, NULL)`,
		`INSERT INTO refresh_tokens (token_hash, session_id, expires_at)
			SELECT convert_to(id, 'UTF8'), id, expires_at FROM sessions`,
		// reset codes: one day past expiry
		`INSERT INTO password_resets (user_id, code_hash, expires_at) VALUES
			($1, 'a', now() - interval '25 hours'), ($1, 'b', now() - interval '23 hours')`,
	} {
		var args []any
		if strings.Contains(q, "$1") {
			args = append(args, uid)
		}
		if _, err := db.Pool.Exec(ctx, q, args...); err != nil {
			t.Fatalf("%v\n%s", err, q)
		}
	}

	// A period of zero keeps the table whole.
	if got, err := db.PruneExpired(ctx, Retention{}, 2); err != nil || len(got) != 0 {
		t.Fatalf("zero retention deleted %v, %v; want nothing", got, err)
	}

	want := map[string]int64{"idempotency_keys": 3, "notice_steps": 1, "rate_limits": 2, "sessions": 2, "password_resets": 1}
	got, err := db.PruneExpired(ctx, DefaultRetention(), 2) // batch 2: more than one pass on idempotency_keys
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("deleted %v; want %v", got, want)
	}
	left := map[string][]string{
		`SELECT key FROM idempotency_keys`:                            {"answered-29d", "lease-held-31d"},
		`SELECT dedupe_key FROM notice_steps`:                         {"step-89d"},
		`SELECT key FROM rate_limits`:                                 {"idle-6d", "idle-8d-locked"},
		`SELECT id FROM sessions`:                                     {"active", "expired-29d", "revoked-29d"},
		`SELECT convert_from(token_hash, 'UTF8') FROM refresh_tokens`: {"active", "expired-29d", "revoked-29d"},
		`SELECT convert_from(code_hash, 'UTF8') FROM password_resets`: {"b"},
	}
	for q, w := range left {
		rows, err := db.Pool.Query(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		have, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			t.Fatal(err)
		}
		sort.Strings(have)
		if !reflect.DeepEqual(have, w) {
			t.Errorf("%s: left %v; want %v", q, have, w)
		}
	}

	// A second sweep finds nothing.
	again, err := db.PruneExpired(ctx, DefaultRetention(), 2)
	if err != nil {
		t.Fatal(err)
	}
	for table, n := range again {
		if n != 0 {
			t.Errorf("second sweep deleted %d from %s", n, table)
		}
	}
}

// RateHit, now one upsert that locks the key's row: the third attempt in a
// window of two is refused for the lockout, and a key the sweep deleted
// starts again.
func TestRateHitAfterPrune(t *testing.T) {
	ctx := context.Background()
	db := freshDB(t)
	l := Limit{Max: 2, Window: time.Hour, Lockout: time.Minute, MaxLockout: time.Hour}
	for i, want := range []bool{true, true, false} {
		ok, wait, err := db.RateHit(ctx, "k", l)
		if err != nil {
			t.Fatal(err)
		}
		if ok != want {
			t.Fatalf("attempt %d allowed %v; want %v", i+1, ok, want)
		}
		if !ok && (wait <= 59*time.Second || wait > time.Minute) {
			t.Errorf("attempt %d: wait %v; want one minute", i+1, wait)
		}
	}
	// Idle for 8 days with the lockout over: the sweep deletes it, and the
	// next attempt is the first of a new window.
	if _, err := db.Pool.Exec(ctx, `UPDATE rate_limits SET updated_at = now() - interval '8 days', locked_until = now() - interval '1 second' WHERE key = 'k'`); err != nil {
		t.Fatal(err)
	}
	got, err := db.PruneExpired(ctx, Retention{RateLimits: 7 * 24 * time.Hour}, 10)
	if err != nil || got["rate_limits"] != 1 {
		t.Fatalf("sweep deleted %v, %v; want the one key", got, err)
	}
	var hits, lockouts int
	if ok, _, err := db.RateHit(ctx, "k", l); err != nil || !ok {
		t.Fatalf("after the sweep: allowed %v, %v", ok, err)
	}
	if err := db.Pool.QueryRow(ctx, `SELECT hits, lockouts FROM rate_limits WHERE key = 'k'`).Scan(&hits, &lockouts); err != nil {
		t.Fatal(err)
	}
	if hits != 1 || lockouts != 0 {
		t.Errorf("after the sweep: hits %d, lockouts %d; want 1, 0", hits, lockouts)
	}
}

package postgres

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"

	cds "github.com/caobang/congdanso"
	"github.com/caobang/congdanso/worktime"
)

// NextCode returns the next number of a readable code sequence (atomic, one row per prefix).
func (db *DB) NextCode(ctx context.Context, prefix string) (int64, error) {
	var n int64
	err := db.Pool.QueryRow(ctx, `INSERT INTO code_counters (prefix, last) VALUES ($1, 1)
		ON CONFLICT (prefix) DO UPDATE SET last = code_counters.last + 1 RETURNING last`, prefix).Scan(&n)
	return n, mapErr(err)
}

// CalendarDays returns the editable calendar table.
func (db *DB) CalendarDays(ctx context.Context) ([]worktime.Day, error) {
	rows, err := db.Pool.Query(ctx, `SELECT to_char(day, 'YYYY-MM-DD'), kind, name FROM work_calendar_days ORDER BY day`)
	if err != nil {
		return nil, mapErr(err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (worktime.Day, error) {
		var d worktime.Day
		err := r.Scan(&d.Date, &d.Kind, &d.Name)
		return d, err
	})
}

// Calendar builds the working-time calendar from the table.
func (db *DB) Calendar(ctx context.Context) (*worktime.Calendar, error) {
	days, err := db.CalendarDays(ctx)
	if err != nil {
		return nil, err
	}
	return worktime.New(days)
}

// UpsertCalendarDay adds or changes one calendar entry and writes its
// audit line, in one transaction.
func (db *DB) UpsertCalendarDay(ctx context.Context, d worktime.Day, audit AuditEntry) error {
	return pgx.BeginFunc(ctx, db.Pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO work_calendar_days (day, kind, name) VALUES ($1, $2, $3)
		ON CONFLICT (day) DO UPDATE SET kind = EXCLUDED.kind, name = EXCLUDED.name, updated_at = now()`, d.Date, d.Kind, d.Name); err != nil {
			return mapErr(err)
		}
		return auditTx(ctx, tx, audit)
	})
}

// DeleteCalendarDay removes an entry (ENOTFOUND when absent) and writes its
// audit line, in one transaction.
func (db *DB) DeleteCalendarDay(ctx context.Context, date string, audit AuditEntry) error {
	return pgx.BeginFunc(ctx, db.Pool, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `DELETE FROM work_calendar_days WHERE day = $1`, date)
		if err != nil {
			return mapErr(err)
		}
		if tag.RowsAffected() == 0 {
			return cds.Errorf(cds.ENOTFOUND, "Không có ngày %s trong lịch.", "Date %s is not in the calendar.", date)
		}
		return auditTx(ctx, tx, audit)
	})
}

// UpsertAgency inserts or updates an agency (the directory fields are left alone on update).
func (db *DB) UpsertAgency(ctx context.Context, a cds.Agency) error {
	var parent *string
	if a.ParentCode != "" {
		parent = &a.ParentCode
	}
	_, err := db.Pool.Exec(ctx, `INSERT INTO agencies (code, name, type, parent_code) VALUES ($1, $2, $3, $4)
		ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name, type = EXCLUDED.type, parent_code = EXCLUDED.parent_code, updated_at = now()`,
		a.Code, a.Name, a.Type, parent)
	return mapErr(err)
}

// Agencies returns every agency (code, name, type, parent).
func (db *DB) Agencies(ctx context.Context) ([]cds.Agency, error) {
	rows, err := db.Pool.Query(ctx, `SELECT code, name, type, COALESCE(parent_code, '') FROM agencies ORDER BY code`)
	if err != nil {
		return nil, mapErr(err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (cds.Agency, error) {
		var a cds.Agency
		err := r.Scan(&a.Code, &a.Name, &a.Type, &a.ParentCode)
		return a, err
	})
}

// Audit records an administrative change.
func (db *DB) Audit(ctx context.Context, actorID int64, action, objType, objID string, detail any) error {
	if detail == nil {
		detail = map[string]any{}
	}
	_, err := db.Pool.Exec(ctx, `INSERT INTO audit_log (actor_id, action, object_type, object_id, detail) VALUES (NULLIF($1, 0), $2, $3, $4, $5)`,
		actorID, action, objType, objID, detail)
	return mapErr(err)
}

// Idempotent runs create once per (scope, user, key). The first call reserves
// the key, runs create and stores its response; later calls with the same key
// return the stored response. A concurrent duplicate that finds the key
// reserved but not yet answered gets ECONFLICT and can retry. If the instance
// holding the key dies before answering, the key stays reserved: use
// IdempotentResumable when create can safely run again.
func (db *DB) Idempotent(ctx context.Context, scope string, userID int64, key string, create func() (int, any, error)) (int, []byte, bool, error) {
	return db.idempotent(ctx, scope, userID, key, false, create)
}

// Once is Idempotent for a create whose answer is a value: create runs once
// per (scope, user, key) and its value is stored (as 201 Created); a retry
// with the same key gets that value back, decoded from the stored answer.
func Once[T any](ctx context.Context, db *DB, scope string, userID int64, key string, create func() (T, error)) (T, error) {
	var out T
	_, body, _, err := db.Idempotent(ctx, scope, userID, key, func() (int, any, error) {
		v, err := create()
		if err != nil {
			return 0, nil, err
		}
		return 201, v, nil
	})
	if err != nil {
		return out, err
	}
	return out, json.Unmarshal(body, &out)
}

// IdempotentResumable is Idempotent for a create that may run again after a
// partial first run. A reservation records its owner: the instance (host,
// process) and a lease the owning request renews while create runs. If that
// instance dies before answering (SIGKILL, a lost node), the lease runs out
// and the next retry — on any instance — takes the key over and runs create
// again; so does a retry after idemLease whatever the lease. The lease does
// not depend on a PostgreSQL session, so a dropped or recycled connection
// (a database restart, a pooler) does not hand a live request's key to a
// retry. Keep what must not change between runs (a case code) with
// IdempotencyReserve.
func (db *DB) IdempotentResumable(ctx context.Context, scope string, userID int64, key string, create func() (int, any, error)) (int, []byte, bool, error) {
	return db.idempotent(ctx, scope, userID, key, true, create)
}

func (db *DB) idempotent(ctx context.Context, scope string, userID int64, key string, resumable bool, create func() (int, any, error)) (int, []byte, bool, error) {
	if key == "" {
		status, body, err := create()
		if err != nil {
			return 0, nil, false, err
		}
		b, err := jsonMarshal(body)
		return status, b, false, err
	}
	token := newOwnerToken()
	tag, err := db.Pool.Exec(ctx, `INSERT INTO idempotency_keys (scope, user_id, key, response)
		VALUES ($1, $2, $3, jsonb_build_object('owner', `+idemOwner+`)) ON CONFLICT DO NOTHING`, scope, userID, key, instanceID(), token, idemOwnerLease.String())
	if err != nil {
		return 0, nil, false, mapErr(err)
	}
	if tag.RowsAffected() == 0 {
		var status *int
		var resp []byte
		err := db.Pool.QueryRow(ctx, `SELECT status_code, response FROM idempotency_keys WHERE scope=$1 AND user_id=$2 AND key=$3`, scope, userID, key).Scan(&status, &resp)
		if err != nil {
			return 0, nil, false, mapErr(err)
		}
		if status != nil {
			return *status, resp, true, nil
		}
		inProgress := cds.Errorf(cds.ECONFLICT, "Yêu cầu với khóa này đang được xử lý, vui lòng thử lại.", "A request with this Idempotency-Key is in progress; retry.")
		if !resumable {
			return 0, nil, false, inProgress
		}
		// In progress: take it over only if its owner's lease ran out (or
		// it let go after an error: owner null).
		tag, err := db.Pool.Exec(ctx, `UPDATE idempotency_keys SET response = jsonb_set(COALESCE(response, '{}'::jsonb), '{owner}', `+idemOwner+`), created_at = now()
			WHERE scope=$1 AND user_id=$2 AND key=$3 AND status_code IS NULL
			  AND (created_at < now() - $7::interval
			       OR COALESCE((response->'owner'->>'lease_until')::timestamptz, '-infinity') < now())`,
			scope, userID, key, instanceID(), token, idemOwnerLease.String(), idemLease.String())
		if err != nil {
			return 0, nil, false, mapErr(err)
		}
		if tag.RowsAffected() == 0 {
			return 0, nil, false, inProgress
		}
	}
	stopRenew := db.renewOwner(scope, userID, key, token)
	status, body, err := create()
	stopRenew()
	if err != nil {
		// Free the key so the citizen can retry after fixing the input. If
		// create reserved values, part of it may have happened (a workflow
		// started before a timeout): keep them and release only the owner, so
		// the retry takes over at once and reuses them.
		bg := context.Background()
		_, _ = db.Pool.Exec(bg, `DELETE FROM idempotency_keys WHERE scope=$1 AND user_id=$2 AND key=$3 AND status_code IS NULL
			AND NOT COALESCE(response ? 'reserved', false)`, scope, userID, key)
		_, _ = db.Pool.Exec(bg, `UPDATE idempotency_keys SET response = jsonb_set(response, '{owner}', 'null'::jsonb)
			WHERE scope=$1 AND user_id=$2 AND key=$3 AND status_code IS NULL`, scope, userID, key)
		return 0, nil, false, err
	}
	b, err := jsonMarshal(body)
	if err != nil {
		return 0, nil, false, err
	}
	if _, err := db.Pool.Exec(ctx, `UPDATE idempotency_keys SET status_code=$4, response=$5 WHERE scope=$1 AND user_id=$2 AND key=$3`, scope, userID, key, status, b); err != nil {
		return 0, nil, false, fmt.Errorf("postgres: store idempotent response: %w", err)
	}
	return status, b, false, nil
}

// idemLease bounds how long a reservation holds without a live owner session.
const idemLease = 10 * time.Minute

// idemOwnerLease is how long a reservation holds after its owner's last
// renewal; the owner renews it every idemOwnerLease/4 while create runs. A
// client retrying "in progress" answers takes a dead instance's key over
// after at most this long.
var idemOwnerLease = 8 * time.Second // a variable for the store test

// idemOwner is the SQL for the owner of a reservation ($4 instance, $5
// token of this reservation, $6 lease).
const idemOwner = `jsonb_build_object('instance', $4::text, 'token', $5::text, 'lease_until', now() + $6::interval)`

// renewOwner extends the reservation's lease until the returned stop is
// called. A renewal that fails (the database is down) is retried at the next
// tick; one that finds another owner stops.
func (db *DB) renewOwner(scope string, userID int64, key, token string) (stop func()) {
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		tick := time.NewTicker(idemOwnerLease / 4)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-tick.C:
			}
			ctx, cancel := context.WithTimeout(context.Background(), idemOwnerLease/4)
			tag, err := db.Pool.Exec(ctx, `UPDATE idempotency_keys
				SET response = jsonb_set(response, '{owner,lease_until}', to_jsonb(now() + $5::interval))
				WHERE scope=$1 AND user_id=$2 AND key=$3 AND status_code IS NULL AND response->'owner'->>'token' = $4`,
				scope, userID, key, token, idemOwnerLease.String())
			cancel()
			if err == nil && tag.RowsAffected() == 0 {
				return // answered, or taken over
			}
		}
	}()
	return func() { close(done); <-finished }
}

var (
	instanceOnce sync.Once
	instance     string
)

// instanceID names this process in reservations (for people reading them:
// ownership is decided by the lease).
func instanceID() string {
	instanceOnce.Do(func() {
		host, _ := os.Hostname()
		instance = fmt.Sprintf("%s/%d", host, os.Getpid())
		if v := os.Getenv("CONGDANSO_INSTANCE"); v != "" {
			instance = v + "@" + instance
		}
	})
	return instance
}

// newOwnerToken identifies one reservation, so only its holder renews it.
func newOwnerToken() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// IdempotencyReserve returns the value named name kept with the in-progress
// key (scope, user, key), calling fresh and keeping its result the first
// time. A retry that takes over an abandoned key (see Idempotent) gets the
// same value, so e.g. a case code allocated before a crash is reused and the
// case is not created twice (see IdempotentResumable). Without a key it just calls fresh.
func (db *DB) IdempotencyReserve(ctx context.Context, scope string, userID int64, key, name string, fresh func() (string, error)) (string, error) {
	if key == "" {
		return fresh()
	}
	var v *string
	err := db.Pool.QueryRow(ctx, `SELECT response->'reserved'->>$4 FROM idempotency_keys
		WHERE scope=$1 AND user_id=$2 AND key=$3 AND status_code IS NULL`, scope, userID, key, name).Scan(&v)
	if err != nil && err != pgx.ErrNoRows {
		return "", mapErr(err)
	}
	if v != nil {
		return *v, nil
	}
	val, err := fresh()
	if err != nil {
		return "", err
	}
	_, err = db.Pool.Exec(ctx, `UPDATE idempotency_keys
		SET response = jsonb_set(COALESCE(response, '{}'::jsonb), '{reserved}', COALESCE(response->'reserved', '{}'::jsonb) || jsonb_build_object($4::text, $5::text))
		WHERE scope=$1 AND user_id=$2 AND key=$3 AND status_code IS NULL`, scope, userID, key, name, val)
	return val, mapErr(err)
}

// Ping checks the database with a short timeout (for /readyz).
func (db *DB) Ping(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	return db.Pool.Ping(ctx)
}

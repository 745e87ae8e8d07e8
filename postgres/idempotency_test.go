package postgres

import (
	"context"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	cds "github.com/caobang/congdanso"
)

// TestIdempotencyOwnerSurvivesReconnect: an instance is running a create
// under a key when its database connections drop (a PostgreSQL restart, a
// recycled pooled connection). A retry on another instance must still find
// the key in progress, not take it over and run create a second time; once
// the first answers, the retry gets that answer. A reservation whose owner
// stopped renewing its lease (the instance died) is taken over.
func TestIdempotencyOwnerSurvivesReconnect(t *testing.T) {
	ctx := context.Background()
	defer func(d time.Duration) { idemOwnerLease = d }(idemOwnerLease)
	idemOwnerLease = time.Second
	db, u := freshDBURL(t)
	q := u.Query()
	q.Set("application_name", "instance-b")
	u.RawQuery = q.Encode()
	other, err := Open(ctx, u.String(), 4)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()

	release := make(chan struct{})
	var runs atomic.Int32
	first := make(chan int, 1)
	go func() {
		st, _, _, err := db.IdempotentResumable(ctx, "test", 1, "k-1", func() (int, any, error) {
			runs.Add(1)
			<-release
			return http.StatusCreated, map[string]string{"code": "A-1"}, nil
		})
		if err != nil {
			t.Error(err)
		}
		first <- st
	}()
	for runs.Load() == 0 {
		time.Sleep(10 * time.Millisecond)
	}
	// Every connection of the first instance drops, as in a database restart.
	if _, err := other.Pool.Exec(ctx, `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
		WHERE datname = current_database() AND application_name <> 'instance-b' AND pid <> pg_backend_pid()`); err != nil {
		t.Fatal(err)
	}
	time.Sleep(2 * idemOwnerLease) // longer than a lease: the owner must have renewed it
	_, _, _, err = other.IdempotentResumable(ctx, "test", 1, "k-1", func() (int, any, error) {
		runs.Add(1)
		return http.StatusCreated, map[string]string{"code": "B-1"}, nil
	})
	if cds.ErrorCode(err) != cds.ECONFLICT || runs.Load() != 1 {
		t.Fatalf("retry while the owner is alive: err %v, create ran %d times (want in progress, once)", err, runs.Load())
	}
	close(release)
	if st := <-first; st != http.StatusCreated {
		t.Fatalf("first answer %d", st)
	}
	st, body, replayed, err := other.IdempotentResumable(ctx, "test", 1, "k-1", func() (int, any, error) {
		runs.Add(1)
		return 0, nil, nil
	})
	if err != nil || !replayed || st != http.StatusCreated || string(body) != `{"code": "A-1"}` || runs.Load() != 1 {
		t.Fatalf("retry after the answer: %d %s replayed=%v err=%v runs=%d", st, body, replayed, err, runs.Load())
	}

	// An owner that died: its lease is not renewed, a retry takes over.
	if _, err := db.Pool.Exec(ctx, `INSERT INTO idempotency_keys (scope, user_id, key, response)
		VALUES ('test', 1, 'k-2', jsonb_build_object('owner', jsonb_build_object('instance', 'dead', 'token', 'x', 'lease_until', now() - interval '1 second')))`); err != nil {
		t.Fatal(err)
	}
	st, _, _, err = other.IdempotentResumable(ctx, "test", 1, "k-2", func() (int, any, error) { return http.StatusCreated, "taken over", nil })
	if err != nil || st != http.StatusCreated {
		t.Fatalf("dead owner's key: %d %v", st, err)
	}
}

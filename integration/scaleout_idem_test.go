package integration

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	cds "github.com/caobang/congdanso"
	"github.com/caobang/congdanso/cmd/app/apptest"
	"github.com/caobang/congdanso/postgres"
)

// TestScaleOutIdempotencyTakeover: two instances (two pools) share the
// idempotency keys (IdempotentResumable, as feedback submission uses). A key held by a live instance is refused to the other; once
// the holder dies (it stops renewing its lease) a retry on the survivor takes the key over
// and gets the values the dead one reserved, so no second case is created.
func TestScaleOutIdempotencyTakeover(t *testing.T) {
	ctx := context.Background()
	name := fmt.Sprintf("cds_scale_idem_%d", time.Now().UnixNano()%1e10)
	admin, err := pgx.Connect(ctx, apptest.AdminDSN())
	if err != nil {
		t.Fatal("no PostgreSQL:", err)
	}
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatal(err)
	}
	admin.Close(ctx)
	t.Cleanup(func() { dropDatabase(name) })
	dsn := "postgres://postgres@127.0.0.1:5432/" + name + "?sslmode=disable"
	open := func() *postgres.DB {
		db, err := postgres.Open(ctx, dsn, 4)
		if err != nil {
			t.Fatal(err)
		}
		return db
	}
	db1 := open()
	if err := db1.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	db2 := open()
	defer db2.Close()
	var uid int64
	if err := db2.Pool.QueryRow(ctx, `INSERT INTO users (kind, phone, full_name) VALUES ('citizen', '+84912000999', 'Nông Văn Tải') RETURNING id`).Scan(&uid); err != nil {
		t.Fatal(err)
	}
	fresh := 0
	mint := func() (string, error) { fresh++; return fmt.Sprintf("PA-2026-%06d", fresh), nil }

	// Instance 1 reserves a code and hangs (its answer never comes).
	reserved, release := make(chan string), make(chan struct{})
	go func() {
		_, _, _, _ = db1.IdempotentResumable(ctx, "feedback", uid, "k-1", func() (int, any, error) {
			code, err := db1.IdempotencyReserve(ctx, "feedback", uid, "k-1", "code", mint)
			reserved <- code
			<-release
			return http.StatusCreated, map[string]string{"code": code}, err
		})
	}()
	first := <-reserved
	defer close(release)

	// While it lives, instance 2 is told to retry.
	_, _, _, err = db2.IdempotentResumable(ctx, "feedback", uid, "k-1", func() (int, any, error) {
		t.Fatal("create ran while the key's owner is alive")
		return 0, nil, nil
	})
	if cds.ErrorCode(err) != cds.ECONFLICT {
		t.Fatalf("live owner: got %v, want ECONFLICT", err)
	}

	// Instance 1 dies: its sessions end. A plain Idempotent key (a create
	// that must not run twice) stays reserved; a resumable one is taken over.
	go func() {
		_, _, _, _ = db1.Idempotent(ctx, "news.create", uid, "k-plain", func() (int, any, error) {
			reserved <- ""
			<-release
			return http.StatusCreated, map[string]string{}, nil
		})
	}()
	<-reserved
	db1.Close()
	apptest.Eventually(t, 10*time.Second, "instance 1's sessions to end", func() bool {
		var n int
		_ = db2.Pool.QueryRow(ctx, `SELECT count(*) FROM pg_stat_activity WHERE datname = $1`, name).Scan(&n)
		return n <= 4 // db2's pool only
	})
	if _, _, _, err := db2.Idempotent(ctx, "news.create", uid, "k-plain", func() (int, any, error) {
		t.Fatal("a non-resumable create ran again")
		return 0, nil, nil
	}); cds.ErrorCode(err) != cds.ECONFLICT {
		t.Fatalf("plain key after its owner died: %v, want ECONFLICT", err)
	}
	var st int
	var body []byte
	// The lease (8 s) runs out: the dead instance can no longer renew it.
	apptest.Eventually(t, 20*time.Second, "takeover of the dead instance's key", func() bool {
		st, body, _, err = db2.IdempotentResumable(ctx, "feedback", uid, "k-1", func() (int, any, error) {
			code, err := db2.IdempotencyReserve(ctx, "feedback", uid, "k-1", "code", mint)
			return http.StatusCreated, map[string]string{"code": code}, err
		})
		return err == nil
	})
	codeOf := func(b []byte) string {
		var m map[string]string
		_ = json.Unmarshal(b, &m)
		return m["code"]
	}
	if st != http.StatusCreated || codeOf(body) != first || fresh != 1 {
		t.Fatalf("takeover answered %d %s after %d codes minted; want the reserved %s", st, body, fresh, first)
	}
	st, body, replay, err := db2.IdempotentResumable(ctx, "feedback", uid, "k-1", func() (int, any, error) {
		t.Fatal("create ran again after the answer was stored")
		return 0, nil, nil
	})
	if err != nil || !replay || st != http.StatusCreated || codeOf(body) != first {
		t.Fatalf("replay: %d %s %v %v", st, body, replay, err)
	}

	// A failure after a reservation keeps it for the retry (at once: the
	// owner is released); a failure before any reservation frees the key.
	boom := errors.New("temporal unavailable")
	if _, _, _, err := db2.IdempotentResumable(ctx, "feedback", uid, "k-2", func() (int, any, error) {
		_, _ = db2.IdempotencyReserve(ctx, "feedback", uid, "k-2", "code", mint)
		return 0, nil, boom
	}); !errors.Is(err, boom) {
		t.Fatal(err)
	}
	var again string
	if _, _, _, err := db2.IdempotentResumable(ctx, "feedback", uid, "k-2", func() (int, any, error) {
		var err error
		again, err = db2.IdempotencyReserve(ctx, "feedback", uid, "k-2", "code", mint)
		return http.StatusCreated, map[string]string{"code": again}, err
	}); err != nil || again != "PA-2026-000002" || fresh != 2 {
		t.Fatalf("retry after a failure: %q (%d minted) %v", again, fresh, err)
	}
	if _, _, _, err := db2.IdempotentResumable(ctx, "feedback", uid, "k-3", func() (int, any, error) { return 0, nil, boom }); !errors.Is(err, boom) {
		t.Fatal(err)
	}
	var n int
	if err := db2.Pool.QueryRow(ctx, `SELECT count(*) FROM idempotency_keys WHERE key = 'k-3'`).Scan(&n); err != nil || n != 0 {
		t.Fatalf("key without reservations kept after a failure: %d %v", n, err)
	}
}

package integration

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	cds "github.com/caobang/congdanso"
)

// TestNotificationsSurviveKill runs the real binary with the channel
// simulator, takes feedback cases (each with a follower) through their
// public steps while SIGKILLing the process three times, and then checks,
// against a hand-written count, that every push and Zalo message due was
// sent (none lost) and that the simulator shows each step+channel to its
// person once. A provider request cut by the kill between the provider's
// answer and our commit is repeated with the same key (at least once at
// the wire); the simulator marks such repeats, and the figures are printed.
func TestNotificationsSurviveKill(t *testing.T) {
	const cases = 4
	dir := t.TempDir()
	tport, hport := freePort(t), freePort(t)
	httpAddr := fmt.Sprintf("127.0.0.1:%d", hport)
	logPath := filepath.Join(dir, "serve.log")
	dbName := fmt.Sprintf("cds_notifykill_%d", time.Now().UnixNano())
	dsn := "postgres://postgres@127.0.0.1:5432/" + dbName + "?sslmode=disable"
	secret := "notify-kill-test-secret-0123456789abcdef"
	t.Cleanup(func() { dropDatabase(dbName) })
	env := []string{"DATABASE_URL=" + dsn, "CONGDANSO_TOKEN_SECRET=" + secret, "CONGDANSO_NOTIFY_SIMULATOR=1"}
	p := startProc(t, logPath, env, httpAddr, "serve", "--data-dir", dir, "--http", httpAddr,
		"--temporal-port", fmt.Sprint(tport), "--temporal-ui-port", "0")
	ctx := context.Background()
	conn, err := pgxpool.New(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	seed := newSeedUsers(t, conn, secret)
	citizen, ctok := seed.user("citizen", "+84911222333", "Hoàng Thị Dung", "", cds.RoleCitizen)
	follower, ftok := seed.user("citizen", "+84911222444", "Lục Văn Theo", "", cds.RoleCitizen)
	officer, otok := seed.user("staff", "", "Cán bộ SXD", "SXD", cds.RoleOfficer)
	_, ltok := seed.user("staff", "", "Lãnh đạo SXD", "SXD", cds.RoleLeader)
	c := newChaosClient(func() string { return p.HTTP })
	for _, d := range []struct{ tok, dev string }{{ctok, "fcm-kill-citizen-0001"}, {ftok, "fcm-kill-follower-0001"}} {
		if st, b := c.once(http.MethodPost, "/api/v1/me/devices", d.tok, map[string]string{"token": d.dev}); st != 201 {
			t.Fatalf("device: %d %s", st, b)
		}
	}

	// Kill three times while the cases move.
	done := make(chan struct{})
	var killer sync.WaitGroup
	killer.Add(1)
	go func() {
		defer killer.Done()
		for i := 0; i < 3; i++ {
			select {
			case <-done:
				return
			case <-time.After(time.Duration(800+i*700) * time.Millisecond):
			}
			c.epoch.Add(1)
			p.kill()
			p.restart(logPath)
		}
	}()
	actx, cancel := context.WithTimeout(ctx, 5*time.Minute)
	defer cancel()
	for i := 0; i < cases; i++ {
		st, b, err := c.create(actx, "/api/v1/feedback", ctok, fmt.Sprintf("nk-%d", i), submitBody("traffic", "P-THUCPHAN", nil))
		if err != nil {
			t.Fatalf("submit %d: %v %d %s", i, err, st, b)
		}
		var created struct{ Code string }
		_ = json.Unmarshal(b, &created)
		path := "/api/v1/feedback/" + created.Code
		waitNotice(t, conn, created.Code, "feedback.routed") // the follower joins after routing
		steps := []struct {
			path, tok string
			body      any
		}{
			{path + "/follow", ftok, nil},
			{path + "/actions/accept", otok, map[string]any{}},
			{path + "/actions/assign", ltok, map[string]any{"assignee_id": officer.UserID}},
			{path + "/actions/start", otok, map[string]any{}},
			{path + "/actions/draft_answer", otok, map[string]any{"answer": "Đã xử lý."}},
			{path + "/actions/approve_answer", ltok, map[string]any{}},
		}
		for _, s := range steps {
			_, action, _ := strings.Cut(s.path, "/actions/")
			if err := c.act(actx, s.path, s.tok, s.body, path, action); err != nil {
				t.Fatal(err)
			}
		}
	}
	close(done)
	killer.Wait()

	// Hand-written expectation: the citizen is told of routed, accepted,
	// in_progress and published; the follower (who joined after routing) of
	// the last three; each by push and Zalo.
	want := cases * (4 + 3) * 2
	var total, sent int
	deadline := time.Now().Add(3 * time.Minute)
	for {
		if err := conn.QueryRow(ctx, `SELECT count(*), count(*) FILTER (WHERE d.status IN ('sent', 'delivered')) FROM notification_deliveries d
			JOIN notifications n ON n.id = d.notification_id WHERE n.user_id = ANY($1)`, []int64{citizen.UserID, follower.UserID}).Scan(&total, &sent); err != nil {
			t.Fatal(err)
		}
		if (total == want && sent == want) || time.Now().After(deadline) {
			break
		}
		time.Sleep(500 * time.Millisecond)
	}
	if total != want || sent != want {
		t.Fatalf("deliveries: %d queued, %d sent, want %d sent (none lost)", total, sent, want)
	}
	// The simulator: one first receipt per step+channel, none missing.
	var keys, firsts, repeats, multi int
	if err := conn.QueryRow(ctx, `SELECT count(DISTINCT (channel, request_key)), count(*) FILTER (WHERE NOT repeat), count(*) FILTER (WHERE repeat),
			(SELECT count(*) FROM (SELECT 1 FROM notifysim_messages WHERE NOT repeat GROUP BY channel, request_key HAVING count(*) > 1) x)
		FROM notifysim_messages WHERE recipient IN ('fcm-kill-citizen-0001', 'fcm-kill-follower-0001', '84911222333', '84911222444')`).
		Scan(&keys, &firsts, &repeats, &multi); err != nil {
		t.Fatal(err)
	}
	if keys != want || firsts != want || multi != 0 {
		t.Fatalf("simulator: %d keys, %d first receipts (want %d each), %d keys received twice as new", keys, firsts, want, multi)
	}
	report(t, "notify-kill: RESULT deliveries=%d sent=%d provider_keys=%d repeated_requests_same_key=%d kills=3 client=%s",
		total, sent, keys, repeats, c.statuses())
}

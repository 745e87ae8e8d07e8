package integration

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	cds "github.com/caobang/congdanso"
)

// TestFeedbackSurvivesKill runs the real binary, files reports, SIGKILLs the
// process in the middle of their handling, restarts it and finishes them:
// no case is lost and the webhook receives every notification at least
// once, each delivery under the outbox row's ID as Idempotency-Key, repeats
// with the same content (the guarantee in README "Guarantees"; a kill
// between the POST and the commit re-sends).
func TestFeedbackSurvivesKill(t *testing.T) {
	dir := t.TempDir()
	tport, hport := freePort(t), freePort(t)
	httpAddr := fmt.Sprintf("127.0.0.1:%d", hport)
	logPath := filepath.Join(dir, "serve.log")
	dbName := fmt.Sprintf("cds_fbkill_%d", time.Now().UnixNano())
	dsn := "postgres://postgres@127.0.0.1:5432/" + dbName + "?sslmode=disable"
	secret := "feedback-kill-test-secret-0123456789abcdef"
	t.Cleanup(func() { dropDatabase(dbName) })

	var mu sync.Mutex
	got := map[int64]int{}
	first := map[int64]string{} // body of the first delivery per key
	var badKey []string
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var n cds.Notification
		b, err := io.ReadAll(r.Body)
		if err != nil { // the sender was killed in the middle of the POST
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		mu.Lock()
		defer mu.Unlock()
		if err := json.Unmarshal(b, &n); err != nil || r.Header.Get("Idempotency-Key") != fmt.Sprint(n.ID) {
			badKey = append(badKey, fmt.Sprintf("key %q body %s", r.Header.Get("Idempotency-Key"), b))
			w.WriteHeader(http.StatusBadRequest)
			return
		} else if prev, ok := first[n.ID]; ok && prev != string(b) {
			badKey = append(badKey, fmt.Sprintf("key %d sent again with other content: %s / %s", n.ID, prev, b))
		} else if !ok {
			first[n.ID] = string(b)
		}
		got[n.ID]++
		w.WriteHeader(http.StatusNoContent)
	}))
	defer hook.Close()

	env := []string{"DATABASE_URL=" + dsn, "CONGDANSO_WEBHOOK_URL=" + hook.URL, "CONGDANSO_TOKEN_SECRET=" + secret}
	p := startProc(t, logPath, env, httpAddr, "serve", "--data-dir", dir, "--http", httpAddr,
		"--temporal-port", fmt.Sprint(tport), "--temporal-ui-port", "0")

	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	mkUser := func(kind, phone, name, agency string, role cds.Role) cds.Actor {
		var id int64
		var ag *string
		if agency != "" {
			ag = &agency
		}
		if err := conn.QueryRow(ctx, `INSERT INTO users (kind, phone, full_name, agency_code) VALUES ($1, NULLIF($2, ''), $3, $4) RETURNING id`,
			kind, phone, name, ag).Scan(&id); err != nil {
			t.Fatal(err)
		}
		dom := agency
		if dom == "" {
			dom = "*"
		}
		if _, err := conn.Exec(ctx, `INSERT INTO user_roles (user_id, role, agency_code) VALUES ($1, $2, $3)`, id, string(role), dom); err != nil {
			t.Fatal(err)
		}
		return cds.Actor{UserID: id, Name: name, AgencyCode: agency, Roles: []cds.Role{role}}
	}
	token := newChildSigner(t, dsn, secret, 0).token
	citizen := mkUser("citizen", "+84911000111", "Hoàng Thị Dung", "", cds.RoleCitizen)
	officer := mkUser("staff", "", "Cán bộ SXD", "SXD", cds.RoleOfficer)
	leader := mkUser("staff", "", "Lãnh đạo SXD", "SXD", cds.RoleLeader)
	ctok, otok, ltok := token(citizen), token(officer), token(leader)

	do := func(method, path, tok string, body any) (int, map[string]any) {
		t.Helper()
		var rd io.Reader
		if body != nil {
			b, _ := json.Marshal(body)
			rd = bytes.NewReader(b)
		}
		req, _ := http.NewRequest(method, p.HTTP+path, rd)
		req.Header.Set("Authorization", "Bearer "+tok)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatalf("%s %s: %v", method, path, err)
		}
		defer resp.Body.Close()
		var m map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&m)
		return resp.StatusCode, m
	}
	var codes []string
	submit := func() {
		st, m := do(http.MethodPost, "/api/v1/feedback", ctok, submitBody("traffic", "P-THUCPHAN", nil))
		if st != 201 {
			t.Fatalf("submit %d %v", st, m)
		}
		codes = append(codes, m["code"].(string))
	}
	for i := 0; i < 3; i++ {
		submit()
	}
	if st, m := do(http.MethodPost, "/api/v1/feedback/"+codes[0]+"/actions/accept", otok, map[string]any{}); st != 200 {
		t.Fatalf("accept %d %v", st, m)
	}
	// Kill while the other cases' updates are in flight.
	go func() {
		for _, c := range codes[1:] {
			req, _ := http.NewRequest(http.MethodPost, p.HTTP+"/api/v1/feedback/"+c+"/actions/accept", bytes.NewReader([]byte("{}")))
			req.Header.Set("Authorization", "Bearer "+otok)
			req.Header.Set("Content-Type", "application/json")
			if resp, err := http.DefaultClient.Do(req); err == nil {
				resp.Body.Close()
			}
		}
	}()
	time.Sleep(30 * time.Millisecond)
	p.kill()
	p.restart(logPath)
	submit()

	for _, c := range codes {
		// An accept sent before the kill may or may not have landed: both
		// "ok" and "already accepted" are fine, the case must not be lost.
		if st, m := do(http.MethodPost, "/api/v1/feedback/"+c+"/actions/accept", otok, map[string]any{}); st != 200 && st != 409 {
			t.Fatalf("%s accept after restart %d %v", c, st, m)
		}
		steps := []struct {
			action, tok string
			body        map[string]any
		}{
			{"assign", ltok, map[string]any{"assignee_id": officer.UserID}},
			{"draft_answer", otok, map[string]any{"answer": "Đã xử lý xong."}},
			{"approve_answer", ltok, map[string]any{}},
		}
		for _, s := range steps {
			if st, m := do(http.MethodPost, "/api/v1/feedback/"+c+"/actions/"+s.action, s.tok, s.body); st != 200 {
				t.Fatalf("%s %s: %d %v", c, s.action, st, m)
			}
		}
		if st, m := do(http.MethodPost, "/api/v1/feedback/"+c+"/rating", ctok, map[string]any{"score": 4}); st != 200 {
			t.Fatalf("%s rating: %d %v", c, st, m)
		}
	}
	var closed int
	if err := conn.QueryRow(ctx, `SELECT count(*) FROM cases WHERE kind = 'feedback' AND closed`).Scan(&closed); err != nil || closed != len(codes) {
		t.Fatalf("closed cases %d of %d (%v)", closed, len(codes), err)
	}
	// Every public step of every case produced one notification row...
	// (an activity cut by the kill is retried after its start-to-close timeout).
	var rows, perCase int
	for end := time.Now().Add(60 * time.Second); ; time.Sleep(200 * time.Millisecond) {
		// The assignee's notice (issue 20) is not a public step.
		_ = conn.QueryRow(ctx, `SELECT count(*) FROM notifications WHERE kind <> 'feedback.assigned'`).Scan(&rows)
		_ = conn.QueryRow(ctx, `SELECT count(*) FROM case_events e WHERE e.to_status IN ('routed','accepted','published','closed') AND e.from_status <> e.to_status`).Scan(&perCase)
		if rows >= perCase || time.Now().After(end) {
			break
		}
	}
	if rows != perCase || rows != 4*len(codes) {
		t.Fatalf("%d notification rows for %d public steps (want %d)", rows, perCase, 4*len(codes))
	}
	// ...and the webhook got each row (the assignees' notices too) at least
	// once, repeats under the same key.
	if err := conn.QueryRow(ctx, `SELECT count(*) FROM notifications`).Scan(&rows); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		mu.Lock()
		n := len(got)
		mu.Unlock()
		if n >= rows || time.Now().After(deadline) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(got) != rows {
		t.Fatalf("webhook received %d distinct notifications, want %d (refused deliveries: %v)", len(got), rows, badKey)
	}
	if len(badKey) > 0 {
		t.Errorf("deliveries the receiver could not deduplicate: %v", badKey)
	}
	repeats := 0
	for _, n := range got {
		repeats += n - 1
	}
	t.Logf("webhook: %d notifications, %d repeated deliveries (same key, dropped by the receiver)", len(got), repeats)
}

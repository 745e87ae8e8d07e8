package integration

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	cds "github.com/caobang/congdanso"
	"github.com/caobang/congdanso/postgres"
)

// TestOpen311SubmissionSurvivesKill: `serve` is SIGKILLed while an Open311
// POST requests is being handled (its Idempotency-Key reserved a case code,
// no answer yet). After the restart the client's retry with the same key
// joins that case: the answer names the reserved code, and there is one
// case and one Open311 request row, not two.
func TestOpen311SubmissionSurvivesKill(t *testing.T) {
	if testing.Short() {
		t.Skip("process-level test")
	}
	srv := startServed(t, "o311kill")
	ctx, conn, send := context.Background(), srv.conn, srv.send
	_, adminTok := srv.staff("Quản trị", postgres.ProvinceCode, cds.RoleAdmin)
	cb, _ := json.Marshal(map[string]any{"name": "FixMyStreet Cao Bằng"})
	st, b, err := send(http.MethodPost, "/api/v1/admin/open311/clients", "application/json", cb, "Authorization", "Bearer "+adminTok)
	var cl struct {
		APIKey string `json:"api_key"`
	}
	if err != nil || st != http.StatusCreated || json.Unmarshal(b, &cl) != nil || cl.APIKey == "" {
		t.Fatalf("create client %d %s %v", st, b, err)
	}
	form := func(n int) []byte {
		return []byte(url.Values{"api_key": {cl.APIKey}, "service_code": {"traffic"}, "lat": {"22.6660"}, "long": {"106.2580"},
			"attribute[danger]": {"high"}, "description": {fmt.Sprintf("Ổ gà sâu giữa đường, lần thử %d.", n)}}.Encode())
	}
	const formType = "application/x-www-form-urlencoded"

	// Send a submission and SIGKILL the process once its key holds a
	// reserved code but no answer. A submission that answers first does
	// not count; try again with a new key.
	var key, code string
	attempt := 0
	for attempt = 1; attempt <= 8 && code == ""; attempt++ {
		key = fmt.Sprintf("o311-kill-%d", attempt)
		done := make(chan struct{})
		go func() {
			defer close(done)
			_, _, _ = send(http.MethodPost, "/open311/v2/requests.json", formType, form(attempt), "Idempotency-Key", key)
		}()
	poll:
		for {
			select {
			case <-done:
				break poll // answered (or refused) before the kill
			default:
			}
			var reserved *string
			var status *int
			err := conn.QueryRow(ctx, `SELECT response->'reserved'->>'code', status_code FROM idempotency_keys WHERE scope = 'open311' AND key = $1`,
				key).Scan(&reserved, &status)
			if err != nil && !errors.Is(err, pgx.ErrNoRows) {
				t.Fatal(err)
			}
			if status == nil && reserved != nil {
				srv.p.kill()
				code = *reserved
				break poll
			}
		}
		<-done
	}
	if code == "" {
		t.Fatal("no submission was caught between its code reservation and its answer")
	}
	attempt--
	srv.p.restart(srv.logPath)

	// The client retries with the same key until the key's dead owner is
	// seen as gone (PostgreSQL ends its sessions): then it joins the case.
	var out []map[string]any
	for deadline := time.Now().Add(90 * time.Second); ; time.Sleep(300 * time.Millisecond) {
		st, b, err := send(http.MethodPost, "/open311/v2/requests.json", formType, form(attempt), "Idempotency-Key", key)
		if err == nil && st == http.StatusOK {
			if err := json.Unmarshal(b, &out); err != nil || len(out) != 1 {
				t.Fatalf("retry answered %s", b)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the retry never succeeded: %d %s %v", st, b, err)
		}
	}
	if got := out[0]["service_request_id"]; got != code && out[0]["token"] == nil {
		t.Fatalf("the retry answered %v, not the reserved case %s", out[0], code)
	}
	var cases, requests, sameText int
	if err := conn.QueryRow(ctx, `SELECT (SELECT count(*) FROM cases WHERE code = $1), (SELECT count(*) FROM open311_requests WHERE code = $1),
		(SELECT count(*) FROM open311_requests WHERE description = $2)`, code, fmt.Sprintf("Ổ gà sâu giữa đường, lần thử %d.", attempt)).
		Scan(&cases, &requests, &sameText); err != nil {
		t.Fatal(err)
	}
	if cases != 1 || requests != 1 || sameText != 1 {
		t.Fatalf("case %s: %d cases, %d Open311 rows, %d rows with this text (want 1 each)", code, cases, requests, sameText)
	}
	if id, _ := out[0]["service_request_id"].(string); !strings.HasPrefix(id, "PA-") && out[0]["token"] == nil {
		t.Fatalf("answer %v", out[0])
	}
}

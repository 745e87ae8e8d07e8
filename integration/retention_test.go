package integration

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/caobang/congdanso/cmd/app"
	"github.com/caobang/congdanso/cmd/app/apptest"
)

// TestRetentionSweep: the worker's sweep deletes a session signed out 31
// days ago with its refresh token, whose refresh is then refused as 401
// (not an error), and an old notice mark; the session still in use and a
// fresh mark stay, and the live session refreshes.
func TestRetentionSweep(t *testing.T) {
	env := apptest.New(t, func(o *app.Options) { o.RetentionSweep = 200 * time.Millisecond })
	ctx := context.Background()
	if r := env.Register("Nông Văn Lưu", "0912 700 801", "Caobang2026"); r.Status != http.StatusCreated {
		t.Fatalf("register: %d %s", r.Status, r.Body)
	}
	type tokens struct {
		AccessToken  string `json:"access_token"`
		RefreshToken string `json:"refresh_token"`
		SessionID    string `json:"session_id"`
	}
	login := func() tokens {
		t.Helper()
		r := env.Do(http.MethodPost, "/api/v1/auth/login", "", map[string]string{"phone": "0912700801", "password": "Caobang2026"})
		var tok tokens
		r.JSON(t, &tok)
		if r.Status != http.StatusOK || tok.SessionID == "" {
			t.Fatalf("login: %d %s", r.Status, r.Body)
		}
		return tok
	}
	old, live := login(), login()
	if r := env.Do(http.MethodPost, "/api/v1/auth/logout", old.AccessToken, nil); r.Status != http.StatusNoContent {
		t.Fatalf("logout: %d %s", r.Status, r.Body)
	}
	if tag, err := env.DB.Pool.Exec(ctx, `UPDATE sessions SET revoked_at = now() - interval '31 days' WHERE id = $1 AND revoked_at IS NOT NULL`, old.SessionID); err != nil || tag.RowsAffected() != 1 {
		t.Fatalf("age the signed-out session: %v %v", tag, err)
	}
	if _, err := env.DB.Pool.Exec(ctx, `INSERT INTO notice_steps (dedupe_key, queued_at) VALUES ('retention/old', now() - interval '91 days'), ('retention/new', now())`); err != nil {
		t.Fatal(err)
	}
	apptest.Eventually(t, 20*time.Second, "the sweep deletes the old session and the old mark", func() bool {
		var n int
		if err := env.DB.Pool.QueryRow(ctx, `SELECT (SELECT count(*) FROM sessions WHERE id = $1) + (SELECT count(*) FROM notice_steps WHERE dedupe_key = 'retention/old')`, old.SessionID).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n == 0
	})
	var sessions, refresh, marks int
	if err := env.DB.Pool.QueryRow(ctx, `SELECT
		(SELECT count(*) FROM sessions WHERE id = $1),
		(SELECT count(*) FROM refresh_tokens WHERE session_id = ANY($2)),
		(SELECT count(*) FROM notice_steps WHERE dedupe_key = 'retention/new')`,
		live.SessionID, []string{old.SessionID, live.SessionID}).Scan(&sessions, &refresh, &marks); err != nil {
		t.Fatal(err)
	}
	if sessions != 1 || refresh != 1 || marks != 1 {
		t.Fatalf("kept %d live sessions, %d refresh tokens, %d fresh marks; want 1, 1 (the live one's), 1", sessions, refresh, marks)
	}
	if r := env.Do(http.MethodPost, "/api/v1/auth/refresh", "", map[string]string{"refresh_token": old.RefreshToken}); r.Status != http.StatusUnauthorized {
		t.Fatalf("refresh of the deleted session: %d %s; want 401", r.Status, r.Body)
	}
	if r := env.Do(http.MethodPost, "/api/v1/auth/refresh", "", map[string]string{"refresh_token": live.RefreshToken}); r.Status != http.StatusOK {
		t.Fatalf("refresh of the live session: %d %s", r.Status, r.Body)
	}
}

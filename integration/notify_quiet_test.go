package integration

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	cds "github.com/caobang/congdanso"
	"github.com/caobang/congdanso/cmd/app/apptest"
)

// TestQuietHours: during the citizen's quiet hours a case update waits (the
// delivery is held until the window ends, nothing reaches the phone), while
// an urgent message (a password-reset code) goes at once.
func TestQuietHours(t *testing.T) {
	env := apptest.New(t)
	ctx := context.Background()
	citizen, ctok := env.Citizen("Bế Văn Yên")
	if r := env.Do(http.MethodPost, "/api/v1/me/devices", ctok, map[string]any{"token": "fcm-quiet-citizen-01"}); r.Status != 201 {
		t.Fatalf("device %d", r.Status)
	}
	now := time.Now().In(cds.VietnamTZ)
	start, end := now.Add(-time.Hour), now.Add(2*time.Hour)
	hm := func(t time.Time) string { return fmt.Sprintf("%02d:%02d", t.Hour(), t.Minute()) }
	if r := env.Do(http.MethodPut, "/api/v1/me/notification-preferences", ctok, map[string]any{
		"quiet_hours": map[string]string{"start": "25:00", "end": "06:00"}}); r.Status != 400 {
		t.Fatalf("bad quiet hours accepted: %d", r.Status)
	}
	r := env.Do(http.MethodPut, "/api/v1/me/notification-preferences", ctok, map[string]any{
		"quiet_hours": map[string]string{"start": hm(start), "end": hm(end)}})
	if r.Status != 200 || r.Map(t)["quiet_hours"].(map[string]any)["end"] != hm(end) {
		t.Fatalf("prefs %d %s", r.Status, r.Body)
	}
	if r := env.Do(http.MethodPost, "/api/v1/feedback", ctok, submitBody("traffic", "P-THUCPHAN", nil), "Idempotency-Key", "q-1"); r.Status != 201 {
		t.Fatalf("submit %d %s", r.Status, r.Body)
	}
	// Urgent: a reset code arrives during quiet hours.
	if r := env.Do(http.MethodPost, "/api/v1/auth/password/forgot", "", map[string]string{"phone": simPhone(t, env, citizen.UserID)}); r.Status != 202 {
		t.Fatalf("forgot %d", r.Status)
	}
	if code := env.SMSCode(simPhone(t, env, citizen.UserID), 0); len(code) != 6 {
		t.Fatalf("code %q", code)
	}
	// The case update is held: dispatched, still queued, not before the end.
	var notBefore time.Time
	apptest.Eventually(t, 20*time.Second, "held delivery dispatched", func() bool {
		var n int
		_ = env.DB.Pool.QueryRow(ctx, `SELECT count(*), max(d.not_before) FROM notification_deliveries d JOIN notifications n ON n.id = d.notification_id
			WHERE n.user_id = $1 AND n.kind = 'feedback.routed' AND d.dispatched_at IS NOT NULL AND d.status = 'queued'`, citizen.UserID).Scan(&n, &notBefore)
		return n == 2
	})
	if d := notBefore.Sub(end); d < -time.Minute || d > time.Minute {
		t.Fatalf("held until %s, want the end of quiet hours %s", notBefore, end)
	}
	time.Sleep(2 * time.Second)
	if n := countChannel(simReceived(t, env, "fcm-quiet-citizen-01"), "push"); n != 0 {
		t.Fatalf("a case update reached the phone during quiet hours: %d", n)
	}
}

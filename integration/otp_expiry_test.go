package integration

import (
	"context"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/caobang/congdanso/cmd/app"
	"github.com/caobang/congdanso/cmd/app/apptest"
)

// TestPendingRegistrationExpires: a registration whose SMS code was never
// entered is anonymised by the worker's sweep once a day has passed since
// the last attempt (name, phone and password gone, audited); a newer one
// is left alone; the number then registers again and is verified.
func TestPendingRegistrationExpires(t *testing.T) {
	env := apptest.New(t, func(o *app.Options) { o.PendingSweep = 200 * time.Millisecond })
	ctx := context.Background()
	for _, p := range []struct{ name, phone string }{{"Triệu Văn Quên", "0978 222 333"}, {"Hà Thị Mới", "0978 444 555"}} {
		if r := env.Do(http.MethodPost, "/api/v1/auth/register", "", map[string]string{"full_name": p.name, "phone": p.phone, "password": "Caobang2026"}); r.Status != 202 {
			t.Fatalf("register %s: %d %s", p.phone, r.Status, r.Body)
		}
	}
	var oldID int64
	if err := env.DB.Pool.QueryRow(ctx, `UPDATE users SET created_at = now() - interval '25 hours', password_changed_at = now() - interval '25 hours'
		WHERE phone = '+84978222333' RETURNING id`).Scan(&oldID); err != nil {
		t.Fatal(err)
	}
	apptest.Eventually(t, 20*time.Second, "the day-old registration anonymised", func() bool {
		var status string
		_ = env.DB.Pool.QueryRow(ctx, `SELECT status FROM users WHERE id = $1`, oldID).Scan(&status)
		return status == "deleted"
	})
	var name, hash string
	var phone *string
	var audited, codes int
	if err := env.DB.Pool.QueryRow(ctx, `SELECT full_name, phone, password_hash,
		(SELECT count(*) FROM audit_log WHERE action = 'pending-expired' AND object_id = $2),
		(SELECT count(*) FROM password_resets WHERE user_id = $1) FROM users WHERE id = $1`, oldID, strconv.FormatInt(oldID, 10)).Scan(&name, &phone, &hash, &audited, &codes); err != nil {
		t.Fatal(err)
	}
	if name != "Người dùng đã xóa tài khoản" || phone != nil || hash != "" || audited != 1 || codes != 0 {
		t.Fatalf("expired registration kept %q %v %q, audited %d, codes %d", name, phone, hash, audited, codes)
	}
	var fresh string
	if err := env.DB.Pool.QueryRow(ctx, `SELECT status FROM users WHERE phone = '+84978444555'`).Scan(&fresh); err != nil || fresh != "pending" {
		t.Fatalf("recent registration: %q %v", fresh, err)
	}
	// The number is free: it registers and verifies again.
	n := env.SMSCount("0978222333")
	if r := env.Do(http.MethodPost, "/api/v1/auth/register", "", map[string]string{"full_name": "Triệu Văn Nhớ", "phone": "0978222333", "password": "Caobang2027"}); r.Status != 202 {
		t.Fatalf("register again: %d %s", r.Status, r.Body)
	}
	code := env.SMSCode("0978222333", n)
	if r := env.Do(http.MethodPost, "/api/v1/auth/register/verify", "", map[string]string{"phone": "0978222333", "code": code}); r.Status != 201 {
		t.Fatalf("verify again: %d %s", r.Status, r.Body)
	}
}

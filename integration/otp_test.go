package integration

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/caobang/congdanso/cmd/app"
	"github.com/caobang/congdanso/cmd/app/apptest"
)

// TestRegisterWithSMSCode: registration sends a 6-digit code by SMS (read
// from the SMS simulator, in one unaccented segment); the account is
// pending, cannot sign in and has no session until the code is verified;
// the code is stored hashed and erased from the outbox once sent; a used
// code does not work twice. Password reset goes the same way.
func TestRegisterWithSMSCode(t *testing.T) {
	env := apptest.New(t)
	ctx := context.Background()
	r := env.Do(http.MethodPost, "/api/v1/auth/register", "", map[string]string{"full_name": "Lương Thị Hoa", "phone": "0977 123 456", "password": "Caobang2026"})
	if r.Status != 202 || r.Map(t)["expires_in"] != float64(300) {
		t.Fatalf("register: %d %s", r.Status, r.Body)
	}
	code := env.SMSCode("0977123456", 0)
	var text string
	_ = env.DB.Pool.QueryRow(ctx, `SELECT title FROM notifysim_messages WHERE recipient = '84977123456' AND channel = 'sms'`).Scan(&text)
	if want := "Ma xac thuc dang ky Cong dan so Cao Bang: " + code + ". Het han sau 5 phut. Khong chia se ma nay cho ai."; text != want {
		t.Fatalf("SMS text %q, want %q", text, want)
	}
	var status string
	if err := env.DB.Pool.QueryRow(ctx, `SELECT status FROM users WHERE phone = '+84977123456'`).Scan(&status); err != nil || status != "pending" {
		t.Fatalf("status %q %v", status, err)
	}
	if r := env.Do(http.MethodPost, "/api/v1/auth/login", "", map[string]string{"phone": "0977123456", "password": "Caobang2026"}); r.Status != 403 {
		t.Fatalf("a pending account signed in: %d", r.Status)
	}
	var plain int
	if err := env.DB.Pool.QueryRow(ctx, `SELECT count(*) FROM notifications WHERE title LIKE '%'||$1||'%' OR body LIKE '%'||$1||'%'`, code).Scan(&plain); err != nil {
		t.Fatal(err)
	}
	apptest.Eventually(t, 10*time.Second, "code erased from the outbox", func() bool {
		_ = env.DB.Pool.QueryRow(ctx, `SELECT count(*) FROM notifications WHERE title LIKE '%'||$1||'%' OR body LIKE '%'||$1||'%'`, code).Scan(&plain)
		return plain == 0
	})
	var stored int
	if err := env.DB.Pool.QueryRow(ctx, `SELECT count(*) FROM password_resets WHERE purpose = 'register' AND code_hash <> $1::bytea`, []byte(code)).Scan(&stored); err != nil || stored != 1 {
		t.Fatalf("stored codes %d %v", stored, err)
	}
	wrong := fmt.Sprintf("%06d", (atoi(code)+1)%1000000)
	if r := env.Do(http.MethodPost, "/api/v1/auth/register/verify", "", map[string]string{"phone": "0977123456", "code": wrong}); r.Status != 400 {
		t.Fatalf("wrong code: %d", r.Status)
	}
	r = env.Do(http.MethodPost, "/api/v1/auth/register/verify", "", map[string]string{"phone": "+84977123456", "code": code})
	if r.Status != 201 || r.Map(t)["access_token"] == "" {
		t.Fatalf("verify: %d %s", r.Status, r.Body)
	}
	if r := env.Do(http.MethodPost, "/api/v1/auth/register/verify", "", map[string]string{"phone": "0977123456", "code": code}); r.Status != 400 {
		t.Fatalf("code used twice: %d", r.Status)
	}
	if r := env.Do(http.MethodPost, "/api/v1/auth/login", "", map[string]string{"phone": "0977123456", "password": "Caobang2026"}); r.Status != 200 {
		t.Fatalf("login after verify: %d %s", r.Status, r.Body)
	}

	// Reset by SMS code.
	n := env.SMSCount("0977123456")
	if r := env.Do(http.MethodPost, "/api/v1/auth/password/forgot", "", map[string]string{"phone": "0977123456"}); r.Status != 202 {
		t.Fatalf("forgot: %d", r.Status)
	}
	reset := env.SMSCode("0977123456", n)
	if r := env.Do(http.MethodPost, "/api/v1/auth/password/reset", "", map[string]string{"phone": "0977123456", "code": reset, "new_password": "Thucphan2027"}); r.Status != 200 {
		t.Fatalf("reset: %d %s", r.Status, r.Body)
	}
	if r := env.Do(http.MethodPost, "/api/v1/auth/login", "", map[string]string{"phone": "0977123456", "password": "Thucphan2027"}); r.Status != 200 {
		t.Fatalf("login with the new password: %d", r.Status)
	}
	// The inbox never lists codes.
	var inbox struct{ Items []map[string]any }
	env.Do(http.MethodGet, "/api/v1/me/notifications", r.Map(t)["access_token"].(string), nil).JSON(t, &inbox)
	if len(inbox.Items) != 0 {
		t.Fatalf("codes in the inbox: %v", inbox.Items)
	}
}

// TestOTPAbuse: five wrong tries void a code (the right one then fails
// too); guessing is rate-limited per phone and per IP with 429 and
// Retry-After; registering or resetting a registered and an unknown number
// answer byte for byte the same.
func TestOTPAbuse(t *testing.T) {
	env := apptest.New(t, func(o *app.Options) { o.API.TrustProxyHeaders = true })
	if r := env.Register("Vi Văn Thử", "0966000111", "Caobang2026"); r.Status != 201 {
		t.Fatalf("register: %d %s", r.Status, r.Body)
	}
	// Enumeration: a taken number and a fresh one look the same.
	a := env.Do(http.MethodPost, "/api/v1/auth/register", "", map[string]string{"full_name": "Kẻ dò", "phone": "0966000111", "password": "Caobang2026"}, "X-Forwarded-For", "203.0.113.1")
	b := env.Do(http.MethodPost, "/api/v1/auth/register", "", map[string]string{"full_name": "Kẻ dò", "phone": "0966000222", "password": "Caobang2026"}, "X-Forwarded-For", "203.0.113.1")
	if a.Status != b.Status || string(a.Body) != string(b.Body) {
		t.Fatalf("register answers differ: %d %s / %d %s", a.Status, a.Body, b.Status, b.Body)
	}
	a = env.Do(http.MethodPost, "/api/v1/auth/password/forgot", "", map[string]string{"phone": "0966000111"}, "X-Forwarded-For", "203.0.113.2")
	b = env.Do(http.MethodPost, "/api/v1/auth/password/forgot", "", map[string]string{"phone": "0966000333"}, "X-Forwarded-For", "203.0.113.2")
	if a.Status != 202 || a.Status != b.Status || string(a.Body) != string(b.Body) {
		t.Fatalf("forgot answers differ: %d %s / %d %s", a.Status, a.Body, b.Status, b.Body)
	}
	a = env.Do(http.MethodPost, "/api/v1/auth/register/verify", "", map[string]string{"phone": "0966000111", "code": "123456"}, "X-Forwarded-For", "203.0.113.3")
	b = env.Do(http.MethodPost, "/api/v1/auth/register/verify", "", map[string]string{"phone": "0966000444", "code": "123456"}, "X-Forwarded-For", "203.0.113.3")
	if a.Status != 400 || a.Status != b.Status || string(a.Body) != string(b.Body) {
		t.Fatalf("verify answers differ: %d %s / %d %s", a.Status, a.Body, b.Status, b.Body)
	}

	// Brute force on a fresh registration code: five wrong tries void it.
	code := env.SMSCode("0966000222", 0)
	wrong := func(i int) string { return fmt.Sprintf("%06d", (atoi(code)+1+i)%1000000) }
	for i := 0; i < 5; i++ {
		if r := env.Do(http.MethodPost, "/api/v1/auth/register/verify", "", map[string]string{"phone": "0966000222", "code": wrong(i)}, "X-Forwarded-For", fmt.Sprintf("198.51.100.%d", i+1)); r.Status != 400 {
			t.Fatalf("wrong try %d: %d", i, r.Status)
		}
	}
	if r := env.Do(http.MethodPost, "/api/v1/auth/register/verify", "", map[string]string{"phone": "0966000222", "code": code}, "X-Forwarded-For", "198.51.100.9"); r.Status != 400 {
		t.Fatalf("the right code worked after five wrong tries: %d", r.Status)
	}
	// Per phone: the 11th check within the hour is refused whatever the address.
	limited := 0
	for i := 0; i < 6; i++ {
		r := env.Do(http.MethodPost, "/api/v1/auth/register/verify", "", map[string]string{"phone": "0966000222", "code": wrong(10 + i)}, "X-Forwarded-For", fmt.Sprintf("198.51.100.%d", 20+i))
		if r.Status == 429 {
			if r.Header.Get("Retry-After") == "" {
				t.Fatal("429 without Retry-After")
			}
			limited++
		}
	}
	if limited != 2 {
		t.Fatalf("per-phone limit: %d refused of 6 (4 more checks allowed, then 429)", limited)
	}
	// Per IP: one address spraying codes over many numbers is cut off after 60.
	limited = 0
	for i := 0; i < 65; i++ {
		r := env.Do(http.MethodPost, "/api/v1/auth/register/verify", "", map[string]string{"phone": fmt.Sprintf("09150%05d", i), "code": "000000"}, "X-Forwarded-For", "192.0.2.77")
		if r.Status == 429 {
			limited++
		}
	}
	if limited != 5 {
		t.Fatalf("per-IP limit: %d refused of 65, want 5", limited)
	}
}

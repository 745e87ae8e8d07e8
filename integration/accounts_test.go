package integration

import (
	"context"
	"encoding/base64"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	cds "github.com/caobang/congdanso"
	"github.com/caobang/congdanso/cmd/app"
	"github.com/caobang/congdanso/cmd/app/apptest"
)

func errField(t *testing.T, r apptest.Response, field string) string {
	t.Helper()
	var b struct {
		Error cds.Error `json:"error"`
	}
	r.JSON(t, &b)
	return b.Error.Fields[field]
}

func TestAccountsCitizenFlow(t *testing.T) {
	env := apptest.New(t)
	ctx := context.Background()

	// Validation, with Vietnamese messages per field.
	r := env.Do("POST", "/api/v1/auth/register", "", map[string]string{"full_name": "Nông Thị Mai", "phone": "0212345678", "password": "Caobang2026"})
	if r.Status != 400 || !strings.Contains(errField(t, r, "phone"), "số di động Việt Nam") {
		t.Fatalf("bad phone: %d %s", r.Status, r.Body)
	}
	r = env.Do("POST", "/api/v1/auth/register", "", map[string]string{"full_name": "Nông Thị Mai", "phone": "0912 345 678", "password": "chuachuso"})
	if r.Status != 400 || !strings.Contains(errField(t, r, "password"), "chữ cái và chữ số") {
		t.Fatalf("weak password: %d %s", r.Status, r.Body)
	}
	r = env.Register("Nông Thị Mai", "0912 345 678", "Caobang2026") // the SMS code through the simulator
	if r.Status != 201 {
		t.Fatalf("register: %d %s", r.Status, r.Body)
	}
	var hash string
	_ = env.DB.Pool.QueryRow(ctx, `SELECT password_hash FROM users WHERE phone = '+84912345678'`).Scan(&hash)
	if !strings.HasPrefix(hash, "$argon2id$v=19$") {
		t.Fatalf("hash not argon2id PHC: %q", hash)
	}
	// A registered number: the same answer as a new one (no enumeration), no
	// code sent, the account untouched.
	sms := env.SMSCount("0912345678")
	if r := env.Do("POST", "/api/v1/auth/register", "", map[string]string{"full_name": "Khác", "phone": "+84912345678", "password": "Caobang2099"}); r.Status != 202 {
		t.Fatalf("duplicate phone: %d", r.Status)
	}
	var hash2 string
	_ = env.DB.Pool.QueryRow(ctx, `SELECT password_hash FROM users WHERE phone = '+84912345678'`).Scan(&hash2)
	if hash2 != hash || env.SMSCount("0912345678") != sms {
		t.Fatal("registering a taken number changed the account or sent a code")
	}
	if r := env.Do("POST", "/api/v1/auth/login", "", map[string]string{"phone": "0912345678", "password": "Sai12345678"}); r.Status != 401 {
		t.Fatalf("wrong password: %d", r.Status)
	}
	r = env.Do("POST", "/api/v1/auth/login", "", map[string]string{"phone": "84912345678", "password": "Caobang2026"})
	var tok struct {
		AccessToken  string `json:"access_token"`
		RefreshToken string `json:"refresh_token"`
		SessionID    string `json:"session_id"`
		ExpiresIn    int    `json:"expires_in"`
	}
	r.JSON(t, &tok)
	if r.Status != 200 || tok.AccessToken == "" || tok.ExpiresIn < 60 || tok.ExpiresIn > 3600 {
		t.Fatalf("login: %d %s", r.Status, r.Body)
	}
	var stored int
	_ = env.DB.Pool.QueryRow(ctx, `SELECT count(*) FROM refresh_tokens WHERE token_hash = sha256($1::bytea)`, []byte(tok.RefreshToken)).Scan(&stored)
	if stored != 1 {
		t.Fatal("refresh token is not stored as its SHA-256 hash")
	}

	// Profile.
	r = env.Do("PATCH", "/api/v1/me", tok.AccessToken, map[string]string{"email": "mai@example.vn", "address": "Tổ 5, phường Thục Phán", "commune_code": "P-THUCPHAN"})
	m := r.Map(t)
	if r.Status != 200 || m["email"] != "mai@example.vn" || m["commune_code"] != "P-THUCPHAN" || m["phone"] != "+84912345678" {
		t.Fatalf("patch me: %d %s", r.Status, r.Body)
	}
	if r := env.Do("PATCH", "/api/v1/me", tok.AccessToken, map[string]string{"commune_code": "SXD", "email": "x@"}); r.Status != 400 || errField(t, r, "commune_code") == "" || errField(t, r, "email") == "" {
		t.Fatalf("bad profile: %d %s", r.Status, r.Body)
	}

	// Refresh rotation and reuse detection.
	r = env.Do("POST", "/api/v1/auth/refresh", "", map[string]string{"refresh_token": tok.RefreshToken})
	var tok2 = tok
	r.JSON(t, &tok2)
	if r.Status != 200 || tok2.RefreshToken == tok.RefreshToken || tok2.SessionID != tok.SessionID {
		t.Fatalf("refresh: %d %s", r.Status, r.Body)
	}
	if r := env.Do("GET", "/api/v1/me", tok2.AccessToken, nil); r.Status != 200 {
		t.Fatalf("new access token: %d", r.Status)
	}
	if r := env.Do("POST", "/api/v1/auth/refresh", "", map[string]string{"refresh_token": tok.RefreshToken}); r.Status != 401 {
		t.Fatalf("reused refresh token: %d %s", r.Status, r.Body)
	}
	if r := env.Do("POST", "/api/v1/auth/refresh", "", map[string]string{"refresh_token": tok2.RefreshToken}); r.Status != 401 {
		t.Fatalf("family not revoked after reuse: %d", r.Status)
	}
	if r := env.Do("GET", "/api/v1/me", tok2.AccessToken, nil); r.Status != 401 {
		t.Fatalf("access token of revoked family still works: %d", r.Status)
	}
	var audits int
	_ = env.DB.Pool.QueryRow(ctx, `SELECT count(*) FROM audit_log WHERE action = 'refresh-reuse'`).Scan(&audits)
	if audits != 1 {
		t.Fatalf("reuse audit rows = %d", audits)
	}

	// Sessions: two devices; list, revoke one; another citizen cannot revoke it (404).
	login := func(pw string) (string, string) {
		r := env.Do("POST", "/api/v1/auth/login", "", map[string]string{"phone": "0912345678", "password": pw}, "User-Agent", "CongDanSo/1.0")
		m := r.Map(t)
		if r.Status != 200 {
			t.Fatalf("login: %d %s", r.Status, r.Body)
		}
		return m["access_token"].(string), m["session_id"].(string)
	}
	a1, s1 := login("Caobang2026")
	a2, s2 := login("Caobang2026")
	r = env.Do("GET", "/api/v1/me/sessions", a1, nil)
	var sl struct {
		Items []struct {
			ID      string `json:"id"`
			Current bool   `json:"current"`
		} `json:"items"`
	}
	r.JSON(t, &sl)
	if len(sl.Items) != 3 { // the registration's session and two devices
		t.Fatalf("sessions: %s", r.Body)
	}
	_, other := env.Citizen("Người khác")
	if r := env.Do("DELETE", "/api/v1/me/sessions/"+s2, other, nil); r.Status != 404 {
		t.Fatalf("IDOR revoke: %d", r.Status)
	}
	if r := env.Do("DELETE", "/api/v1/me/sessions/"+s2, a1, nil); r.Status != 204 {
		t.Fatalf("revoke: %d", r.Status)
	}
	if r := env.Do("GET", "/api/v1/me", a2, nil); r.Status != 401 {
		t.Fatalf("revoked session still works: %d", r.Status)
	}
	_ = s1
	if r := env.Do("POST", "/api/v1/auth/logout-all", a1, nil); r.Status != 200 {
		t.Fatalf("logout-all: %d", r.Status)
	}
	if r := env.Do("GET", "/api/v1/me", a1, nil); r.Status != 401 {
		t.Fatalf("after logout-all: %d", r.Status)
	}

	// Change password: other sessions end, this one stays.
	a3, _ := login("Caobang2026")
	a4, _ := login("Caobang2026")
	if r := env.Do("POST", "/api/v1/me/password", a3, map[string]string{"current_password": "wrong", "new_password": "Thucphan2026"}); r.Status != 400 {
		t.Fatalf("wrong current password: %d", r.Status)
	}
	if r := env.Do("POST", "/api/v1/me/password", a3, map[string]string{"current_password": "Caobang2026", "new_password": "Thucphan2026"}); r.Status != 200 {
		t.Fatalf("change password: %d %s", r.Status, r.Body)
	}
	if env.Do("GET", "/api/v1/me", a3, nil).Status != 200 || env.Do("GET", "/api/v1/me", a4, nil).Status != 401 {
		t.Fatal("change password must keep this session and end the others")
	}

	// Reset: the code goes through the notification outbox.
	if r := env.Do("POST", "/api/v1/auth/password/forgot", "", map[string]string{"phone": "0987654321"}); r.Status != 202 {
		t.Fatalf("forgot for unknown number must look the same: %d", r.Status)
	}
	if r := env.Do("POST", "/api/v1/auth/password/forgot", "", map[string]string{"phone": "0912345678"}); r.Status != 202 {
		t.Fatalf("forgot: %d", r.Status)
	}
	code := env.SMSCode("0912345678", sms) // received by the SMS simulator
	wrong := fmt.Sprintf("%06d", (atoi(code)+1)%1000000)
	if r := env.Do("POST", "/api/v1/auth/password/reset", "", map[string]string{"phone": "0912345678", "code": wrong, "new_password": "Nuocgiao2026"}); r.Status != 400 {
		t.Fatalf("wrong code: %d", r.Status)
	}
	if r := env.Do("POST", "/api/v1/auth/password/reset", "", map[string]string{"phone": "0912345678", "code": code, "new_password": "Nuocgiao2026"}); r.Status != 200 {
		t.Fatalf("reset: %d %s", r.Status, r.Body)
	}
	if r := env.Do("POST", "/api/v1/auth/password/reset", "", map[string]string{"phone": "0912345678", "code": code, "new_password": "Nuocgiao2027"}); r.Status != 400 {
		t.Fatalf("code used twice: %d", r.Status)
	}
	if env.Do("GET", "/api/v1/me", a3, nil).Status != 401 {
		t.Fatal("reset must end every session")
	}
	login("Nuocgiao2026")
}

func atoi(s string) int {
	n := 0
	for _, c := range s {
		n = n*10 + int(c-'0')
	}
	return n
}

// TestAccessTokenForgeries: expired, wrongly signed and alg=none tokens get 401.
func TestAccessTokenForgeries(t *testing.T) {
	env := apptest.New(t)
	a, good := env.Citizen("Lý Văn Hùng")
	if r := env.Do("GET", "/api/v1/me", good, nil); r.Status != 200 {
		t.Fatalf("good token: %d", r.Status)
	}
	claims := jwt.MapClaims{"sub": fmt.Sprint(a.UserID), "roles": []string{"citizen"}, "iss": "congdanso", "aud": "congdanso-api",
		"iat": time.Now().Unix(), "exp": time.Now().Add(time.Hour).Unix()}
	secret := []byte("test-secret-0123456789abcdef0123456789")
	expiredClaims := jwt.MapClaims{}
	for k, v := range claims {
		expiredClaims[k] = v
	}
	expiredClaims["exp"] = time.Now().Add(-time.Minute).Unix()
	expired, _ := jwt.NewWithClaims(jwt.SigningMethodHS256, expiredClaims).SignedString(secret)
	forged, _ := jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString([]byte("not-the-secret-not-the-secret-00"))
	none, _ := jwt.NewWithClaims(jwt.SigningMethodNone, claims).SignedString(jwt.UnsafeAllowNoneSignatureType)
	parts := strings.Split(good, ".")
	hdr, _ := base64.RawURLEncoding.DecodeString(parts[0])
	noneHdr := base64.RawURLEncoding.EncodeToString([]byte(strings.Replace(string(hdr), `"HS256"`, `"none"`, 1)))
	stripped := noneHdr + "." + parts[1] + "."
	for name, tok := range map[string]string{"expired": expired, "forged": forged, "alg none": none, "alg none with real claims": stripped, "garbage": "abc.def.ghi"} {
		r := env.Do("GET", "/api/v1/me", tok, nil)
		if r.Status != 401 || strings.Contains(string(r.Body), "Lý Văn Hùng") {
			t.Errorf("%s token: %d %s", name, r.Status, r.Body)
		}
	}
}

// TestLoginRateLimitParallel fires 200 parallel wrong logins for one phone:
// exactly the limit (5) reach the password check, the rest get 429 with
// Retry-After; then 200 parallel logins from one IP for different phones hit
// the per-IP limit (100).
func TestLoginRateLimitParallel(t *testing.T) {
	env := apptest.New(t, func(o *app.Options) { o.API.TrustProxyHeaders = true })
	if r := env.Register("Đinh Văn Khóa", "0388123456", "Caobang2026"); r.Status != 201 {
		t.Fatalf("register: %d %s", r.Status, r.Body)
	}
	run := func(n int, req func(i int) (map[string]string, string)) map[int]int {
		var mu sync.Mutex
		counts := map[int]int{}
		var wg sync.WaitGroup
		for i := 0; i < n; i++ {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				body, ip := req(i)
				r := env.Do("POST", "/api/v1/auth/login", "", body, "X-Forwarded-For", ip)
				if r.Status == 429 {
					var e struct {
						Error cds.Error `json:"error"`
					}
					r.JSON(t, &e)
					if r.Header.Get("Retry-After") == "" || !strings.Contains(e.Error.Message, "thử lại sau") || e.Error.MessageEN == "" {
						t.Errorf("429 without Retry-After or messages: %v %s", r.Header, r.Body)
					}
				}
				mu.Lock()
				counts[r.Status]++
				mu.Unlock()
			}(i)
		}
		wg.Wait()
		return counts
	}
	got := run(200, func(i int) (map[string]string, string) {
		return map[string]string{"phone": "0388123456", "password": fmt.Sprintf("Wrong%04d", i)}, fmt.Sprintf("10.1.%d.%d", i/250, i%250+1)
	})
	if got[401] != 5 || got[429] != 195 {
		t.Fatalf("per-phone limit: %v", got)
	}
	r := env.Do("POST", "/api/v1/auth/login", "", map[string]string{"phone": "0388123456", "password": "Caobang2026"}, "X-Forwarded-For", "10.9.9.9")
	if r.Status != 429 {
		t.Fatalf("locked account accepted the right password: %d", r.Status)
	}
	got = run(200, func(i int) (map[string]string, string) {
		return map[string]string{"phone": fmt.Sprintf("+8497%07d", i), "password": "Wrong12345"}, "10.2.0.1"
	})
	if got[401] != 100 || got[429] != 100 {
		t.Fatalf("per-IP limit: %v", got)
	}
	// Backoff: the next lockout of the same key lasts longer.
	var lockouts int
	_ = env.DB.Pool.QueryRow(context.Background(), `SELECT lockouts FROM rate_limits WHERE key = 'login.phone:+84388123456'`).Scan(&lockouts)
	if lockouts != 1 {
		t.Fatalf("lockouts = %d", lockouts)
	}
}

// TestAdminStaffAndPolicies: staff CRUD, role grants and policy lines through
// the admin API, each change audited; agency scoping of staff records.
func TestAdminStaffAndPolicies(t *testing.T) {
	env := apptest.New(t)
	ctx := context.Background()
	_, admin := env.Staff("Quản trị", "UBND-CB", cds.RoleAdmin)
	_, sxdLeader := env.Staff("Lãnh đạo SXD", "SXD", cds.RoleLeader)
	r := env.Do("POST", "/api/v1/admin/staff", admin, map[string]any{"username": "syt.cv1", "full_name": "Vi Thị Y", "agency_code": "SYT", "roles": []string{"officer"}}, "Idempotency-Key", "k1")
	m := r.Map(t)
	if r.Status != 201 || m["initial_password"] == nil {
		t.Fatalf("create staff: %d %s", r.Status, r.Body)
	}
	again := env.Do("POST", "/api/v1/admin/staff", admin, map[string]any{"username": "syt.cv1", "full_name": "Vi Thị Y", "agency_code": "SYT", "roles": []string{"officer"}}, "Idempotency-Key", "k1")
	if again.Status != 201 || again.Map(t)["id"] != m["id"] {
		t.Fatalf("idempotent retry: %d", again.Status)
	}
	id := int64(m["id"].(float64))
	pw := m["initial_password"].(string)
	lr := env.Do("POST", "/api/v1/auth/login", "", map[string]string{"username": "syt.cv1", "password": pw})
	if lr.Status != 200 {
		t.Fatalf("staff login: %d %s", lr.Status, lr.Body)
	}
	staffTok := lr.Map(t)["access_token"].(string)
	// Cross-agency: SXD's leader may read SXD staff only.
	if r := env.Do("GET", fmt.Sprintf("/api/v1/admin/staff/%d", id), sxdLeader, nil); r.Status != 403 || strings.Contains(string(r.Body), "Vi Thị Y") {
		t.Fatalf("leader of SXD read SYT staff: %d %s", r.Status, r.Body)
	}
	if r := env.Do("GET", "/api/v1/admin/staff?agency=SYT", sxdLeader, nil); r.Status != 403 {
		t.Fatalf("leader of SXD listed SYT staff: %d", r.Status)
	}
	if r := env.Do("GET", "/api/v1/admin/staff", sxdLeader, nil); r.Status != 200 || strings.Contains(string(r.Body), "Vi Thị Y") {
		t.Fatalf("leader list: %d %s", r.Status, r.Body)
	}
	if r := env.Do("PATCH", fmt.Sprintf("/api/v1/admin/staff/%d", id), sxdLeader, map[string]string{"status": "disabled"}); r.Status != 403 {
		t.Fatalf("leader disabled a staff: %d", r.Status)
	}
	// Roles: granting ends sessions so the new roles apply at next sign-in.
	if r := env.Do("PUT", fmt.Sprintf("/api/v1/admin/staff/%d/roles", id), admin, map[string]any{"roles": []string{"officer", "leader"}}); r.Status != 200 {
		t.Fatalf("roles: %d %s", r.Status, r.Body)
	}
	if r := env.Do("GET", "/api/v1/me", staffTok, nil); r.Status != 401 {
		t.Fatalf("session survived a role change: %d", r.Status)
	}
	lr = env.Do("POST", "/api/v1/auth/login", "", map[string]string{"username": "syt.cv1", "password": pw})
	staffTok = lr.Map(t)["access_token"].(string)
	if r := env.Do("GET", "/api/v1/admin/staff", staffTok, nil); r.Status != 200 {
		t.Fatalf("new leader role not in effect: %d", r.Status)
	}
	// Policy lines: a grant through the API takes effect; removal too.
	if r := env.Do("GET", "/api/v1/admin/policies", staffTok, nil); r.Status != 403 {
		t.Fatalf("leader read policies: %d", r.Status)
	}
	if r := env.Do("POST", "/api/v1/admin/policies", admin, map[string]string{"role": "leader", "domain": "SYT", "object": "policy", "action": "read"}); r.Status != 201 {
		t.Fatalf("add policy: %d %s", r.Status, r.Body)
	}
	if r := env.Do("GET", "/api/v1/admin/policies", staffTok, nil); r.Status != 200 {
		t.Fatalf("granted policy not enforced: %d", r.Status)
	}
	if r := env.Do("GET", "/api/v1/admin/policies", sxdLeader, nil); r.Status != 403 {
		t.Fatalf("domain grant leaked to SXD: %d", r.Status)
	}
	if r := env.Do("DELETE", "/api/v1/admin/policies?role=leader&domain=SYT&object=policy&action=read", admin, nil); r.Status != 200 {
		t.Fatalf("remove policy: %d %s", r.Status, r.Body)
	}
	if r := env.Do("GET", "/api/v1/admin/policies", staffTok, nil); r.Status != 403 {
		t.Fatalf("removed policy still enforced: %d", r.Status)
	}
	// Disable: the account's sessions end at once.
	if r := env.Do("PATCH", fmt.Sprintf("/api/v1/admin/staff/%d", id), admin, map[string]string{"status": "disabled"}); r.Status != 200 {
		t.Fatalf("disable: %d %s", r.Status, r.Body)
	}
	if r := env.Do("GET", "/api/v1/me", staffTok, nil); r.Status != 401 {
		t.Fatalf("disabled account still signed in: %d", r.Status)
	}
	if r := env.Do("POST", "/api/v1/auth/login", "", map[string]string{"username": "syt.cv1", "password": pw}); r.Status != 403 {
		t.Fatalf("disabled login: %d", r.Status)
	}
	var n int
	_ = env.DB.Pool.QueryRow(ctx, `SELECT count(*) FROM audit_log WHERE action IN ('staff-create','staff-roles','policy-add','policy-remove','staff-update')`).Scan(&n)
	if n != 5 {
		t.Fatalf("audit rows = %d, want 5", n)
	}
}

// TestDemoStaffSeed: every role in its agency, passwords printed once and working.
func TestDemoStaffSeed(t *testing.T) {
	env := apptest.New(t)
	var out strings.Builder
	if err := env.App.SeedDemo(context.Background(), &out); err != nil {
		t.Fatal(err)
	}
	var again strings.Builder
	if err := env.App.SeedDemo(context.Background(), &again); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(again.String(), "quantri") {
		t.Fatal("second seed printed passwords again")
	}
	roles := map[string]bool{}
	for _, line := range strings.Split(out.String(), "\n") {
		f := strings.Fields(line)
		if len(f) != 4 {
			continue
		}
		r := env.Do("POST", "/api/v1/auth/login", "", map[string]string{"username": f[0], "password": f[3]})
		m := r.Map(t)
		if r.Status != 200 {
			t.Fatalf("demo %s: %d %s", f[0], r.Status, r.Body)
		}
		if u := m["user"].(map[string]any); u["agency_code"] != f[2] {
			t.Fatalf("demo %s agency %v", f[0], u["agency_code"])
		}
		roles[f[1]] = true
	}
	for _, r := range cds.StaffRoles {
		if !roles[string(r)] {
			t.Errorf("no demo account for role %s", r)
		}
	}
}

package integration

import (
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	cds "github.com/caobang/congdanso"
	"github.com/caobang/congdanso/cmd/app/apptest"
)

// browserClient is an HTTP client that keeps cookies and does not follow redirects.
func browserClient(t *testing.T) *http.Client {
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &http.Client{Jar: jar, Timeout: 20 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

func fetch(t *testing.T, c *http.Client, method, u string, form url.Values) (*http.Response, string) {
	t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, u, body)
	if err != nil {
		t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

var csrfRe = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// TestConsoleSessionCSRFAndHeaders: unsigned visitors are sent to the login
// page; the login form and every post need the CSRF token; the session
// cookie is HttpOnly and SameSite; pages carry CSP and no-frame headers;
// citizens cannot use the console.
func TestConsoleSessionCSRFAndHeaders(t *testing.T) {
	env := apptest.New(t)
	staffWithPassword(t, env, "0912000201", "Hoàng Văn Cán", "SXD", cds.RoleOfficer, "Cao-Bang-2026!")
	c := browserClient(t)

	resp, _ := fetch(t, c, http.MethodGet, env.URL+"/console/queues/agency", nil)
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/console/login?next=") {
		t.Fatalf("anonymous queue: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	resp, page := fetch(t, c, http.MethodGet, env.URL+"/console/login", nil)
	csp := resp.Header.Get("Content-Security-Policy")
	if resp.StatusCode != 200 || !strings.Contains(csp, "frame-ancestors 'none'") || !strings.Contains(csp, "script-src 'self'") ||
		resp.Header.Get("X-Content-Type-Options") != "nosniff" || !strings.Contains(page, `<label for="phone">`) {
		t.Fatalf("login page: %d headers %v", resp.StatusCode, resp.Header)
	}
	if csrfRe.FindStringSubmatch(page) == nil {
		t.Fatal("no csrf token on the login page")
	}

	// Without the token (a cross-site post) the login is refused.
	resp, _ = fetch(t, c, http.MethodPost, env.URL+"/console/login", url.Values{"phone": {"0912000201"}, "password": {"Cao-Bang-2026!"}})
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("login without csrf: %d", resp.StatusCode)
	}
	_, page = fetch(t, c, http.MethodGet, env.URL+"/console/login", nil)
	loginToken := csrfRe.FindStringSubmatch(page)[1]
	// A wrong password shows the error summary linking to the field.
	resp, page = fetch(t, c, http.MethodPost, env.URL+"/console/login", url.Values{"csrf": {loginToken}, "phone": {"0912000201"}, "password": {"sai"}})
	if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(page, `href="#phone"`) || !strings.Contains(page, "error-summary") {
		t.Fatalf("wrong password: %d", resp.StatusCode)
	}
	loginToken = csrfRe.FindStringSubmatch(page)[1]
	resp, _ = fetch(t, c, http.MethodPost, env.URL+"/console/login", url.Values{"csrf": {loginToken}, "phone": {"0912000201"},
		"password": {"Cao-Bang-2026!"}, "next": {"//evil.example/"}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/console/queues/mine" {
		t.Fatalf("login: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	var session *http.Cookie
	for _, ck := range resp.Cookies() {
		if ck.Name == "cds_session" {
			session = ck
		}
	}
	if session == nil || !session.HttpOnly || session.SameSite != http.SameSiteStrictMode || session.Secure || session.Value == "" {
		t.Fatalf("session cookie: %+v", session)
	}
	resp, page = fetch(t, c, http.MethodGet, env.URL+"/console/queues/mine", nil)
	if resp.StatusCode != 200 || !strings.Contains(page, "Việc của tôi") || resp.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("my queue: %d", resp.StatusCode)
	}
	token := csrfRe.FindStringSubmatch(page)[1]

	// Claim through a form post: refused without the token, done with it.
	id := insertTask(t, env, "SXD", "feedback", "officer", at(time.Hour), 0)
	claim := fmt.Sprintf("%s/console/tasks/%d/claim", env.URL, id)
	resp, _ = fetch(t, c, http.MethodPost, claim, url.Values{"csrf": {"forged"}})
	if resp.StatusCode != http.StatusForbidden || taskHolder(t, env, id) != 0 {
		t.Fatalf("forged claim: %d", resp.StatusCode)
	}
	resp, _ = fetch(t, c, http.MethodPost, claim, url.Values{"csrf": {token}, "back": {"/console/queues/agency"}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/console/queues/agency" || taskHolder(t, env, id) == 0 {
		t.Fatalf("claim: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	_, page = fetch(t, c, http.MethodGet, env.URL+"/console/queues/agency?overdue=false", nil)
	if !strings.Contains(page, "Bạn đã nhận xử lý công việc.") || !strings.Contains(page, "Hoàng Văn Cán") {
		t.Fatal("queue after claim lacks the flash or the holder")
	}
	// An overdue task is highlighted.
	insertTask(t, env, "SXD", "feedback", "officer", at(-time.Hour), 0)
	_, page = fetch(t, c, http.MethodGet, env.URL+"/console/queues/agency", nil)
	if !strings.Contains(page, "row-overdue") || !strings.Contains(page, "Quá hạn") {
		t.Fatal("overdue task not highlighted")
	}

	// Logout clears the session.
	resp, _ = fetch(t, c, http.MethodPost, env.URL+"/console/logout", url.Values{"csrf": {token}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("logout: %d", resp.StatusCode)
	}
	resp, _ = fetch(t, c, http.MethodGet, env.URL+"/console/queues/mine", nil)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("after logout: %d", resp.StatusCode)
	}

	// A citizen's token does not open the console.
	_, ctok := env.Citizen("Nguyễn Văn An")
	cc := browserClient(t)
	u, _ := url.Parse(env.URL)
	cc.Jar.SetCookies(u, []*http.Cookie{{Name: "cds_session", Value: ctok, Path: "/"}})
	resp, _ = fetch(t, cc, http.MethodGet, env.URL+"/console/queues/mine", nil)
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("citizen console: %d", resp.StatusCode)
	}
}

func taskHolder(t *testing.T, env *apptest.Env, id int64) int64 {
	t.Helper()
	var h *int64
	if err := env.DB.Pool.QueryRow(t.Context(), `SELECT assignee_id FROM tasks WHERE id = $1`, id).Scan(&h); err != nil {
		t.Fatal(err)
	}
	if h == nil {
		return 0
	}
	return *h
}

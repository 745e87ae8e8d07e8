package integration

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	cds "github.com/caobang/congdanso"
	"github.com/caobang/congdanso/cmd/app/apptest"
)

// TestCookieOnlyOnConsole: the console's session cookie is Strict, scoped
// to /console/, and the JSON API ignores it (a cross-site page could make
// a staff browser send it); JSON bodies must be declared application/json.
func TestCookieOnlyOnConsole(t *testing.T) {
	env := apptest.New(t)
	staffWithPassword(t, env, "0912000301", "Lục Văn Khánh", "SXD", cds.RoleOfficer, "Cao-Bang-2026!")
	c := browserClient(t)
	_, page := fetch(t, c, http.MethodGet, env.URL+"/console/login", nil)
	tok := csrfRe.FindStringSubmatch(page)[1]
	resp, _ := fetch(t, c, http.MethodPost, env.URL+"/console/login", url.Values{"csrf": {tok}, "phone": {"0912000301"}, "password": {"Cao-Bang-2026!"}})
	var session *http.Cookie
	for _, ck := range resp.Cookies() {
		if ck.Name == "cds_session" {
			session = ck
		}
	}
	if session == nil || session.SameSite != http.SameSiteStrictMode || session.Path != "/console/" || !session.HttpOnly {
		t.Fatalf("session cookie: %+v", session)
	}
	// The cookie still opens the console …
	if resp, _ := fetch(t, c, http.MethodGet, env.URL+"/console/queues/mine", nil); resp.StatusCode != 200 {
		t.Fatalf("console with cookie: %d", resp.StatusCode)
	}
	// … but not the JSON API, whatever path the browser sends it on.
	for _, p := range []string{"/api/v1/me", "/api/v1/tasks?queue=mine"} {
		r := env.Do(http.MethodGet, p, "", nil, "Cookie", "cds_session="+session.Value)
		if r.Status != http.StatusUnauthorized {
			t.Errorf("GET %s with the console cookie: %d, want 401", p, r.Status)
		}
	}
	r := env.Do(http.MethodPost, "/api/v1/me/password", "", []byte(`{"current_password":"Cao-Bang-2026!","new_password":"Khac-Hoan-Toan-2027!"}`), "Cookie", "cds_session="+session.Value, "Content-Type", "application/json")
	if r.Status != http.StatusUnauthorized {
		t.Errorf("POST with the console cookie: %d, want 401", r.Status)
	}

	// A JSON body sent as text/plain (what a cross-site form can send) or
	// form-encoded is refused with 415, Vietnamese first.
	_, ctok := env.Citizen("Nông Thị Hoa")
	body := `{"full_name":"Nông Thị Hoa"}`
	for _, ct := range []string{"text/plain", "application/x-www-form-urlencoded", ""} {
		r := env.Do(http.MethodPatch, "/api/v1/me", ctok, []byte(body), "Content-Type", ct)
		if r.Status != http.StatusUnsupportedMediaType || !strings.Contains(string(r.Body), "application/json") ||
			!strings.Contains(string(r.Body), "phải") {
			t.Errorf("PATCH /api/v1/me as %q: %d %s, want 415", ct, r.Status, r.Body)
		}
	}
	if r := env.Do(http.MethodPatch, "/api/v1/me", ctok, []byte(body), "Content-Type", "application/json; charset=utf-8"); r.Status != 200 {
		t.Errorf("PATCH /api/v1/me as JSON: %d %s", r.Status, r.Body)
	}
}

package integration

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	cds "github.com/caobang/congdanso"
	"github.com/caobang/congdanso/cmd/app/apptest"
)

// TestConsoleSlidingSession: every console page re-issues the session
// cookie for the idle time (30 minutes by default), scoped and strict as at
// sign-in, and a form rendered before the refresh still posts (the CSRF
// token is bound to the session, not to the cookie's value).
func TestConsoleSlidingSession(t *testing.T) {
	env := apptest.New(t)
	staffWithPassword(t, env, "0912000601", "Lâm Văn Phiên", "SXD", cds.RoleOfficer, "Cao-Bang-2026!")
	c, _ := consoleLogin(t, env, "0912000601", "Cao-Bang-2026!")
	resp, page := fetch(t, c, http.MethodGet, env.URL+"/console/queues/mine", nil)
	var refreshed *http.Cookie
	for _, ck := range resp.Cookies() {
		if ck.Name == "cds_session" {
			refreshed = ck
		}
	}
	if refreshed == nil || refreshed.MaxAge != 30*60 || refreshed.Path != "/console/" || refreshed.SameSite != http.SameSiteStrictMode || !refreshed.HttpOnly {
		t.Fatalf("page did not slide the session for 30 minutes: %+v", refreshed)
	}
	form := csrfRe.FindStringSubmatch(page)[1]
	if r, _ := fetch(t, c, http.MethodGet, env.URL+"/console/session", nil); r.StatusCode != http.StatusOK {
		t.Fatalf("session ping: %d", r.StatusCode)
	}
	// The cookie changed since the page was rendered; its form still posts.
	if r, _ := fetch(t, c, http.MethodPost, env.URL+"/console/logout", url.Values{"csrf": {form}}); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("logout with a form rendered before the refresh: %d", r.StatusCode)
	}
}

// A console page the role may not open answers the console's own error page
// (HTML, Vietnamese first), not the JSON API's 403 body.
func TestConsoleForbiddenPageIsHTML(t *testing.T) {
	env := apptest.New(t)
	staffWithPassword(t, env, "0912000602", "Hà Thị Quyền", "SXD", cds.RoleOfficer, "Cao-Bang-2026!")
	c, _ := consoleLogin(t, env, "0912000602", "Cao-Bang-2026!")
	for _, p := range []string{"/console/staff", "/console/categories", "/console/calendar"} {
		resp, body := fetch(t, c, http.MethodGet, env.URL+p, nil)
		if resp.StatusCode != http.StatusForbidden {
			t.Fatalf("%s as an officer: %d, want 403", p, resp.StatusCode)
		}
		if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
			t.Fatalf("%s: Content-Type %q, want the console's HTML page", p, ct)
		}
		if !strings.Contains(body, "Không có quyền truy cập") || !strings.Contains(body, "You are not allowed to open this page") {
			t.Fatalf("%s: the page does not say why: %.300s", p, body)
		}
	}
}

// The case workers' pages (queues, approvals, the counter desk) are closed
// to an editor who types their address; the editor's own pages open.
func TestConsoleEditorCannotOpenCaseWorkPages(t *testing.T) {
	env := apptest.New(t)
	staffWithPassword(t, env, "0912000603", "Đào Thị Biên", "VP-UBND", cds.RoleEditor, "Cao-Bang-2026!")
	c, _ := consoleLogin(t, env, "0912000603", "Cao-Bang-2026!")
	for _, p := range []string{"/console/queues/mine", "/console/queues/agency", "/console/approvals", "/console/dossiers/new"} {
		resp, body := fetch(t, c, http.MethodGet, env.URL+p, nil)
		if resp.StatusCode != http.StatusForbidden || !strings.Contains(body, "You are not allowed to open this page") {
			t.Errorf("%s as an editor: %d, want the 403 page", p, resp.StatusCode)
		}
	}
	page := ""
	for _, p := range []string{"/console/news", "/console/cameras"} {
		resp, body := fetch(t, c, http.MethodGet, env.URL+p, nil)
		if resp.StatusCode != http.StatusOK {
			t.Errorf("%s as an editor: %d, want 200: %.200s", p, resp.StatusCode, body)
		}
		page = body
	}
	// The navigation offers no queue to the editor.
	if strings.Contains(page, "/console/queues/") {
		t.Errorf("the editor's navigation links a queue")
	}
}

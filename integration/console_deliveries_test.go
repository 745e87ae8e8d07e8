package integration

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	cds "github.com/caobang/congdanso"
	"github.com/caobang/congdanso/cmd/app"
	"github.com/caobang/congdanso/cmd/app/apptest"
)

// TestConsoleTimelineShowsDeliveries: on the console's case page each
// timeline step lists the notifications it sent, per person and channel,
// with names (not codes) in Vietnamese and English: the citizen's push of
// the "accept" step shows as sent, under that step.
func TestConsoleTimelineShowsDeliveries(t *testing.T) {
	env := apptest.New(t, func(o *app.Options) { o.API.Demo = true })
	_, ctok := env.Citizen("Nguyễn Thị Nhận")
	_, otok := env.Staff("Cán bộ Xây dựng", "SXD", cds.RoleOfficer)
	staffWithPassword(t, env, "0912000261", "Lãnh đạo Sở Xây dựng", "SXD", cds.RoleLeader, "Cao-Bang-2026!")
	if r := env.Do(http.MethodPost, "/api/v1/me/devices", ctok, map[string]any{"token": "fcm-console-timeline-01", "platform": "android"}); r.Status != 201 {
		t.Fatalf("device %d %s", r.Status, r.Body)
	}
	sub := env.Do(http.MethodPost, "/api/v1/feedback", ctok, submitBody("traffic", "P-THUCPHAN", nil), "Idempotency-Key", "ct-1")
	if sub.Status != 201 {
		t.Fatalf("submit %d %s", sub.Status, sub.Body)
	}
	code := sub.Map(t)["code"].(string)
	if r := act(env, code, "accept", otok, nil); r.Status != 200 {
		t.Fatalf("accept %d %s", r.Status, r.Body)
	}
	apptest.Eventually(t, 30*time.Second, "routed and accepted pushes", func() bool {
		return countChannel(simReceived(t, env, "fcm-console-timeline-01"), "push") == 2
	})

	c := browserClient(t)
	_, page := fetch(t, c, http.MethodGet, env.URL+"/console/login", nil)
	resp, _ := fetch(t, c, http.MethodPost, env.URL+"/console/login", url.Values{"csrf": {csrfRe.FindStringSubmatch(page)[1]},
		"phone": {"0912000261"}, "password": {"Cao-Bang-2026!"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("login %d", resp.StatusCode)
	}
	resp, page = fetch(t, c, http.MethodGet, env.URL+"/console/cases/feedback/"+url.PathEscape(code), nil)
	if resp.StatusCode != 200 {
		t.Fatalf("case page %d", resp.StatusCode)
	}
	step := regexp.MustCompile(`(?s)<li data-action="accept">.*?</details>`).FindString(page)
	if step == "" {
		t.Fatalf("the accept step lists no notifications:\n%s", page)
	}
	for _, want := range []string{"Thông báo đã gửi", "Nguyễn Thị Nhận", "Thông báo trên ứng dụng", "App push",
		`data-channel="push" data-status="sent"`, "Đã gửi", "Sent"} {
		if !strings.Contains(step, want) {
			t.Errorf("accept step lacks %q:\n%s", want, step)
		}
	}
	// The same in a real browser (axe checks the page): the step's list is shown.
	b := newBrowserRun(t, env, "deliveries")
	b.pw = "Cao-Bang-2026!"
	b.login("0912000261")
	b.run("case page with deliveries",
		chromedp.Navigate(env.URL+"/console/cases/feedback/"+url.PathEscape(code)),
		chromedp.WaitVisible(`li[data-action="accept"] details.deliveries li[data-channel="push"]`, chromedp.ByQuery),
		b.screenshot("case-deliveries"))
	if got := b.text(`li[data-action="accept"] details.deliveries`); !strings.Contains(got, "Đã gửi") || !strings.Contains(got, "Nguyễn Thị Nhận") {
		t.Fatalf("browser shows %q", got)
	}
}

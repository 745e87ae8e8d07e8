package integration

import (
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/caobang/congdanso/cmd/app/apptest"
)

// TestConsoleAxeEveryPage visits every GET console route the router has,
// signed in as the first role route_matrix.tsv allows to see it (the
// hand-written table, not the policies), plus every role's home page, the
// error page and forms showing their error summary, and runs axe-core on
// each: a serious or critical WCAG 2.1 A/AA violation fails. A new GET
// route without a value for its parameters below fails too, so no page is
// left out by accident.
func TestConsoleAxeEveryPage(t *testing.T) {
	env := apptest.New(t)
	const pw = "Cao-Bang-2026!"
	phones := map[string]string{}
	var officerID int64
	for i, mr := range matrixRoles {
		if mr.Name == "citizen" {
			continue
		}
		phones[mr.Name] = fmt.Sprintf("09120007%02d", i)
		a := staffWithPassword(t, env, phones[mr.Name], "Cán bộ "+mr.Name, mr.Agency, mr.Role, pw)
		if mr.Name == "officer" {
			officerID = a.UserID
		}
	}
	// The objects the pages show: a feedback report, an article, a camera.
	_, ctok := env.Citizen("Nguyễn Văn An")
	r := env.Do(http.MethodPost, "/api/v1/feedback", ctok, submitBody("traffic", "P-THUCPHAN", nil))
	if r.Status != http.StatusCreated {
		t.Fatalf("submit: %d %s", r.Status, r.Body)
	}
	code, _ := r.Map(t)["code"].(string)
	_, etok := env.Staff("Biên tập viên", "VP-UBND", "editor")
	r = env.Do(http.MethodPost, "/api/v1/news", etok, map[string]any{"title": "Khai trương Trung tâm phục vụ hành chính công",
		"category": "thong-bao", "body": "## Giờ làm việc\n\nTừ **thứ Hai** đến thứ Sáu."})
	if r.Status != http.StatusCreated {
		t.Fatalf("news: %d %s", r.Status, r.Body)
	}
	newsID := fmt.Sprint(r.Map(t)["id"])
	_, atok := env.Staff("Quản trị", "UBND-CB", "admin")
	r = env.Do(http.MethodPost, "/api/v1/cameras", atok, map[string]any{"name": "Nút giao Hoàng Đình Giong", "area_code": "P-THUCPHAN",
		"hls_url": "https://cam.example.vn/hdg/index.m3u8"})
	if r.Status != http.StatusCreated {
		t.Fatalf("camera: %d %s", r.Status, r.Body)
	}
	cameraID := fmt.Sprint(r.Map(t)["id"])
	apptest.Eventually(t, 20*time.Second, "case row", func() bool { id, _ := openTask(t, env, code, "accept"); return id != 0 })

	params := map[string]string{
		"/console/queues/:queue":                 "/console/queues/mine",
		"/console/cases/:kind/:code":             "/console/cases/feedback/" + code,
		"/console/cases/:kind/:code/print/:form": "/console/cases/feedback/" + code + "/print/form01",
		"/console/staff/:id":                     fmt.Sprintf("/console/staff/%d", officerID),
		"/console/news/:id":                      "/console/news/" + newsID,
		"/console/cameras/:id":                   "/console/cameras/" + cameraID,
		"/console/directory/:code":               "/console/directory/SXD",
		"/console/categories/:code":              "/console/categories/traffic",
		"/console/procedures/:code":              "/console/procedures/HT-KS",
	}
	skip := regexp.MustCompile(`^/console/(static/|session$|login$)|\.xlsx$`)
	table := loadRouteMatrix(t)
	byRole := map[string][]string{}
	for _, rt := range env.App.API.Routes() {
		if rt.Method != http.MethodGet || !strings.HasPrefix(rt.Path, "/console/") || skip.MatchString(rt.Path) {
			continue
		}
		path := rt.Path
		if strings.ContainsAny(path, ":*") {
			if path = params[rt.Path]; path == "" {
				t.Errorf("%s: no value for its parameters in TestConsoleAxeEveryPage", rt.Path)
				continue
			}
		}
		role := ""
		for _, mr := range matrixRoles {
			if table[rt.Method+" "+rt.Path+" "+mr.Name] == "allow" {
				role = mr.Name
				break
			}
		}
		if role == "" {
			t.Errorf("%s: no role may see it in route_matrix.tsv", rt.Path)
			continue
		}
		byRole[role] = append(byRole[role], path)
	}

	b := newBrowserRun(t, env, "axe")
	b.pw = pw
	// Signed out: the login page, then with its error summary.
	b.run("login page", chromedp.Navigate(b.baseURL+"/console/login"), chromedp.WaitVisible(`#login-submit`, chromedp.ByQuery))
	b.recheck("login error", chromedp.SendKeys(`#phone`, phones["officer"], chromedp.ByQuery), chromedp.SendKeys(`#password`, "sai-mat-khau", chromedp.ByQuery),
		chromedp.Click(`#login-submit`, chromedp.ByQuery), chromedp.WaitVisible(`#error-summary`, chromedp.ByQuery))
	visited := 0
	for _, mr := range matrixRoles {
		if mr.Name == "citizen" {
			continue
		}
		b.login(phones[mr.Name])
		b.run(mr.Name+" home", chromedp.Navigate(b.baseURL+"/console/"), chromedp.WaitVisible(`#header-user`, chromedp.ByQuery))
		for _, p := range byRole[mr.Name] {
			b.run(mr.Name+" "+p, chromedp.Navigate(b.baseURL+p), chromedp.WaitVisible(`#main`, chromedp.ByQuery),
				chromedp.WaitVisible(`#header-user`, chromedp.ByQuery))
			visited++
		}
		switch mr.Name {
		case "officer": // the error page
			b.run("not found", chromedp.Navigate(b.baseURL+"/console/cases/feedback/PA-1999-000001"), chromedp.WaitVisible(`#main h1`, chromedp.ByQuery))
		case "leader": // moderation without a reason: the case page with its error summary
			b.recheck("moderation error", chromedp.Navigate(b.baseURL+"/console/cases/feedback/"+code), chromedp.WaitVisible(`#do-mod-hide`, chromedp.ByQuery),
				chromedp.Click(`#mod-hide summary`, chromedp.ByQuery), chromedp.Click(`#do-mod-hide`, chromedp.ByQuery),
				chromedp.WaitVisible(`#error-summary a[href="#mod-hide-reason"]`, chromedp.ByQuery))
		case "editor": // the content forms with their error summaries
			b.recheck("news error", chromedp.Navigate(b.baseURL+"/console/news/new"), chromedp.WaitVisible(`#news-save`, chromedp.ByQuery),
				chromedp.Click(`#news-save`, chromedp.ByQuery), chromedp.WaitVisible(`#error-summary a[href="#title"]`, chromedp.ByQuery))
			b.recheck("camera error", chromedp.Navigate(b.baseURL+"/console/cameras/new"), chromedp.WaitVisible(`#camera-save`, chromedp.ByQuery),
				chromedp.Click(`#camera-save`, chromedp.ByQuery), chromedp.WaitVisible(`#error-summary a[href="#name"]`, chromedp.ByQuery))
			b.recheck("directory error", chromedp.Navigate(b.baseURL+"/console/directory/SXD"), chromedp.WaitVisible(`#directory-save`, chromedp.ByQuery),
				chromedp.SetValue(`#email`, "khong-phai-thu", chromedp.ByQuery), chromedp.Click(`#directory-save`, chromedp.ByQuery),
				chromedp.WaitVisible(`#error-summary a[href="#email"]`, chromedp.ByQuery))
		case "admin":
			b.recheck("staff error", chromedp.Navigate(b.baseURL+"/console/staff/new"), chromedp.WaitVisible(`#staff-save`, chromedp.ByQuery),
				chromedp.Click(`#staff-save`, chromedp.ByQuery), chromedp.WaitVisible(`#error-summary`, chromedp.ByQuery))
		}
		b.logout()
	}
	if visited < 20 {
		t.Fatalf("only %d console pages visited", visited)
	}
	t.Logf("axe ran on %d distinct console pages", len(b.checked))
}

// recheck runs the step and axe on the resulting page even if its path was
// checked already (the same page showing an error summary).
func (b *browserRun) recheck(step string, actions ...chromedp.Action) {
	b.t.Helper()
	b.run(step, actions...)
	var loc string
	if err := chromedp.Run(b.ctx, chromedp.Location(&loc)); err != nil {
		b.t.Fatalf("location: %v", err)
	}
	delete(b.checked, strings.SplitN(strings.TrimPrefix(loc, b.baseURL), "?", 2)[0])
	b.a11y()
}

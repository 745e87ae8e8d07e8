package integration

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	cds "github.com/caobang/congdanso"
	"github.com/caobang/congdanso/cmd/app/apptest"
	"github.com/caobang/congdanso/workflows"
)

// axeSource is axe-core as scripts/browser-setup.sh installs it from npm.
func axeSource(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "scripts", "browser", "node_modules", "axe-core", "axe.min.js"))
	if err != nil {
		t.Fatalf("axe-core missing: run scripts/browser-setup.sh (%v)", err)
	}
	return string(b)
}

// browserRun drives one shared browser: steps that fail save a screenshot
// and the page text; every page the test visits is checked with axe-core.
type browserRun struct {
	t       *testing.T
	ctx     context.Context
	dir     string
	shot    int
	axe     string
	checked map[string]bool
	pw      string
	baseURL string
}

func newBrowserRun(t *testing.T, env *apptest.Env, name string) *browserRun {
	dir := filepath.Join("artifacts", "console", name)
	_ = os.RemoveAll(dir)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return &browserRun{t: t, ctx: browserTab(t, 5*time.Minute),
		dir: dir, axe: axeSource(t), checked: map[string]bool{}, baseURL: env.URL}
}

func (b *browserRun) screenshot(name string) chromedp.Action {
	return chromedp.ActionFunc(func(ctx context.Context) error {
		var buf []byte
		if err := chromedp.FullScreenshot(&buf, 100).Do(ctx); err != nil {
			return err
		}
		b.shot++
		return os.WriteFile(filepath.Join(b.dir, fmt.Sprintf("%02d-%s.png", b.shot, name)), buf, 0o644)
	})
}

// waitFlash waits until the page shows a flash message starting with
// prefix. It polls, ignoring errors while the page navigates: the flash of
// an earlier step may still be on the page being left.
func waitFlash(prefix string) chromedp.Action {
	return waitJS(fmt.Sprintf(`(document.getElementById("flash") || {textContent: ""}).textContent.startsWith(%q)`, prefix))
}

// waitLocation waits until the page's address contains part: the new page
// has been committed, so what follows acts on it, not on the one it replaced.
func waitLocation(part string) chromedp.Action {
	return waitJS(fmt.Sprintf(`location.href.includes(%q) && document.readyState !== "loading"`, part))
}

// waitJS evaluates js until it is true. An evaluation that fails because a
// navigation replaced the page is tried again on the new one.
func waitJS(js string) chromedp.Action {
	return chromedp.ActionFunc(func(ctx context.Context) error {
		for {
			var ok bool
			if err := chromedp.Evaluate(js, &ok).Do(ctx); err == nil && ok {
				return nil
			}
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(100 * time.Millisecond):
			}
		}
	})
}

func (b *browserRun) run(step string, actions ...chromedp.Action) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 40*time.Second)
	defer cancel()
	if err := chromedp.Run(ctx, actions...); err != nil {
		_ = chromedp.Run(b.ctx, b.screenshot("FAILED-"+strings.ReplaceAll(step, " ", "-")))
		var loc, body string
		_ = chromedp.Run(b.ctx, chromedp.Location(&loc), chromedp.Text("main", &body, chromedp.ByQuery))
		b.t.Fatalf("step %q: %v\nat %s\n%s", step, err, loc, body)
	}
	b.a11y()
}

func (b *browserRun) text(sel string) string {
	b.t.Helper()
	var s string
	b.run("read "+sel, chromedp.Text(sel, &s, chromedp.ByQuery))
	return s
}

// a11y runs axe-core (WCAG 2 A and AA rules) on the current page once per
// path: no serious or critical violation is allowed.
func (b *browserRun) a11y() {
	b.t.Helper()
	var loc string
	if err := chromedp.Run(b.ctx, chromedp.Location(&loc)); err != nil || !strings.HasPrefix(loc, b.baseURL) {
		return
	}
	path := strings.SplitN(strings.TrimPrefix(loc, b.baseURL), "?", 2)[0]
	if b.checked[path] {
		return
	}
	b.checked[path] = true
	var out string
	err := chromedp.Run(b.ctx,
		chromedp.Evaluate(b.axe, nil),
		chromedp.Evaluate(`axe.run(document, {runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}).then(r =>
			JSON.stringify(r.violations.filter(v => v.impact === "serious" || v.impact === "critical")
				.map(v => ({id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map(n => n.target.join(" ")).slice(0, 5)}))))`,
			&out, func(p *runtime.EvaluateParams) *runtime.EvaluateParams { return p.WithAwaitPromise(true) }))
	if err != nil {
		b.t.Fatalf("axe on %s: %v", path, err)
	}
	var vs []map[string]any
	if err := json.Unmarshal([]byte(out), &vs); err != nil {
		b.t.Fatalf("axe result on %s: %v %s", path, err, out)
	}
	if len(vs) > 0 {
		b.t.Errorf("accessibility: %d serious or critical violations on %s: %s", len(vs), path, out)
	}
}

func (b *browserRun) login(phone string) {
	b.t.Helper()
	b.run("login "+phone,
		chromedp.Navigate(b.baseURL+"/console/"),
		chromedp.WaitVisible(`#login-submit`, chromedp.ByQuery),
		chromedp.SendKeys(`#phone`, phone, chromedp.ByQuery),
		chromedp.SendKeys(`#password`, b.pw, chromedp.ByQuery),
		chromedp.Click(`#login-submit`, chromedp.ByQuery),
		chromedp.WaitVisible(`#header-user`, chromedp.ByQuery))
}

func (b *browserRun) logout() {
	b.run("logout", chromedp.Click(`form[action="/console/logout"] button`, chromedp.ByQuery), chromedp.WaitVisible(`#login-submit`, chromedp.ByQuery))
}

// appTask is the dossier's open task (0 when none).
func appTask(t *testing.T, env *apptest.Env, code string) (int64, string) {
	t.Helper()
	var id int64
	var action string
	err := env.DB.Pool.QueryRow(context.Background(), `SELECT id, action FROM tasks WHERE workflow_id = $1 AND status = 'open' ORDER BY id DESC LIMIT 1`,
		workflows.ApplicationWorkflowID(code)).Scan(&id, &action)
	if err != nil {
		return 0, ""
	}
	return id, action
}

func appStatus(t *testing.T, env *apptest.Env, code string) string {
	t.Helper()
	var s string
	if err := env.DB.Pool.QueryRow(context.Background(), `SELECT status FROM cases WHERE code = $1`, code).Scan(&s); err != nil {
		t.Fatal(err)
	}
	return s
}

// TestConsoleDossierE2E: the one-stop desk receives a birth registration
// (Đăng ký khai sinh) in person, accepts it and prints Mẫu 01; the
// specialist forwards it, the leader approves, the desk issues and returns
// the result; a second dossier is refused with Mẫu 03. Only the browser acts.
func TestConsoleDossierE2E(t *testing.T) {
	env := apptest.New(t)
	const pw = "Cao-Bang-2026!"
	staffWithPassword(t, env, "0912000301", "Lục Thị Một Cửa", "P-THUCPHAN", cds.RoleOfficer, pw)
	staffWithPassword(t, env, "0912000302", "Hà Văn Chuyên", "P-THUCPHAN", cds.RoleOfficer, pw)
	staffWithPassword(t, env, "0912000303", "Đàm Thị Lãnh", "P-THUCPHAN", cds.RoleLeader, pw)
	b := newBrowserRun(t, env, "dossier")
	b.pw = pw
	scan := filepath.Join(t.TempDir(), "scan.pdf")
	if err := os.WriteFile(scan, []byte("%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"), 0o644); err != nil {
		t.Fatal(err)
	}

	// The desk: header shows the agency's name; receive a dossier in person.
	b.login("0912000301")
	if h := b.text(`#header-agency`); h != "Phường Thục Phán" {
		t.Fatalf("header agency = %q, want the name", h)
	}
	receive := func(child string) string {
		b.run("receive "+child, chromedp.Navigate(b.baseURL+"/console/dossiers/new"),
			chromedp.WaitVisible(`#procedure`, chromedp.ByQuery),
			chromedp.SetValue(`#procedure`, "HT-KS", chromedp.ByQuery),
			chromedp.Click(`#choose-procedure`, chromedp.ByQuery),
			chromedp.WaitVisible(`#desk-form`, chromedp.ByQuery),
			chromedp.SendKeys(`#citizen_name`, "Nông Thị Mẹ", chromedp.ByQuery),
			chromedp.SendKeys(`#citizen_phone`, "0987000111", chromedp.ByQuery),
			chromedp.SendKeys(`#f_child_full_name`, child, chromedp.ByQuery),
			chromedp.SendKeys(`#f_child_birth_date`, "31/13/2026", chromedp.ByQuery), // a wrong date first
			chromedp.SetValue(`#f_child_gender`, "Nữ", chromedp.ByQuery),
			chromedp.SendKeys(`#f_birth_place`, "Bệnh viện Đa khoa tỉnh Cao Bằng", chromedp.ByQuery),
			chromedp.SendKeys(`#f_mother_name`, "Nông Thị Mẹ", chromedp.ByQuery),
			chromedp.SendKeys(`#f_requester_id`, "004190000123", chromedp.ByQuery),
			chromedp.SendKeys(`#f_requester_phone`, "0987000111", chromedp.ByQuery),
			chromedp.SetValue(`#f_commune_code`, "P-THUCPHAN", chromedp.ByQuery),
			chromedp.SetUploadFiles(`#doc_TK`, []string{scan}, chromedp.ByQuery),
			chromedp.SetUploadFiles(`#doc_GCS`, []string{scan}, chromedp.ByQuery),
			b.screenshot("desk-form"),
			chromedp.Click(`#desk-submit`, chromedp.ByQuery),
			chromedp.WaitVisible(`#error-summary a[href="#f_child_birth_date"]`, chromedp.ByQuery),
			b.screenshot("desk-bad-date"),
			chromedp.Evaluate(`document.getElementById("f_child_birth_date").value = "05/11/2026"`, nil),
			chromedp.SetUploadFiles(`#doc_TK`, []string{scan}, chromedp.ByQuery),
			chromedp.SetUploadFiles(`#doc_GCS`, []string{scan}, chromedp.ByQuery),
			chromedp.Click(`#desk-submit`, chromedp.ByQuery),
			chromedp.WaitVisible(`#case-status[data-status="receiving"]`, chromedp.ByQuery),
			b.screenshot("desk-received"))
		var loc string
		b.run("location", chromedp.Location(&loc))
		return loc[strings.LastIndex(loc, "/")+1:]
	}
	code := receive("Nông Thị Bé")
	if got := b.text(`#dossier-procedure`); got != "Đăng ký khai sinh" {
		t.Fatalf("procedure on the case page = %q", got)
	}
	// act claims the dossier's open task from its case page and does action.
	act := func(step, action string, fill ...chromedp.Action) {
		t.Helper()
		id, want := appTask(t, env, code)
		if id == 0 || want != action {
			t.Fatalf("%s: open task %d %q, want %q", step, id, want, action)
		}
		steps := []chromedp.Action{chromedp.Navigate(b.baseURL + "/console/cases/application/" + code),
			chromedp.WaitVisible(fmt.Sprintf(`#claim-%d`, id), chromedp.ByQuery),
			chromedp.Click(fmt.Sprintf(`#claim-%d`, id), chromedp.ByQuery),
			chromedp.WaitVisible(`#do-`+action, chromedp.ByQuery)}
		steps = append(steps, fill...)
		// The claim's flash is still on the page when the action is clicked:
		// wait for the action's own flash, i.e. for the page after the
		// action, before taking the screenshot.
		steps = append(steps, chromedp.Click(`#do-`+action, chromedp.ByQuery),
			waitFlash("Đã thực hiện"), b.screenshot(step))
		b.run(step, steps...)
		if id2, _ := appTask(t, env, code); id2 == id {
			t.Fatalf("%s: task %d still open", step, id)
		}
	}
	act("desk-accept", workflows.ActAccept)
	if s := appStatus(t, env, code); s != string(cds.AppNew) {
		t.Fatalf("status after accept = %s", s)
	}
	b.run("print Mẫu 01", chromedp.Click(`#print-form01`, chromedp.ByQuery), chromedp.WaitVisible(`#printform[data-form="form01"]`, chromedp.ByQuery),
		b.screenshot("mau-01"))
	if a := b.text(`#print-appointment`); !strings.Contains(a, "/2026") && !strings.Contains(a, "/2027") {
		t.Fatalf("Mẫu 01 appointment = %q", a)
	}
	if c := b.text(`#print-citizen`); c != "Nông Thị Mẹ" {
		t.Fatalf("Mẫu 01 citizen = %q", c)
	}
	// A second dossier is refused at reception, with Mẫu 03.
	code2 := receive("Nông Văn Thiếu")
	id2, _ := appTask(t, env, code2)
	b.run("refuse", chromedp.Click(fmt.Sprintf(`#claim-%d`, id2), chromedp.ByQuery), chromedp.Click(`#action-refuse summary`, chromedp.ByQuery),
		chromedp.WaitVisible(`#do-refuse`, chromedp.ByQuery), chromedp.SendKeys(`#refuse-reason`, "Giấy chứng sinh không hợp lệ.", chromedp.ByQuery),
		chromedp.Click(`#do-refuse`, chromedp.ByQuery), chromedp.WaitVisible(`#print-form03`, chromedp.ByQuery),
		chromedp.Click(`#print-form03`, chromedp.ByQuery), chromedp.WaitVisible(`#printform[data-form="form03"]`, chromedp.ByQuery), b.screenshot("mau-03"))
	if r := b.text(`#print-reason`); r != "Giấy chứng sinh không hợp lệ." {
		t.Fatalf("Mẫu 03 reason = %q", r)
	}
	if s := appStatus(t, env, code2); s != string(cds.AppDenied) {
		t.Fatalf("refused dossier status = %s", s)
	}
	b.logout()

	// The specialist forwards; the leader approves; the desk issues and returns the result.
	b.login("0912000302")
	act("officer-forward", workflows.ActForward)
	b.logout()
	b.login("0912000303")
	act("leader-approve", workflows.ActApprove)
	b.logout()
	b.login("0912000301")
	for _, page := range []string{"/console/queues/agency", "/console/approvals", "/console/reports"} { // axe on the other pages
		b.run("visit "+page, chromedp.Navigate(b.baseURL+page), chromedp.WaitVisible(`#main`, chromedp.ByQuery))
	}
	act("desk-issue", workflows.ActIssueResult)
	act("desk-return", workflows.ActReturnResult)
	if s := appStatus(t, env, code); s != string(cds.AppDone) {
		t.Fatalf("status after returning the result = %s", s)
	}
	if tl := b.text(`#timeline`); !strings.Contains(tl, "Trả kết quả cho công dân") || !strings.Contains(tl, "Tiếp nhận hồ sơ") {
		t.Fatalf("timeline: %s", tl)
	}
}

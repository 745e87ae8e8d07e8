package integration

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	cds "github.com/caobang/congdanso"
	"github.com/caobang/congdanso/api"
	"github.com/caobang/congdanso/cmd/app/apptest"
	"github.com/caobang/congdanso/workflows"
)

// chromiumPath finds Debian's chromium (scripts/browser-setup.sh installs it).
func chromiumPath(t *testing.T) string {
	if p := os.Getenv("CHROMIUM_PATH"); p != "" {
		return p
	}
	for _, n := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(n); err == nil {
			return p
		}
	}
	t.Fatal("chromium not found: run scripts/browser-setup.sh (apt-get install -y chromium) or set CHROMIUM_PATH")
	return ""
}

// staffWithPassword creates a staff account that can sign in with phone and password.
func staffWithPassword(t *testing.T, env *apptest.Env, phone, name, agency string, role cds.Role, password string) cds.Actor {
	t.Helper()
	norm, ok := api.NormalizePhone(phone)
	if !ok {
		t.Fatalf("bad phone %s", phone)
	}
	a := env.CreateUser("staff", norm, name, agency, role)
	hash, err := api.HashPassword(password)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := env.DB.Pool.Exec(context.Background(), `UPDATE users SET password_hash = $1 WHERE id = $2`, hash, a.UserID); err != nil {
		t.Fatal(err)
	}
	return a
}

// openTask returns the id of the case's open task for step action (0 if none) and its holder.
func openTask(t *testing.T, env *apptest.Env, code, action string) (int64, int64) {
	t.Helper()
	var id int64
	var holder *int64
	err := env.DB.Pool.QueryRow(context.Background(), `SELECT id, assignee_id FROM tasks WHERE workflow_id = $1 AND action = $2 AND status = 'open'`,
		workflows.FeedbackWorkflowID(code), action).Scan(&id, &holder)
	if err != nil {
		return 0, 0
	}
	if holder == nil {
		return id, 0
	}
	return id, *holder
}

func taskStatus(t *testing.T, env *apptest.Env, id int64) string {
	t.Helper()
	var s string
	if err := env.DB.Pool.QueryRow(context.Background(), `SELECT status FROM tasks WHERE id = $1`, id).Scan(&s); err != nil {
		t.Fatal(err)
	}
	return s
}

// TestConsoleE2E drives the staff console in a real (headless) chromium: an
// officer signs in, claims and accepts a feedback report; the leader assigns
// it back; the officer starts and drafts the answer; the leader approves and
// sees the case published. Each step checks that the step's task closed and
// the next one opened. Screenshots go to integration/artifacts/.
func TestConsoleE2E(t *testing.T) {
	env := apptest.New(t)
	const pw = "Cao-Bang-2026!"
	officer := staffWithPassword(t, env, "0912000101", "Nông Văn Chuyên", "SXD", cds.RoleOfficer, pw)
	leader := staffWithPassword(t, env, "0912000102", "Bế Thị Lãnh", "SXD", cds.RoleLeader, pw)

	// A citizen reports a pothole with a photo (through the JSON API).
	_, ctok := env.Citizen("Nguyễn Văn An")
	up := uploadPhoto(t, env, ctok, pngBytes(t))
	if up.Status != http.StatusCreated {
		t.Fatalf("upload: %d %s", up.Status, up.Body)
	}
	mediaID, _ := up.Map(t)["id"].(string)
	r := env.Do(http.MethodPost, "/api/v1/feedback", ctok, submitBody("traffic", "P-THUCPHAN", []string{mediaID}))
	if r.Status != http.StatusCreated {
		t.Fatalf("submit: %d %s", r.Status, r.Body)
	}
	code, _ := r.Map(t)["code"].(string)
	var acceptTask int64
	apptest.Eventually(t, 20*time.Second, "accept task", func() bool { acceptTask, _ = openTask(t, env, code, "accept"); return acceptTask != 0 })

	artifacts := filepath.Join("artifacts", "console")
	if err := os.MkdirAll(artifacts, 0o755); err != nil {
		t.Fatal(err)
	}
	bctx := browserTab(t, 4*time.Minute)

	shot := 0
	screenshot := func(name string) chromedp.Action {
		return chromedp.ActionFunc(func(ctx context.Context) error {
			var buf []byte
			if err := chromedp.FullScreenshot(&buf, 100).Do(ctx); err != nil {
				return err
			}
			shot++
			return os.WriteFile(filepath.Join(artifacts, fmt.Sprintf("%02d-%s.png", shot, name)), buf, 0o644)
		})
	}
	run := func(step string, actions ...chromedp.Action) {
		t.Helper()
		if err := chromedp.Run(bctx, actions...); err != nil {
			_ = chromedp.Run(bctx, screenshot("FAILED-"+strings.ReplaceAll(step, " ", "-")))
			var loc, body string
			_ = chromedp.Run(bctx, chromedp.Location(&loc), chromedp.Text("main", &body, chromedp.ByQuery))
			t.Fatalf("step %q: %v\nat %s\n%s", step, err, loc, body)
		}
	}
	textOf := func(sel string) string {
		var s string
		run("read "+sel, chromedp.Text(sel, &s, chromedp.ByQuery))
		return s
	}
	login := func(who string, phone string) {
		run("login "+who,
			chromedp.Navigate(env.URL+"/console/"),
			chromedp.WaitVisible(`#login-submit`, chromedp.ByQuery),
			chromedp.SendKeys(`#phone`, phone, chromedp.ByQuery),
			chromedp.SendKeys(`#password`, pw, chromedp.ByQuery),
			chromedp.Click(`#login-submit`, chromedp.ByQuery),
			chromedp.WaitVisible(`#badge-mine`, chromedp.ByQuery),
		)
	}
	logout := func() {
		run("logout", chromedp.Click(`form[action="/console/logout"] button`, chromedp.ByQuery), chromedp.WaitVisible(`#login-submit`, chromedp.ByQuery))
	}
	casePath := "/console/cases/feedback/" + code

	// 1. The login page; a wrong password shows the error summary.
	run("login page", chromedp.Navigate(env.URL+"/console/queues/agency"), chromedp.WaitVisible(`#login-submit`, chromedp.ByQuery),
		chromedp.SendKeys(`#phone`, "0912000101", chromedp.ByQuery), chromedp.SendKeys(`#password`, "wrong-password", chromedp.ByQuery),
		chromedp.Click(`#login-submit`, chromedp.ByQuery), chromedp.WaitVisible(`#error-summary`, chromedp.ByQuery), screenshot("login-error"))

	// 2. The officer signs in, sees the report in the agency queue and claims it.
	login("officer", "0912000101")
	run("agency queue", chromedp.Navigate(env.URL+"/console/queues/agency"),
		chromedp.WaitVisible(fmt.Sprintf(`#claim-%d`, acceptTask), chromedp.ByQuery), screenshot("officer-agency-queue"))
	run("claim", chromedp.Click(fmt.Sprintf(`#claim-%d`, acceptTask), chromedp.ByQuery), chromedp.WaitVisible(`#do-accept`, chromedp.ByQuery))
	if _, holder := openTask(t, env, code, "accept"); holder != officer.UserID {
		t.Fatalf("accept task holder = %d, want the officer %d", holder, officer.UserID)
	}
	if got := textOf(`#case-content`); !strings.Contains(got, "Ổ gà sâu") {
		t.Fatalf("case content = %q", got)
	}
	var mapHref string
	var photos int
	run("case details", chromedp.AttributeValue(`#map-link`, "href", &mapHref, nil, chromedp.ByQuery),
		chromedp.Evaluate(`document.querySelectorAll(".photos img").length`, &photos), screenshot("officer-case"))
	if !strings.HasPrefix(mapHref, "https://www.openstreetmap.org/?mlat=22.6657") || photos != 1 {
		t.Fatalf("map link %q, photos %d", mapHref, photos)
	}
	// Only actions allowed now are offered: an officer may not approve or close.
	var offered []string
	run("offered actions", chromedp.Evaluate(`Array.from(document.querySelectorAll("details.action")).map(d => d.id)`, &offered))
	for _, bad := range []string{"action-approve_answer", "action-close", "action-assign", "action-draft_answer"} {
		for _, o := range offered {
			if o == bad {
				t.Fatalf("officer is offered %s now: %v", bad, offered)
			}
		}
	}

	// 3. Accept: the accept task closes in the same step, the leader's assign task opens.
	run("accept", chromedp.Click(`#do-accept`, chromedp.ByQuery), waitFlash("Đã thực hiện: "),
		chromedp.WaitVisible(`#case-status[data-status="accepted"]`, chromedp.ByQuery), screenshot("officer-accepted"))
	if s := taskStatus(t, env, acceptTask); s != "closed" {
		t.Fatalf("accept task is %s after accepting", s)
	}
	assignTask, _ := openTask(t, env, code, "assign")
	if assignTask == 0 {
		t.Fatal("no open assign task after accept")
	}
	logout()

	// 4. The leader claims the assignment step and assigns the officer.
	login("leader", "0912000102")
	run("approvals list", chromedp.Navigate(env.URL+"/console/approvals"),
		chromedp.WaitVisible(fmt.Sprintf(`#claim-%d`, assignTask), chromedp.ByQuery), screenshot("leader-approvals"))
	run("leader claims assign", chromedp.Click(fmt.Sprintf(`#claim-%d`, assignTask), chromedp.ByQuery),
		chromedp.WaitVisible(`#do-assign`, chromedp.ByQuery),
		chromedp.SetValue(`#assign-assignee_id`, fmt.Sprint(officer.UserID), chromedp.ByQuery),
		chromedp.Click(`#do-assign`, chromedp.ByQuery),
		chromedp.WaitVisible(`#case-status[data-status="assigned"]`, chromedp.ByQuery))
	if s := taskStatus(t, env, assignTask); s != "closed" {
		t.Fatalf("assign task is %s", s)
	}
	startTask, holder := openTask(t, env, code, "start")
	if startTask == 0 || holder != officer.UserID {
		t.Fatalf("start task %d held by %d", startTask, holder)
	}
	logout()

	// 5. The officer finds it in "my queue", starts and drafts the answer;
	// an empty answer is refused with an error summary linking to the field.
	login("officer", "0912000101")
	run("my queue", chromedp.Navigate(env.URL+"/console/queues/mine"),
		chromedp.WaitVisible(fmt.Sprintf(`#open-%d`, startTask), chromedp.ByQuery), screenshot("officer-my-queue"),
		chromedp.Click(fmt.Sprintf(`#open-%d`, startTask), chromedp.ByQuery),
		chromedp.WaitVisible(`#do-start`, chromedp.ByQuery),
		chromedp.Click(`#do-start`, chromedp.ByQuery),
		chromedp.WaitVisible(`#case-status[data-status="in_progress"]`, chromedp.ByQuery),
		chromedp.WaitVisible(`#do-draft_answer`, chromedp.ByQuery),
		chromedp.Click(`#do-draft_answer`, chromedp.ByQuery),
		chromedp.WaitVisible(`#error-summary a[href="#draft_answer-answer"]`, chromedp.ByQuery),
		screenshot("officer-answer-required"),
		chromedp.SendKeys(`#draft_answer-answer`, "Sở Xây dựng đã giao đơn vị duy tu vá ổ gà trong 3 ngày làm việc.", chromedp.ByQuery),
		chromedp.Click(`#do-draft_answer`, chromedp.ByQuery),
		chromedp.WaitVisible(`#case-status[data-status="answer_drafted"]`, chromedp.ByQuery),
		screenshot("officer-drafted"))
	approveTask, _ := openTask(t, env, code, "approve")
	if approveTask == 0 {
		t.Fatal("no approve task after the draft")
	}
	if id, _ := openTask(t, env, code, "draft"); id != 0 {
		t.Fatalf("draft task %d still open after drafting", id)
	}
	logout()

	// 6. The leader approves from the approvals list and sees the case published.
	login("leader", "0912000102")
	run("approve", chromedp.Navigate(env.URL+"/console/approvals"),
		chromedp.WaitVisible(fmt.Sprintf(`#claim-%d`, approveTask), chromedp.ByQuery),
		chromedp.Click(fmt.Sprintf(`#claim-%d`, approveTask), chromedp.ByQuery),
		chromedp.WaitVisible(`#do-approve_answer`, chromedp.ByQuery),
		chromedp.Click(`#do-approve_answer`, chromedp.ByQuery),
		chromedp.WaitVisible(`#case-status[data-status="published"]`, chromedp.ByQuery),
		chromedp.WaitVisible(`#no-open-tasks`, chromedp.ByQuery),
		screenshot("leader-published"))
	if s := taskStatus(t, env, approveTask); s != "closed" {
		t.Fatalf("approve task is %s", s)
	}
	if ans := textOf(`#case-answer`); !strings.Contains(ans, "vá ổ gà") {
		t.Fatalf("answer on the case page = %q", ans)
	}
	if tl := textOf(`#timeline`); !strings.Contains(tl, "Công khai trả lời") || !strings.Contains(tl, "Phê duyệt trả lời") {
		t.Fatalf("timeline lacks the approval and publication: %s", tl)
	}
	pub := env.Do(http.MethodGet, "/api/v1/public/feedback", "", nil)
	if pub.Status != http.StatusOK || !strings.Contains(string(pub.Body), code) {
		t.Fatalf("published case %s not in the public list: %d %s", code, pub.Status, pub.Body)
	}
	_ = leader

	// Moderation: the leader hides the photo from the public view (audited).
	run("hide photo", chromedp.Navigate(env.URL+casePath), chromedp.WaitVisible(`#redact-0`, chromedp.ByQuery),
		chromedp.Click(`#redact-0`, chromedp.ByQuery), waitFlash("Đã ẩn ảnh khỏi trang công khai"), screenshot("leader-photo-hidden"))
	var redacted bool
	if err := env.DB.Pool.QueryRow(context.Background(), `SELECT redacted FROM feedback_media WHERE media_id = $1`, mediaID).Scan(&redacted); err != nil || !redacted {
		t.Fatalf("photo redacted = %v (%v) after hiding it", redacted, err)
	}

	// 7. The same pages on a phone, and the report downloads page.
	run("reports", chromedp.Navigate(env.URL+"/console/reports"), chromedp.WaitVisible(`#download-stats`, chromedp.ByQuery), screenshot("reports"))
	run("phone", emulation.SetDeviceMetricsOverride(390, 844, 2, true),
		chromedp.Navigate(env.URL+"/console/queues/agency"), chromedp.WaitVisible(`#badge-agency`, chromedp.ByQuery), screenshot("phone-queue"),
		chromedp.Navigate(env.URL+casePath), chromedp.WaitVisible(`#timeline`, chromedp.ByQuery), screenshot("phone-case"))
}

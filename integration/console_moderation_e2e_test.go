package integration

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	cds "github.com/caobang/congdanso"
	"github.com/caobang/congdanso/cmd/app/apptest"
	"github.com/caobang/congdanso/postgres"
	"github.com/caobang/congdanso/workflows"
)

// TestConsoleModerationE2E: a citizen's report names a neighbour and gives
// a phone number. The officer handling it is offered moderation (issue 18:
// officers and leaders; who may not is the route matrix's and
// TestFeedbackModeration's); the leader edits the public text (refused without a reason, then accepted
// with one) and hides the report, each with its reason in the moderation
// log. The staff act in the browser only.
func TestConsoleModerationE2E(t *testing.T) {
	env := apptest.New(t)
	const pw = "Cao-Bang-2026!"
	staffWithPassword(t, env, "0912000901", "Nông Văn Chuyên", "SXD", cds.RoleOfficer, pw)
	leader := staffWithPassword(t, env, "0912000902", "Bế Thị Lãnh", "SXD", cds.RoleLeader, pw)
	_, ctok := env.Citizen("Nguyễn Văn An")
	r := env.Do(http.MethodPost, "/api/v1/feedback", ctok, submitBody("traffic", "P-THUCPHAN", nil))
	if r.Status != http.StatusCreated {
		t.Fatalf("submit: %d %s", r.Status, r.Body)
	}
	code, _ := r.Map(t)["code"].(string)
	apptest.Eventually(t, 20*time.Second, "accept task", func() bool { id, _ := openTask(t, env, code, "accept"); return id != 0 })
	casePath := "/console/cases/feedback/" + code
	ctx := context.Background()

	b := newBrowserRun(t, env, "moderation")
	b.pw = pw
	b.login("0912000901")
	var controls int
	b.run("officer's case page", chromedp.Navigate(b.baseURL+casePath), chromedp.WaitVisible(`#case-content`, chromedp.ByQuery),
		chromedp.Evaluate(`document.querySelectorAll("#public-moderation").length`, &controls))
	if controls != 1 {
		t.Fatal("the handling officer is not offered moderation")
	}
	b.logout()

	b.login("0912000902")
	const newTitle = "Ổ gà lớn trên đường Hoàng Đình Giong"
	const newContent = "Ổ gà sâu trước số 12 đường Hoàng Đình Giong."
	b.run("edit without a reason", chromedp.Navigate(b.baseURL+casePath), chromedp.WaitVisible(`#public-moderation`, chromedp.ByQuery),
		chromedp.Click(`#mod-edit summary`, chromedp.ByQuery), chromedp.WaitVisible(`#mod-edit-content`, chromedp.ByQuery),
		chromedp.SetValue(`#mod-edit-content`, newContent, chromedp.ByQuery),
		chromedp.Click(`#do-mod-edit`, chromedp.ByQuery), chromedp.WaitVisible(`#error-summary a[href="#mod-edit-reason"]`, chromedp.ByQuery),
		b.screenshot("leader-edit-needs-reason"))
	f, err := env.DB.FeedbackByCode(ctx, code)
	if err != nil || f.PublicContent != nil {
		t.Fatalf("refused edit changed the public text: %v (%v)", f.PublicContent, err)
	}
	var kept string
	b.run("kept", chromedp.Value(`#mod-edit-content`, &kept, chromedp.ByQuery))
	if kept != newContent {
		t.Fatalf("the form lost what was typed: %q", kept)
	}
	b.run("edit with a reason", chromedp.SendKeys(`#mod-edit-reason`, "Bỏ số điện thoại cá nhân khỏi nội dung công khai.", chromedp.ByQuery),
		chromedp.Click(`#do-mod-edit`, chromedp.ByQuery), waitFlash("Đã sửa nội dung công khai"),
		chromedp.WaitVisible(`#moderation-log li[data-action="edit_text"]`, chromedp.ByQuery), b.screenshot("leader-text-edited"))
	if st := strings.ToLower(b.text(`#public-state`)); !strings.Contains(st, "đã sửa nội dung") || !strings.Contains(st, "đang hiển thị") {
		t.Fatalf("public state after the edit: %q", st)
	}

	b.run("hide", chromedp.Click(`#mod-hide summary`, chromedp.ByQuery), chromedp.WaitVisible(`#mod-hide-reason`, chromedp.ByQuery),
		chromedp.SendKeys(`#mod-hide-reason`, "Phản ánh nêu đích danh người khác, chờ xác minh.", chromedp.ByQuery),
		chromedp.Click(`#do-mod-hide`, chromedp.ByQuery), waitFlash("Đã ẩn phản ánh"),
		chromedp.WaitVisible(`#moderation-log li[data-action="hide"]`, chromedp.ByQuery), b.screenshot("leader-hidden"))
	if st := strings.ToLower(b.text(`#public-state`)); !strings.Contains(st, "đang ẩn") {
		t.Fatalf("public state after hiding: %q", st)
	}

	f, err = env.DB.FeedbackByCode(ctx, code)
	if err != nil || !f.Hidden || f.PublicContent == nil || *f.PublicContent != newContent || f.PublicTitle == nil || *f.PublicTitle != newTitle {
		t.Fatalf("after moderation: hidden %v title %v content %v (%v)", f.Hidden, f.PublicTitle, f.PublicContent, err)
	}
	if !strings.Contains(f.Content, "0912 345 678") {
		t.Fatalf("the citizen's own text changed: %q", f.Content)
	}
	log, err := env.DB.ModerationLog(ctx, workflows.FeedbackWorkflowID(code))
	if err != nil || len(log) != 2 {
		t.Fatalf("moderation log: %+v (%v)", log, err)
	}
	want := map[string]string{postgres.ModEditText: "Bỏ số điện thoại cá nhân khỏi nội dung công khai.", postgres.ModHide: "Phản ánh nêu đích danh người khác, chờ xác minh."}
	for _, e := range log {
		if want[e.Action] != e.Reason || e.ActorID != leader.UserID {
			t.Fatalf("moderation entry %+v", e)
		}
	}
}

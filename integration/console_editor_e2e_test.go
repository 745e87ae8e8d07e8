package integration

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	cds "github.com/caobang/congdanso"
	"github.com/caobang/congdanso/cmd/app/apptest"
	"github.com/caobang/congdanso/postgres"
)

// auditBy counts the audit lines of action on object by user.
func auditBy(t *testing.T, env *apptest.Env, action, objectID string, userID int64) int {
	t.Helper()
	var n int
	if err := env.DB.Pool.QueryRow(context.Background(), `SELECT count(*) FROM audit_log WHERE action = $1 AND object_id = $2 AND actor_id = $3`,
		action, objectID, userID).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestConsoleEditorE2E: an editor of the provincial office does the job in
// the browser only: writes an article and previews it (rendered on the
// server), saves and publishes it, updates a department's hotline in the
// directory, adds a traffic camera, and takes the article down again.
// Screenshots in integration/artifacts/console/editor/.
func TestConsoleEditorE2E(t *testing.T) {
	env := apptest.New(t)
	const pw = "Cao-Bang-2026!"
	editor := staffWithPassword(t, env, "0912000801", "Hoàng Thị Biên", "VP-UBND", cds.RoleEditor, pw)
	ctx := context.Background()

	b := newBrowserRun(t, env, "editor")
	b.pw = pw
	b.login("0912000801")
	var loc string
	b.run("home is the news", chromedp.Navigate(b.baseURL+"/console/"), chromedp.WaitVisible(`#news-new`, chromedp.ByQuery), chromedp.Location(&loc))
	if !strings.HasSuffix(loc, "/console/news") {
		t.Fatalf("editor's home = %s, want the news list", loc)
	}

	// 1. Write with a preview: Markdown rendered as the public page renders it.
	const title = "Cao Bằng ra mắt nền tảng Công dân số"
	b.run("write", chromedp.Click(`#news-new`, chromedp.ByQuery), chromedp.WaitVisible(`#news-form`, chromedp.ByQuery),
		chromedp.SendKeys(`#title`, title, chromedp.ByQuery),
		chromedp.SetValue(`#category`, "chuyen-doi-so", chromedp.ByQuery),
		chromedp.SendKeys(`#summary`, "Người dân gửi phản ánh và nộp hồ sơ trên điện thoại.", chromedp.ByQuery),
		chromedp.SendKeys(`#body`, "## Có gì mới\n\nNgười dân có thể **gửi phản ánh** kèm ảnh.\n\n- Theo dõi hồ sơ\n- Nhận thông báo\n\n<script>alert(1)</script>", chromedp.ByQuery),
		chromedp.Click(`#news-preview`, chromedp.ByQuery), chromedp.WaitVisible(`#preview-body h2`, chromedp.ByQuery), b.screenshot("news-preview"))
	var h2, strong string
	var items, scripts int
	b.run("read preview", chromedp.Text(`#preview-body h2`, &h2, chromedp.ByQuery), chromedp.Text(`#preview-body strong`, &strong, chromedp.ByQuery),
		chromedp.Evaluate(`document.querySelectorAll("#preview-body li").length`, &items),
		chromedp.Evaluate(`document.querySelectorAll("main script").length`, &scripts))
	if h2 != "Có gì mới" || strong != "gửi phản ánh" || items != 2 || scripts != 0 {
		t.Fatalf("preview: h2 %q strong %q items %d scripts %d", h2, strong, items, scripts)
	}
	var n int
	if err := env.DB.Pool.QueryRow(ctx, `SELECT count(*) FROM news_articles`).Scan(&n); err != nil || n != 0 {
		t.Fatalf("the preview saved something: %d news rows (%v)", n, err)
	}
	// The form kept what was typed; save the draft.
	b.run("save", chromedp.Click(`#news-save`, chromedp.ByQuery), waitFlash("Đã lưu bài viết"),
		chromedp.WaitVisible(`#news-status[data-status="draft"]`, chromedp.ByQuery), chromedp.Location(&loc), b.screenshot("news-saved"))
	var id int64
	if err := env.DB.Pool.QueryRow(ctx, `SELECT id FROM news_articles WHERE title = $1 AND agency_code = 'VP-UBND'`, title).Scan(&id); err != nil {
		t.Fatalf("saved article: %v", err)
	}
	a, err := env.DB.NewsByID(ctx, id)
	if err != nil || a.Status != postgres.NewsDraft || !strings.Contains(a.BodyHTML, "<strong>gửi phản ánh</strong>") || strings.Contains(a.BodyHTML, "<script") {
		t.Fatalf("article %+v (%v)", a, err)
	}

	// 2. Publish.
	b.run("publish", chromedp.Click(`#news-publish`, chromedp.ByQuery), waitFlash("Đã đăng bài viết"),
		chromedp.WaitVisible(`#news-status[data-status="published"]`, chromedp.ByQuery), b.screenshot("news-published"))
	if a, err = env.DB.NewsByID(ctx, id); err != nil || a.Status != postgres.NewsPublished || a.PublishAt == nil {
		t.Fatalf("after publishing: %+v (%v)", a, err)
	}
	if auditBy(t, env, "news.publish", strconv.FormatInt(id, 10), editor.UserID) != 1 {
		t.Fatal("no audit line for the publication")
	}

	// 3. The directory: a department's hotline.
	b.run("directory", chromedp.Navigate(b.baseURL+"/console/directory"), chromedp.WaitVisible(`#directory-list`, chromedp.ByQuery),
		chromedp.SendKeys(`#q`, "Xây dựng", chromedp.ByQuery), chromedp.Submit(`#q`, chromedp.ByQuery),
		// The unfiltered list has #edit-SXD too: wait for the search's page
		// first, or the click lands on the page the search is replacing.
		waitLocation("q="), chromedp.WaitVisible(`#edit-SXD`, chromedp.ByQuery), b.screenshot("directory-search"),
		chromedp.Click(`#edit-SXD`, chromedp.ByQuery), chromedp.WaitVisible(`#directory-form`, chromedp.ByQuery),
		chromedp.SetValue(`#hotline`, "0206 3852 998", chromedp.ByQuery),
		chromedp.Click(`#directory-save`, chromedp.ByQuery), waitFlash("Đã lưu thông tin liên hệ"), b.screenshot("directory-saved"))
	e, err := env.DB.DirectoryEntryByCode(ctx, "SXD")
	if err != nil || e.Phones["hotline"] != "0206 3852 998" || e.Name != "Sở Xây dựng" {
		t.Fatalf("SXD after the edit: %+v (%v)", e, err)
	}
	if auditBy(t, env, "agency.update", "SXD", editor.UserID) != 1 {
		t.Fatal("no audit line for the directory edit")
	}

	// 4. A new camera.
	const cam = "Cầu Bằng Giang – hướng phường Thục Phán"
	b.run("camera", chromedp.Navigate(b.baseURL+"/console/cameras"), chromedp.WaitVisible(`#camera-new`, chromedp.ByQuery),
		chromedp.Click(`#camera-new`, chromedp.ByQuery), chromedp.WaitVisible(`#camera-form`, chromedp.ByQuery),
		chromedp.SendKeys(`#name`, cam, chromedp.ByQuery), chromedp.SetValue(`#area_code`, "P-THUCPHAN", chromedp.ByQuery),
		chromedp.SendKeys(`#lat`, "22.6663", chromedp.ByQuery), chromedp.SendKeys(`#lng`, "106.2601", chromedp.ByQuery),
		chromedp.SendKeys(`#hls_url`, "https://camera.caobang.gov.vn/bang-giang/index.m3u8", chromedp.ByQuery),
		b.screenshot("camera-form"),
		chromedp.Click(`#camera-save`, chromedp.ByQuery), waitFlash("Đã lưu camera"), chromedp.WaitVisible(`#camera-list`, chromedp.ByQuery),
		b.screenshot("camera-added"))
	if list := b.text(`#camera-list`); !strings.Contains(list, cam) {
		t.Fatalf("camera list: %s", list)
	}
	cams, err := env.DB.Cameras(ctx, "P-THUCPHAN", []string{postgres.VisibilityPublic})
	if err != nil || len(cams) != 1 || cams[0].Name != cam || cams[0].HLSURL != "https://camera.caobang.gov.vn/bang-giang/index.m3u8" || cams[0].Lat == nil {
		t.Fatalf("cameras in P-THUCPHAN: %+v (%v)", cams, err)
	}

	// 5. Take the article down; the form on a phone.
	b.run("unpublish", chromedp.Navigate(b.baseURL+"/console/news"), chromedp.WaitVisible(`#news-list`, chromedp.ByQuery),
		chromedp.Click(`#news-`+strconv.FormatInt(id, 10), chromedp.ByQuery), chromedp.WaitVisible(`#news-unpublish`, chromedp.ByQuery),
		chromedp.Click(`#news-unpublish`, chromedp.ByQuery), waitFlash("Đã gỡ bài viết"),
		chromedp.WaitVisible(`#news-status[data-status="unpublished"]`, chromedp.ByQuery))
	if a, err = env.DB.NewsByID(ctx, id); err != nil || a.Status != postgres.NewsUnpublished {
		t.Fatalf("after unpublishing: %s (%v)", a.Status, err)
	}
	b.run("phone", emulation.SetDeviceMetricsOverride(390, 844, 2, true), chromedp.Reload(),
		chromedp.WaitVisible(`#news-form`, chromedp.ByQuery), b.screenshot("phone-news-form"))
	// Work queues are not the editor's: no link to them.
	var queueLinks int
	b.run("nav", chromedp.Evaluate(`document.querySelectorAll('nav a[href="/console/queues/mine"]').length`, &queueLinks))
	if queueLinks != 0 {
		t.Fatal("the editor's navigation links to the work queues")
	}
}

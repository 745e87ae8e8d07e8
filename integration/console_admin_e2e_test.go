package integration

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	cds "github.com/caobang/congdanso"
	"github.com/caobang/congdanso/cmd/app/apptest"
)

// TestConsoleAdminReferenceE2E: the provincial admin, in the browser only,
// adds a feedback category with its routing and SLAs and changes it,
// publishes a new version of a procedure, adds and removes days of the
// working-time calendar and issues then revokes an Open311 client's key.
// Wrong input shows the error summary and writes nothing; every change has
// its audit line; every page passes axe-core (browserRun.run).
func TestConsoleAdminReferenceE2E(t *testing.T) {
	env := apptest.New(t)
	const pw = "Cao-Bang-2026!"
	staffWithPassword(t, env, "0912000501", "Nông Văn Quản", "UBND-CB", cds.RoleAdmin, pw)
	b := newBrowserRun(t, env, "admin-reference")
	b.pw = pw
	ctx := context.Background()
	count := func(q string, args ...any) int {
		t.Helper()
		var n int
		if err := env.DB.Pool.QueryRow(ctx, q, args...).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	b.login("0912000501")

	// 1. Feedback categories: a wrong code is refused, then the category is
	// created and moved to commune level with a longer answer time.
	b.run("categories", chromedp.Click(`nav a[href="/console/categories"]`, chromedp.ByQuery), chromedp.WaitVisible(`#category-list`, chromedp.ByQuery),
		b.screenshot("categories"))
	if list := b.text(`#category-list`); !strings.Contains(list, "Giao thông") || !strings.Contains(list, "Sở Xây dựng") {
		t.Fatalf("category list in words: %s", list)
	}
	b.run("new category", chromedp.Click(`#category-new`, chromedp.ByQuery), chromedp.WaitVisible(`#category-form`, chromedp.ByQuery),
		chromedp.SendKeys(`#code`, "Chiếu sáng", chromedp.ByQuery), chromedp.SendKeys(`#name`, "Chiếu sáng công cộng", chromedp.ByQuery),
		chromedp.SendKeys(`#name_en`, "Street lighting", chromedp.ByQuery), chromedp.SetValue(`#agency_code`, "SXD", chromedp.ByQuery),
		chromedp.Click(`#category-save`, chromedp.ByQuery), chromedp.WaitVisible(`#error-summary`, chromedp.ByQuery), b.screenshot("category-error"))
	if s := b.text(`#error-summary`); !strings.Contains(s, "chưa lưu gì") || !strings.Contains(s, "nothing was saved") {
		t.Errorf("error summary: %s", s)
	}
	if count(`SELECT count(*) FROM feedback_categories WHERE name_vi = 'Chiếu sáng công cộng'`) != 0 {
		t.Fatal("a refused form wrote the category")
	}
	b.run("fix code", chromedp.SetValue(`#code`, "chieu_sang", chromedp.ByQuery), chromedp.SetValue(`#answer_days`, "10", chromedp.ByQuery),
		chromedp.Click(`#category-save`, chromedp.ByQuery), waitFlash("Đã lưu lĩnh vực Chiếu sáng công cộng"),
		chromedp.WaitVisible(`tr[data-category="chieu_sang"]`, chromedp.ByQuery), b.screenshot("category-created"))
	if row := b.text(`tr[data-category="chieu_sang"]`); !strings.Contains(row, "Sở Xây dựng") || !strings.Contains(row, "1 / 10") || !strings.Contains(row, "Cấp tỉnh") {
		t.Errorf("new category row: %q", row)
	}
	b.run("edit category", chromedp.Click(`#edit-chieu_sang`, chromedp.ByQuery), chromedp.WaitVisible(`#category-form`, chromedp.ByQuery),
		chromedp.SetValue(`#level`, "commune", chromedp.ByQuery), chromedp.SetValue(`#answer_days`, "12", chromedp.ByQuery),
		chromedp.SetValue(`#reminder_pct`, "80", chromedp.ByQuery), chromedp.SetValue(`#complaint_days`, "0", chromedp.ByQuery),
		chromedp.Click(`#category-save`, chromedp.ByQuery), chromedp.WaitVisible(`#error-summary a[href="#complaint_days"]`, chromedp.ByQuery),
		b.screenshot("category-followup-error"))
	// The refused form wrote nothing: the new category still has migration
	// 00130's defaults (5, 2, 7 days, clock from submission) and level province.
	if count(`SELECT count(*) FROM feedback_categories WHERE code = 'chieu_sang' AND level = 'province' AND info_days = 5
		AND info_grace_days = 2 AND complaint_days = 7 AND clock_from = 'submission'`) != 1 {
		t.Error("a refused follow-up setting was written")
	}
	if s := b.text(`#error-summary`); !strings.Contains(s, "1 đến 90 ngày") {
		t.Errorf("follow-up error summary: %s", s)
	}
	b.run("fix follow-ups", chromedp.SetValue(`#complaint_days`, "14", chromedp.ByQuery), chromedp.SetValue(`#info_days`, "3", chromedp.ByQuery),
		chromedp.SetValue(`#info_grace_days`, "1", chromedp.ByQuery), chromedp.SetValue(`#clock_from`, "acceptance", chromedp.ByQuery),
		chromedp.Click(`#category-save`, chromedp.ByQuery), waitFlash("Đã lưu lĩnh vực"), chromedp.WaitVisible(`tr[data-category="chieu_sang"]`, chromedp.ByQuery), b.screenshot("category-changed"))
	if row := b.text(`tr[data-category="chieu_sang"]`); !strings.Contains(row, "Cấp xã") || !strings.Contains(row, "1 / 12") || !strings.Contains(row, "80%") {
		t.Errorf("changed category row: %q", row)
	}
	// 12 working days of 8 hours; routed to Sở Xây dựng outside the communes;
	// the follow-ups as typed.
	if count(`SELECT count(*) FROM feedback_categories k JOIN feedback_routes r ON r.category_code = k.code AND r.commune_code = '*'
		WHERE k.code = 'chieu_sang' AND k.answer_hours = 96 AND k.level = 'commune' AND k.reminder_pct = 80 AND r.agency_code = 'SXD'
		AND k.info_days = 3 AND k.info_grace_days = 1 AND k.complaint_days = 14 AND k.clock_from = 'acceptance'`) != 1 {
		t.Error("the stored category does not match the form")
	}
	if auditLines(t, env, "category-create", "chieu_sang") != 1 || auditLines(t, env, "category-update", "chieu_sang") != 1 {
		t.Error("missing category audit lines")
	}

	// 2. Procedures: a bad date is refused; a new version with a longer time
	// and a fee is published from tomorrow.
	tomorrow := time.Now().In(cds.VietnamTZ).AddDate(0, 0, 1).Format("02/01/2006")
	b.run("procedures", chromedp.Click(`nav a[href="/console/procedures"]`, chromedp.ByQuery), chromedp.WaitVisible(`#procedure-list`, chromedp.ByQuery),
		b.screenshot("procedures"), chromedp.Click(`#open-HT-KH`, chromedp.ByQuery), chromedp.WaitVisible(`#version-form`, chromedp.ByQuery))
	b.run("bad version", chromedp.SetValue(`#duration`, "7", chromedp.ByQuery), chromedp.SetValue(`#fee`, "20.000", chromedp.ByQuery),
		chromedp.SetValue(`#effective_from`, "31/02/2026", chromedp.ByQuery), chromedp.Click(`#version-publish`, chromedp.ByQuery),
		chromedp.WaitVisible(`#error-summary`, chromedp.ByQuery), b.screenshot("version-error"))
	if count(`SELECT count(*) FROM procedure_versions WHERE procedure_code = 'HT-KH'`) != 1 {
		t.Fatal("a refused version was published")
	}
	b.run("publish", chromedp.SetValue(`#effective_from`, tomorrow, chromedp.ByQuery), chromedp.Click(`#version-publish`, chromedp.ByQuery),
		waitFlash("Đã công bố phiên bản 2, hiệu lực từ "+tomorrow), chromedp.WaitVisible(`tr[data-version="2"]`, chromedp.ByQuery), b.screenshot("version-published"))
	if v := b.text(`#version-list`); !strings.Contains(v, tomorrow) || !strings.Contains(v, "Đang áp dụng") {
		t.Errorf("versions: %s", v)
	}
	if sum := b.text(`#procedure-summary`); !strings.Contains(sum, "20.000 đồng") || !strings.Contains(sum, "UBND xã, phường") {
		t.Errorf("procedure summary in words: %s", sum)
	}
	if count(`SELECT count(*) FROM procedure_versions WHERE procedure_code = 'HT-KH' AND version = 2 AND (spec->>'duration')::float = 7 AND (spec->>'fee')::int = 20000`) != 1 {
		t.Error("version 2 does not hold the form's time limit and fee")
	}
	if auditLines(t, env, "procedure.publish", "HT-KH") != 1 {
		t.Error("no audit line for the publication")
	}

	// 3. The calendar of 2027: a make-up day on a Wednesday is refused; a
	// holiday is added, then removed.
	b.run("calendar", chromedp.Click(`nav a[href="/console/calendar"]`, chromedp.ByQuery), chromedp.WaitVisible(`#calendar-add`, chromedp.ByQuery),
		chromedp.Navigate(b.baseURL+"/console/calendar?year=2027"), chromedp.WaitVisible(`#calendar-add`, chromedp.ByQuery), b.screenshot("calendar-2027"))
	b.run("bad day", chromedp.SendKeys(`#date`, "17/11/2027", chromedp.ByQuery), chromedp.SetValue(`#kind`, "workday", chromedp.ByQuery),
		chromedp.SendKeys(`#name`, "Làm bù thử", chromedp.ByQuery), chromedp.Click(`#calendar-add-submit`, chromedp.ByQuery),
		chromedp.WaitVisible(`#error-summary`, chromedp.ByQuery), b.screenshot("calendar-error"))
	if s := b.text(`#error-summary`); !strings.Contains(s, "thứ Bảy hoặc Chủ nhật") {
		t.Errorf("calendar error: %s", s)
	}
	b.run("add day", chromedp.SetValue(`#date`, "19/11/2027", chromedp.ByQuery), chromedp.SetValue(`#kind`, "holiday", chromedp.ByQuery),
		chromedp.SetValue(`#name`, "Nghỉ bù (thử nghiệm)", chromedp.ByQuery), chromedp.Click(`#calendar-add-submit`, chromedp.ByQuery),
		waitFlash("Đã lưu ngày 19/11/2027"), chromedp.WaitVisible(`tr[data-date="19/11/2027"]`, chromedp.ByQuery), b.screenshot("calendar-added"))
	if row := b.text(`tr[data-date="19/11/2027"]`); !strings.Contains(row, "Thứ Sáu") || !strings.Contains(row, "Ngày nghỉ") {
		t.Errorf("calendar row: %q", row)
	}
	b.run("remove day", chromedp.Click(`tr[data-date="19/11/2027"] button`, chromedp.ByQuery), waitFlash("Đã xóa ngày 19/11/2027"),
		chromedp.WaitNotPresent(`tr[data-date="19/11/2027"]`, chromedp.ByQuery))
	if auditLines(t, env, "calendar-put", "2027-11-19") != 1 || auditLines(t, env, "calendar-delete", "2027-11-19") != 1 ||
		auditLines(t, env, "calendar-put", "2027-11-17") != 0 {
		t.Error("calendar audit lines do not match the changes")
	}

	// 4. Open311: a client gets its key once, then the key is revoked.
	b.run("open311", chromedp.Click(`nav a[href="/console/open311"]`, chromedp.ByQuery), chromedp.WaitVisible(`#open311-form`, chromedp.ByQuery),
		chromedp.SendKeys(`#name`, "FixMyStreet Cao Bằng", chromedp.ByQuery), chromedp.Click(`#open311-create`, chromedp.ByQuery),
		chromedp.WaitVisible(`#api-key`, chromedp.ByQuery), b.screenshot("open311-created"))
	key := b.text(`#api-key`)
	if !strings.HasPrefix(key, "o311_") {
		t.Fatalf("api key shown: %q", key)
	}
	var id int64
	if err := env.DB.Pool.QueryRow(ctx, `SELECT id FROM open311_clients WHERE name = 'FixMyStreet Cao Bằng'`).Scan(&id); err != nil {
		t.Fatal(err)
	}
	b.run("revoke", chromedp.Navigate(b.baseURL+"/console/open311"), chromedp.WaitVisible(`#open311-list`, chromedp.ByQuery),
		chromedp.Click(`#open311-list button`, chromedp.ByQuery), waitFlash("Đã thu hồi khóa"), b.screenshot("open311-revoked"))
	if row := b.text(`#open311-list`); !strings.Contains(strings.ToLower(row), "đã thu hồi") || strings.Contains(row, key) {
		t.Errorf("client list after revoke: %s", row)
	}
	if count(`SELECT count(*) FROM audit_log WHERE action IN ('open311.client.create', 'open311.client.revoke') AND object_id = $1`, strconv.FormatInt(id, 10)) != 2 {
		t.Error("open311 audit lines missing")
	}
	if _, err := env.DB.Open311ClientByKey(ctx, key); err == nil {
		t.Error("the revoked key still works")
	}

	// At phone width the new pages still work (axe runs once per path above).
	b.run("phone", chromedp.EmulateViewport(390, 844), chromedp.Navigate(b.baseURL+"/console/categories"),
		chromedp.WaitVisible(`#category-list`, chromedp.ByQuery), b.screenshot("categories-phone"))
}

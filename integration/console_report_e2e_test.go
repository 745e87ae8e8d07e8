package integration

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	cds "github.com/caobang/congdanso"
	"github.com/caobang/congdanso/cmd/app/apptest"
	"github.com/caobang/congdanso/postgres"
)

// TestConsoleReportsE2E: the reporter of Sở Khoa học và Công nghệ fills in
// the unit's Phụ lục I entry (a draft, then a submission that declares more
// installs than the platform counts, which is flagged); the steering
// committee picks the campaign from a list and writes the statistics
// period as dd/mm/yyyy (a wrong date is refused on the page).
func TestConsoleReportsE2E(t *testing.T) {
	env := apptest.New(t)
	const pw = "Cao-Bang-2026!"
	staffWithPassword(t, env, "0912000501", "Nông Thị Báo Cáo", "SKHCN", cds.RoleReporter, pw)
	staffWithPassword(t, env, "0912000502", "Hoàng Văn Chỉ Đạo", "BCD-CDS", cds.RoleSteering, pw)
	ctx := context.Background()
	if _, err := env.DB.CreateReportCampaign(ctx, postgres.ReportCampaign{Code: "PL1-2026-Q4", Title: "Phụ lục I quý IV/2026",
		Deadline: time.Now().Add(72 * time.Hour), Units: []string{"SKHCN", "SXD"}}, 0); err != nil {
		t.Fatal(err)
	}
	b := newBrowserRun(t, env, "reports")
	b.pw = pw

	b.login("0912000501")
	b.run("appendix form", chromedp.Navigate(b.baseURL+"/console/appendix1"), chromedp.WaitVisible(`#appendix-form`, chromedp.ByQuery),
		chromedp.SendKeys(`#plan_number`, "2358/KH-UBND ngày 09/9/2024", chromedp.ByQuery),
		chromedp.Click(`#appendix-draft`, chromedp.ByQuery), chromedp.WaitVisible(`#entry-status[data-status="draft"]`, chromedp.ByQuery),
		b.screenshot("reporter-draft"))
	if v := b.text(`#entry-status`); !strings.Contains(v, "Bản nháp") {
		t.Fatalf("status after the draft: %q", v)
	}
	b.run("submit", chromedp.SendKeys(`#document_number`, "15/KH-SKHCN", chromedp.ByQuery), chromedp.Click(`#forms-in_person`, chromedp.ByQuery),
		chromedp.SendKeys(`#total_officials`, "40", chromedp.ByQuery), chromedp.SendKeys(`#officials_installed`, "35", chromedp.ByQuery),
		chromedp.SendKeys(`#trainings`, "2", chromedp.ByQuery), chromedp.SendKeys(`#materials`, "5", chromedp.ByQuery),
		chromedp.SendKeys(`#advantages`, "Lãnh đạo quan tâm.", chromedp.ByQuery), chromedp.SendKeys(`#difficulties`, "Thiết bị cũ.", chromedp.ByQuery),
		chromedp.SendKeys(`#proposals`, "Tập huấn thêm.", chromedp.ByQuery),
		chromedp.Click(`#appendix-submit`, chromedp.ByQuery), chromedp.WaitVisible(`#entry-status[data-status="submitted"]`, chromedp.ByQuery),
		b.screenshot("reporter-submitted"))
	if v := b.text(`#versions`); !strings.Contains(v, "Phiên bản 1") {
		t.Fatalf("versions: %q", v)
	}
	// 35 declared, the platform counts only the two accounts of the unit.
	if f := b.text(`#flags`); !strings.Contains(f, "35") {
		t.Fatalf("flags: %q", f)
	}
	b.logout()

	b.login("0912000502")
	var campaigns []string
	b.run("reports page", chromedp.Navigate(b.baseURL+"/console/reports"), chromedp.WaitVisible(`#campaign`, chromedp.ByQuery),
		chromedp.Evaluate(`Array.from(document.querySelectorAll("#campaign option")).map(o => o.value)`, &campaigns))
	if len(campaigns) != 1 || campaigns[0] != "PL1-2026-Q4" {
		t.Fatalf("campaign picker = %v", campaigns)
	}
	b.run("bad date", chromedp.Evaluate(`document.getElementById("from").value = "2026-01-01"`, nil), chromedp.Click(`#download-stats`, chromedp.ByQuery),
		chromedp.WaitVisible(`#error-summary a[href="#from"]`, chromedp.ByQuery), b.screenshot("steering-bad-date"))

	// The dashboard: SVG charts with their tables; the campaign shows 1 of 2 units reported.
	var svgs int
	b.run("dashboard", chromedp.Navigate(b.baseURL+"/console/dashboard"), chromedp.WaitVisible(`#chart-campaign`, chromedp.ByQuery),
		chromedp.Evaluate(`document.querySelectorAll("#chart-weeks svg, #chart-campaign svg").length`, &svgs), b.screenshot("steering-dashboard"))
	if svgs != 2 { // no case finished yet: the on-time chart says so instead
		t.Fatalf("dashboard draws %d of the weekly and campaign charts, want 2", svgs)
	}
	if p := b.text(`#campaign-progress`); !strings.Contains(p, "1/2 đơn vị đã báo cáo") {
		t.Fatalf("campaign progress: %q", p)
	}
	var rows int
	b.run("weeks table", chromedp.Evaluate(`document.querySelectorAll("#table-weeks tbody tr").length`, &rows))
	if rows != 12 {
		t.Fatalf("weeks table has %d rows, want 12", rows)
	}
}

package integration

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	cds "github.com/caobang/congdanso"
	"github.com/caobang/congdanso/cmd/app/apptest"
	"github.com/caobang/congdanso/postgres"
	"github.com/caobang/congdanso/reports"
)

// TestCampaignPastDeadlineReadDoesNotClose: after a campaign's deadline,
// the steering dashboard and the Phụ lục I workbook (both GETs) leave the
// campaign's row as it was and freeze nothing, while they show the units as
// late and the figures as closed ("đã chốt"); the explicit close then
// freezes the same numbers the reads counted.
func TestCampaignPastDeadlineReadDoesNotClose(t *testing.T) {
	env := apptest.New(t)
	ctx := context.Background()
	deadline := time.Now().Add(-2 * time.Hour).Truncate(time.Second)
	if _, err := env.DB.CreateReportCampaign(ctx, postgres.ReportCampaign{Code: "BC-QUAHAN", Title: "Đợt đã quá hạn",
		Deadline: deadline, Units: []string{"SXD", "X-HOAAN"}}, 0); err != nil {
		t.Fatal(err)
	}
	row := func() (snapshot string, frozen int) {
		t.Helper()
		if err := env.DB.Pool.QueryRow(ctx, `SELECT row_to_json(c)::text, (SELECT count(*) FROM campaign_figures f WHERE f.campaign_code = c.code)
			FROM report_campaigns c WHERE c.code = 'BC-QUAHAN'`).Scan(&snapshot, &frozen); err != nil {
			t.Fatal(err)
		}
		return snapshot, frozen
	}
	before, _ := row()
	if !strings.Contains(before, `"closed_at":null`) {
		t.Fatalf("the new campaign is already closed: %s", before)
	}

	// The steering committee's dashboard, in the console.
	staffWithPassword(t, env, "0912000377", "Thành viên BCĐ (bảng điều khiển)", "BCD-CDS", cds.RoleSteering, "Cao-Bang-2026!")
	c, _ := consoleLogin(t, env, "0912000377", "Cao-Bang-2026!")
	resp, page := fetch(t, c, http.MethodGet, env.URL+"/console/dashboard", nil)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("dashboard: %d", resp.StatusCode)
	}
	for _, want := range []string{"Đợt đã quá hạn", "0/2 đơn vị đã báo cáo", "2 đơn vị muộn", "Chưa báo cáo – quá hạn"} {
		if !strings.Contains(page, want) {
			t.Errorf("the dashboard does not show %q", want)
		}
	}

	// The workbook: closed wording, counted at the deadline.
	_, steering := env.Staff("BCĐ", "BCD-CDS", cds.RoleSteering)
	xlsx := "/api/v1/reports/appendix-1.xlsx?campaign=BC-QUAHAN"
	f := openXLSX(t, env.Do(http.MethodGet, xlsx, steering, nil))
	if a8 := cellOf(t, f, reports.SummarySheet, "A8"); !strings.Contains(a8, "số liệu đã chốt khi kết thúc đợt báo cáo") ||
		!strings.Contains(a8, deadline.In(cds.VietnamTZ).Format("02/01/2006 15:04")) {
		t.Errorf("as-of line after the deadline: %q", a8)
	}
	read := strings.Join(cellsInOrder(t, f, reports.SummarySheet), "|")

	if after, frozen := row(); after != before || frozen != 0 {
		t.Fatalf("a GET wrote the campaign:\nbefore %s\nafter  %s\nfrozen figures %d", before, after, frozen)
	}

	// Closing is the explicit operation; it freezes what the reads showed.
	r := env.Do(http.MethodPost, "/api/v1/deployment-campaigns/BC-QUAHAN/close", steering, nil)
	wantStatus(t, "close", r, http.StatusOK)
	if _, frozen := row(); frozen != 1 {
		t.Fatalf("closing froze %d figure rows, want 1", frozen)
	}
	g := openXLSX(t, env.Do(http.MethodGet, xlsx, steering, nil))
	if closed := strings.Join(cellsInOrder(t, g, reports.SummarySheet), "|"); dropDated(closed) != dropDated(read) {
		t.Fatalf("the closed figures differ from the ones read before closing:\nread   %s\nclosed %s", read, closed)
	}
}

// dropDated leaves out the cells that carry the workbook's own date (the
// closed workbook is dated the day it closed, the read one the deadline).
func dropDated(joined string) string {
	var keep []string
	for _, c := range strings.Split(joined, "|") {
		if !strings.Contains(c, "ngày") || strings.Contains(c, "tính đến") {
			keep = append(keep, c)
		}
	}
	return strings.Join(keep, "|")
}

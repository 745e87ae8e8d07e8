package integration

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
	"go.temporal.io/sdk/client"

	cds "github.com/caobang/congdanso"
	"github.com/caobang/congdanso/activities"
	"github.com/caobang/congdanso/cmd/app/apptest"
	"github.com/caobang/congdanso/postgres"
	"github.com/caobang/congdanso/reports"
	"github.com/caobang/congdanso/workflows"
)

func openXLSX(t *testing.T, r apptest.Response) *excelize.File {
	t.Helper()
	if r.Status != http.StatusOK {
		t.Fatalf("workbook: %d %s", r.Status, r.Body)
	}
	if ct := r.Header.Get("Content-Type"); !strings.Contains(ct, "spreadsheetml") {
		t.Fatalf("content type %q", ct)
	}
	f, err := excelize.OpenReader(bytes.NewReader(r.Body))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

func cellOf(t *testing.T, f *excelize.File, sh, c string) string {
	t.Helper()
	v, err := f.GetCellValue(sh, c)
	if err != nil {
		t.Fatalf("%s!%s: %v", sh, c, err)
	}
	return v
}

func formulaOf(t *testing.T, f *excelize.File, sh, c string) string {
	t.Helper()
	v, err := f.GetCellFormula(sh, c)
	if err != nil {
		t.Fatalf("%s!%s: %v", sh, c, err)
	}
	return v
}

// addUsers inserts n active accounts of kind in agency and/or commune.
func addUsers(t *testing.T, env *apptest.Env, n int, kind, agency, commune string, lastLogin *time.Time) {
	t.Helper()
	for i := 0; i < n; i++ {
		_, err := env.DB.Pool.Exec(context.Background(), `INSERT INTO users (kind, full_name, agency_code, commune_code, last_login_at)
			VALUES ($1, 'Người dùng', NULLIF($2, ''), NULLIF($3, ''), $4)`, kind, agency, commune, lastLogin)
		if err != nil {
			t.Fatal(err)
		}
	}
}

// summaryRow returns the summary row whose column B (or A) is name, by column letter.
func summaryRow(t *testing.T, f *excelize.File, name string) map[string]string {
	t.Helper()
	rows, err := f.GetRows(reports.SummarySheet)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		if len(r) > 1 && (r[1] == name || r[0] == name) {
			out := map[string]string{}
			for i, v := range r {
				col, _ := excelize.ColumnNumberToName(i + 1)
				out[col] = v
			}
			return out
		}
	}
	t.Fatalf("summary has no row %q", name)
	return nil
}

// addOfficials inserts n active citizen accounts with a workplace declaration
// naming unit in the given status.
func addOfficials(t *testing.T, env *apptest.Env, n int, unit, status string, lastLogin *time.Time) {
	t.Helper()
	for i := 0; i < n; i++ {
		_, err := env.DB.Pool.Exec(context.Background(), `WITH u AS (INSERT INTO users (kind, full_name, last_login_at, created_at)
			VALUES ('citizen', 'Cán bộ', $2, now() - interval '2 days') RETURNING id)
			INSERT INTO workplaces (user_id, unit_code, status, source, decided_at) SELECT id, $1, $3, 'admin', now() - interval '1 day' FROM u`,
			unit, lastLogin, status)
		if err != nil {
			t.Fatal(err)
		}
	}
}

func entryBody(submit bool, commune bool) map[string]any {
	b := map[string]any{"submit": submit, "plan_number": "2358/KH-UBND ngày 09/9/2024", "document_number": "12/KH-SXD",
		"forms": []string{"in_person", "online"}, "total_officials": 10, "officials_installed": 4, "trainings": 2, "materials": 5,
		"advantages": "Được quan tâm chỉ đạo", "difficulties": "Sóng yếu", "proposals": "Tăng cường tập huấn"}
	if commune {
		b["citizens_installed"] = 500
	}
	return b
}

func TestReportsAppendix1(t *testing.T) {
	env := apptest.New(t)
	_, steering := env.Staff("Thành viên BCĐ", "BCD-CDS", cds.RoleSteering)
	_, repSXD := env.Staff("Báo cáo viên SXD", "SXD", cds.RoleReporter)
	_, repHoaAn := env.Staff("Báo cáo viên Hòa An", "X-HOAAN", cds.RoleReporter)
	_, officer := env.Staff("Chuyên viên SXD", "SXD", cds.RoleOfficer)
	_, leader := env.Staff("Lãnh đạo UBND tỉnh", postgres.ProvinceCode, cds.RoleLeader)
	_, admin := env.Staff("Quản trị", postgres.ProvinceCode, cds.RoleAdmin)
	// SXD: 4 citizens whose workplace SXD confirmed count as officials; its
	// staff accounts (reporter, officer) and a pending declaration do not.
	recent := time.Now().Add(-24 * time.Hour)
	addOfficials(t, env, 4, "SXD", "confirmed", &recent)
	addOfficials(t, env, 1, "SXD", "pending", nil)
	addUsers(t, env, 7, "citizen", "", "X-HOAAN", nil)
	addUsers(t, env, 2, "citizen", "", "X-HOAAN", &recent)

	// The reminder schedule was created by the hook.
	ctx := context.Background()
	if _, err := env.Temporal.ScheduleClient().GetHandle(ctx, workflows.DeploymentRemindersScheduleID).Describe(ctx); err != nil {
		t.Fatalf("reminder schedule missing: %v", err)
	}

	deadline := time.Now().Add(10 * 24 * time.Hour).Truncate(time.Second)
	camp := map[string]any{"code": "BC-2025", "title": "Báo cáo kết quả triển khai cài đặt ứng dụng Công dân số Cao Bằng",
		"deadline": deadline.Format(time.RFC3339), "units": []string{"SXD", "X-HOAAN", "SYT"}}
	if r := env.Do(http.MethodPost, "/api/v1/deployment-campaigns", repSXD, camp); r.Status != http.StatusForbidden {
		t.Fatalf("reporter created a campaign: %d", r.Status)
	}
	r := env.Do(http.MethodPost, "/api/v1/deployment-campaigns", steering, camp, "Idempotency-Key", "k1")
	if r.Status != http.StatusCreated {
		t.Fatalf("create campaign: %d %s", r.Status, r.Body)
	}
	if r2 := env.Do(http.MethodPost, "/api/v1/deployment-campaigns", steering, camp, "Idempotency-Key", "k1"); r2.Status != http.StatusCreated || r2.Map(t)["created_at"] != r.Map(t)["created_at"] {
		t.Fatalf("idempotent replay: %d %s", r2.Status, r2.Body)
	}
	if r := env.Do(http.MethodPost, "/api/v1/deployment-campaigns", admin, camp); r.Status != http.StatusConflict {
		t.Fatalf("duplicate campaign: %d %s", r.Status, r.Body)
	}
	bad := map[string]any{"code": "x y", "title": "", "units": []string{}}
	if r := env.Do(http.MethodPost, "/api/v1/deployment-campaigns", steering, bad); r.Status != http.StatusBadRequest || len(r.Map(t)["error"].(map[string]any)["fields"].(map[string]any)) != 4 {
		t.Fatalf("invalid campaign: %d %s", r.Status, r.Body)
	}
	var list struct{ Items []postgres.ReportCampaign }
	env.Do(http.MethodGet, "/api/v1/deployment-campaigns", repSXD, nil).JSON(t, &list)
	if len(list.Items) != 1 || list.Items[0].Code != "BC-2025" {
		t.Fatalf("reporter's campaigns: %+v", list)
	}

	path := "/api/v1/deployment-reports/BC-2025/SXD"
	// Draft first: partial data is fine.
	r = env.Do(http.MethodPut, path, repSXD, map[string]any{"submit": false, "document_number": "12/KH-SXD", "total_officials": 10})
	if r.Status != http.StatusOK || r.Map(t)["status"] != "draft" {
		t.Fatalf("draft: %d %s", r.Status, r.Body)
	}
	// Submitting an incomplete entry: 400 with Vietnamese + English field errors.
	r = env.Do(http.MethodPut, path, repSXD, map[string]any{"submit": true, "total_officials": 10, "officials_installed": 12})
	if r.Status != http.StatusBadRequest {
		t.Fatalf("incomplete submit: %d %s", r.Status, r.Body)
	}
	fields := r.Map(t)["error"].(map[string]any)["fields"].(map[string]any)
	if !strings.Contains(fmt.Sprint(fields["officials_installed"]), "Không được lớn hơn") || !strings.Contains(fmt.Sprint(fields["officials_installed"]), "Cannot exceed") || fields["forms"] == nil {
		t.Fatalf("field errors: %v", fields)
	}
	// Another unit's reporter, an officer and the steering committee cannot write SXD's entry.
	for _, tok := range []string{repHoaAn, officer, steering} {
		if r := env.Do(http.MethodPut, path, tok, entryBody(true, false)); r.Status != http.StatusForbidden {
			t.Fatalf("foreign PUT: %d %s", r.Status, r.Body)
		}
	}
	if r := env.Do(http.MethodPut, "/api/v1/deployment-reports/BC-2025/SNNMT", repSXD, entryBody(true, false)); r.Status != http.StatusForbidden {
		t.Fatalf("PUT for another unit: %d", r.Status)
	}
	// Submit, then resubmit before the deadline: two versions, history kept.
	if r := env.Do(http.MethodPut, path, repSXD, entryBody(true, false)); r.Status != http.StatusOK || r.Map(t)["version"] != float64(1) {
		t.Fatalf("submit: %d %s", r.Status, r.Body)
	}
	second := entryBody(true, false)
	second["officials_installed"] = 9
	r = env.Do(http.MethodPut, path, repSXD, second)
	var entry struct {
		Status  string
		Version int
		Late    bool
		Counted reports.Counted
		Flags   []reports.Flag
		History []struct {
			Version int
			Data    reports.DeploymentData
		}
	}
	r.JSON(t, &entry)
	if r.Status != http.StatusOK || entry.Version != 2 || entry.Status != "submitted" || len(entry.History) != 2 || *entry.History[1].Data.OfficialsInstalled != 4 || *entry.History[0].Data.OfficialsInstalled != 9 {
		t.Fatalf("resubmit: %d %s", r.Status, r.Body)
	}
	if entry.Counted.OfficialsRegistered != 4 || len(entry.Flags) != 1 || entry.Flags[0].Declared != 9 || entry.Flags[0].Counted != 4 {
		t.Fatalf("counted/flags: %+v %+v", entry.Counted, entry.Flags)
	}
	// The commune declares 500 citizens; the platform counts 9.
	r = env.Do(http.MethodPut, "/api/v1/deployment-reports/BC-2025/X-HOAAN", repHoaAn, entryBody(true, true))
	r.JSON(t, &entry)
	if r.Status != http.StatusOK || entry.Counted.CitizensRegistered != 9 || entry.Counted.Active30d != 2 {
		t.Fatalf("commune: %d %s", r.Status, r.Body)
	}
	// Reading: the steering committee yes, SXD's officer no.
	if r := env.Do(http.MethodGet, path, steering, nil); r.Status != http.StatusOK {
		t.Fatalf("steering GET: %d", r.Status)
	}
	if r := env.Do(http.MethodGet, path, officer, nil); r.Status != http.StatusForbidden {
		t.Fatalf("officer GET: %d", r.Status)
	}
	if r := env.Do(http.MethodGet, "/api/v1/deployment-reports/BC-2025/SCT", steering, nil); r.Status != http.StatusNotFound {
		t.Fatalf("unit outside campaign: %d", r.Status)
	}

	// The merged workbook: steering committee only.
	xlsxPath := "/api/v1/reports/appendix-1.xlsx?campaign=BC-2025"
	for name, tok := range map[string]string{"reporter": repSXD, "leader": leader, "admin": admin, "officer": officer} {
		if r := env.Do(http.MethodGet, xlsxPath, tok, nil); r.Status != http.StatusForbidden {
			t.Fatalf("%s downloaded the Appendix I workbook: %d", name, r.Status)
		}
	}
	if r := env.Do(http.MethodGet, xlsxPath, "", nil); r.Status != http.StatusUnauthorized {
		t.Fatalf("anonymous: %d", r.Status)
	}
	f := openXLSX(t, env.Do(http.MethodGet, xlsxPath, steering, nil))
	if got := strings.Join(f.GetSheetList(), "|"); got != "Tổng hợp|SXD|X-HOAAN|Chưa báo cáo" {
		t.Fatalf("sheets: %s", got)
	}
	sh := reports.SummarySheet
	if cellOf(t, f, sh, "A6") != reports.Appendix1Summary || cellOf(t, f, sh, "I1") != reports.NationalTitle {
		t.Fatalf("title block: %q", cellOf(t, f, sh, "A6"))
	}
	// Columns (reports.SummaryColumns): C total, D installed (declared),
	// F officials confirmed, G citizens (declared), H citizens counted,
	// J active 30 days, N status, O differences.
	sxd := summaryRow(t, f, "Sở Xây dựng")
	if sxd["D"] != "9" || sxd["F"] != "4" || sxd["J"] != "4" || sxd["N"] != reports.StatusOnTime || !strings.Contains(sxd["O"], "kê khai 9, hệ thống ghi nhận 4") {
		t.Fatalf("SXD row: %v", sxd)
	}
	if syt := summaryRow(t, f, "Sở Y tế"); syt["N"] != reports.StatusMissing || syt["C"] != "" {
		t.Fatalf("SYT row: %v", syt)
	}
	if hoa := summaryRow(t, f, "Xã Hòa An"); hoa["G"] != "500" || hoa["H"] != "9" || !strings.Contains(hoa["O"], "Người dân") {
		t.Fatalf("commune row: %v", hoa)
	}
	if tot := summaryRow(t, f, reports.ProvinceTotalText); tot["A"] != reports.ProvinceTotalText {
		t.Fatalf("no total row: %v", tot)
	}
	if summaryRow(t, f, reports.NoCommuneText)["B"] != reports.NoCommuneText {
		t.Fatal("no chưa xác định xã row")
	}
	if cellOf(t, f, reports.MissingSheet, "B10") != "Sở Y tế" || !strings.HasPrefix(cellOf(t, f, reports.MissingSheet, "A11"), "Tổng số: 1") {
		t.Fatalf("missing sheet: %q", cellOf(t, f, reports.MissingSheet, "B10"))
	}
	if cellOf(t, f, "SXD", "A9") != reports.TplSectionI || cellOf(t, f, "SXD", "E16") != "9" {
		t.Fatalf("SXD sheet: %q %q", cellOf(t, f, "SXD", "A9"), cellOf(t, f, "SXD", "E16"))
	}
	if r := env.Do(http.MethodGet, "/api/v1/reports/appendix-1.xlsx?campaign=NOPE", steering, nil); r.Status != http.StatusNotFound {
		t.Fatalf("unknown campaign: %d", r.Status)
	}

	// After the deadline: a first submission is accepted and marked late; a
	// submitted entry can no longer change.
	past := map[string]any{"code": "BC-2024", "title": "Đợt cũ", "deadline": time.Now().Add(-time.Hour).Format(time.RFC3339), "units": []string{"SXD"}}
	if r := env.Do(http.MethodPost, "/api/v1/deployment-campaigns", steering, past); r.Status != http.StatusCreated {
		t.Fatalf("past campaign: %d %s", r.Status, r.Body)
	}
	r = env.Do(http.MethodPut, "/api/v1/deployment-reports/BC-2024/SXD", repSXD, entryBody(true, false))
	if r.Status != http.StatusOK || r.Map(t)["late"] != true {
		t.Fatalf("late submit: %d %s", r.Status, r.Body)
	}
	if r := env.Do(http.MethodPut, "/api/v1/deployment-reports/BC-2024/SXD", repSXD, entryBody(true, false)); r.Status != http.StatusConflict {
		t.Fatalf("late resubmit: %d %s", r.Status, r.Body)
	}
	f = openXLSX(t, env.Do(http.MethodGet, "/api/v1/reports/appendix-1.xlsx?campaign=BC-2024", steering, nil))
	if st := summaryRow(t, f, "Sở Xây dựng")["N"]; st != reports.StatusLate {
		t.Fatalf("late status: %q", st)
	}
}

// insertCase writes a row of the shared read model directly, as the
// feedback and applications features do.
func insertCase(t *testing.T, db *postgres.DB, code, kind, field, agency, channel string, received time.Time, due, finished *time.Time, tl string, hours float64, rating int) {
	t.Helper()
	_, err := db.Pool.Exec(context.Background(), `INSERT INTO cases (workflow_id, kind, code, title, field, agency_code, status, channel, received_at, due_at, finished_at, closed, timeliness, handling_hours, rating)
		VALUES ($1, $2, $3, 'Tiêu đề ' || $3, $4, $5, CASE WHEN $8::timestamptz IS NULL THEN 'processing' ELSE 'resolved' END, $6, $7, $9, $8, $8::timestamptz IS NOT NULL,
			NULLIF($10, ''), NULLIF($11, 0::float8), NULLIF($12, 0))`,
		kind+"/"+code, kind, code, field, agency, channel, received, finished, due, tl, hours, rating)
	if err != nil {
		t.Fatal(err)
	}
}

func seedStatsCases(t *testing.T, db *postgres.DB) {
	d := func(m, day int) time.Time { return time.Date(2025, time.Month(m), day, 9, 0, 0, 0, cds.VietnamTZ) }
	pd := func(y, m, day int) *time.Time {
		x := time.Date(y, time.Month(m), day, 9, 0, 0, 0, cds.VietnamTZ)
		return &x
	}
	insertCase(t, db, "PA-1", "feedback", "do-thi", "SXD", "online", d(2, 1), pd(2025, 2, 10), pd(2025, 2, 3), "early", 8, 5)
	insertCase(t, db, "PA-2", "feedback", "do-thi", "SXD", "in_person", d(2, 5), pd(2025, 2, 7), pd(2025, 2, 10), "late", 40, 3)
	insertCase(t, db, "PA-3", "feedback", "giao-thong", "SXD", "online", time.Date(2024, 12, 20, 9, 0, 0, 0, cds.VietnamTZ), pd(2025, 1, 10), nil, "", 0, 0)
	insertCase(t, db, "PA-4", "feedback", "giao-thong", "SXD", "open311", d(3, 20), pd(2025, 4, 10), nil, "", 0, 0)
	insertCase(t, db, "PA-5", "feedback", "do-thi", "SXD", "online", time.Date(2024, 11, 1, 9, 0, 0, 0, cds.VietnamTZ), pd(2024, 11, 10), pd(2024, 12, 1), "early", 5, 0)
	insertCase(t, db, "PA-6", "feedback", "do-thi", "SXD", "online", d(5, 1), nil, nil, "", 0, 0)
	insertCase(t, db, "HS-1", "application", "y-te", "SYT", "online", d(3, 1), pd(2025, 3, 2), pd(2025, 3, 2), "on_time", 4, 0)
	insertCase(t, db, "HS-2", "application", "xay-dung", "SXD", "in_person", d(1, 15), pd(2025, 1, 20), pd(2025, 1, 20), "on_time", 16, 0)
}

func TestReportsCaseStats(t *testing.T) {
	env := apptest.New(t)
	seedStatsCases(t, env.DB)
	_, steering := env.Staff("BCĐ", "BCD-CDS", cds.RoleSteering)
	_, leaderSXD := env.Staff("Giám đốc SXD", "SXD", cds.RoleLeader)
	_, officer := env.Staff("Chuyên viên", "SXD", cds.RoleOfficer)
	_, reporter := env.Staff("Báo cáo viên", "SXD", cds.RoleReporter)
	_, citizen := env.Citizen("Nguyễn Văn An")
	q := "/api/v1/reports/case-stats.xlsx?from=2025-01-01&to=2025-03-31"
	for name, tok := range map[string]string{"officer": officer, "reporter": reporter, "citizen": citizen} {
		if r := env.Do(http.MethodGet, q, tok, nil); r.Status != http.StatusForbidden {
			t.Fatalf("%s: %d", name, r.Status)
		}
	}
	if r := env.Do(http.MethodGet, q+"&agency=SYT", leaderSXD, nil); r.Status != http.StatusForbidden {
		t.Fatalf("leader of SXD asked for SYT: %d", r.Status)
	}
	if r := env.Do(http.MethodGet, "/api/v1/reports/case-stats.xlsx?from=2025-13-01", steering, nil); r.Status != http.StatusBadRequest {
		t.Fatalf("bad date: %d", r.Status)
	}
	f := openXLSX(t, env.Do(http.MethodGet, q, steering, nil))
	if got := strings.Join(f.GetSheetList(), "|"); got != "Theo cơ quan|Theo lĩnh vực|Biểu đồ" {
		t.Fatalf("sheets: %s", got)
	}
	sh := reports.StatsAgencySheet
	// Rows by agency then kind: SXD application, SXD feedback, SYT application.
	want := map[string]string{
		"B12": "SXD", "D12": "Hồ sơ thủ tục hành chính", "G12": "1", "K12": "1",
		"B13": "SXD", "C13": "Sở Xây dựng", "D13": "Phản ánh, kiến nghị", "F13": "2", "G13": "1", "H13": "1",
		"J13": "1", "K13": "0", "L13": "1", "N13": "1", "O13": "1", "Q13": "24.0", "R13": "4.0",
		"B14": "SYT", "F14": "1", "K14": "1", "Q14": "4.0", "R14": "",
		"A15": "TỔNG CỘNG",
	}
	for c, v := range want {
		if got := cellOf(t, f, sh, c); got != v {
			t.Errorf("%s!%s = %q, want %q", sh, c, got, v)
		}
	}
	if formulaOf(t, f, sh, "F15") != "SUM(F12:F14)" || formulaOf(t, f, sh, "E13") != "SUM(F13:H13)" || formulaOf(t, f, sh, "P13") != `IF(I13>0,(J13+K13)/I13,"")` {
		t.Fatalf("formulas: %q %q", formulaOf(t, f, sh, "F15"), formulaOf(t, f, sh, "P13"))
	}
	// By field: do-thi feedback has PA-1, PA-2.
	rows, _ := f.GetRows(reports.StatsFieldSheet)
	var doThi []string
	for _, r := range rows {
		if len(r) > 1 && r[1] == "do-thi" {
			doThi = r
		}
	}
	if len(doThi) < 12 || doThi[5] != "1" || doThi[6] != "1" || doThi[9] != "1" || doThi[11] != "1" {
		t.Fatalf("do-thi row: %v", doThi)
	}
	if cellOf(t, f, reports.StatsChartSheet, "A2") != "Sở Xây dựng" || cellOf(t, f, reports.StatsChartSheet, "C2") != "66.7%" || cellOf(t, f, reports.StatsChartSheet, "C3") != "100.0%" {
		t.Fatalf("chart data: %q %q", cellOf(t, f, reports.StatsChartSheet, "C2"), cellOf(t, f, reports.StatsChartSheet, "C3"))
	}
	// The leader's default scope is the own agency.
	f = openXLSX(t, env.Do(http.MethodGet, q, leaderSXD, nil))
	if cellOf(t, f, sh, "B13") != "SXD" || cellOf(t, f, sh, "A14") != "TỔNG CỘNG" || !strings.Contains(cellOf(t, f, sh, "A7"), "Sở Xây dựng") {
		t.Fatalf("leader scope: %q %q", cellOf(t, f, sh, "B14"), cellOf(t, f, sh, "A7"))
	}
}

func TestReportsCaseExport(t *testing.T) {
	env := apptest.New(t)
	seedStatsCases(t, env.DB)
	_, steering := env.Staff("BCĐ", "BCD-CDS", cds.RoleSteering)
	_, other := env.Staff("BCĐ 2", "BCD-CDS", cds.RoleSteering)
	_, citizen := env.Citizen("Trần Thị Bình")
	body := map[string]any{"from": "2025-01-01", "to": "2025-03-31", "format": "xlsx"}
	if r := env.Do(http.MethodPost, "/api/v1/reports/case-exports", citizen, body); r.Status != http.StatusForbidden {
		t.Fatalf("citizen export: %d", r.Status)
	}
	download := func(format string) []byte {
		body["format"] = format
		r := env.Do(http.MethodPost, "/api/v1/reports/case-exports", steering, body, "Idempotency-Key", "exp-"+format)
		if r.Status != http.StatusAccepted {
			t.Fatalf("start export: %d %s", r.Status, r.Body)
		}
		poll := r.Map(t)["poll_url"].(string)
		if r.Header.Get("Location") != poll {
			t.Fatalf("Location %q", r.Header.Get("Location"))
		}
		if r2 := env.Do(http.MethodPost, "/api/v1/reports/case-exports", steering, body, "Idempotency-Key", "exp-"+format); r2.Map(t)["poll_url"] != poll {
			t.Fatal("idempotent export started a second job")
		}
		var st map[string]any
		apptest.Eventually(t, 30*time.Second, "export done", func() bool {
			st = env.Do(http.MethodGet, poll, steering, nil).Map(t)
			return st["status"] == "done" || st["status"] == "failed"
		})
		if st["status"] != "done" || st["rows"] != float64(6) {
			t.Fatalf("export: %v", st)
		}
		if r := env.Do(http.MethodGet, poll, other, nil); r.Status != http.StatusNotFound {
			t.Fatalf("someone else's export: %d", r.Status)
		}
		r = env.Do(http.MethodGet, st["download_url"].(string), steering, nil)
		if r.Status != http.StatusOK {
			t.Fatalf("download: %d %s", r.Status, r.Body)
		}
		return r.Body
	}
	b := download("xlsx")
	f, err := excelize.OpenReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := f.GetRows(reports.CaseListSheet)
	if err != nil || len(rows) != 7 || rows[0][0] != "Mã hồ sơ" || rows[1][0] != "PA-3" || rows[6][0] != "PA-4" {
		t.Fatalf("xlsx rows: %v %v", rows, err)
	}
	recs, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(download("csv"), []byte("\ufeff")))).ReadAll()
	if err != nil || len(recs) != 7 || recs[2][0] != "HS-2" || recs[2][4] != "SXD" {
		t.Fatalf("csv: %v %v", recs, err)
	}
}

func TestReportsReminderActivity(t *testing.T) {
	db, _ := apptest.NewDB(t)
	ctx := context.Background()
	a := &activities.Activities{DB: db}
	user := func(role, agency string) int64 {
		var id int64
		if err := db.Pool.QueryRow(ctx, `INSERT INTO users (kind, full_name, agency_code) VALUES ('staff', 'Cán bộ', $1) RETURNING id`, agency).Scan(&id); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Pool.Exec(ctx, `INSERT INTO user_roles (user_id, role, agency_code) VALUES ($1, $2, $3)`, id, role, agency); err != nil {
			t.Fatal(err)
		}
		return id
	}
	repSXD, repSXD2, repSYT := user("reporter", "SXD"), user("reporter", "SXD"), user("reporter", "SYT")
	steer := user("steering", "BCD-CDS")
	deadline := time.Now().Add(5 * 24 * time.Hour)
	if _, err := db.CreateReportCampaign(ctx, postgres.ReportCampaign{Code: "C1", Title: "Phụ lục I", Deadline: deadline, Units: []string{"SXD", "SYT", "X-HOAAN"}}, 0); err != nil {
		t.Fatal(err)
	}
	if _, _, err := db.SubmitDeployment(ctx, "C1", "SYT", []byte(`{}`), repSYT, time.Now()); err != nil {
		t.Fatal(err)
	}
	due, err := a.DeploymentCampaignsDue(ctx, time.Now())
	if err != nil || len(due) != 1 || due[0].Code != "C1" {
		t.Fatalf("due: %v %v", due, err)
	}
	count := func(kind string) (n int) {
		if err := db.Pool.QueryRow(ctx, `SELECT count(*) FROM notifications WHERE kind = $1`, kind).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	in := activities.DeploymentReminderInput{Campaign: due[0], Milestone: 7}
	for i := 0; i < 2; i++ { // a retry or a second run sends nothing new
		res, err := a.RemindMissingUnits(ctx, in)
		if err != nil || strings.Join(res.Units, ",") != "SXD,X-HOAAN" {
			t.Fatalf("remind: %v %v", res, err)
		}
	}
	// SXD: two reporters; X-HOAAN: no reporter, one unaddressed row.
	if n := count("deployment_reminder"); n != 3 {
		t.Fatalf("reminders = %d, want 3", n)
	}
	var users []int64
	rows, _ := db.Pool.Query(ctx, `SELECT COALESCE(user_id, 0) FROM notifications WHERE kind = 'deployment_reminder' ORDER BY 1`)
	for rows.Next() {
		var u int64
		_ = rows.Scan(&u)
		users = append(users, u)
	}
	if len(users) != 3 || users[0] != 0 || users[1] != repSXD || users[2] != repSXD2 {
		t.Fatalf("recipients: %v", users)
	}
	in.Milestone = 3
	if _, err := a.RemindMissingUnits(ctx, in); err != nil {
		t.Fatal(err)
	}
	if n := count("deployment_reminder"); n != 6 {
		t.Fatalf("after the 3-day milestone: %d, want 6", n)
	}
	for i := 0; i < 2; i++ {
		res, err := a.NotifySteeringMissing(ctx, due[0])
		if err != nil || len(res.Units) != 2 {
			t.Fatalf("steering: %v %v", res, err)
		}
	}
	var body string
	if err := db.Pool.QueryRow(ctx, `SELECT body FROM notifications WHERE kind = 'deployment_missing' AND user_id = $1`, steer).Scan(&body); err != nil || !strings.Contains(body, "Xã Hòa An") {
		t.Fatalf("steering notice: %q %v", body, err)
	}
	if n := count("deployment_missing"); n != 1 {
		t.Fatalf("steering notices = %d, want 1", n)
	}
}

func TestReportsDemoSeed(t *testing.T) {
	env := apptest.New(t)
	for i := 0; i < 2; i++ { // idempotent
		if err := env.App.SeedDemo(context.Background(), io.Discard); err != nil {
			t.Fatal(err)
		}
	}
	_, steering := env.Staff("BCĐ", "BCD-CDS", cds.RoleSteering)
	f := openXLSX(t, env.Do(http.MethodGet, "/api/v1/reports/appendix-1.xlsx?campaign=BC-CDS-CB-2025", steering, nil))
	if got := strings.Join(f.GetSheetList(), "|"); got != "Tổng hợp|SXD|H-HOAAN|Chưa báo cáo" {
		t.Fatalf("demo sheets: %s", got)
	}
	if !strings.Contains(cellOf(t, f, reports.SummarySheet, "A7"), "30/03/2025") || cellOf(t, f, "H-HOAAN", "E17") != "1,350" ||
		cellOf(t, f, "H-HOAAN", "A2") != "HUYỆN HÒA AN" {
		t.Fatalf("demo cells: %q %q %q", cellOf(t, f, reports.SummarySheet, "A7"), cellOf(t, f, "H-HOAAN", "E17"), cellOf(t, f, "H-HOAAN", "A2"))
	}
	rows, _ := f.GetRows(reports.MissingSheet)
	var missing []string
	for _, r := range rows[9:] {
		if len(r) > 3 && r[1] != "" {
			missing = append(missing, r[1]+":"+r[3])
		}
	}
	if len(missing) != 7 || !strings.Contains(strings.Join(missing, ","), "Sở Y tế:Đã lưu bản nháp, chưa nộp") {
		t.Fatalf("demo missing units: %v", missing)
	}
}

// TestReportsReminderSchedule triggers the real schedule: the workflow runs
// on the worker and the reminder lands in the outbox for the unit's reporter.
func TestReportsReminderSchedule(t *testing.T) {
	env := apptest.New(t)
	ctx := context.Background()
	rep, _ := env.Staff("Báo cáo viên SYT", "SYT", cds.RoleReporter)
	if _, err := env.DB.CreateReportCampaign(ctx, postgres.ReportCampaign{Code: "C-SOON", Title: "Phụ lục I", Deadline: time.Now().Add(36 * time.Hour), Units: []string{"SYT"}}, 0); err != nil {
		t.Fatal(err)
	}
	if err := env.Temporal.ScheduleClient().GetHandle(ctx, workflows.DeploymentRemindersScheduleID).Trigger(ctx, client.ScheduleTriggerOptions{}); err != nil {
		t.Fatal(err)
	}
	var key string
	apptest.Eventually(t, 30*time.Second, "reminder in the outbox", func() bool {
		err := env.DB.Pool.QueryRow(ctx, `SELECT dedupe_key FROM notifications WHERE kind = 'deployment_reminder' AND user_id = $1`, rep.UserID).Scan(&key)
		return err == nil
	})
	if !strings.HasPrefix(key, "deployment-reminder/C-SOON/SYT/d") {
		t.Fatalf("dedupe key %q", key)
	}
}

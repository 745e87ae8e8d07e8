package reports

import (
	"bytes"
	"encoding/csv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	cds "github.com/caobang/congdanso"
)

func p(v int64) *int64 { return &v }

func open(t *testing.T, b []byte) *excelize.File {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

func get(t *testing.T, f *excelize.File, sh, c string) string {
	t.Helper()
	v, err := f.GetCellValue(sh, c)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func formula(t *testing.T, f *excelize.File, sh, c string) string {
	t.Helper()
	v, err := f.GetCellFormula(sh, c)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestValidate(t *testing.T) {
	full := DeploymentData{DocumentNumber: "12/KH-SXD", Forms: []string{FormOnline}, TotalOfficials: p(10), OfficialsInstalled: p(8),
		Trainings: p(1), Materials: p(2), Advantages: "a", Difficulties: "b"}
	if err := full.Validate(cds.AgencyDepartment, true); err != nil {
		t.Fatalf("complete entry rejected: %v", err)
	}
	if err := (DeploymentData{}).Validate(cds.AgencyDepartment, false); err != nil {
		t.Fatalf("empty draft rejected: %v", err)
	}
	e, _ := cds.AsError((DeploymentData{}).Validate(cds.AgencyCommune, true))
	if e == nil || e.Code != cds.EINVALID || e.Fields["citizens_installed"] == "" || e.Fields["document_number"] == "" || !strings.Contains(e.Fields["forms"], "/") {
		t.Fatalf("missing fields not reported: %+v", e)
	}
	bad := full
	bad.OfficialsInstalled = p(11)
	bad.CitizensInstalled = p(5)
	bad.Forms = []string{"fax"}
	e, _ = cds.AsError(bad.Validate(cds.AgencyDepartment, false))
	if e == nil || e.Fields["officials_installed"] == "" || e.Fields["citizens_installed"] == "" || e.Fields["forms"] == "" {
		t.Fatalf("invalid draft accepted: %+v", e)
	}
	neg := DeploymentData{Trainings: p(-1)}
	if e, _ := cds.AsError(neg.Validate(cds.AgencyDepartment, false)); e == nil || e.Fields["trainings"] == "" {
		t.Fatalf("negative accepted: %+v", e)
	}
}

func TestAppendix1Workbook(t *testing.T) {
	deadline := time.Date(2025, 3, 30, 23, 59, 59, 0, cds.VietnamTZ)
	in := Appendix1Input{
		CampaignCode: "BC-2025", CampaignTitle: "Báo cáo kết quả triển khai cài đặt ứng dụng Công dân số Cao Bằng",
		Deadline: deadline, GeneratedAt: time.Date(2025, 4, 2, 9, 0, 0, 0, cds.VietnamTZ),
		Units: []UnitReport{
			{Unit: Unit{Code: "X-HOAAN", Name: "Xã Hòa An", Type: cds.AgencyCommune}, Counted: Counted{OfficialsRegistered: 20, CitizensRegistered: 900, Active30d: 300},
				Submitted: true, Version: 2, SubmittedAt: deadline.Add(24 * time.Hour), Late: true,
				Data: DeploymentData{PlanNumber: "2358/KH-UBND", DocumentNumber: "15/UBND", Forms: []string{FormConference, FormInPerson},
					TotalOfficials: p(25), OfficialsInstalled: p(20), CitizensInstalled: p(1200), Trainings: p(4), Materials: p(30),
					Advantages: "Được sự quan tâm", Difficulties: "Sóng yếu", Proposals: "Hỗ trợ thiết bị"}},
			{Unit: Unit{Code: "SXD", Name: "Sở Xây dựng", Type: cds.AgencyDepartment}, Counted: Counted{OfficialsRegistered: 50, Active30d: 40},
				Submitted: true, Version: 1, SubmittedAt: deadline.Add(-48 * time.Hour),
				Data: DeploymentData{DocumentNumber: "99/SXD", Forms: []string{FormOnline}, TotalOfficials: p(60), OfficialsInstalled: p(50), Trainings: p(1), Materials: p(3),
					Advantages: "Tốt", Difficulties: "Không"}},
			{Unit: Unit{Code: "SYT", Name: "Sở Y tế", Type: cds.AgencyDepartment}, Counted: Counted{OfficialsRegistered: 7}, HasDraft: true},
		},
	}
	b, err := Appendix1(in)
	if err != nil {
		t.Fatal(err)
	}
	f := open(t, b)
	sheets := f.GetSheetList()
	want := []string{SummarySheet, "SXD", "X-HOAAN", MissingSheet}
	if strings.Join(sheets, "|") != strings.Join(want, "|") {
		t.Fatalf("sheets = %v, want %v", sheets, want)
	}
	sh := SummarySheet
	if get(t, f, sh, "A1") != "UBND TỈNH CAO BẰNG" || get(t, f, sh, "I1") != NationalTitle || get(t, f, sh, "I2") != NationalMotto {
		t.Fatalf("header block: %q %q %q", get(t, f, sh, "A1"), get(t, f, sh, "I1"), get(t, f, sh, "I2"))
	}
	if get(t, f, sh, "I4") != "Cao Bằng, ngày 2 tháng 4 năm 2025" || get(t, f, sh, "A6") != Appendix1Summary {
		t.Fatalf("date/title: %q %q", get(t, f, sh, "I4"), get(t, f, sh, "A6"))
	}
	// Departments first, then communes.
	if get(t, f, sh, "B11") != "SXD" || get(t, f, sh, "B12") != "SYT" || get(t, f, sh, "B13") != "X-HOAAN" {
		t.Fatalf("row order: %s %s %s", get(t, f, sh, "B11"), get(t, f, sh, "B12"), get(t, f, sh, "B13"))
	}
	if get(t, f, sh, "O11") != StatusOnTime || get(t, f, sh, "O13") != StatusLate || get(t, f, sh, "O12") != StatusMissing {
		t.Fatal("statuses wrong")
	}
	if get(t, f, sh, "D13") != "25" || get(t, f, sh, "I13") != "900" || get(t, f, sh, "H13") != "1,200" || get(t, f, sh, "M13") != "31/03/2025 23:59" {
		t.Fatalf("commune figures: %q %q %q %q", get(t, f, sh, "D13"), get(t, f, sh, "I13"), get(t, f, sh, "H13"), get(t, f, sh, "M13"))
	}
	if !strings.Contains(get(t, f, sh, "P13"), "1200") || get(t, f, sh, "P11") != "" {
		t.Fatalf("flags: P11=%q P13=%q", get(t, f, sh, "P11"), get(t, f, sh, "P13"))
	}
	if formula(t, f, sh, "G11") != `IF(N(D11)>0,E11/D11,"")` || formula(t, f, sh, "D14") != "SUM(D11:D13)" || formula(t, f, sh, "G14") != `IF(D14>0,E14/D14,"")` {
		t.Fatalf("formulas: %q %q %q", formula(t, f, sh, "G11"), formula(t, f, sh, "D14"), formula(t, f, sh, "G14"))
	}
	if get(t, f, sh, "A14") != ProvinceTotalText {
		t.Fatal("no totals row")
	}
	panes, err := f.GetPanes(sh)
	if err != nil || !panes.Freeze || panes.YSplit != 10 {
		t.Fatalf("panes: %+v %v", panes, err)
	}
	lay, err := f.GetPageLayout(sh)
	if err != nil || lay.Size == nil || *lay.Size != 9 || lay.Orientation == nil || *lay.Orientation != "landscape" {
		t.Fatalf("page layout: %+v %v", lay, err)
	}
	styleID, _ := f.GetCellStyle(sh, "C11")
	st, _ := f.GetStyle(styleID)
	if st.Font == nil || st.Font.Family != Font {
		t.Fatalf("font: %+v", st.Font)
	}
	// The unit sheet mirrors the template.
	u := "X-HOAAN"
	if get(t, f, u, "A9") != SectionI || get(t, f, u, "A14") != SectionII || !strings.Contains(get(t, f, u, "A12"), "trực tiếp, lồng ghép hội nghị") {
		t.Fatalf("unit sections: %q %q %q", get(t, f, u, "A9"), get(t, f, u, "A14"), get(t, f, u, "A12"))
	}
	if get(t, f, u, "D17") != "20" || get(t, f, u, "E17") != "20" || formula(t, f, u, "F19") != "D19-E19" || get(t, f, u, "E19") != "900" {
		t.Fatalf("unit table: %q %q %q", get(t, f, u, "D17"), get(t, f, u, "E17"), formula(t, f, u, "F19"))
	}
	rows, _ := f.GetRows(u)
	var all string
	for _, r := range rows {
		all += strings.Join(r, "|") + "\n"
	}
	for _, s := range []string{SectionIII, "1. Thuận lợi", "Sóng yếu", "3. Đề xuất", "Hỗ trợ thiết bị", "Lưu ý chênh lệch"} {
		if !strings.Contains(all, s) {
			t.Errorf("unit sheet lacks %q", s)
		}
	}
	// Missing units.
	if get(t, f, MissingSheet, "B10") != "SYT" || get(t, f, MissingSheet, "E10") != "Đã lưu bản nháp, chưa nộp" || get(t, f, MissingSheet, "A11") != "Tổng số" || formula(t, f, MissingSheet, "C11") != `COUNTA(B10:B10)&" đơn vị"` {
		t.Fatalf("missing sheet: %q %q", get(t, f, MissingSheet, "B10"), get(t, f, MissingSheet, "E10"))
	}
}

func TestCaseStatsWorkbook(t *testing.T) {
	in := CaseStatsInput{From: time.Date(2025, 1, 1, 0, 0, 0, 0, cds.VietnamTZ), To: time.Date(2025, 4, 1, 0, 0, 0, 0, cds.VietnamTZ), ScopeName: "Toàn tỉnh",
		ByAgency: []CaseStatRow{
			{Group: "SXD", GroupName: "Sở Xây dựng", Kind: cds.KindFeedback, Online: 3, InPerson: 1, Carried: 1, Early: 1, OnTime: 1, Late: 2, WithinDeadline: 1, HoursSum: 30, HoursN: 3, RatingSum: 9, RatingN: 2},
			{Group: "SYT", GroupName: "Sở Y tế", Kind: cds.KindApplication, Online: 2, Early: 2},
		},
		ByField: []CaseStatRow{{Group: "giao-thong", GroupName: "Giao thông", Kind: cds.KindFeedback, Online: 3}},
	}
	b, err := CaseStats(in)
	if err != nil {
		t.Fatal(err)
	}
	f := open(t, b)
	if strings.Join(f.GetSheetList(), "|") != StatsAgencySheet+"|"+StatsFieldSheet+"|"+StatsChartSheet {
		t.Fatalf("sheets: %v", f.GetSheetList())
	}
	sh := StatsAgencySheet
	if get(t, f, sh, "F12") != "3" || get(t, f, sh, "L12") != "2" || formula(t, f, sh, "E12") != "SUM(F12:H12)" || formula(t, f, sh, "P12") != `IF(I12>0,(J12+K12)/I12,"")` {
		t.Fatalf("row: %q %q %q", get(t, f, sh, "F12"), formula(t, f, sh, "E12"), formula(t, f, sh, "P12"))
	}
	if get(t, f, sh, "Q12") != "10.0" || get(t, f, sh, "R12") != "4.5" {
		t.Fatalf("averages: %q %q", get(t, f, sh, "Q12"), get(t, f, sh, "R12"))
	}
	if get(t, f, sh, "A14") != "TỔNG CỘNG" || formula(t, f, sh, "F14") != "SUM(F12:F13)" {
		t.Fatalf("totals: %q %q", get(t, f, sh, "A14"), formula(t, f, sh, "F14"))
	}
	if get(t, f, StatsChartSheet, "A2") != "Sở Xây dựng" || get(t, f, StatsChartSheet, "C2") != "50.0%" || get(t, f, StatsChartSheet, "C3") != "100.0%" {
		t.Fatalf("chart data: %q %q", get(t, f, StatsChartSheet, "C2"), get(t, f, StatsChartSheet, "C3"))
	}
	if !bytes.Contains(b, []byte("xl/charts/chart1.xml")) {
		t.Fatal("no chart part in the workbook")
	}
}

func TestCaseListExports(t *testing.T) {
	rows := []CaseListRow{
		{Code: "PA-2025-000001", Kind: cds.KindFeedback, Title: "Đèn đường hỏng", Field: "do-thi", AgencyCode: "P-THUCPHAN", Status: "resolved", Channel: "online",
			ReceivedAt: time.Date(2025, 3, 1, 8, 0, 0, 0, cds.VietnamTZ), FinishedAt: time.Date(2025, 3, 2, 8, 0, 0, 0, cds.VietnamTZ), Timeliness: "early", HandlingHours: 8, Rating: 5},
		{Code: "SXD-250301-0001", Kind: cds.KindApplication, Title: "Cấp phép", Field: "xay-dung", AgencyCode: "SXD", Status: "processing", Channel: "in_person",
			ReceivedAt: time.Date(2025, 3, 1, 9, 0, 0, 0, cds.VietnamTZ), HandlingHours: -1},
	}
	var xb, cb bytes.Buffer
	xw, err := NewCaseListXLSX(&xb)
	if err != nil {
		t.Fatal(err)
	}
	cw, _ := NewCaseListCSV(&cb)
	for _, r := range rows {
		if err := xw.Write(r); err != nil {
			t.Fatal(err)
		}
		if err := cw.Write(r); err != nil {
			t.Fatal(err)
		}
	}
	if err := xw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := cw.Close(); err != nil {
		t.Fatal(err)
	}
	f := open(t, xb.Bytes())
	if get(t, f, CaseListSheet, "A1") != "Mã hồ sơ" || get(t, f, CaseListSheet, "C2") != "Đèn đường hỏng" || get(t, f, CaseListSheet, "M2") != "5" ||
		get(t, f, CaseListSheet, "A3") != "SXD-250301-0001" || get(t, f, CaseListSheet, "J3") != "" || get(t, f, CaseListSheet, "H2") != "01/03/2025 08:00" {
		t.Fatalf("xlsx cells: %q %q %q", get(t, f, CaseListSheet, "C2"), get(t, f, CaseListSheet, "M2"), get(t, f, CaseListSheet, "H2"))
	}
	recs, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(cb.String(), "\ufeff"))).ReadAll()
	if err != nil || len(recs) != 3 || recs[1][7] != "2025-03-01T08:00:00+07:00" || recs[1][11] != "8.0" || recs[2][11] != "" {
		t.Fatalf("csv: %v %v", recs, err)
	}
}

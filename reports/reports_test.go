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

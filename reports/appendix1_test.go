package reports

import (
	"strings"
	"testing"
	"time"

	cds "github.com/caobang/congdanso"
	"github.com/caobang/congdanso/reports/reportstest"
)

func TestPhuLucILines(t *testing.T) {
	lines := reportstest.PhuLucILines(t)
	// 17 lines, counted by hand in the seed: the marker, the title, I with
	// its 3 lines, II with its intro and 5 lines, III with its 3 headings.
	if len(lines) != 17 || lines[0] != "Phụ lục I" || lines[16] != "3. Đề xuất" {
		t.Fatalf("seed lines: %d %q", len(lines), lines)
	}
}

func demoInput() Appendix1Input {
	deadline := time.Date(2025, 3, 30, 23, 59, 59, 0, cds.VietnamTZ)
	return Appendix1Input{
		CampaignCode: "BC-2025", CampaignTitle: "Báo cáo kết quả triển khai cài đặt ứng dụng Công dân số Cao Bằng",
		Deadline: deadline, GeneratedAt: time.Date(2025, 4, 2, 9, 0, 0, 0, cds.VietnamTZ), AsOf: deadline, Closed: true,
		PeriodFrom: "2024-10-31", PeriodTo: "2025-03-30",
		Province: ProvinceCounted{Citizens: 1500, CitizensNoCommune: 37, Officials: 90, Businesses: 12},
		Units: []UnitReport{
			{Unit: Unit{Code: "X-HOAAN", Name: "Xã Hòa An", Type: cds.AgencyCommune}, Counted: Counted{OfficialsRegistered: 20, CitizensRegistered: 900, Active30d: 300, Businesses: 7},
				CountedAsOf: deadline, CountedSource: "closed",
				Submitted: true, Version: 2, SubmittedAt: deadline.Add(24 * time.Hour), Late: true,
				Data: DeploymentData{PlanNumber: "2358/KH-UBND ngày 09/9/2024", DocumentNumber: "15/UBND", Forms: []string{FormConference, FormInPerson},
					TotalOfficials: p(25), OfficialsInstalled: p(20), CitizensInstalled: p(1200), Trainings: p(4), Materials: p(30),
					Advantages: "Được sự quan tâm", Difficulties: "Sóng yếu", Proposals: "Hỗ trợ thiết bị"}},
			{Unit: Unit{Code: "SXD", Name: "Sở Xây dựng", Type: cds.AgencyDepartment}, Counted: Counted{OfficialsRegistered: 50, Active30d: 40},
				CountedAsOf: deadline, CountedSource: "closed",
				Submitted: true, Version: 1, SubmittedAt: deadline.Add(-48 * time.Hour),
				Data: DeploymentData{DocumentNumber: "99/SXD", Forms: []string{FormOnline}, TotalOfficials: p(60), OfficialsInstalled: p(50), Trainings: p(1), Materials: p(3),
					Advantages: "Tốt", Difficulties: "Không"}},
			{Unit: Unit{Code: "SYT", Name: "Sở Y tế", Type: cds.AgencyDepartment}, Counted: Counted{OfficialsRegistered: 7}, HasDraft: true},
			{Unit: Unit{Code: "MTTQ", Name: "Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh Cao Bằng", Type: cds.AgencyAssociation}, Counted: Counted{OfficialsRegistered: 3}},
			{Unit: Unit{Code: "CAT", Name: "Công an tỉnh Cao Bằng", Type: cds.AgencyCentral}, Counted: Counted{OfficialsRegistered: 10}},
		},
	}
}

func TestAppendix1Workbook(t *testing.T) {
	b, err := Appendix1(demoInput())
	if err != nil {
		t.Fatal(err)
	}
	f := open(t, b)
	if got := strings.Join(f.GetSheetList(), "|"); got != "Tổng hợp|SXD|X-HOAAN|Chưa báo cáo" {
		t.Fatalf("sheets = %s", got)
	}
	// Every line of the template, word for word and in order, on each unit sheet.
	lines := reportstest.PhuLucILines(t)
	for _, sh := range []string{"SXD", "X-HOAAN"} {
		reportstest.AssertLinesInOrder(t, f, sh, lines)
	}
	u := "X-HOAAN"
	// Decree 30 header with the commune's own name and place.
	want := map[string]string{"A1": "ỦY BAN NHÂN DÂN", "A2": "XÃ HÒA AN", "A3": "Số: /BC-UBND", "D1": NationalTitle, "D2": NationalMotto,
		"D3": "Hòa An, ngày 31 tháng 3 năm 2025", "E10": "2358/KH-UBND ngày 09/9/2024", "E11": "Xã Hòa An đã triển khai văn bản số 15/UBND",
		"E12": "trực tiếp, lồng ghép hội nghị", "E15": "25", "E16": "20", "E17": "1,200", "E18": "4", "E19": "30"}
	for c, v := range want {
		if got := strings.Join(strings.Fields(get(t, f, u, c)), " "); got != v {
			t.Errorf("%s!%s = %q, want %q", u, c, got, v)
		}
	}
	cells := strings.Join(reportstest.SheetCells(t, f, u), "\n")
	for _, s := range []string{PlatformHeader, "chốt khi kết thúc đợt báo cáo", "Nơi nhận:", "TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH", "- Lưu: VT.", "Sóng yếu", "Hỗ trợ thiết bị"} {
		if !strings.Contains(cells, s) {
			t.Errorf("unit sheet lacks %q", s)
		}
	}
	// The platform block comes after the template's last line.
	if strings.Index(cells, PlatformHeader) < strings.Index(cells, "3. Đề xuất") {
		t.Error("platform block inside the template")
	}
	if get(t, f, "SXD", "A1") != "UBND TỈNH CAO BẰNG" || get(t, f, "SXD", "A2") != "SỞ XÂY DỰNG" || !strings.Contains(strings.Join(reportstest.SheetCells(t, f, "SXD"), "|"), "GIÁM ĐỐC") {
		t.Errorf("department header: %q %q", get(t, f, "SXD", "A1"), get(t, f, "SXD", "A2"))
	}
	// Summary: groups with subtotals, the no-commune row, total, province-wide row.
	sh := SummarySheet
	col := map[string]string{}
	rows, _ := f.GetRows(sh)
	var names []string
	for i, r := range rows {
		if i+1 >= SummaryFirstRow && len(r) > 1 {
			names = append(names, r[1])
			col[r[1]] = strings.Join(r, "|")
		}
	}
	order := strings.Join(names, " / ")
	wantOrder := "Các sở, ban, ngành / Sở Xây dựng / Sở Y tế / Cộng nhóm I / Ủy ban MTTQ Việt Nam tỉnh và các tổ chức chính trị - xã hội, hội, đoàn thể / " +
		"Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh Cao Bằng / Cộng nhóm II / Các cơ quan trung ương trên địa bàn tỉnh / Công an tỉnh Cao Bằng / Cộng nhóm III / " +
		"UBND các xã, phường / Xã Hòa An / Cộng nhóm IV / " + NoCommuneText
	if !strings.HasPrefix(order, wantOrder) {
		t.Fatalf("summary order:\n%s\nwant prefix\n%s", order, wantOrder)
	}
	if !strings.Contains(col[NoCommuneText]+"|", "|37|") {
		t.Errorf("no-commune row: %s", col[NoCommuneText])
	}
	if !strings.Contains(get(t, f, sh, "A8"), "Số liệu tính đến ngày 30/03/2025 23:59 (số liệu đã chốt khi kết thúc đợt báo cáo)") {
		t.Errorf("as-of line: %q", get(t, f, sh, "A8"))
	}
	lay, err := f.GetPageLayout(u)
	if err != nil || lay.Size == nil || *lay.Size != 9 {
		t.Fatalf("page layout: %+v %v", lay, err)
	}
}

// TestRowHeightsFit: a long wrapped line gets a row tall enough for its lines.
func TestRowHeightsFit(t *testing.T) {
	b, err := Appendix1(demoInput())
	if err != nil {
		t.Fatal(err)
	}
	f := open(t, b)
	h, _ := f.GetRowHeight("X-HOAAN", UnitRowTotal+4) // the materials line: about 170 characters in 72 width
	if h < 3*15 {
		t.Errorf("materials row height %.1f too small for three lines", h)
	}
}

// TestValidateDistrictReportsCitizens: the template asks "UBND các huyện,
// thành phố" for citizens and trainings; before 1/7/2025 a district reports them.
func TestValidateDistrictReportsCitizens(t *testing.T) {
	d := DeploymentData{DocumentNumber: "57/UBND-VP", Forms: []string{FormInPerson}, TotalOfficials: p(24), OfficialsInstalled: p(24),
		Trainings: p(6), Materials: p(18), Advantages: "Có", Difficulties: "Có"}
	if e, _ := cds.AsError(d.Validate(cds.AgencyDistrict, true)); e == nil || e.Fields["citizens_installed"] == "" {
		t.Fatalf("district without citizens accepted: %+v", e)
	}
	d.CitizensInstalled = p(1350)
	if err := d.Validate(cds.AgencyDistrict, true); err != nil {
		t.Fatalf("district with citizens refused: %v", err)
	}
	if e, _ := cds.AsError(d.Validate(cds.AgencyDepartment, true)); e == nil || e.Fields["citizens_installed"] == "" {
		t.Fatalf("department with citizens accepted: %+v", e)
	}
}

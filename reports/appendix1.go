package reports

import (
	"fmt"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"
)

// Wording of Phụ lục I in seed 000 (Công văn of Sở Thông tin và Truyền thông).
const (
	Appendix1Title    = "MẪU BÁO CÁO KẾT QUẢ TRIỂN KHAI THỰC HIỆN CÀI ĐẶT ỨNG DỤNG CÔNG DÂN SỐ CAO BẰNG"
	Appendix1Report   = "BÁO CÁO KẾT QUẢ TRIỂN KHAI THỰC HIỆN CÀI ĐẶT ỨNG DỤNG CÔNG DÂN SỐ CAO BẰNG"
	Appendix1Summary  = "TỔNG HỢP KẾT QUẢ TRIỂN KHAI THỰC HIỆN CÀI ĐẶT ỨNG DỤNG CÔNG DÂN SỐ CAO BẰNG"
	SectionI          = "I. Công tác chỉ đạo, thực hiện"
	SectionII         = "II. Kết quả đạt được"
	SectionIII        = "III. Thuận lợi, khó khăn"
	SummarySheet      = "Tổng hợp"
	MissingSheet      = "Chưa báo cáo"
	ProvinceTotalText = "TỔNG CỘNG TOÀN TỈNH"
)

// Summary sheet layout: header row, column-number row, first data row.
const (
	SummaryHeaderRow = 9
	SummaryFirstRow  = 11
)

// SummaryColumns are the summary sheet's column headers, in order.
var SummaryColumns = []string{
	"STT", "Mã đơn vị", "Tên đơn vị", "Tổng số CCVC",
	"Số CCVC đã cài đặt (kê khai)", "Số tài khoản CCVC trên hệ thống", "Tỷ lệ CCVC cài đặt (%)",
	"Số người dân đã cài đặt (kê khai)", "Số người dân đăng ký trên hệ thống", "Tài khoản đăng nhập trong 30 ngày",
	"Số cuộc tập huấn, hướng dẫn", "Số tài liệu tuyên truyền", "Thời gian nộp", "Phiên bản", "Tình trạng", "Chênh lệch số liệu",
}

// Appendix1Input is everything the merged Appendix I workbook shows.
type Appendix1Input struct {
	CampaignCode  string
	CampaignTitle string
	Deadline      time.Time
	GeneratedAt   time.Time
	Issuer        Issuer
	Units         []UnitReport
}

// Appendix1 builds the merged workbook: the summary sheet, one sheet per
// unit that submitted, and the list of units that have not reported.
func Appendix1(in Appendix1Input) ([]byte, error) {
	if in.Issuer == (Issuer{}) {
		in.Issuer = DefaultIssuer
	}
	f, st, err := newWorkbook()
	if err != nil {
		return nil, err
	}
	if err := f.SetSheetName("Sheet1", SummarySheet); err != nil {
		return nil, err
	}
	units := sortUnits(in.Units)
	if err := summarySheet(f, st, in, units); err != nil {
		return nil, err
	}
	for _, u := range units {
		if u.Submitted {
			if err := unitSheet(f, st, in, u); err != nil {
				return nil, err
			}
		}
	}
	if err := missingSheet(f, st, in, units); err != nil {
		return nil, err
	}
	f.SetActiveSheet(0)
	_ = f.SetDocProps(&excelize.DocProperties{Title: Appendix1Summary, Creator: "Công dân số Cao Bằng", Language: "vi-VN"})
	return finish(f)
}

func deadlineText(t time.Time) string { return t.In(vn()).Format("02/01/2006") }

func summarySheet(f *excelize.File, st *styles, in Appendix1Input, units []UnitReport) error {
	sh := SummarySheet
	last := len(SummaryColumns)
	sub := fmt.Sprintf("(Theo mẫu Phụ lục I — %s; hạn báo cáo %s)", in.CampaignTitle, deadlineText(in.Deadline))
	if err := headerBlock(f, st, sh, last, 9, in.Issuer, in.GeneratedAt, Appendix1Summary, sub); err != nil {
		return err
	}
	for i, h := range SummaryColumns {
		if err := f.SetCellValue(sh, cell(i+1, SummaryHeaderRow), h); err != nil {
			return err
		}
		if err := f.SetCellValue(sh, cell(i+1, SummaryHeaderRow+1), fmt.Sprintf("(%d)", i+1)); err != nil {
			return err
		}
	}
	if err := f.SetCellStyle(sh, cell(1, SummaryHeaderRow), cell(last, SummaryHeaderRow+1), st.header); err != nil {
		return err
	}
	if err := f.SetRowHeight(sh, SummaryHeaderRow, 63); err != nil {
		return err
	}
	row := SummaryFirstRow
	for i, u := range units {
		vals := []any{i + 1, u.Unit.Code, u.Unit.Name}
		d := u.Data
		optional := func(p *int64) any {
			if !u.Submitted || p == nil {
				return nil
			}
			return *p
		}
		vals = append(vals, optional(d.TotalOfficials), optional(d.OfficialsInstalled), u.Counted.OfficialsRegistered, nil,
			optional(d.CitizensInstalled), nil, u.Counted.Active30d, optional(d.Trainings), optional(d.Materials))
		if u.Unit.Type == "commune" {
			vals[8] = u.Counted.CitizensRegistered
		}
		var flagTexts []string
		if u.Submitted {
			for _, fl := range Flags(u.Unit.Type, u.Data, u.Counted) {
				flagTexts = append(flagTexts, fl.Message)
			}
			vals = append(vals, u.SubmittedAt.In(vn()), u.Version)
		} else {
			vals = append(vals, nil, nil)
		}
		vals = append(vals, u.Status(), strings.Join(flagTexts, "; "))
		for c, v := range vals {
			if v == nil {
				continue
			}
			if err := f.SetCellValue(sh, cell(c+1, row), v); err != nil {
				return err
			}
		}
		// Install rate as a formula, so a corrected figure recomputes it.
		if err := f.SetCellFormula(sh, cell(7, row), fmt.Sprintf(`IF(N(D%d)>0,E%d/D%d,"")`, row, row, row)); err != nil {
			return err
		}
		rowStyles := []struct{ c1, c2, s int }{{1, 1, st.totalLabel}, {2, 3, st.textWrap}, {4, 6, st.int_}, {7, 7, st.pct}, {8, 12, st.int_}, {13, 13, st.dateTime}, {14, 14, st.int_}, {15, 15, st.text}, {16, 16, st.textWrap}}
		for _, rs := range rowStyles {
			if err := f.SetCellStyle(sh, cell(rs.c1, row), cell(rs.c2, row), rs.s); err != nil {
				return err
			}
		}
		if len(flagTexts) > 0 || !u.Submitted || u.Late {
			if err := f.SetCellStyle(sh, cell(15, row), cell(16, row), st.flag); err != nil {
				return err
			}
		}
		row++
	}
	// Province totals: formulas over the unit rows.
	tot := row
	first, lastRow := SummaryFirstRow, row-1
	if err := f.MergeCell(sh, cell(1, tot), cell(3, tot)); err != nil {
		return err
	}
	if err := f.SetCellValue(sh, cell(1, tot), ProvinceTotalText); err != nil {
		return err
	}
	sum := func(col int) string {
		if lastRow < first {
			return "0"
		}
		return fmt.Sprintf("SUM(%s%d:%s%d)", colName(col), first, colName(col), lastRow)
	}
	for _, col := range []int{4, 5, 6, 8, 9, 10, 11, 12} {
		if err := f.SetCellFormula(sh, cell(col, tot), sum(col)); err != nil {
			return err
		}
	}
	if err := f.SetCellFormula(sh, cell(7, tot), fmt.Sprintf(`IF(D%d>0,E%d/D%d,"")`, tot, tot, tot)); err != nil {
		return err
	}
	// Submitted count (times are numbers) and the missing count.
	if lastRow >= first {
		if err := f.SetCellFormula(sh, cell(13, tot), fmt.Sprintf(`"Đã nộp: "&COUNT(M%d:M%d)&"/"&ROWS(M%d:M%d)`, first, lastRow, first, lastRow)); err != nil {
			return err
		}
		if err := f.SetCellFormula(sh, cell(15, tot), fmt.Sprintf(`"Chưa báo cáo: "&COUNTIF(O%d:O%d,"%s")`, first, lastRow, StatusMissing)); err != nil {
			return err
		}
	}
	for _, rs := range []struct{ c1, c2, s int }{{1, 3, st.totalLabel}, {4, 6, st.totalInt}, {7, 7, st.totalPct}, {8, 12, st.totalInt}, {13, 16, st.totalLabel}} {
		if err := f.SetCellStyle(sh, cell(rs.c1, tot), cell(rs.c2, tot), rs.s); err != nil {
			return err
		}
	}
	widths := []float64{6, 14, 34, 11, 12, 12, 11, 12, 12, 12, 11, 11, 17, 9, 14, 42}
	for i, w := range widths {
		if err := f.SetColWidth(sh, colName(i+1), colName(i+1), w); err != nil {
			return err
		}
	}
	if err := freezeBelow(f, sh, SummaryFirstRow); err != nil {
		return err
	}
	return printSetup(f, sh, fmt.Sprintf("$%d:$%d", SummaryHeaderRow, SummaryHeaderRow+1))
}

// Row numbers of the per-unit sheet's section II table (tested).
const (
	UnitTableHeaderRow = 15
	UnitTableFirstRow  = 16
)

func unitSheet(f *excelize.File, st *styles, in Appendix1Input, u UnitReport) error {
	sh := SheetName(u.Unit.Code)
	if _, err := f.NewSheet(sh); err != nil {
		return err
	}
	is := Issuer{Superior: "UBND TỈNH CAO BẰNG", Name: strings.ToUpper(u.Unit.Name)}
	if u.Unit.Type == "central" || u.Unit.Type == "association" {
		is.Superior = ""
	}
	sub := fmt.Sprintf("(Theo mẫu Phụ lục I; phiên bản %d, nộp lúc %s%s)", u.Version, u.SubmittedAt.In(vn()).Format("15:04 02/01/2006"), map[bool]string{true: ", nộp muộn", false: ""}[u.Late])
	if err := headerBlock(f, st, sh, 6, 4, is, u.SubmittedAt, Appendix1Report, sub); err != nil {
		return err
	}
	d := u.Data
	line := func(row int, text string, style int, height float64) error {
		if err := f.MergeCell(sh, cell(1, row), cell(6, row)); err != nil {
			return err
		}
		if err := f.SetCellValue(sh, cell(1, row), text); err != nil {
			return err
		}
		if err := f.SetCellStyle(sh, cell(1, row), cell(6, row), style); err != nil {
			return err
		}
		if height > 0 {
			return f.SetRowHeight(sh, row, height)
		}
		return nil
	}
	dots := func(s string) string {
		if strings.TrimSpace(s) == "" {
			return "....."
		}
		return s
	}
	forms := d.FormsText()
	if d.FormsNote != "" {
		forms = strings.TrimSpace(forms + "; " + d.FormsNote)
	}
	lines := []struct {
		row   int
		text  string
		style int
		h     float64
	}{
		{9, SectionI, st.section, 0},
		{10, "- Thực hiện Kế hoạch số: " + dots(d.PlanNumber) + " của UBND tỉnh Cao Bằng về việc Đẩy mạnh việc cài đặt và sử dụng Nền tảng Công dân số Cao Bằng", st.label, 33},
		{11, u.Unit.Name + " đã triển khai văn bản số " + dots(d.DocumentNumber), st.label, 0},
		{12, "- Các hình thức tổ chức thực hiện: " + dots(forms), st.label, 0},
		{14, SectionII, st.section, 0},
	}
	for _, l := range lines {
		if err := line(l.row, l.text, l.style, l.h); err != nil {
			return err
		}
	}
	// Section II as a table: declared, counted, difference.
	hdr := []string{"STT", "Chỉ tiêu", "", "Đơn vị kê khai", "Hệ thống thống kê", "Chênh lệch"}
	for i, h := range hdr {
		if h != "" {
			if err := f.SetCellValue(sh, cell(i+1, UnitTableHeaderRow), h); err != nil {
				return err
			}
		}
	}
	if err := f.MergeCell(sh, cell(2, UnitTableHeaderRow), cell(3, UnitTableHeaderRow)); err != nil {
		return err
	}
	if err := f.SetCellStyle(sh, cell(1, UnitTableHeaderRow), cell(6, UnitTableHeaderRow), st.header); err != nil {
		return err
	}
	val := func(p *int64) any {
		if p == nil {
			return nil
		}
		return *p
	}
	commune := u.Unit.Type == "commune"
	var citizensCounted any
	if commune {
		citizensCounted = u.Counted.CitizensRegistered
	}
	items := []struct {
		label             string
		declared, counted any
		pct               bool
	}{
		{"Tổng số công chức, viên chức", val(d.TotalOfficials), nil, false},
		{"Số công chức, viên chức đã cài đặt ứng dụng Công dân số Cao Bằng", val(d.OfficialsInstalled), u.Counted.OfficialsRegistered, false},
		{"Tỷ lệ công chức, viên chức đã cài đặt", nil, nil, true},
		{"Số người dân đã cài đặt ứng dụng Công dân số Cao Bằng (đối với xã, phường)", val(d.CitizensInstalled), citizensCounted, false},
		{"Số lượng các cuộc tập huấn, hướng dẫn sử dụng", val(d.Trainings), nil, false},
		{"Số lượng các tài liệu tuyên truyền được dán tại bộ phận một cửa, điểm giao dịch, nhà văn hoá thôn, xóm", val(d.Materials), nil, false},
		{"Số tài khoản đăng nhập trong 30 ngày gần nhất", nil, u.Counted.Active30d, false},
	}
	r := UnitTableFirstRow
	for i, it := range items {
		if err := f.SetCellValue(sh, cell(1, r), i+1); err != nil {
			return err
		}
		if err := f.MergeCell(sh, cell(2, r), cell(3, r)); err != nil {
			return err
		}
		if err := f.SetCellValue(sh, cell(2, r), it.label); err != nil {
			return err
		}
		numStyle := st.int_
		if it.pct {
			numStyle = st.pct
			if err := f.SetCellFormula(sh, cell(4, r), fmt.Sprintf(`IF(N(D%d)>0,D%d/D%d,"")`, r-2, r-1, r-2)); err != nil {
				return err
			}
		}
		if it.declared != nil {
			if err := f.SetCellValue(sh, cell(4, r), it.declared); err != nil {
				return err
			}
		}
		if it.counted != nil {
			if err := f.SetCellValue(sh, cell(5, r), it.counted); err != nil {
				return err
			}
		}
		if it.declared != nil && it.counted != nil {
			if err := f.SetCellFormula(sh, cell(6, r), fmt.Sprintf("D%d-E%d", r, r)); err != nil {
				return err
			}
		}
		for _, s := range []struct{ c1, c2, s int }{{1, 1, st.totalLabel}, {2, 3, st.textWrap}, {4, 6, numStyle}} {
			if err := f.SetCellStyle(sh, cell(s.c1, r), cell(s.c2, r), s.s); err != nil {
				return err
			}
		}
		r++
	}
	flags := Flags(u.Unit.Type, d, u.Counted)
	r++
	if len(flags) > 0 {
		var parts []string
		for _, fl := range flags {
			parts = append(parts, fl.Message)
		}
		if err := line(r, "Lưu ý chênh lệch số liệu: "+strings.Join(parts, "; "), st.flag, 33); err != nil {
			return err
		}
		r++
	}
	r++
	sec3 := []struct {
		text  string
		style int
		h     float64
	}{
		{SectionIII, st.section, 0},
		{"1. Thuận lợi", st.section, 0}, {d.Advantages, st.textWrap, 60},
		{"2. Khó khăn", st.section, 0}, {d.Difficulties, st.textWrap, 60},
		{"3. Đề xuất", st.section, 0}, {d.Proposals, st.textWrap, 60},
	}
	for _, l := range sec3 {
		if err := line(r, l.text, l.style, l.h); err != nil {
			return err
		}
		r++
	}
	for i, w := range []float64{7, 30, 30, 16, 16, 14} {
		if err := f.SetColWidth(sh, colName(i+1), colName(i+1), w); err != nil {
			return err
		}
	}
	return printSetup(f, sh, "")
}

func missingSheet(f *excelize.File, st *styles, in Appendix1Input, units []UnitReport) error {
	sh := MissingSheet
	if _, err := f.NewSheet(sh); err != nil {
		return err
	}
	sub := fmt.Sprintf("(%s; hạn báo cáo %s)", in.CampaignTitle, deadlineText(in.Deadline))
	if err := headerBlock(f, st, sh, 5, 3, in.Issuer, in.GeneratedAt, "DANH SÁCH ĐƠN VỊ CHƯA BÁO CÁO", sub); err != nil {
		return err
	}
	for i, h := range []string{"STT", "Mã đơn vị", "Tên đơn vị", "Loại đơn vị", "Ghi chú"} {
		if err := f.SetCellValue(sh, cell(i+1, 9), h); err != nil {
			return err
		}
	}
	if err := f.SetCellStyle(sh, cell(1, 9), cell(5, 9), st.header); err != nil {
		return err
	}
	r := 10
	n := 0
	for _, u := range units {
		if u.Submitted {
			continue
		}
		n++
		note := "Chưa có dữ liệu"
		if u.HasDraft {
			note = "Đã lưu bản nháp, chưa nộp"
		}
		for c, v := range []any{n, u.Unit.Code, u.Unit.Name, TypeName(u.Unit.Type), note} {
			if err := f.SetCellValue(sh, cell(c+1, r), v); err != nil {
				return err
			}
		}
		if err := f.SetCellStyle(sh, cell(1, r), cell(1, r), st.totalLabel); err != nil {
			return err
		}
		if err := f.SetCellStyle(sh, cell(2, r), cell(5, r), st.textWrap); err != nil {
			return err
		}
		r++
	}
	if err := f.MergeCell(sh, cell(1, r), cell(2, r)); err != nil {
		return err
	}
	if err := f.SetCellValue(sh, cell(1, r), "Tổng số"); err != nil {
		return err
	}
	if err := f.SetCellFormula(sh, cell(3, r), fmt.Sprintf(`COUNTA(B10:B%d)&" đơn vị"`, max(r-1, 10))); err != nil {
		return err
	}
	if err := f.SetCellStyle(sh, cell(1, r), cell(5, r), st.totalLabel); err != nil {
		return err
	}
	for i, w := range []float64{6, 16, 40, 20, 30} {
		if err := f.SetColWidth(sh, colName(i+1), colName(i+1), w); err != nil {
			return err
		}
	}
	if err := freezeBelow(f, sh, 10); err != nil {
		return err
	}
	return printSetup(f, sh, "$9:$9")
}

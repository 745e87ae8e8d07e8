package reports

import (
	"fmt"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	cds "github.com/caobang/congdanso"
)

// Wording of the merged workbook.
const (
	Appendix1Summary  = "TỔNG HỢP KẾT QUẢ TRIỂN KHAI THỰC HIỆN CÀI ĐẶT ỨNG DỤNG CÔNG DÂN SỐ CAO BẰNG"
	SummarySheet      = "Tổng hợp"
	MissingSheet      = "Chưa báo cáo"
	ProvinceTotalText = "TỔNG CỘNG"
	NoCommuneText     = "Người dân chưa xác định xã, phường (chưa xác định xã)"
	ProvinceAllText   = "Toàn tỉnh trên nền tảng (mọi tài khoản)"
)

// Summary sheet layout: header row, column-number row, first data row.
const (
	SummaryHeaderRow = 10
	SummaryFirstRow  = 12
)

// SummaryColumns are the summary sheet's column headers, in order.
var SummaryColumns = []string{
	"STT", "Tên đơn vị", "Tổng số CCVC (kê khai)", "Số CCVC đã cài đặt (kê khai)", "Tỷ lệ CCVC cài đặt (%)",
	"Số CCVC đã xác nhận trên nền tảng", "Số người dân đã cài đặt (kê khai)", "Số người dân đăng ký trên nền tảng",
	"Số doanh nghiệp trên nền tảng", "Tài khoản đăng nhập trong 30 ngày", "Số cuộc tập huấn, hướng dẫn", "Số tài liệu tuyên truyền",
	"Thời gian nộp", "Tình trạng", "Chênh lệch số liệu",
}

var summaryWidths = []float64{6, 34, 11, 11, 10, 12, 12, 12, 12, 12, 11, 11, 16, 13, 40}

// ProvinceCounted are the province-wide counted figures.
type ProvinceCounted struct {
	Citizens          int64
	CitizensNoCommune int64 // citizens with no commune in force: the "chưa xác định xã" row
	Officials         int64
	Businesses        int64
}

// Appendix1Input is everything the merged Appendix I workbook shows.
type Appendix1Input struct {
	CampaignCode  string
	CampaignTitle string
	Deadline      time.Time
	PeriodFrom    string // YYYY-MM-DD or ""
	PeriodTo      string
	AsOf          time.Time // "số liệu tính đến"
	Closed        bool      // the counted figures are the closing snapshot
	GeneratedAt   time.Time
	Issuer        Issuer
	Units         []UnitReport
	Province      ProvinceCounted
}

// Appendix1 builds the merged workbook: the summary sheet, one sheet per
// unit that submitted, and the list of units that have not reported.
func Appendix1(in Appendix1Input) ([]byte, error) {
	if in.Issuer == (Issuer{}) {
		in.Issuer = DefaultIssuer
	}
	f, st, err := newDocument(SummarySheet)
	if err != nil {
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

// dateText turns YYYY-MM-DD into dd/mm/yyyy.
func dateText(s string) string {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		return s
	}
	return t.Format("02/01/2006")
}

// AsOfText is the summary's "số liệu tính đến" line.
func AsOfText(in Appendix1Input) string {
	state := "số liệu tạm tính, chưa chốt"
	if in.Closed {
		state = "số liệu đã chốt khi kết thúc đợt báo cáo"
	}
	s := fmt.Sprintf("Số liệu tính đến ngày %s (%s)", in.AsOf.In(vn()).Format("02/01/2006 15:04"), state)
	if in.PeriodFrom != "" || in.PeriodTo != "" {
		s = fmt.Sprintf("Kỳ báo cáo: từ ngày %s đến ngày %s. ", dateText(in.PeriodFrom), dateText(in.PeriodTo)) + s
	}
	return s
}

// Group is a block of the summary: units of one kind with a subtotal.
type Group struct {
	Numeral string
	Name    string
	Types   []cds.AgencyType
}

// Groups are the summary's blocks, in order, as the letter addresses them.
var Groups = []Group{
	{"I", "Các sở, ban, ngành", []cds.AgencyType{cds.AgencyProvince, cds.AgencyDepartment}},
	{"II", "Ủy ban MTTQ Việt Nam tỉnh và các tổ chức chính trị - xã hội, hội, đoàn thể", []cds.AgencyType{cds.AgencyAssociation}},
	{"III", "Các cơ quan trung ương trên địa bàn tỉnh", []cds.AgencyType{cds.AgencyCentral}},
	{"IV", "UBND các huyện, thành phố (đến 30/6/2025)", []cds.AgencyType{cds.AgencyDistrict}},
	{"IV", "UBND các xã, phường", []cds.AgencyType{cds.AgencyCommune}},
}

func groupOf(t cds.AgencyType) int {
	for i, g := range Groups {
		for _, x := range g.Types {
			if x == t {
				return i
			}
		}
	}
	return 0
}

// sumCols are the summary's numeric columns that add up.
var sumCols = []int{3, 4, 6, 7, 8, 9, 10, 11, 12}

func summarySheet(f *excelize.File, st *styles, in Appendix1Input, units []UnitReport) error {
	sh := SummarySheet
	last := len(SummaryColumns)
	w := &sheetWriter{f: f, sh: sh, widths: summaryWidths}
	w.documentHeader(st, in.Issuer, "Số:        /BC-SKHCN", "Cao Bằng", in.GeneratedAt, last, 9)
	w.put(1, last, 6, Appendix1Summary, st.title, 14)
	w.put(1, last, 7, fmt.Sprintf("(Theo mẫu Phụ lục I — %s; hạn báo cáo %s)", in.CampaignTitle, deadlineText(in.Deadline)), st.subtitle, 12)
	w.put(1, last, 8, AsOfText(in), st.subtitle, 12)
	for i, h := range SummaryColumns {
		w.put(i+1, i+1, SummaryHeaderRow, h, st.header, 12)
		w.put(i+1, i+1, SummaryHeaderRow+1, fmt.Sprintf("(%d)", i+1), st.header, 0)
	}
	row := SummaryFirstRow
	var subtotalRows []int
	stt := 0
	for gi, g := range Groups {
		var members []UnitReport
		for _, u := range units {
			if groupOf(u.Unit.Type) == gi {
				members = append(members, u)
			}
		}
		if len(members) == 0 {
			continue
		}
		w.put(1, 1, row, g.Numeral, st.groupRow, 0)
		w.put(2, last, row, g.Name, st.groupRow, 12)
		row++
		first := row
		for _, u := range members {
			stt++
			summaryUnitRow(w, st, row, stt, u)
			row++
		}
		w.put(1, 1, row, nil, st.totalLabel, 0)
		w.put(2, 2, row, "Cộng nhóm "+g.Numeral, st.totalLabel, 12)
		for _, c := range sumCols {
			w.formula(c, row, fmt.Sprintf("SUM(%s%d:%s%d)", colName(c), first, colName(c), row-1), st.totalInt)
		}
		w.formula(5, row, fmt.Sprintf(`IF(N(C%d)>0,D%d/C%d,"")`, row, row, row), st.totalPct)
		w.put(13, last, row, nil, st.totalLabel, 0)
		subtotalRows = append(subtotalRows, row)
		row++
	}
	// Citizens with no commune: counted, visible, part of the total.
	noCommune := row
	w.put(1, 1, row, nil, st.totalLabel, 0)
	w.put(2, 2, row, NoCommuneText, st.textWrap, 12)
	for c := 3; c <= last; c++ {
		w.put(c, c, row, nil, st.int_, 0)
	}
	w.put(8, 8, row, in.Province.CitizensNoCommune, st.int_, 0)
	row++
	// TỔNG CỘNG: the subtotals plus the "chưa xác định xã" row.
	w.put(1, 2, row, ProvinceTotalText, st.totalLabel, 12)
	for _, c := range sumCols {
		terms := []string{fmt.Sprintf("%s%d", colName(c), noCommune)}
		for _, r := range subtotalRows {
			terms = append(terms, fmt.Sprintf("%s%d", colName(c), r))
		}
		w.formula(c, row, "SUM("+strings.Join(terms, ",")+")", st.totalInt)
	}
	w.formula(5, row, fmt.Sprintf(`IF(N(C%d)>0,D%d/C%d,"")`, row, row, row), st.totalPct)
	n := len(units)
	submitted := 0
	for _, u := range units {
		if u.Submitted {
			submitted++
		}
	}
	w.put(13, 13, row, fmt.Sprintf("Đã nộp: %d/%d", submitted, n), st.totalLabel, 12)
	w.put(14, last, row, fmt.Sprintf("Chưa báo cáo: %d", n-submitted), st.totalLabel, 12)
	row++
	// Every account on the platform, whether or not its unit reports here.
	w.put(1, 2, row, ProvinceAllText, st.totalLabel, 12)
	for c := 3; c <= last; c++ {
		w.put(c, c, row, nil, st.totalInt, 0)
	}
	w.put(6, 6, row, in.Province.Officials, st.totalInt, 0)
	w.put(8, 8, row, in.Province.Citizens, st.totalInt, 0)
	w.put(9, 9, row, in.Province.Businesses, st.totalInt, 0)
	row += 2
	w.documentFooter(st, row, 9, last, []string{"- Ban Chỉ đạo chuyển đổi số tỉnh (báo cáo);", "- UBND tỉnh (báo cáo);", "- Lưu: VT."}, "GIÁM ĐỐC", "")
	if w.err != nil {
		return w.err
	}
	for i, wd := range summaryWidths {
		if err := f.SetColWidth(sh, colName(i+1), colName(i+1), wd); err != nil {
			return err
		}
	}
	if err := freezeBelow(f, sh, SummaryFirstRow); err != nil {
		return err
	}
	return printSetup(f, sh, fmt.Sprintf("$%d:$%d", SummaryHeaderRow, SummaryHeaderRow+1))
}

func summaryUnitRow(w *sheetWriter, st *styles, row, stt int, u UnitReport) {
	d := u.Data
	opt := func(p *int64) any {
		if !u.Submitted || p == nil {
			return nil
		}
		return *p
	}
	w.put(1, 1, row, stt, st.totalLabel, 0)
	w.put(2, 2, row, u.Unit.Name, st.textWrap, 12)
	vals := map[int]any{3: opt(d.TotalOfficials), 4: opt(d.OfficialsInstalled), 6: u.Counted.OfficialsRegistered,
		7: opt(d.CitizensInstalled), 10: u.Counted.Active30d, 11: opt(d.Trainings), 12: opt(d.Materials)}
	if u.Unit.Type == cds.AgencyCommune {
		vals[8], vals[9] = u.Counted.CitizensRegistered, u.Counted.Businesses
	}
	for c := 3; c <= 12; c++ {
		if c == 5 {
			continue
		}
		w.put(c, c, row, vals[c], st.int_, 0)
	}
	w.formula(5, row, fmt.Sprintf(`IF(N(C%d)>0,D%d/C%d,"")`, row, row, row), st.pct)
	var flags []string
	if u.Submitted {
		for _, fl := range Flags(u.Unit.Type, d, u.Counted) {
			flags = append(flags, fl.Message)
		}
		w.put(13, 13, row, u.SubmittedAt.In(vn()), st.dateTime, 0)
	} else {
		w.put(13, 13, row, nil, st.dateTime, 0)
	}
	style := st.textWrap
	if len(flags) > 0 || !u.Submitted || u.Late {
		style = st.flag
	}
	w.put(14, 14, row, u.Status(), style, 12)
	w.put(15, 15, row, strings.Join(flags, "; "), style, 12)
}

func missingSheet(f *excelize.File, st *styles, in Appendix1Input, units []UnitReport) error {
	sh := MissingSheet
	if _, err := f.NewSheet(sh); err != nil {
		return err
	}
	widths := []float64{6, 46, 34, 30}
	w := &sheetWriter{f: f, sh: sh, widths: widths}
	w.documentHeader(st, in.Issuer, "", "Cao Bằng", in.GeneratedAt, 4, 3)
	w.put(1, 4, 6, "DANH SÁCH ĐƠN VỊ CHƯA BÁO CÁO", st.title, 14)
	w.put(1, 4, 7, fmt.Sprintf("(%s; hạn báo cáo %s)", in.CampaignTitle, deadlineText(in.Deadline)), st.subtitle, 12)
	for i, h := range []string{"STT", "Tên đơn vị", "Nhóm", "Ghi chú"} {
		w.put(i+1, i+1, 9, h, st.header, 12)
	}
	r, n := 10, 0
	for _, u := range units {
		if u.Submitted {
			continue
		}
		n++
		note := "Chưa có dữ liệu"
		if u.HasDraft {
			note = "Đã lưu bản nháp, chưa nộp"
		}
		w.put(1, 1, r, n, st.totalLabel, 0)
		w.put(2, 2, r, u.Unit.Name, st.textWrap, 12)
		w.put(3, 3, r, Groups[groupOf(u.Unit.Type)].Name, st.textWrap, 12)
		w.put(4, 4, r, note, st.textWrap, 12)
		r++
	}
	w.put(1, 2, r, fmt.Sprintf("Tổng số: %d đơn vị", n), st.totalLabel, 12)
	w.put(3, 4, r, nil, st.totalLabel, 0)
	if w.err != nil {
		return w.err
	}
	for i, wd := range widths {
		if err := f.SetColWidth(sh, colName(i+1), colName(i+1), wd); err != nil {
			return err
		}
	}
	if err := freezeBelow(f, sh, 10); err != nil {
		return err
	}
	return printSetupOriented(f, sh, "$9:$9", "portrait")
}

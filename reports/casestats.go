package reports

import (
	"fmt"
	"sort"
	"time"

	"github.com/xuri/excelize/v2"

	cds "github.com/caobang/congdanso"
)

func vn() *time.Location { return cds.VietnamTZ }

// CaseStatRow is one line of the Biểu 06-style statistics: the cases of one
// kind for one group (an agency or a field) over the period.
type CaseStatRow struct {
	Group     string // agency code or field code
	GroupName string
	Kind      cds.Kind
	// Received: online (and other remote channels), in person, carried over from before the period.
	Online, InPerson, Carried int64
	// Resolved within the period.
	Early, OnTime, Late int64
	// Still in progress at the end of the period.
	WithinDeadline, Overdue int64
	// Sums behind the averages (working hours received → finished; ratings 1–5).
	HoursSum  float64
	HoursN    int64
	RatingSum float64
	RatingN   int64
}

// Received is the number of cases to handle in the period.
func (r CaseStatRow) Received() int64 { return r.Online + r.InPerson + r.Carried }

// Resolved is the number of cases finished in the period.
func (r CaseStatRow) Resolved() int64 { return r.Early + r.OnTime + r.Late }

// OnTimeRate is (early + on time) / resolved, or 0.
func (r CaseStatRow) OnTimeRate() float64 {
	if r.Resolved() == 0 {
		return 0
	}
	return float64(r.Early+r.OnTime) / float64(r.Resolved())
}

// CaseStatsInput is everything the case statistics workbook shows.
type CaseStatsInput struct {
	From, To    time.Time // [From, To)
	ScopeName   string    // "Toàn tỉnh" or the agency's name
	GeneratedAt time.Time
	Issuer      Issuer
	ByAgency    []CaseStatRow
	ByField     []CaseStatRow
}

// Sheet names of the case statistics workbook.
const (
	StatsAgencySheet = "Theo cơ quan"
	StatsFieldSheet  = "Theo lĩnh vực"
	StatsChartSheet  = "Biểu đồ"
	StatsFirstRow    = 12
)

// KindName is the Vietnamese name of a case kind.
func KindName(k cds.Kind) string {
	switch k {
	case cds.KindFeedback:
		return "Phản ánh, kiến nghị"
	case cds.KindApplication:
		return "Hồ sơ thủ tục hành chính"
	}
	return string(k)
}

// CaseStats builds the statistics workbook: per agency, per field, and a
// chart of the on-time rate per agency.
func CaseStats(in CaseStatsInput) ([]byte, error) {
	if in.Issuer == (Issuer{}) {
		in.Issuer = DefaultIssuer
	}
	f, st, err := newDocument(StatsAgencySheet)
	if err != nil {
		return nil, err
	}
	period := fmt.Sprintf("(Kỳ báo cáo: từ ngày %s đến ngày %s; phạm vi: %s)", in.From.In(vn()).Format("02/01/2006"),
		in.To.Add(-time.Second).In(vn()).Format("02/01/2006"), in.ScopeName)
	if err := statsSheet(f, st, in, StatsAgencySheet, "Cơ quan", in.ByAgency, period); err != nil {
		return nil, err
	}
	if _, err := f.NewSheet(StatsFieldSheet); err != nil {
		return nil, err
	}
	if err := statsSheet(f, st, in, StatsFieldSheet, "Lĩnh vực", in.ByField, period); err != nil {
		return nil, err
	}
	if err := chartSheet(f, st, in); err != nil {
		return nil, err
	}
	f.SetActiveSheet(0)
	return finish(f)
}

func statsSheet(f *excelize.File, st *styles, in CaseStatsInput, sh, groupLabel string, rows []CaseStatRow, period string) error {
	const last = 18
	title := "TÌNH HÌNH, KẾT QUẢ TIẾP NHẬN, GIẢI QUYẾT PHẢN ÁNH KIẾN NGHỊ VÀ HỒ SƠ THỦ TỤC HÀNH CHÍNH"
	if err := headerBlock(f, st, sh, last, 10, in.Issuer, in.GeneratedAt, title, period); err != nil {
		return err
	}
	// Two header rows (groups, then columns) and a column-number row, as in Biểu 06.
	groups := []struct {
		c1, c2 int
		text   string
	}{
		{1, 1, "STT"}, {2, 2, "Mã"}, {3, 3, groupLabel}, {4, 4, "Loại"},
		{5, 8, "Số tiếp nhận"}, {9, 12, "Số đã giải quyết"}, {13, 15, "Số đang giải quyết"},
		{16, 16, "Tỷ lệ giải quyết đúng hạn (%)"}, {17, 17, "Thời gian xử lý trung bình (giờ làm việc)"}, {18, 18, "Mức độ hài lòng trung bình (1–5)"},
	}
	for _, g := range groups {
		if err := f.SetCellValue(sh, cell(g.c1, 9), g.text); err != nil {
			return err
		}
		c2row := 9
		if g.c1 == g.c2 {
			c2row = 10 // single columns span both header rows
		}
		if err := f.MergeCell(sh, cell(g.c1, 9), cell(g.c2, c2row)); err != nil {
			return err
		}
	}
	sub := map[int]string{5: "Tổng số", 6: "Trực tuyến", 7: "Trực tiếp", 8: "Kỳ trước chuyển sang",
		9: "Tổng số", 10: "Trước hạn", 11: "Đúng hạn", 12: "Quá hạn", 13: "Tổng số", 14: "Trong hạn", 15: "Quá hạn"}
	for c, t := range sub {
		if err := f.SetCellValue(sh, cell(c, 10), t); err != nil {
			return err
		}
	}
	for c := 1; c <= last; c++ {
		if err := f.SetCellValue(sh, cell(c, 11), fmt.Sprintf("(%d)", c)); err != nil {
			return err
		}
	}
	if err := f.SetCellStyle(sh, cell(1, 9), cell(last, 11), st.header); err != nil {
		return err
	}
	if err := f.SetRowHeight(sh, 10, 48); err != nil {
		return err
	}
	r := StatsFirstRow
	var tot CaseStatRow
	for i, row := range rows {
		vals := map[int]any{1: i + 1, 2: row.Group, 3: row.GroupName, 4: KindName(row.Kind),
			6: row.Online, 7: row.InPerson, 8: row.Carried, 10: row.Early, 11: row.OnTime, 12: row.Late, 14: row.WithinDeadline, 15: row.Overdue}
		if row.HoursN > 0 {
			vals[17] = row.HoursSum / float64(row.HoursN)
		}
		if row.RatingN > 0 {
			vals[18] = row.RatingSum / float64(row.RatingN)
		}
		for c, v := range vals {
			if err := f.SetCellValue(sh, cell(c, r), v); err != nil {
				return err
			}
		}
		if err := rowFormulas(f, sh, r); err != nil {
			return err
		}
		if err := styleStatsRow(f, st, sh, r, false); err != nil {
			return err
		}
		tot.HoursSum += row.HoursSum
		tot.HoursN += row.HoursN
		tot.RatingSum += row.RatingSum
		tot.RatingN += row.RatingN
		r++
	}
	// Totals row: sums as formulas; the averages are weighted, so computed here.
	if err := f.MergeCell(sh, cell(1, r), cell(4, r)); err != nil {
		return err
	}
	if err := f.SetCellValue(sh, cell(1, r), "TỔNG CỘNG"); err != nil {
		return err
	}
	for _, c := range []int{6, 7, 8, 10, 11, 12, 14, 15} {
		formula := "0"
		if r > StatsFirstRow {
			formula = fmt.Sprintf("SUM(%s%d:%s%d)", colName(c), StatsFirstRow, colName(c), r-1)
		}
		if err := f.SetCellFormula(sh, cell(c, r), formula); err != nil {
			return err
		}
	}
	if err := rowFormulas(f, sh, r); err != nil {
		return err
	}
	if tot.HoursN > 0 {
		if err := f.SetCellValue(sh, cell(17, r), tot.HoursSum/float64(tot.HoursN)); err != nil {
			return err
		}
	}
	if tot.RatingN > 0 {
		if err := f.SetCellValue(sh, cell(18, r), tot.RatingSum/float64(tot.RatingN)); err != nil {
			return err
		}
	}
	if err := styleStatsRow(f, st, sh, r, true); err != nil {
		return err
	}
	widths := []float64{6, 14, 32, 16, 10, 10, 10, 11, 10, 10, 10, 10, 10, 10, 10, 12, 13, 12}
	for i, w := range widths {
		if err := f.SetColWidth(sh, colName(i+1), colName(i+1), w); err != nil {
			return err
		}
	}
	if err := freezeBelow(f, sh, StatsFirstRow); err != nil {
		return err
	}
	return printSetup(f, sh, "$9:$11")
}

// rowFormulas writes the totals and the on-time rate of row r.
func rowFormulas(f *excelize.File, sh string, r int) error {
	fs := map[int]string{
		5:  fmt.Sprintf("SUM(F%d:H%d)", r, r),
		9:  fmt.Sprintf("SUM(J%d:L%d)", r, r),
		13: fmt.Sprintf("SUM(N%d:O%d)", r, r),
		16: fmt.Sprintf(`IF(I%d>0,(J%d+K%d)/I%d,"")`, r, r, r, r),
	}
	for _, c := range []int{5, 9, 13, 16} {
		if err := f.SetCellFormula(sh, cell(c, r), fs[c]); err != nil {
			return err
		}
	}
	return nil
}

func styleStatsRow(f *excelize.File, st *styles, sh string, r int, total bool) error {
	spans := []struct{ c1, c2, s int }{{1, 1, st.totalLabel}, {2, 4, st.textWrap}, {5, 15, st.int_}, {16, 16, st.pct}, {17, 18, st.dec}}
	if total {
		spans = []struct{ c1, c2, s int }{{1, 4, st.totalLabel}, {5, 15, st.totalInt}, {16, 16, st.totalPct}, {17, 18, st.totalDec}}
	}
	for _, s := range spans {
		if err := f.SetCellStyle(sh, cell(s.c1, r), cell(s.c2, r), s.s); err != nil {
			return err
		}
	}
	return nil
}

// AgencyOnTime is one bar of the chart: an agency's on-time rate over both kinds.
type AgencyOnTime struct {
	Code, Name string
	Resolved   int64
	Rate       float64
}

// OnTimeByAgency merges the per-agency rows of both kinds, sorted by code.
func OnTimeByAgency(rows []CaseStatRow) []AgencyOnTime {
	m := map[string]*CaseStatRow{}
	var codes []string
	for _, r := range rows {
		x, ok := m[r.Group]
		if !ok {
			x = &CaseStatRow{Group: r.Group, GroupName: r.GroupName}
			m[r.Group] = x
			codes = append(codes, r.Group)
		}
		x.Early += r.Early
		x.OnTime += r.OnTime
		x.Late += r.Late
	}
	sort.Strings(codes)
	out := make([]AgencyOnTime, 0, len(codes))
	for _, c := range codes {
		x := m[c]
		out = append(out, AgencyOnTime{Code: c, Name: x.GroupName, Resolved: x.Resolved(), Rate: x.OnTimeRate()})
	}
	return out
}

func chartSheet(f *excelize.File, st *styles, in CaseStatsInput) error {
	sh := StatsChartSheet
	if _, err := f.NewSheet(sh); err != nil {
		return err
	}
	for i, h := range []string{"Cơ quan", "Số đã giải quyết", "Tỷ lệ đúng hạn (%)"} {
		if err := f.SetCellValue(sh, cell(i+1, 1), h); err != nil {
			return err
		}
	}
	if err := f.SetCellStyle(sh, "A1", "C1", st.header); err != nil {
		return err
	}
	data := OnTimeByAgency(in.ByAgency)
	for i, a := range data {
		r := i + 2
		for c, v := range []any{a.Name, a.Resolved, a.Rate} {
			if err := f.SetCellValue(sh, cell(c+1, r), v); err != nil {
				return err
			}
		}
		if err := f.SetCellStyle(sh, cell(1, r), cell(1, r), st.textWrap); err != nil {
			return err
		}
		if err := f.SetCellStyle(sh, cell(2, r), cell(2, r), st.int_); err != nil {
			return err
		}
		if err := f.SetCellStyle(sh, cell(3, r), cell(3, r), st.pct); err != nil {
			return err
		}
	}
	for i, w := range []float64{34, 14, 14} {
		if err := f.SetColWidth(sh, colName(i+1), colName(i+1), w); err != nil {
			return err
		}
	}
	if len(data) == 0 {
		return f.SetCellValue(sh, "A2", "Không có hồ sơ, phản ánh được giải quyết trong kỳ")
	}
	last := len(data) + 1
	max1, min0 := 1.0, 0.0
	return f.AddChart(sh, "E2", &excelize.Chart{
		Type: excelize.Bar,
		Series: []excelize.ChartSeries{{
			Name:       fmt.Sprintf("'%s'!$C$1", sh),
			Categories: fmt.Sprintf("'%s'!$A$2:$A$%d", sh, last),
			Values:     fmt.Sprintf("'%s'!$C$2:$C$%d", sh, last),
		}},
		Title:     excelize.ChartTitle{Paragraph: []excelize.RichTextRun{{Text: "Tỷ lệ giải quyết đúng hạn theo cơ quan", Font: &excelize.Font{Family: Font, Bold: true}}}},
		Legend:    excelize.ChartLegend{Position: "none"},
		Dimension: excelize.ChartDimension{Width: 720, Height: uint(120 + 28*len(data))},
		XAxis:     excelize.ChartAxis{Font: excelize.Font{Family: Font}},
		YAxis:     excelize.ChartAxis{Font: excelize.Font{Family: Font}, Maximum: &max1, Minimum: &min0, NumFmt: excelize.ChartNumFmt{CustomNumFmt: "0%"}},
		PlotArea:  excelize.ChartPlotArea{ShowVal: true, NumFmt: excelize.ChartNumFmt{CustomNumFmt: "0.0%"}},
	})
}

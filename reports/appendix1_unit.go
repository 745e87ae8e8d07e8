package reports

import (
	"fmt"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	cds "github.com/caobang/congdanso"
)

// The lines of Phụ lục I in seed 000, word for word and in order (the title,
// split over two lines in the seed, is one line here). docs/appendix-1.md
// maps each to its cell; the tests read the lines from the seed itself.
const (
	TplAppendix    = "Phụ lục I"
	TplTitle       = "MẪU BÁO CÁO KẾT QUẢ TRIỂN KHAI THỰC HIỆN CÀI ĐẶT ỨNG DỤNG CÔNG DÂN SỐ CAO BẰNG"
	TplSectionI    = "I. Công tác chỉ đạo, thực hiện"
	TplPlan        = "- Thực hiện Kế hoạch số: /KH-UBND ngày..... /.../2024 của UBND tỉnh Cao Bằng về việc Đẩy mạnh việc cài đặt và sử dụng Nền tảng Công dân số Cao Bằng"
	TplDocument    = "[Tên đơn vị].....đã triển khai văn bản số ....."
	TplForms       = "- Các hình thức tổ chức thực hiện như trực tiếp, trực tuyến, lồng ghép hội nghị..."
	TplSectionII   = "II. Kết quả đạt được"
	TplIntroII     = "Nêu những kết quả đã đạt được, trong đó thể hiện được các nội dung sau:"
	TplTotal       = "- Tổng số công chức, viên chức:"
	TplInstalled   = "- Số công chức, viên chức đã cài đặt ứng Công dân số Cao Bằng:"
	TplCitizens    = "- Số người dân đã cài đặt ứng dụng Công dân số Cao Bằng (đối với UBND các huyện, thành phố):"
	TplTrainings   = "- Số lượng các cuộc tập huấn, hướng dẫn sử dụng (đối với UBND các huyện, thành phố):"
	TplMaterials   = "- Số lượng các tài liệu tuyên truyền được dán tại bộ phận tiếp nhận thủ tục hành chính, bộ phận một cửa, các điểm giao dịch bưu chính, viễn thông, nhà văn hoá thôn, xóm."
	TplSectionIII  = "III. Thuận lợi, khó khăn"
	TplAdvantages  = "1. Thuận lợi"
	TplDifficulty  = "2. Khó khăn"
	TplProposals   = "3. Đề xuất"
	PlatformHeader = "PHẦN SỐ LIỆU DO NỀN TẢNG CÔNG DÂN SỐ CAO BẰNG BỔ SUNG (không thuộc mẫu Phụ lục I)"
)

// unitWidths are the per-unit sheet's columns: the template text in A–D, the
// unit's value in E–F. Portrait A4.
var unitWidths = []float64{6, 22, 22, 22, 17, 17}

// Rows of the per-unit sheet (docs/appendix-1.md).
const (
	UnitRowAppendix   = 5
	UnitRowTitle      = 6
	UnitRowSectionI   = 9
	UnitRowPlan       = 10
	UnitRowSectionII  = 13
	UnitRowTotal      = 15
	UnitRowSectionIII = 20
	UnitRowPlatform   = 28
)

// UnitIssuer is the issuing-unit block of a unit's own report (Decree
// 30/2020, Phụ lục I, mục II.2): a commune's is "ỦY BAN NHÂN DÂN / XÃ …" with
// its own name; a department's names the provincial People's Committee above it.
func UnitIssuer(u Unit) Issuer {
	name := strings.ToUpper(u.Name)
	switch u.Type {
	case cds.AgencyCommune:
		return Issuer{Superior: "ỦY BAN NHÂN DÂN", Name: name}
	case cds.AgencyDistrict:
		return Issuer{Superior: "ỦY BAN NHÂN DÂN", Name: strings.TrimSpace(strings.TrimPrefix(name, "ỦY BAN NHÂN DÂN"))}
	case cds.AgencyDepartment, cds.AgencyProvince:
		return Issuer{Superior: "UBND TỈNH CAO BẰNG", Name: name}
	}
	return Issuer{Name: name}
}

// UnitPlace is the place name of the place-and-date line: a commune's own
// name, "Cao Bằng" for provincial bodies.
func UnitPlace(u Unit) string {
	if u.Type == cds.AgencyCommune {
		for _, p := range []string{"Phường ", "Xã "} {
			if strings.HasPrefix(u.Name, p) {
				return strings.TrimPrefix(u.Name, p)
			}
		}
	}
	return "Cao Bằng"
}

// unitSymbol is the abbreviation after "BC-" in the số/ký hiệu line.
func unitSymbol(u Unit) string {
	if u.Type == cds.AgencyCommune || u.Type == cds.AgencyDistrict {
		return "UBND"
	}
	return strings.ReplaceAll(u.Code, "-", "")
}

// signature is the signing authority block.
func signature(u Unit) (string, string) {
	switch u.Type {
	case cds.AgencyCommune, cds.AgencyDistrict:
		return "TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"
	case cds.AgencyDepartment:
		if strings.HasPrefix(u.Name, "Sở ") {
			return "GIÁM ĐỐC", ""
		}
	}
	return "THỦ TRƯỞNG ĐƠN VỊ", ""
}

// placeDate is "Hòa An, ngày 5 tháng 3 năm 2025".
func placeDate(place string, t time.Time) string {
	t = t.In(cds.VietnamTZ)
	return fmt.Sprintf("%s, ngày %d tháng %d năm %d", place, t.Day(), int(t.Month()), t.Year())
}

// sheetWriter writes merged, styled, height-fitted cells on one sheet.
type sheetWriter struct {
	f      *excelize.File
	sh     string
	widths []float64
	err    error
}

// put merges c1..c2 on row, writes v with style and fits the row height to
// the text at size pt (0: no fitting).
func (w *sheetWriter) put(c1, c2, row int, v any, style int, pt float64) {
	if w.err != nil {
		return
	}
	if c2 > c1 {
		if w.err = w.f.MergeCell(w.sh, cell(c1, row), cell(c2, row)); w.err != nil {
			return
		}
	}
	if v != nil {
		if w.err = w.f.SetCellValue(w.sh, cell(c1, row), v); w.err != nil {
			return
		}
	}
	if w.err = w.f.SetCellStyle(w.sh, cell(c1, row), cell(c2, row), style); w.err != nil {
		return
	}
	if s, ok := v.(string); ok && pt > 0 {
		w.err = fitRow(w.f, w.sh, row, s, widthOf(w.widths, c1, c2)-1, pt)
	}
}

func (w *sheetWriter) formula(col, row int, fml string, style int) {
	if w.err == nil {
		w.err = w.f.SetCellFormula(w.sh, cell(col, row), fml)
	}
	if w.err == nil {
		w.err = w.f.SetCellStyle(w.sh, cell(col, row), cell(col, row), style)
	}
}

// documentHeader writes the Decree 30 header: issuer and số/ký hiệu at left,
// national title, motto and place-and-date at right, over lastCol columns.
func (w *sheetWriter) documentHeader(st *styles, is Issuer, number, place string, at time.Time, lastCol, split int) {
	w.issuerAndNation(st, is, lastCol, split, true)
	w.put(1, split-1, 3, number, st.issuerTop, 12)
	w.put(split, lastCol, 3, placeDate(place, at), st.placeDate, 13)
}

// issuerAndNation writes rows 1–2 of the Decree 30 header: the issuing unit
// (its superior, then its own name in bold) at left (A..split-1), the
// national title and motto at right (split..lastCol). fit raises the rows
// to their texts (the Phụ lục I sheets, whose unit names run long).
func (w *sheetWriter) issuerAndNation(st *styles, is Issuer, lastCol, split int, fit bool) {
	pt := func(p float64) float64 {
		if fit {
			return p
		}
		return 0
	}
	w.put(1, split-1, 1, is.Superior, st.issuerTop, pt(12))
	w.put(1, split-1, 2, is.Name, st.issuerBold, pt(12))
	w.put(split, lastCol, 1, NationalTitle, st.national, pt(12))
	w.put(split, lastCol, 2, NationalMotto, st.motto, pt(13))
}

// documentFooter writes "Nơi nhận" at left and the signature block at right
// from row r; it returns the next free row.
func (w *sheetWriter) documentFooter(st *styles, r, split, lastCol int, recipients []string, sign1, sign2 string) int {
	w.put(1, split-1, r, "Nơi nhận:", st.recipientsHead, 12)
	w.put(split, lastCol, r, sign1, st.issuerBold, 12)
	if sign2 != "" {
		w.put(split, lastCol, r+1, sign2, st.issuerBold, 12)
	}
	for i, rc := range recipients {
		w.put(1, split-1, r+1+i, rc, st.recipients, 11)
	}
	last := r + 1 + len(recipients)
	w.put(split, lastCol, last+3, "(Ký, ghi rõ họ tên, đóng dấu)", st.subtitle, 12)
	return last + 5
}

// Recipients of a unit's report (Nơi nhận).
var unitRecipients = []string{"- Sở Khoa học và Công nghệ (tổng hợp);", "- Ban Chỉ đạo chuyển đổi số tỉnh;", "- Lưu: VT."}

func unitSheet(f *excelize.File, st *styles, in Appendix1Input, u UnitReport) error {
	sh := SheetName(u.Unit.Code)
	if _, err := f.NewSheet(sh); err != nil {
		return err
	}
	w := &sheetWriter{f: f, sh: sh, widths: unitWidths}
	d := u.Data
	w.documentHeader(st, UnitIssuer(u.Unit), "Số:        /BC-"+unitSymbol(u.Unit), UnitPlace(u.Unit), u.SubmittedAt, 6, 4)
	w.put(1, 6, UnitRowAppendix, TplAppendix, st.subtitle, 12)
	w.put(1, 6, UnitRowTitle, TplTitle, st.title, 14)
	late := ""
	if u.Late {
		late = ", nộp muộn"
	}
	w.put(1, 6, UnitRowTitle+1, fmt.Sprintf("(%s; phiên bản %d, nộp lúc %s%s)", in.CampaignTitle, u.Version, u.SubmittedAt.In(vn()).Format("15:04 02/01/2006"), late), st.subtitle, 12)

	dots := func(s string) string {
		if strings.TrimSpace(s) == "" {
			return "....."
		}
		return s
	}
	num := func(p *int64) any {
		if p == nil {
			return "....."
		}
		return *p
	}
	forms := d.FormsText()
	if d.FormsNote != "" {
		forms = strings.TrimSpace(forms + "; " + d.FormsNote)
	}
	w.put(1, 6, UnitRowSectionI, TplSectionI, st.section, 13)
	tplRow := func(r int, label string, v any) {
		w.put(1, 4, r, label, st.label, 12)
		style := st.value
		if _, ok := v.(int64); ok {
			style = st.valueInt
		}
		w.put(5, 6, r, v, style, 12)
	}
	tplRow(UnitRowPlan, TplPlan, dots(d.PlanNumber))
	tplRow(UnitRowPlan+1, TplDocument, u.Unit.Name+" đã triển khai văn bản số "+dots(d.DocumentNumber))
	tplRow(UnitRowPlan+2, TplForms, dots(forms))
	w.put(1, 6, UnitRowSectionII, TplSectionII, st.section, 13)
	w.put(1, 6, UnitRowSectionII+1, TplIntroII, st.label, 12)
	citizens := any("Không áp dụng")
	if u.Unit.Type == cds.AgencyCommune || u.Unit.Type == cds.AgencyDistrict {
		citizens = num(d.CitizensInstalled)
	}
	tplRow(UnitRowTotal, TplTotal, num(d.TotalOfficials))
	tplRow(UnitRowTotal+1, TplInstalled, num(d.OfficialsInstalled))
	tplRow(UnitRowTotal+2, TplCitizens, citizens)
	tplRow(UnitRowTotal+3, TplTrainings, num(d.Trainings))
	tplRow(UnitRowTotal+4, TplMaterials, num(d.Materials))
	w.put(1, 6, UnitRowSectionIII, TplSectionIII, st.section, 13)
	r := UnitRowSectionIII + 1
	for _, p := range []struct{ head, text string }{{TplAdvantages, d.Advantages}, {TplDifficulty, d.Difficulties}, {TplProposals, d.Proposals}} {
		w.put(1, 6, r, p.head, st.subsection, 12)
		w.put(1, 6, r+1, dots(p.text), st.label, 12)
		r += 2
	}

	// The platform's figures: a separate, boxed block, marked as not part of the template.
	r = UnitRowPlatform
	w.put(1, 6, r, PlatformHeader, st.platformHead, 12)
	source := map[string]string{"closed": "chốt khi kết thúc đợt báo cáo", "submitted": "chốt khi đơn vị nộp báo cáo", "live": "tạm tính, chưa chốt"}[u.CountedSource]
	plat := []struct {
		label string
		v     any
	}{
		{"Số liệu tính đến ngày", fmt.Sprintf("%s (%s)", u.CountedAsOf.In(vn()).Format("15:04 02/01/2006"), source)},
		{"Số tài khoản công chức, viên chức đã được đơn vị xác nhận trên nền tảng", u.Counted.OfficialsRegistered},
	}
	if u.Unit.Type == cds.AgencyCommune {
		plat = append(plat, struct {
			label string
			v     any
		}{"Số tài khoản người dân đăng ký trên nền tảng (trên địa bàn)", u.Counted.CitizensRegistered}, struct {
			label string
			v     any
		}{"Số tài khoản doanh nghiệp đăng ký trên nền tảng (trên địa bàn)", u.Counted.Businesses})
	}
	plat = append(plat, struct {
		label string
		v     any
	}{"Số tài khoản đăng nhập trong 30 ngày trước ngày tính số liệu", u.Counted.Active30d})
	var flags []string
	for _, fl := range Flags(u.Unit.Type, d, u.Counted) {
		flags = append(flags, fl.Message)
	}
	flagText := "Không có chênh lệch"
	if len(flags) > 0 {
		flagText = strings.Join(flags, "; ")
	}
	for i, p := range plat {
		w.put(1, 4, r+1+i, p.label, st.platformLabel, 12)
		style := st.platformValue
		if _, ok := p.v.(int64); ok {
			style = st.platformInt
		}
		w.put(5, 6, r+1+i, p.v, style, 12)
	}
	r += 1 + len(plat)
	w.put(1, 4, r, "Tỷ lệ công chức, viên chức đã cài đặt (theo số kê khai)", st.platformLabel, 12)
	w.formula(5, r, fmt.Sprintf(`IF(N(E%d)>0,E%d/E%d,"")`, UnitRowTotal, UnitRowTotal+1, UnitRowTotal), st.platformPct)
	w.put(6, 6, r, nil, st.platformPct, 0)
	if w.err == nil {
		w.err = f.MergeCell(sh, cell(5, r), cell(6, r))
	}
	r++
	flagStyle := st.platformValue
	if len(flags) > 0 {
		flagStyle = st.flag
	}
	w.put(1, 4, r, "Chênh lệch giữa số kê khai và số liệu nền tảng", st.platformLabel, 12)
	w.put(5, 6, r, flagText, flagStyle, 12)
	s1, s2 := signature(u.Unit)
	w.documentFooter(st, r+2, 4, 6, unitRecipients, s1, s2)
	if w.err != nil {
		return w.err
	}
	for i, wd := range unitWidths {
		if err := f.SetColWidth(sh, colName(i+1), colName(i+1), wd); err != nil {
			return err
		}
	}
	return printSetupOriented(f, sh, "", "portrait")
}

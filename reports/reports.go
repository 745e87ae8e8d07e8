// Package reports builds the steering committee's spreadsheets with excelize:
// rows in, workbook bytes out. It imports only the root package, so the
// builders are tested without a database.
//
// The layout follows Vietnamese administrative documents (Decree 30/2020/NĐ-CP):
// Times New Roman, the issuing unit at top left, the national title block at
// top right, a place-and-date line, a bold centred title, numbered sections,
// totals rows, frozen headers and an A4 landscape print setup.
package reports

import (
	"fmt"
	"time"

	"github.com/xuri/excelize/v2"

	cds "github.com/caobang/congdanso"
)

// DateTimeFormat is the Vietnamese day-first date-time number format.
const DateTimeFormat = "dd/mm/yyyy hh:mm"

// Font is the typeface of every workbook.
const Font = "Times New Roman"

// National title block (Quốc hiệu, Tiêu ngữ).
const (
	NationalTitle = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
	NationalMotto = "Độc lập - Tự do - Hạnh phúc"
)

// Issuer is the unit that issues a document: its superior body and its own name.
type Issuer struct {
	Superior string // e.g. "UBND TỈNH CAO BẰNG"
	Name     string // e.g. "SỞ KHOA HỌC VÀ CÔNG NGHỆ"
}

// DefaultIssuer is the department that merges the Appendix I reports (the
// former Sở Thông tin và Truyền thông, merged into Sở Khoa học và Công nghệ in 2025).
var DefaultIssuer = Issuer{Superior: "UBND TỈNH CAO BẰNG", Name: "SỞ KHOA HỌC VÀ CÔNG NGHỆ"}

// PlaceDate is the place-and-date line: "Cao Bằng, ngày 5 tháng 3 năm 2025".
func PlaceDate(t time.Time) string {
	t = t.In(cds.VietnamTZ)
	return fmt.Sprintf("Cao Bằng, ngày %d tháng %d năm %d", t.Day(), int(t.Month()), t.Year())
}

// styles are the shared cell styles of one workbook.
type styles struct {
	issuerTop, issuerBold, national, motto, placeDate, title, subtitle                         int
	header, text, textWrap, int_, pct, dec, dateTime, totalLabel, totalInt, totalPct, totalDec int
	section, flag, label                                                                       int
	// Phụ lục I per the template and Decree 30/2020.
	recipientsHead, recipients, value, valueInt, subsection                        int
	platformHead, platformLabel, platformValue, platformInt, platformPct, groupRow int
}

func border() []excelize.Border {
	return []excelize.Border{
		{Type: "left", Color: "000000", Style: 1}, {Type: "right", Color: "000000", Style: 1},
		{Type: "top", Color: "000000", Style: 1}, {Type: "bottom", Color: "000000", Style: 1},
	}
}

func newStyles(f *excelize.File) (*styles, error) {
	var firstErr error
	mk := func(s *excelize.Style) int {
		if s.Font == nil {
			s.Font = &excelize.Font{}
		}
		s.Font.Family = Font
		if s.Font.Size == 0 {
			s.Font.Size = 12
		}
		id, err := f.NewStyle(s)
		if err != nil && firstErr == nil {
			firstErr = err
		}
		return id
	}
	center := &excelize.Alignment{Horizontal: "center", Vertical: "center", WrapText: true}
	left := &excelize.Alignment{Horizontal: "left", Vertical: "center", WrapText: true}
	right := &excelize.Alignment{Horizontal: "right", Vertical: "center"}
	pctFmt := "0.0%"
	decFmt := "#,##0.0"
	dtFmt := DateTimeFormat
	st := &styles{
		issuerTop:  mk(&excelize.Style{Alignment: center}),
		issuerBold: mk(&excelize.Style{Font: &excelize.Font{Bold: true}, Alignment: center}),
		national:   mk(&excelize.Style{Font: &excelize.Font{Bold: true}, Alignment: center}),
		motto:      mk(&excelize.Style{Font: &excelize.Font{Bold: true, Size: 13}, Alignment: center}),
		placeDate:  mk(&excelize.Style{Font: &excelize.Font{Italic: true, Size: 13}, Alignment: center}),
		title:      mk(&excelize.Style{Font: &excelize.Font{Bold: true, Size: 14}, Alignment: center}),
		subtitle:   mk(&excelize.Style{Font: &excelize.Font{Italic: true}, Alignment: center}),
		header:     mk(&excelize.Style{Font: &excelize.Font{Bold: true}, Alignment: center, Border: border(), Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"D9E1F2"}}}),
		text:       mk(&excelize.Style{Alignment: &excelize.Alignment{Vertical: "center"}, Border: border()}),
		textWrap:   mk(&excelize.Style{Alignment: left, Border: border()}),
		int_:       mk(&excelize.Style{NumFmt: 3, Alignment: right, Border: border()}), // #,##0
		pct:        mk(&excelize.Style{CustomNumFmt: &pctFmt, Alignment: right, Border: border()}),
		dec:        mk(&excelize.Style{CustomNumFmt: &decFmt, Alignment: right, Border: border()}),
		dateTime:   mk(&excelize.Style{CustomNumFmt: &dtFmt, Alignment: center, Border: border()}),
		totalLabel: mk(&excelize.Style{Font: &excelize.Font{Bold: true}, Alignment: center, Border: border()}),
		totalInt:   mk(&excelize.Style{Font: &excelize.Font{Bold: true}, NumFmt: 3, Alignment: right, Border: border()}),
		totalPct:   mk(&excelize.Style{Font: &excelize.Font{Bold: true}, CustomNumFmt: &pctFmt, Alignment: right, Border: border()}),
		totalDec:   mk(&excelize.Style{Font: &excelize.Font{Bold: true}, CustomNumFmt: &decFmt, Alignment: right, Border: border()}),
		section:    mk(&excelize.Style{Font: &excelize.Font{Bold: true, Size: 13}, Alignment: &excelize.Alignment{Vertical: "center"}}),
		flag:       mk(&excelize.Style{Font: &excelize.Font{Color: "C00000", Bold: true}, Alignment: left, Border: border(), Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"FCE4D6"}}}),
		label:      mk(&excelize.Style{Alignment: left}),
	}
	plat := excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"EDEDED"}}
	st.recipientsHead = mk(&excelize.Style{Font: &excelize.Font{Bold: true, Italic: true}, Alignment: &excelize.Alignment{Horizontal: "left", Vertical: "top"}})
	st.recipients = mk(&excelize.Style{Font: &excelize.Font{Size: 11}, Alignment: &excelize.Alignment{Horizontal: "left", Vertical: "top", WrapText: true}})
	st.value = mk(&excelize.Style{Font: &excelize.Font{Bold: true}, Alignment: left})
	st.valueInt = mk(&excelize.Style{Font: &excelize.Font{Bold: true}, NumFmt: 3, Alignment: &excelize.Alignment{Horizontal: "left", Vertical: "center"}})
	st.subsection = mk(&excelize.Style{Font: &excelize.Font{Bold: true}, Alignment: left})
	st.platformHead = mk(&excelize.Style{Font: &excelize.Font{Bold: true}, Alignment: center, Border: border(), Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"D9D9D9"}}})
	st.platformLabel = mk(&excelize.Style{Alignment: left, Border: border(), Fill: plat})
	st.platformValue = mk(&excelize.Style{Alignment: left, Border: border(), Fill: plat})
	st.platformInt = mk(&excelize.Style{NumFmt: 3, Alignment: right, Border: border(), Fill: plat})
	st.platformPct = mk(&excelize.Style{CustomNumFmt: &pctFmt, Alignment: right, Border: border(), Fill: plat})
	st.groupRow = mk(&excelize.Style{Font: &excelize.Font{Bold: true}, Alignment: left, Border: border(), Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"F2F2F2"}}})
	return st, firstErr
}

// newWorkbook creates a file whose default font is Times New Roman.
func newWorkbook() (*excelize.File, *styles, error) {
	f := excelize.NewFile()
	if err := f.SetDefaultFont(Font); err != nil {
		return nil, nil, err
	}
	st, err := newStyles(f)
	if err != nil {
		return nil, nil, err
	}
	return f, st, nil
}

// newDocument creates a workbook (newWorkbook) whose first sheet is named
// first.
func newDocument(first string) (*excelize.File, *styles, error) {
	f, st, err := newWorkbook()
	if err != nil {
		return nil, nil, err
	}
	if err := f.SetSheetName("Sheet1", first); err != nil {
		f.Close()
		return nil, nil, err
	}
	return f, st, nil
}

// headerBlock writes rows 1–4 of a document sheet across columns A..lastCol:
// the issuing unit at left (A..split-1), the national title block at right
// (split..lastCol), and the place-and-date line under it. It then writes the
// bold centred title on row 6 and the subtitle on row 7.
func headerBlock(f *excelize.File, st *styles, sheet string, lastCol, split int, is Issuer, at time.Time, title, subtitle string) error {
	w := &sheetWriter{f: f, sh: sheet}
	w.issuerAndNation(st, is, lastCol, split, false)
	w.put(split, lastCol, 4, PlaceDate(at), st.placeDate, 0)
	w.put(1, lastCol, 6, title, st.title, 0)
	if subtitle != "" {
		w.put(1, lastCol, 7, subtitle, st.subtitle, 0)
	}
	if w.err != nil {
		return w.err
	}
	return f.SetRowHeight(sheet, 6, 36)
}

// tableHeader writes a table's column headings on row, in the header style,
// with the row's height.
func tableHeader(f *excelize.File, st *styles, sheet string, row int, headings []string, height float64) error {
	for i, h := range headings {
		if err := f.SetCellValue(sheet, cell(i+1, row), h); err != nil {
			return err
		}
	}
	if err := f.SetCellStyle(sheet, cell(1, row), cell(len(headings), row), st.header); err != nil {
		return err
	}
	return f.SetRowHeight(sheet, row, height)
}

// printSetup sets A4 landscape, fit to one page wide, and repeats rows
// titleRows (e.g. "$9:$10") on every printed page.
func printSetup(f *excelize.File, sheet, titleRows string) error {
	return printSetupOriented(f, sheet, titleRows, "landscape")
}

// printSetupOriented is printSetup with the orientation ("portrait" or "landscape").
func printSetupOriented(f *excelize.File, sheet, titleRows, orient string) error {
	size, fitW, fitH := 9, 1, 0 // 9 = A4
	if err := f.SetPageLayout(sheet, &excelize.PageLayoutOptions{Size: &size, Orientation: &orient, FitToWidth: &fitW, FitToHeight: &fitH}); err != nil {
		return err
	}
	fit := true
	if err := f.SetSheetProps(sheet, &excelize.SheetPropsOptions{FitToPage: &fit}); err != nil {
		return err
	}
	m := 0.5
	if err := f.SetPageMargins(sheet, &excelize.PageLayoutMarginsOptions{Left: &m, Right: &m, Top: &m, Bottom: &m}); err != nil {
		return err
	}
	if titleRows == "" {
		return nil
	}
	return f.SetDefinedName(&excelize.DefinedName{Name: "_xlnm.Print_Titles", RefersTo: "'" + sheet + "'!" + titleRows, Scope: sheet})
}

// freezeBelow freezes the rows above row (the header rows stay visible).
func freezeBelow(f *excelize.File, sheet string, row int) error {
	return f.SetPanes(sheet, &excelize.Panes{Freeze: true, YSplit: row - 1, TopLeftCell: fmt.Sprintf("A%d", row), ActivePane: "bottomLeft"})
}

// cell returns the A1 name of (col, row).
func cell(col, row int) string {
	n, _ := excelize.CoordinatesToCellName(col, row)
	return n
}

// colName returns the column letters of col.
func colName(col int) string {
	n, _ := excelize.ColumnNumberToName(col)
	return n
}

// finish writes the workbook to bytes.
func finish(f *excelize.File) ([]byte, error) {
	defer f.Close()
	buf, err := f.WriteToBuffer()
	if err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

package reports

import (
	"bufio"
	"io"
	"strconv"
	"time"

	"github.com/xuri/excelize/v2"

	cds "github.com/caobang/congdanso"
)

// CaseListRow is one case of the full case-list export. It carries no
// personal data of the citizen (no name, phone or ID number).
type CaseListRow struct {
	Code          string
	Kind          cds.Kind
	Title         string
	Field         string
	AgencyCode    string
	Status        string
	Channel       string
	ReceivedAt    time.Time
	DueAt         time.Time // zero when none
	FinishedAt    time.Time // zero while open
	Timeliness    string
	HandlingHours float64 // <0 when unknown
	Rating        int     // 0 when not rated
}

// CaseListHeader are the export's column titles.
var CaseListHeader = []string{"Mã hồ sơ", "Loại", "Tiêu đề", "Lĩnh vực", "Cơ quan xử lý", "Trạng thái", "Kênh tiếp nhận",
	"Thời điểm tiếp nhận", "Hạn xử lý", "Thời điểm hoàn thành", "Đánh giá thời hạn", "Thời gian xử lý (giờ làm việc)", "Mức hài lòng"}

// CaseListWriter writes a case list one row at a time; memory does not grow
// with the number of rows.
type CaseListWriter interface {
	Write(r CaseListRow) error
	// Close finishes the file and writes what is buffered to the underlying writer.
	Close() error
}

// CaseListSheet is the sheet name of the xlsx export.
const CaseListSheet = "Danh sách hồ sơ"

// maxXLSXRows is Excel's row limit minus the header.
const maxXLSXRows = 1_048_575

type xlsxList struct {
	w      io.Writer
	f      *excelize.File
	sw     *excelize.StreamWriter
	row    int
	date   int
	dec    int
	vals   []any
	cells  [3]excelize.Cell
	closed bool
}

// NewCaseListXLSX starts an xlsx case list on w using excelize's
// StreamWriter: rows go to a temporary buffer that spills to disk, so memory
// stays bounded; Close zips it to w.
func NewCaseListXLSX(w io.Writer) (CaseListWriter, error) {
	f := excelize.NewFile()
	if err := f.SetDefaultFont(Font); err != nil {
		return nil, err
	}
	if err := f.SetSheetName("Sheet1", CaseListSheet); err != nil {
		return nil, err
	}
	hdr, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true, Family: Font}, Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"D9E1F2"}},
		Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "center", WrapText: true}})
	if err != nil {
		return nil, err
	}
	dtFmt := DateTimeFormat
	date, err := f.NewStyle(&excelize.Style{CustomNumFmt: &dtFmt, Font: &excelize.Font{Family: Font}})
	if err != nil {
		return nil, err
	}
	decFmt := "#,##0.0"
	dec, err := f.NewStyle(&excelize.Style{CustomNumFmt: &decFmt, Font: &excelize.Font{Family: Font}})
	if err != nil {
		return nil, err
	}
	sw, err := f.NewStreamWriter(CaseListSheet)
	if err != nil {
		return nil, err
	}
	for i, wd := range []float64{20, 12, 40, 16, 14, 14, 12, 18, 18, 18, 12, 14, 10} {
		if err := sw.SetColWidth(i+1, i+1, wd); err != nil {
			return nil, err
		}
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return nil, err
	}
	h := make([]any, len(CaseListHeader))
	for i, s := range CaseListHeader {
		h[i] = excelize.Cell{StyleID: hdr, Value: s}
	}
	if err := sw.SetRow("A1", h, excelize.RowOpts{Height: 30}); err != nil {
		return nil, err
	}
	return &xlsxList{w: w, f: f, sw: sw, row: 1, date: date, dec: dec, vals: make([]any, len(CaseListHeader))}, nil
}

func (x *xlsxList) Write(r CaseListRow) error {
	if x.row > maxXLSXRows {
		return cds.Errorf(cds.ETOOLARGE, "Vượt quá số dòng tối đa của Excel, vui lòng dùng định dạng CSV.", "Too many rows for Excel; use CSV.")
	}
	x.row++
	v := x.vals
	v[0], v[1], v[2], v[3], v[4], v[5], v[6] = r.Code, string(r.Kind), r.Title, r.Field, r.AgencyCode, r.Status, r.Channel
	x.cells[0] = excelize.Cell{StyleID: x.date, Value: r.ReceivedAt.In(vn())}
	v[7] = x.cells[0]
	v[8], v[9] = nil, nil
	if !r.DueAt.IsZero() {
		x.cells[1] = excelize.Cell{StyleID: x.date, Value: r.DueAt.In(vn())}
		v[8] = x.cells[1]
	}
	if !r.FinishedAt.IsZero() {
		x.cells[2] = excelize.Cell{StyleID: x.date, Value: r.FinishedAt.In(vn())}
		v[9] = x.cells[2]
	}
	v[10] = r.Timeliness
	v[11], v[12] = nil, nil
	if r.HandlingHours >= 0 {
		v[11] = excelize.Cell{StyleID: x.dec, Value: r.HandlingHours}
	}
	if r.Rating > 0 {
		v[12] = r.Rating
	}
	cellName, err := excelize.CoordinatesToCellName(1, x.row)
	if err != nil {
		return err
	}
	return x.sw.SetRow(cellName, v)
}

func (x *xlsxList) Close() error {
	if x.closed {
		return nil
	}
	x.closed = true
	defer x.f.Close() // removes the stream's temporary files
	if err := x.sw.Flush(); err != nil {
		return err
	}
	_, err := x.f.WriteTo(x.w)
	return err
}

type csvList struct {
	bw  *bufio.Writer
	cw  *CSVWriter
	rec []string
}

// NewCaseListCSV starts a UTF-8 CSV case list (with a byte-order mark so
// that Excel shows Vietnamese diacritics).
func NewCaseListCSV(w io.Writer) (CaseListWriter, error) {
	bw := bufio.NewWriterSize(w, 64<<10)
	if _, err := bw.WriteString("\ufeff"); err != nil {
		return nil, err
	}
	cw := NewCSVWriter(bw)
	if err := cw.Write(CaseListHeader); err != nil {
		return nil, err
	}
	return &csvList{bw: bw, cw: cw, rec: make([]string, len(CaseListHeader))}, nil
}

func fmtTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(vn()).Format(time.RFC3339)
}

func (c *csvList) Write(r CaseListRow) error {
	x := c.rec
	x[0], x[1], x[2], x[3], x[4], x[5], x[6] = r.Code, string(r.Kind), r.Title, r.Field, r.AgencyCode, r.Status, r.Channel
	x[7], x[8], x[9], x[10] = fmtTime(r.ReceivedAt), fmtTime(r.DueAt), fmtTime(r.FinishedAt), r.Timeliness
	x[11], x[12] = "", ""
	if r.HandlingHours >= 0 {
		x[11] = strconv.FormatFloat(r.HandlingHours, 'f', 1, 64)
	}
	if r.Rating > 0 {
		x[12] = strconv.Itoa(r.Rating)
	}
	return c.cw.Write(x)
}

func (c *csvList) Close() error {
	c.cw.Flush()
	if err := c.cw.Error(); err != nil {
		return err
	}
	return c.bw.Flush()
}

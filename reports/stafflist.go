package reports

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/xuri/excelize/v2"

	cds "github.com/caobang/congdanso"
)

// StaffRow is one row of a unit's uploaded staff list, as typed in the sheet.
type StaffRow struct {
	Row      int // 1-based row number in the sheet, for error messages
	FullName string
	Phone    string
	Position string
}

// MaxStaffRows bounds an uploaded staff list.
const MaxStaffRows = 20000

// ParseStaffList reads the first sheet of an xlsx staff list (danh sách cán
// bộ, công chức, viên chức). The header row is found among the first ten rows
// by its titles: a column whose title contains "điện thoại" (phone, required),
// "họ và tên" or "họ tên" (name) and "chức vụ" (position); column order is free.
// Rows with an empty phone cell are skipped; the caller validates the numbers.
func ParseStaffList(b []byte) ([]StaffRow, error) {
	bad := func(vi, en string) error {
		e := &cds.Error{Code: cds.EINVALID, Message: "Danh sách cán bộ không đọc được: " + vi + ".", MessageEN: "The staff list cannot be read: " + en + "."}
		return e.WithField("file", vi+" / "+en)
	}
	f, err := excelize.OpenReader(bytes.NewReader(b))
	if err != nil {
		return nil, bad("tệp không phải định dạng .xlsx", "the file is not an .xlsx workbook")
	}
	defer f.Close()
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		return nil, bad("tệp không có trang tính", "the workbook has no sheet")
	}
	rows, err := f.Rows(sheets[0])
	if err != nil {
		return nil, bad("không đọc được trang tính đầu", "the first sheet cannot be read")
	}
	defer rows.Close()
	phoneCol, nameCol, posCol, header := -1, -1, -1, 0
	var out []StaffRow
	for n := 1; rows.Next(); n++ {
		cells, err := rows.Columns()
		if err != nil {
			return nil, bad(fmt.Sprintf("dòng %d lỗi", n), fmt.Sprintf("row %d is broken", n))
		}
		if header == 0 {
			for i, c := range cells {
				t := strings.ToLower(strings.TrimSpace(c))
				switch {
				case strings.Contains(t, "điện thoại"):
					phoneCol = i
				case strings.Contains(t, "họ và tên"), strings.Contains(t, "họ tên"):
					nameCol = i
				case strings.Contains(t, "chức vụ"):
					posCol = i
				}
			}
			if phoneCol >= 0 {
				header = n
			} else if n >= 10 {
				return nil, bad("không thấy cột \"Số điện thoại\" trong 10 dòng đầu", "no \"Số điện thoại\" column in the first 10 rows")
			}
			continue
		}
		cell := func(i int) string {
			if i < 0 || i >= len(cells) {
				return ""
			}
			return strings.TrimSpace(cells[i])
		}
		if cell(phoneCol) == "" {
			continue
		}
		if len(out) >= MaxStaffRows {
			return nil, bad(fmt.Sprintf("quá %d dòng", MaxStaffRows), fmt.Sprintf("more than %d rows", MaxStaffRows))
		}
		out = append(out, StaffRow{Row: n, FullName: cell(nameCol), Phone: cell(phoneCol), Position: cell(posCol)})
	}
	if header == 0 {
		return nil, bad("không thấy cột \"Số điện thoại\"", "no \"Số điện thoại\" column")
	}
	return out, nil
}

package reports

import (
	"strings"
)

// Column headings of the two forms (Circular 01/2018/TT-VPCP, Mẫu số 05 and 06).
var (
	ControlSheetHeader = []string{"TÊN CƠ QUAN / BƯỚC XỬ LÝ", "THỜI GIAN GIAO, NHẬN HỒ SƠ", "NGƯỜI GIAO (ký, ghi rõ họ tên)",
		"NGƯỜI NHẬN (ký, ghi rõ họ tên)", "HẠN CỦA BƯỚC", "KẾT QUẢ GIẢI QUYẾT HỒ SƠ (Trước hạn/Đúng hạn/Quá hạn)", "GHI CHÚ"}
	TrackingBookHeader = []string{"STT", "Mã hồ sơ", "Tên thủ tục hành chính", "Số lượng hồ sơ (bộ)", "Tên cá nhân, tổ chức",
		"Địa chỉ, số điện thoại", "Cơ quan chủ trì giải quyết", "Nhận hồ sơ", "Hẹn trả kết quả", "Chuyển hồ sơ đến cơ quan giải quyết",
		"Nhận kết quả từ cơ quan giải quyết", "Trả kết quả cho cá nhân, tổ chức", "Ký nhận", "Ghi chú"}
)

// ControlSheetXLSX writes Mẫu số 05 as a workbook: header block, the dossier's
// code and agencies, one row per hand-off with space for both signatures.
func ControlSheetXLSX(in ControlSheet) ([]byte, error) {
	sh := "Phiếu kiểm soát"
	f, st, err := newDocument(sh)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	last := len(ControlSheetHeader)
	if err := headerBlock(f, st, sh, last, 4, in.Issuer, in.At, ControlSheetTitle, "Mã hồ sơ: "+in.Code+" — (Kèm theo Giấy tiếp nhận hồ sơ và hẹn trả kết quả)"); err != nil {
		return nil, err
	}
	lines := []string{"Thủ tục: " + in.ProcedureName, "Cơ quan (bộ phận) giải quyết hồ sơ: " + in.MainAgency,
		"Cơ quan phối hợp giải quyết hồ sơ: " + strings.Join(in.CoAgencies, "; "),
		"Nhận hồ sơ: " + HandOffTime(in.ReceivedAt) + "; hẹn trả kết quả: " + dueText(in.DueAt)}
	for i, l := range lines {
		r := 8 + i
		if err := f.MergeCell(sh, cell(1, r), cell(last, r)); err != nil {
			return nil, err
		}
		_ = f.SetCellValue(sh, cell(1, r), l)
		_ = f.SetCellStyle(sh, cell(1, r), cell(last, r), st.label)
	}
	head := 13
	if err := tableHeader(f, st, sh, head, ControlSheetHeader, 48); err != nil {
		return nil, err
	}
	for i, h := range in.Rows {
		r := head + 1 + i
		vals := []string{handOffLabel(i, h), HandOffTime(h.At), h.SenderName + "\n\n\n", h.ReceiverName + "\n\n\n", dueText(h.StepDue),
			TimelinessLabel(h.Timeliness), h.Note}
		for j, v := range vals {
			_ = f.SetCellValue(sh, cell(j+1, r), v)
		}
		_ = f.SetCellStyle(sh, cell(1, r), cell(last, r), st.textWrap)
		_ = f.SetRowHeight(sh, r, 72) // room to sign
	}
	if len(in.Split) > 0 {
		r := head + len(in.Rows) + 2
		_ = f.MergeCell(sh, cell(1, r), cell(len(SplitHeader), r))
		_ = f.SetCellValue(sh, cell(1, r), SplitTitle)
		_ = f.SetCellStyle(sh, cell(1, r), cell(len(SplitHeader), r), st.label)
		for i, h := range SplitHeader {
			_ = f.SetCellValue(sh, cell(i+1, r+1), h)
		}
		_ = f.SetCellStyle(sh, cell(1, r+1), cell(len(SplitHeader), r+1), st.header)
		for i, a := range in.Split {
			for j, v := range []string{a.Agency, a.Part, HoursText(a.BudgetHours), HoursText(a.UsedHours)} {
				_ = f.SetCellValue(sh, cell(j+1, r+2+i), v)
			}
			_ = f.SetCellStyle(sh, cell(1, r+2+i), cell(len(SplitHeader), r+2+i), st.textWrap)
		}
	}
	for col, w := range []float64{38, 22, 24, 24, 16, 18, 20} {
		_ = f.SetColWidth(sh, colName(col+1), colName(col+1), w)
	}
	if err := freezeBelow(f, sh, head+1); err != nil {
		return nil, err
	}
	if err := printSetup(f, sh, "$13:$13"); err != nil {
		return nil, err
	}
	return finish(f)
}

// TrackingBookXLSX writes Mẫu số 06: one row per dossier received in the period.
func TrackingBookXLSX(in TrackingBook) ([]byte, error) {
	sh := "Sổ theo dõi"
	f, st, err := newDocument(sh)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	last := len(TrackingBookHeader)
	period := "Bộ phận: " + in.Desk + " — từ ngày " + in.From.In(vn()).Format("02/01/2006") + " đến ngày " + in.To.In(vn()).Format("02/01/2006")
	if err := headerBlock(f, st, sh, last, 8, in.Issuer, in.At, TrackingBookTitle, period); err != nil {
		return nil, err
	}
	head := 9
	if err := tableHeader(f, st, sh, head, TrackingBookHeader, 64); err != nil {
		return nil, err
	}
	for i, e := range in.Entries {
		r := head + 1 + i
		vals := []any{i + 1, e.Code, e.ProcedureName, e.Sets, e.Applicant, e.AddressPhone, e.MainAgency, dayText(&e.ReceivedAt), dayText(e.DueAt),
			dayText(e.SentToProcessing), dayText(e.ResultFromProcessing), dayText(e.ReturnedAt), "", e.Note}
		for j, v := range vals {
			if s, ok := v.(string); ok {
				v = NeutralizeCell(s) // names typed by citizens
			}
			_ = f.SetCellValue(sh, cell(j+1, r), v)
		}
		_ = f.SetCellStyle(sh, cell(1, r), cell(last, r), st.textWrap)
		_ = f.SetRowHeight(sh, r, 36)
	}
	for col, w := range []float64{6, 20, 30, 9, 20, 20, 22, 12, 12, 14, 14, 14, 14, 16} {
		_ = f.SetColWidth(sh, colName(col+1), colName(col+1), w)
	}
	if err := freezeBelow(f, sh, head+1); err != nil {
		return nil, err
	}
	if err := printSetup(f, sh, "$9:$9"); err != nil {
		return nil, err
	}
	return finish(f)
}

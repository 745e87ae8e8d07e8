package reports

import (
	"fmt"
	"time"

	"github.com/xuri/excelize/v2"

	cds "github.com/caobang/congdanso"
)

// PaymentRow is one gateway-debited payment of a reconciliation day.
// Amounts are integer VND.
type PaymentRow struct {
	TxnRef          string
	GatewayTxnNo    string
	BankCode        string
	PaidAt          time.Time
	Kind            string // bill or fee
	Provider        string
	CustomerCode    string
	Description     string
	Amount          int64
	Status          string
	BillerReceiptNo string
	ReceiptNo       string
	Refunded        bool
}

// PaymentTotals are the day's sums.
type PaymentTotals struct {
	Count    int
	Paid     int64 // everything the gateway debited
	Refunded int64
	Net      int64
}

// SumPayments totals rows.
func SumPayments(rows []PaymentRow) PaymentTotals {
	var t PaymentTotals
	for _, r := range rows {
		t.Count++
		t.Paid += r.Amount
		if r.Refunded {
			t.Refunded += r.Amount
		}
	}
	t.Net = t.Paid - t.Refunded
	return t
}

var paymentStatusVI = map[string]string{
	"pending": "Chờ thanh toán", "paid": "Đã thanh toán, chờ xác nhận", "failed": "Không thành công", "expired": "Hết hạn (IPN muộn)",
	"confirmed": "Nhà cung cấp đã xác nhận", "refunded": "Đã hoàn tiền", "completed": "Hoàn thành",
}

// PaymentReconciliation builds the daily reconciliation workbook (Bảng đối
// soát giao dịch thanh toán) in the layout of a Vietnamese administrative
// document: issuing unit at top left, the national title block at top right,
// a place-and-date line, a bold centred title, sections I and II, a totals
// row, frozen headers and A4 landscape printing.
func PaymentReconciliation(day time.Time, issuer string, rows []PaymentRow, generated time.Time) ([]byte, error) {
	f := excelize.NewFile()
	defer f.Close()
	const sh = "Doi soat"
	if err := f.SetSheetName("Sheet1", sh); err != nil {
		return nil, err
	}
	font := func(bold, italic bool, size float64) *excelize.Font {
		return &excelize.Font{Family: "Times New Roman", Size: size, Bold: bold, Italic: italic}
	}
	centre := &excelize.Alignment{Horizontal: "center", Vertical: "center", WrapText: true}
	border := []excelize.Border{{Type: "left", Style: 1, Color: "000000"}, {Type: "right", Style: 1, Color: "000000"},
		{Type: "top", Style: 1, Color: "000000"}, {Type: "bottom", Style: 1, Color: "000000"}}
	style := func(s *excelize.Style) int {
		id, err := f.NewStyle(s)
		if err != nil {
			panic(err) // only on a programming error in the style literals
		}
		return id
	}
	sNormal := style(&excelize.Style{Font: font(false, false, 12)})
	sHeadBold := style(&excelize.Style{Font: font(true, false, 12), Alignment: centre})
	sHead := style(&excelize.Style{Font: font(false, false, 12), Alignment: centre})
	sItalic := style(&excelize.Style{Font: font(false, true, 12), Alignment: &excelize.Alignment{Horizontal: "right"}})
	sTitle := style(&excelize.Style{Font: font(true, false, 14), Alignment: centre})
	sSection := style(&excelize.Style{Font: font(true, false, 12)})
	sTH := style(&excelize.Style{Font: font(true, false, 11), Alignment: centre, Border: border,
		Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"D9E1F2"}}})
	sTD := style(&excelize.Style{Font: font(false, false, 11), Border: border, Alignment: &excelize.Alignment{Vertical: "center", WrapText: true}})
	sMoney := style(&excelize.Style{Font: font(false, false, 11), Border: border, NumFmt: 3})
	sTotal := style(&excelize.Style{Font: font(true, false, 11), Border: border})
	sTotalMoney := style(&excelize.Style{Font: font(true, false, 11), Border: border, NumFmt: 3})

	const last = "N"
	set := func(cell string, v any, st int) error {
		if err := f.SetCellValue(sh, cell, v); err != nil {
			return err
		}
		return f.SetCellStyle(sh, cell, cell, st)
	}
	merge := func(a, b string, v any, st int) error {
		if err := f.MergeCell(sh, a, b); err != nil {
			return err
		}
		if err := f.SetCellValue(sh, a, v); err != nil {
			return err
		}
		return f.SetCellStyle(sh, a, b, st)
	}
	d := day.In(cds.VietnamTZ)
	g := generated.In(cds.VietnamTZ)
	steps := []error{
		merge("A1", "E1", "ỦY BAN NHÂN DÂN TỈNH CAO BẰNG", sHead),
		merge("A2", "E2", issuer, sHeadBold),
		merge("H1", last+"1", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", sHeadBold),
		merge("H2", last+"2", "Độc lập - Tự do - Hạnh phúc", sHeadBold),
		merge("H3", last+"3", fmt.Sprintf("Cao Bằng, ngày %02d tháng %02d năm %d", g.Day(), int(g.Month()), g.Year()), sItalic),
		merge("A5", last+"5", "BẢNG ĐỐI SOÁT GIAO DỊCH THANH TOÁN KHÔNG DÙNG TIỀN MẶT", sTitle),
		merge("A6", last+"6", fmt.Sprintf("Ngày giao dịch: %02d/%02d/%d (cổng thanh toán VNPAY)", d.Day(), int(d.Month()), d.Year()), sHead),
		set("A8", "I. DANH SÁCH GIAO DỊCH", sSection),
	}
	for _, err := range steps {
		if err != nil {
			return nil, err
		}
	}
	headers := []string{"STT", "Mã giao dịch (vnp_TxnRef)", "Mã GD tại VNPAY", "Ngân hàng", "Thời điểm thanh toán", "Loại",
		"Nhà cung cấp", "Mã khách hàng / hồ sơ", "Nội dung", "Số tiền (đồng)", "Trạng thái", "Số biên lai nhà cung cấp",
		"Số biên lai điện tử", "Hoàn tiền"}
	const headRow = 9
	for i, h := range headers {
		cell, _ := excelize.CoordinatesToCellName(i+1, headRow)
		if err := set(cell, h, sTH); err != nil {
			return nil, err
		}
	}
	r := headRow
	for i, x := range rows {
		r = headRow + 1 + i
		kind := "Hóa đơn"
		if x.Kind == "fee" {
			kind = "Phí, lệ phí hồ sơ"
		}
		refunded := ""
		if x.Refunded {
			refunded = "Có"
		}
		status := paymentStatusVI[x.Status]
		if status == "" {
			status = x.Status
		}
		vals := []any{i + 1, x.TxnRef, x.GatewayTxnNo, x.BankCode, x.PaidAt.In(cds.VietnamTZ).Format("02/01/2006 15:04:05"), kind,
			x.Provider, x.CustomerCode, x.Description, x.Amount, status, x.BillerReceiptNo, x.ReceiptNo, refunded}
		for j, v := range vals {
			cell, _ := excelize.CoordinatesToCellName(j+1, r)
			st := sTD
			if j == 9 {
				st = sMoney
			}
			if err := set(cell, v, st); err != nil {
				return nil, err
			}
		}
	}
	t := SumPayments(rows)
	r++
	if err := merge(fmt.Sprintf("A%d", r), fmt.Sprintf("I%d", r), fmt.Sprintf("Tổng cộng (%d giao dịch)", t.Count), sTotal); err != nil {
		return nil, err
	}
	if err := set(fmt.Sprintf("J%d", r), t.Paid, sTotalMoney); err != nil {
		return nil, err
	}
	if err := f.SetCellStyle(sh, fmt.Sprintf("K%d", r), fmt.Sprintf("%s%d", last, r), sTotal); err != nil {
		return nil, err
	}
	r += 2
	if err := set(fmt.Sprintf("A%d", r), "II. TỔNG HỢP", sSection); err != nil {
		return nil, err
	}
	summary := []struct {
		label string
		v     int64
	}{{"Số giao dịch", int64(t.Count)}, {"Tổng số tiền cổng thanh toán đã thu (đồng)", t.Paid},
		{"Số tiền đã hoàn cho công dân (đồng)", t.Refunded}, {"Số tiền thực thu (đồng)", t.Net}}
	for _, s := range summary {
		r++
		if err := merge(fmt.Sprintf("A%d", r), fmt.Sprintf("I%d", r), s.label, sTD); err != nil {
			return nil, err
		}
		if err := set(fmt.Sprintf("J%d", r), s.v, sMoney); err != nil {
			return nil, err
		}
	}
	r += 2
	if err := merge(fmt.Sprintf("J%d", r), fmt.Sprintf("%s%d", last, r), "NGƯỜI LẬP BẢNG", sHeadBold); err != nil {
		return nil, err
	}
	if err := f.SetCellStyle(sh, "A4", "A4", sNormal); err != nil {
		return nil, err
	}
	widths := []float64{6, 18, 14, 10, 20, 14, 12, 18, 36, 16, 22, 22, 18, 10}
	for i, w := range widths {
		col, _ := excelize.ColumnNumberToName(i + 1)
		if err := f.SetColWidth(sh, col, col, w); err != nil {
			return nil, err
		}
	}
	if err := f.SetPanes(sh, &excelize.Panes{Freeze: true, YSplit: headRow, TopLeftCell: fmt.Sprintf("A%d", headRow+1), ActivePane: "bottomLeft"}); err != nil {
		return nil, err
	}
	orient, size, fit := "landscape", 9, true // 9 = A4
	if err := f.SetPageLayout(sh, &excelize.PageLayoutOptions{Orientation: &orient, Size: &size, FitToWidth: intPtr(1), FitToHeight: intPtr(0)}); err != nil {
		return nil, err
	}
	if err := f.SetSheetProps(sh, &excelize.SheetPropsOptions{FitToPage: &fit}); err != nil {
		return nil, err
	}
	if err := f.SetDefinedName(&excelize.DefinedName{Name: "_xlnm.Print_Titles", RefersTo: fmt.Sprintf("'%s'!$%d:$%d", sh, headRow, headRow), Scope: sh}); err != nil {
		return nil, err
	}
	buf, err := f.WriteToBuffer()
	if err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func intPtr(i int) *int { return &i }

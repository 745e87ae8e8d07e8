package reports

import (
	"bytes"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	cds "github.com/caobang/congdanso"
)

func TestPaymentReconciliationWorkbook(t *testing.T) {
	at := time.Date(2026, 5, 23, 10, 35, 12, 0, cds.VietnamTZ)
	rows := []PaymentRow{
		{TxnRef: "P260523000001", GatewayTxnNo: "14000001", BankCode: "NCB", PaidAt: at, Kind: "bill", Provider: "EVN",
			CustomerCode: "PC01CB0001", Description: "Tiền điện tháng 05/2026", Amount: 386000, Status: "completed", BillerReceiptNo: "HD-1", ReceiptNo: "BL-2026-000001"},
		{TxnRef: "P260523000002", GatewayTxnNo: "14000002", BankCode: "NCB", PaidAt: at.Add(time.Hour), Kind: "bill", Provider: "EVN",
			CustomerCode: "PC01CB0099", Description: "Tiền điện", Amount: 199000, Status: "refunded", Refunded: true},
		{TxnRef: "P260523000003", PaidAt: at.Add(2 * time.Hour), Kind: "fee", CustomerCode: "SXD-260523-0001", Description: "Lệ phí", Amount: 50000, Status: "completed"},
	}
	b, err := PaymentReconciliation(at, "Sở Tài chính", rows, at)
	if err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	get := func(cell string) string {
		v, err := f.GetCellValue("Doi soat", cell)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	want := map[string]string{
		"A2": "Sở Tài chính", "H1": "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "H3": "Cao Bằng, ngày 23 tháng 05 năm 2026",
		"A5": "BẢNG ĐỐI SOÁT GIAO DỊCH THANH TOÁN KHÔNG DÙNG TIỀN MẶT", "B9": "Mã giao dịch (vnp_TxnRef)",
		"B10": "P260523000001", "J10": "386,000", "K11": "Đã hoàn tiền", "N11": "Có", "F12": "Phí, lệ phí hồ sơ",
		"A13": "Tổng cộng (3 giao dịch)", "J13": "635,000",
		"A15": "II. TỔNG HỢP", "J16": "3", "J17": "635,000", "J18": "199,000", "J19": "436,000",
	}
	for cell, w := range want {
		if got := get(cell); got != w {
			t.Errorf("%s = %q, want %q", cell, got, w)
		}
	}
	raw, _ := f.GetCellValue("Doi soat", "J13", excelize.Options{RawCellValue: true})
	if raw != "635000" {
		t.Errorf("J13 raw = %q, want the integer 635000", raw)
	}
	st, _ := f.GetCellStyle("Doi soat", "B10")
	s, _ := f.GetStyle(st)
	if s.Font == nil || s.Font.Family != "Times New Roman" {
		t.Errorf("font %+v", s.Font)
	}
	panes, _ := f.GetPanes("Doi soat")
	if !panes.Freeze || panes.YSplit != 9 {
		t.Errorf("panes %+v", panes)
	}
	if tot := SumPayments(rows); tot.Paid != 635000 || tot.Refunded != 199000 || tot.Net != 436000 || tot.Count != 3 {
		t.Errorf("totals %+v", tot)
	}
}

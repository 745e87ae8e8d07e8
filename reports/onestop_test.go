package reports

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	cds "github.com/caobang/congdanso"
)

// Headings written by hand from Circular 01/2018/TT-VPCP, Mẫu số 05 and 06.
func TestControlSheetAndTrackingBookLayout(t *testing.T) {
	at := time.Date(2026, 3, 5, 9, 30, 0, 0, cds.VietnamTZ)
	due := at.Add(48 * time.Hour)
	sheet := ControlSheet{Issuer: Issuer{Superior: "UBND TỈNH CAO BẰNG", Name: "UBND XÃ HÒA AN"}, Code: "X-HOAAN-260305-0001",
		ProcedureName: "Đăng ký kết hôn", MainAgency: "UBND xã Hòa An", ReceivedAt: at, DueAt: &due, At: at,
		Rows: []HandOff{{At: at, FromStep: "Tiếp nhận hồ sơ", FromAgency: "UBND xã Hòa An", ToStep: "Thẩm định", ToAgency: "UBND xã Hòa An",
			SenderName: "Nguyễn Văn Một", ReceiverName: "Trần Thị Hai", StepDue: &due, Timeliness: "on_time"}}}
	b, err := ControlSheetXLSX(sheet)
	if err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	get := func(sh, c string) string { v, _ := f.GetCellValue(sh, c); return v }
	sh := "Phiếu kiểm soát"
	want := map[string]string{"A1": "UBND TỈNH CAO BẰNG", "D1": "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "A6": "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ",
		"B13": "THỜI GIAN GIAO, NHẬN HỒ SƠ", "C13": "NGƯỜI GIAO (ký, ghi rõ họ tên)", "D13": "NGƯỜI NHẬN (ký, ghi rõ họ tên)",
		"B14": "09 giờ 30 phút, ngày 05/03/2026", "F14": "Đúng hạn"}
	for c, w := range want {
		if got := get(sh, c); got != w {
			t.Errorf("%s = %q, want %q", c, got, w)
		}
	}
	if !strings.Contains(get(sh, "A7"), "X-HOAAN-260305-0001") || !strings.HasPrefix(get(sh, "D14"), "Trần Thị Hai") ||
		!strings.Contains(get(sh, "A14"), "Giao: Tiếp nhận hồ sơ") {
		t.Errorf("code, receiver or hand-off cell: %q %q %q", get(sh, "A7"), get(sh, "D14"), get(sh, "A14"))
	}
	if h, _ := f.GetRowHeight(sh, 14); h < 60 {
		t.Errorf("no room to sign: row height %v", h)
	}

	book := TrackingBook{Issuer: sheet.Issuer, Desk: "Bộ phận Một cửa", From: at, To: at, At: at,
		Entries: []TrackingEntry{{Code: "X-HOAAN-260305-0001", ProcedureName: "Đăng ký kết hôn", Sets: 1, Applicant: "=HYPERLINK(\"x\")",
			AddressPhone: "******678", MainAgency: "UBND xã Hòa An", ReceivedAt: at, DueAt: &due}}}
	b, err = TrackingBookXLSX(book)
	if err != nil {
		t.Fatal(err)
	}
	if f, err = excelize.OpenReader(bytes.NewReader(b)); err != nil {
		t.Fatal(err)
	}
	sh = "Sổ theo dõi"
	heads := []string{"STT", "Mã hồ sơ", "Tên thủ tục hành chính", "Số lượng hồ sơ (bộ)", "Tên cá nhân, tổ chức", "Địa chỉ, số điện thoại",
		"Cơ quan chủ trì giải quyết", "Nhận hồ sơ", "Hẹn trả kết quả", "Chuyển hồ sơ đến cơ quan giải quyết", "Nhận kết quả từ cơ quan giải quyết",
		"Trả kết quả cho cá nhân, tổ chức", "Ký nhận", "Ghi chú"}
	for i, h := range heads {
		if got := get(sh, cell(i+1, 9)); got != h {
			t.Errorf("column %d = %q, want %q", i+1, got, h)
		}
	}
	if get(sh, "A6") != "SỔ THEO DÕI HỒ SƠ" || get(sh, "H10") != "05/03/2026" || get(sh, "I10") != "07/03/2026" || strings.HasPrefix(get(sh, "E10"), "=") {
		t.Errorf("book row: %q %q %q %q", get(sh, "A6"), get(sh, "H10"), get(sh, "I10"), get(sh, "E10"))
	}
	if fm, _ := f.GetCellFormula(sh, "E10"); fm != "" {
		t.Errorf("a citizen's name became a formula: %q", fm)
	}
	html, err := TrackingBookHTML(book)
	if err != nil || !strings.Contains(string(html), "Ký nhận") || strings.Contains(string(html), `=HYPERLINK("x")`) {
		t.Errorf("html: %v", err)
	}
}

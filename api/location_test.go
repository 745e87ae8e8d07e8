package api

import "testing"

// Expectations written by hand from how Cao Bằng addresses are written.
func TestPublicPlace(t *testing.T) {
	for _, c := range []struct{ addr, commune, want string }{
		{"12 Hoàng Đình Giong", "Phường Thục Phán", "Hoàng Đình Giong, Phường Thục Phán"},
		{"Số 001 đường Vườn Cam, phường Thục Phán, tỉnh Cao Bằng", "Phường Thục Phán", "đường Vườn Cam, Phường Thục Phán"},
		{"Số 5, ngõ 3, đường Kim Đồng", "Phường Tân Giang", "đường Kim Đồng, Phường Tân Giang"},
		{"Tổ 7, xóm Nà Cạn", "Xã Hòa An", "xóm Nà Cạn, Xã Hòa An"},
		{"12A/3 Kim Đồng", "Phường Hợp Giang", "Kim Đồng, Phường Hợp Giang"},
		{"", "Xã Quảng Uyên", "Xã Quảng Uyên"},
		{"Nhà 4B, tổ 2", "Phường Sông Hiến", "Phường Sông Hiến"},
		{"Chợ Xanh, phường Thục Phán", "", "Chợ Xanh, phường Thục Phán"},
	} {
		if got := PublicPlace(c.addr, c.commune); got != c.want {
			t.Errorf("PublicPlace(%q, %q) = %q, want %q", c.addr, c.commune, got, c.want)
		}
	}
	if PublicCoord(22.6657) != 22.666 || PublicCoord(106.2570) != 106.257 || PublicCoord(106.25749) != 106.257 {
		t.Error("rounding to 3 decimals")
	}
}

package notify

import "testing"

func TestUnaccentAndOneSegment(t *testing.T) {
	cases := []struct{ in, want string }{
		{"Phản ánh PA-2026-000001 đã được tiếp nhận.", "Phan anh PA-2026-000001 da duoc tiep nhan."},
		{"ĐƯỜNG Hoàng Đình Giong", "DUONG Hoang Dinh Giong"},
		{"Mã xác thực: 123456 — hết hạn sau 5 phút", "Ma xac thuc: 123456 het han sau 5 phut"},
	}
	for _, c := range cases {
		if got := OneSegment(c.in); got != c.want {
			t.Errorf("OneSegment(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	long := ""
	for i := 0; i < 40; i++ {
		long += "thông báo "
	}
	if got := OneSegment(long); len(got) > 160 || len(got) < 120 {
		t.Errorf("long text cut to %d chars", len(got))
	}
	if got := PhoneIntl("0912345678"); got != "84912345678" {
		t.Errorf("PhoneIntl = %s", got)
	}
}

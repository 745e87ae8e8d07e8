package console

import "testing"

func TestParseVNDate(t *testing.T) {
	for in, want := range map[string]string{"31/12/2026": "2026-12-31", "1/2/2026": "2026-02-01", " 05/01/2027 ": "2027-01-05"} {
		d, ok := parseVNDate(in)
		if !ok || isoDate(d) != want {
			t.Errorf("parseVNDate(%q) = %s %v, want %s", in, isoDate(d), ok, want)
		}
	}
	for _, bad := range []string{"", "2026-12-31", "12/31/2026", "31/12/26", "30/02/2026"} {
		if _, ok := parseVNDate(bad); ok {
			t.Errorf("parseVNDate(%q) accepted", bad)
		}
	}
}

func TestVNDAmount(t *testing.T) {
	for in, want := range map[int64]string{0: "0", 999: "999", 1000: "1.000", 20000: "20.000", 1234567: "1.234.567", -50000: "-50.000"} {
		if got := vndAmount(in); got != want {
			t.Errorf("vndAmount(%d) = %q, want %q", in, got, want)
		}
	}
}

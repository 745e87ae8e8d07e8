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

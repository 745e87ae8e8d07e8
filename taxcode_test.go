package congdanso

import "testing"

// The expectations are worked by hand from the rule in taxcode.go
// (N10 = 10 − Σ wᵢ·Nᵢ mod 11, weights 31 29 23 19 17 13 7 5 3), e.g.
// 0100233488: 0+29+0+0+34+39+21+20+24 = 167, 167 mod 11 = 2, 10−2 = 8.
func TestNormalizeTaxCode(t *testing.T) {
	ok := map[string]string{
		"0100233488":        "0100233488",
		"01.00.233.488":     "0100233488",
		"0314409058-002":    "0314409058-002", // 332 mod 11 = 2 → 8
		"0314409058002":     "0314409058-002",
		" 0314409058 - 002": "0314409058-002",
	}
	for in, want := range ok {
		got, err := NormalizeTaxCode(in)
		if err != nil || got != want {
			t.Errorf("%q: got %q, %v; want %q", in, got, err, want)
		}
	}
	bad := []string{
		"",
		"12345",
		"0100233480",     // check digit 8, not 0
		"0100233489",     // check digit 8, not 9
		"010023348A",     // not a digit
		"0100000000",     // zero sequence
		"0314409058-000", // zero dependent unit
		"03144090580021", // 14 digits
		"0100000019",     // 0+29+0+0+0+0+0+0+3 = 32, 32 mod 11 = 10 → 0, not 9
	}
	for _, in := range bad {
		if got, err := NormalizeTaxCode(in); err == nil {
			t.Errorf("%q accepted as %q", in, got)
		} else if ErrorCode(err) != EINVALID {
			t.Errorf("%q: code %s", in, ErrorCode(err))
		}
	}
	// 0100000010: 29 + 3 = 32, 32 mod 11 = 10 → check digit 0.
	if got, err := NormalizeTaxCode("0100000010"); err != nil || got != "0100000010" {
		t.Errorf("0100000010: %q, %v", got, err)
	}
	// 110000002: 31 + 29 + 2·3 = 66 = 6·11, so no digit fits.
	if MSTCheckDigit("110000002") != -1 {
		t.Error("110000002 must have no check digit")
	}
	for d := '0'; d <= '9'; d++ {
		if _, err := NormalizeTaxCode("110000002" + string(d)); err == nil {
			t.Errorf("110000002%c accepted", d)
		}
	}
}

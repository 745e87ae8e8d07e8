package congdanso

import "testing"

// TestNormalizePhone: written by hand from the numbering plan (docs/phone-numbers.md),
// not from the code's tables.
func TestNormalizePhone(t *testing.T) {
	for _, c := range []struct {
		in, want string
		mobile   bool
	}{
		// Mobiles, every way people write them.
		{"0912345678", "+84912345678", true},
		{"0912 345 678", "+84912345678", true},
		{"0912.345.678", "+84912345678", true},
		{"0912-345-678", "+84912345678", true},
		{"84912345678", "+84912345678", true},
		{"+84912345678", "+84912345678", true},
		{"+84 912 345 678", "+84912345678", true},
		{"  +84 (0)912 345 678", "", false},  // "(0)" after +84 makes 12 digits of a mobile: refused
		{"0326123456", "+84326123456", true}, // Viettel 032 (ex 0162)
		{"0523123456", "+84523123456", true}, // Vietnamobile 052
		{"0708123456", "+84708123456", true}, // MobiFone 070 (ex 0120)
		{"0812123456", "+84812123456", true}, // VinaPhone 081 (ex 0127)
		{"0879123456", "+84879123456", true}, // Itelecom 087
		{"0599123456", "+84599123456", true}, // Gmobile 059
		// Fixed lines: 0 + 2 + area code + subscriber, 11 digits.
		{"0206 3852 169", "+842063852169", false},    // Cao Bằng
		{"(0206) 3852-169", "+842063852169", false},  // brackets, hyphen
		{"+84 206 3852 169", "+842063852169", false}, // international form
		{"02438253536", "+842438253536", false},      // Hà Nội 024
		{"028 3829 5000", "+842838295000", false},    // TP Hồ Chí Minh 028
		// Refused: wrong lengths, old 11-digit mobiles, unknown ranges, services, foreign, junk.
		{"091234567", "", false},   // 9 digits
		{"09123456789", "", false}, // 11 digits starting 09
		{"01662345678", "", false}, // pre-2018 Viettel 0166
		{"0206385216", "", false},  // fixed line one digit short
		{"0123456789", "", false},  // 012 is not a range
		{"0951234567", "", false},  // 095 (S-Fone, closed)
		{"0612345678", "", false},  // 06x not allocated
		{"18001091", "", false},    // toll-free service
		{"19001234", "", false},    // premium service
		{"+1 202 555 0100", "", false},
		{"+0912345678", "", false}, // + before the national 0
		{"0084912345678", "", false},
		{"0912345678x", "", false},
		{"٠٩١٢٣٤٥٦٧٨", "", false}, // Arabic-Indic digits
		{"", "", false},
		{"+", "", false},
	} {
		got, ok := NormalizePhone(c.in)
		if got != c.want || ok != (c.want != "") {
			t.Errorf("NormalizePhone(%q) = %q %v, want %q", c.in, got, ok, c.want)
			continue
		}
		if ok && IsMobile(got) != c.mobile {
			t.Errorf("IsMobile(%q) = %v, want %v", got, !c.mobile, c.mobile)
		}
		if m, mok := NormalizeMobile(c.in); mok != (ok && c.mobile) || (mok && m != c.want) {
			t.Errorf("NormalizeMobile(%q) = %q %v", c.in, m, mok)
		}
	}
}

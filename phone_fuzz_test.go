package congdanso

import (
	"strings"
	"testing"
)

// FuzzNormalizePhone: never panics; what it accepts is +84 and digits, and
// normalising it again changes nothing.
func FuzzNormalizePhone(f *testing.F) {
	for _, s := range []string{"0912345678", "+84912345678", "84 912 345 678", "0912.345.678", "(0206) 3852 169", "", "+", "٠٩١٢٣٤٥٦٧٨", "09123456789999", "+1 202 555 0100"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		out, ok := NormalizePhone(in)
		if !ok {
			return
		}
		if !strings.HasPrefix(out, "+84") || strings.Trim(out[1:], "0123456789") != "" {
			t.Fatalf("NormalizePhone(%q) = %q", in, out)
		}
		again, ok2 := NormalizePhone(out)
		if !ok2 || again != out {
			t.Fatalf("not idempotent: %q → %q → %q (%v)", in, out, again, ok2)
		}
	})
}

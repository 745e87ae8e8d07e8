package congdanso

import "strings"

// Vietnamese telephone numbers, after the 2017–2018 renumbering of the
// national numbering plan (sources in docs/phone-numbers.md):
//
//   - mobile: 0 + 9 digits, the first two naming the network
//     (03x Viettel, 05x Vietnamobile/Reddi/Gmobile, 07x MobiFone,
//     08x VinaPhone/Viettel/MobiFone/Itelecom, 09x the older ranges);
//   - fixed: 0 + 2 + area code + subscriber = 0 + 10 digits starting with 2
//     (Cao Bằng 0206 xxxx xxx, Hà Nội 024 xxxx xxxx).
//
// Short codes, 1800/1900 service numbers and foreign numbers are not
// accepted as a person's phone.

// mobileNetworks are the two digits after the leading 0 of a mobile number.
var mobileNetworks = map[string]bool{
	"32": true, "33": true, "34": true, "35": true, "36": true, "37": true, "38": true, "39": true,
	"52": true, "55": true, "56": true, "58": true, "59": true,
	"70": true, "76": true, "77": true, "78": true, "79": true,
	"81": true, "82": true, "83": true, "84": true, "85": true, "86": true, "87": true, "88": true, "89": true,
	"90": true, "91": true, "92": true, "93": true, "94": true, "96": true, "97": true, "98": true, "99": true,
}

// NormalizePhone is the one reading of a Vietnamese phone number, for
// accounts, application forms and Open311 alike: "0912 345 678",
// "84912345678", "+84 912.345.678" and "(0206) 3852-169" become
// "+84912345678" and "+842063852169". Spaces, dots, hyphens and brackets
// are ignored; anything else, or a number outside the plan, is refused.
func NormalizePhone(in string) (string, bool) {
	var b strings.Builder
	plus := false
	for _, r := range strings.TrimSpace(in) {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == '+' && !plus && b.Len() == 0:
			plus = true
		case r == ' ' || r == '.' || r == '-' || r == '(' || r == ')':
		default:
			return "", false
		}
	}
	d := b.String()
	switch {
	case strings.HasPrefix(d, "84") && (len(d) == 11 || len(d) == 12):
		d = d[2:]
	case !plus && strings.HasPrefix(d, "0") && (len(d) == 10 || len(d) == 11):
		d = d[1:]
	default:
		return "", false
	}
	switch {
	case len(d) == 9 && mobileNetworks[d[:2]]:
	case len(d) == 10 && d[0] == '2':
	default:
		return "", false
	}
	return "+84" + d, true
}

// IsMobile reports whether a normalised number is a mobile one (it can
// receive SMS: sign-in names, password reset codes).
func IsMobile(normalized string) bool {
	d, ok := strings.CutPrefix(normalized, "+84")
	return ok && len(d) == 9 && mobileNetworks[d[:2]]
}

// NormalizeMobile is NormalizePhone restricted to mobile numbers.
func NormalizeMobile(in string) (string, bool) {
	p, ok := NormalizePhone(in)
	if !ok || !IsMobile(p) {
		return "", false
	}
	return p, true
}

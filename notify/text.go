package notify

import (
	"strings"
	"unicode"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

// SMSSegment is the length of one GSM 7-bit SMS segment. A message with any
// character outside GSM 7-bit goes as UCS-2, 70 characters a segment, which
// is why brandname gateways ask for unaccented Vietnamese.
const SMSSegment = 160

// Unaccent removes Vietnamese diacritics: "Phản ánh đã được tiếp nhận" →
// "Phan anh da duoc tiep nhan". đ/Đ are letters of their own, not a mark.
func Unaccent(s string) string {
	s = strings.NewReplacer("đ", "d", "Đ", "D").Replace(s)
	t := transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
	out, _, err := transform.String(t, s)
	if err != nil {
		return s
	}
	return out
}

// gsmBasic is the GSM 03.38 basic character set reachable from ASCII.
const gsmBasic = "@£$¥\n\r !\"#%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_"

// OneSegment unaccents s, replaces what GSM 7-bit cannot carry with a space,
// collapses spaces and cuts the text to one segment (on a word where it can).
func OneSegment(s string) string {
	s = Unaccent(s)
	var b strings.Builder
	for _, r := range s {
		if strings.ContainsRune(gsmBasic, r) {
			b.WriteRune(r)
		} else {
			b.WriteByte(' ')
		}
	}
	out := strings.Join(strings.Fields(b.String()), " ")
	if len(out) <= SMSSegment {
		return out
	}
	cut := out[:SMSSegment]
	if i := strings.LastIndexByte(cut, ' '); i > SMSSegment*3/4 {
		cut = cut[:i]
	}
	return cut
}

// PhoneIntl turns a Vietnamese number as stored (0912345678) into the
// international form without '+' (84912345678) that ZNS and most SMS
// gateways take. Other forms are returned unchanged.
func PhoneIntl(phone string) string {
	p := strings.TrimPrefix(strings.TrimSpace(phone), "+")
	if strings.HasPrefix(p, "0") && len(p) == 10 {
		return "84" + p[1:]
	}
	return p
}

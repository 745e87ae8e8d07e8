package congdanso

import "strings"

// mstWeights are the weights of the first nine digits of a 10-digit tax code
// (mã số thuế, MST) in its check digit: N10 = 10 − (Σ wᵢ·Nᵢ mod 11). A sum
// divisible by 11 would need "10", so no valid code has it. Structure of the
// code: Thông tư 105/2020/TT-BTC, Điều 5 (N1–N2 province, N3–N9 sequence, N10
// check digit, N11–N13 dependent unit); the weights are not in the circular —
// docs/reference-data.md cites where they are documented.
var mstWeights = [9]int{31, 29, 23, 19, 17, 13, 7, 5, 3}

// MSTCheckDigit returns the check digit of the first nine digits of d, or -1
// when no digit fits (the code cannot be valid).
func MSTCheckDigit(d string) int {
	sum := 0
	for i, w := range mstWeights {
		sum += w * int(d[i]-'0')
	}
	c := 10 - sum%11
	if c == 10 {
		return -1
	}
	return c
}

// NormalizeTaxCode validates a business tax code and returns it in its
// canonical form: 10 digits, or 10 digits, "-" and a 3-digit dependent-unit
// number (001–999). Spaces, dots and the dash are accepted on input.
func NormalizeTaxCode(in string) (string, error) {
	s := strings.NewReplacer(" ", "", ".", "", "-", "").Replace(strings.TrimSpace(in))
	bad := func(vi, en string) error {
		return Errorf(EINVALID, "Mã số thuế không hợp lệ.", "The tax code is not valid.").WithField("tax_code", vi+" / "+en)
	}
	if len(s) != 10 && len(s) != 13 {
		return "", bad("Mã số thuế gồm 10 chữ số, hoặc 13 chữ số với đơn vị phụ thuộc", "A tax code has 10 digits, or 13 for a dependent unit")
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return "", bad("Mã số thuế chỉ gồm chữ số", "A tax code has digits only")
		}
	}
	if s[2:9] == "0000000" || (len(s) == 13 && s[10:] == "000") {
		return "", bad("Số thứ tự trong mã số thuế không thể bằng 0", "The sequence number cannot be zero")
	}
	if MSTCheckDigit(s) != int(s[9]-'0') {
		return "", bad("Chữ số kiểm tra (thứ 10) không đúng", "The check digit (10th) is wrong")
	}
	if len(s) == 13 {
		return s[:10] + "-" + s[10:], nil
	}
	return s, nil
}

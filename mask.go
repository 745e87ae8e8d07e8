package congdanso

import "strings"

// MaskPhone hides the middle of a phone number: +84912345678 → +8491****678.
func MaskPhone(p string) string {
	r := []rune(p)
	if len(r) < 7 {
		return strings.Repeat("*", len(r))
	}
	keepHead, keepTail := 4, 3
	return string(r[:keepHead]) + strings.Repeat("*", len(r)-keepHead-keepTail) + string(r[len(r)-keepTail:])
}

// MaskID hides all but the last 4 digits of an ID number (CCCD): ********1234.
func MaskID(id string) string {
	r := []rune(id)
	if len(r) <= 4 {
		return strings.Repeat("*", len(r))
	}
	return strings.Repeat("*", len(r)-4) + string(r[len(r)-4:])
}

// MaskName keeps the given name and initials only: "Nguyễn Văn An" → "N. V. An".
func MaskName(name string) string {
	parts := strings.Fields(name)
	if len(parts) <= 1 {
		return name
	}
	out := make([]string, 0, len(parts))
	for _, p := range parts[:len(parts)-1] {
		out = append(out, string([]rune(p)[:1])+".")
	}
	return strings.Join(append(out, parts[len(parts)-1]), " ")
}

package api

import (
	"strings"
	"testing"
)

func TestNormalizePhone(t *testing.T) {
	ok := map[string]string{
		"0912345678": "+84912345678", "+84 912 345 678": "+84912345678", "84912345678": "+84912345678",
		"091.234.5678": "+84912345678", "0325-123-456": "+84325123456", "(+84) 86 1234567": "+84861234567",
	}
	for in, want := range ok {
		if got, valid := NormalizePhone(in); !valid || got != want {
			t.Errorf("%q = %q %v, want %q", in, got, valid, want)
		}
	}
	for _, in := range []string{"", "0212345678", "091234567", "09123456789", "+1 912345678", "0951234567", "09a2345678", "12345"} {
		if got, valid := NormalizePhone(in); valid {
			t.Errorf("%q accepted as %q", in, got)
		}
	}
}

func TestPasswordPolicyAndHash(t *testing.T) {
	bad := map[string]string{"short1": "ít nhất 8", "chuachuso": "chữ cái và chữ số", "12345678": "chữ cái và chữ số",
		"matkhau123": "phổ biến", "ab912345678": "số điện thoại"}
	for pw, want := range bad {
		e := CheckPassword(pw, "+84912345678")
		if e == nil || !strings.Contains(e.Fields["password"], want) {
			t.Errorf("%q: %v, want message with %q", pw, e, want)
		}
	}
	if e := CheckPassword("Caobang2026", "+84912345678"); e != nil {
		t.Fatalf("good password refused: %v", e)
	}
	h, err := HashPassword("Caobang2026")
	if err != nil || !strings.HasPrefix(h, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Fatalf("hash %q %v", h, err)
	}
	if !VerifyPassword(h, "Caobang2026") || VerifyPassword(h, "Caobang2027") || VerifyPassword("$argon2id$bad", "x") {
		t.Fatal("verify is wrong")
	}
	h2, _ := HashPassword("Caobang2026")
	if h2 == h {
		t.Fatal("salt is not random")
	}
}

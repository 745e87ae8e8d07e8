package api

import (
	"strings"
	"testing"
)

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

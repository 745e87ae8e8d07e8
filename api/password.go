package api

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"strings"
	"unicode"

	"golang.org/x/crypto/argon2"

	cds "github.com/caobang/congdanso"
)

// argon2id parameters (OWASP minimum: 19 MiB, 2 passes, 1 lane). They are
// encoded in each PHC hash, so they can be raised later without a migration.
const (
	argonMemory  = 19 * 1024
	argonTime    = 2
	argonThreads = 1
	argonKeyLen  = 32
)

// HashPassword returns a PHC-encoded argon2id hash:
// $argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>.
func HashPassword(pw string) (string, error) {
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	key := argon2.IDKey([]byte(pw), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	b := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemory, argonTime, argonThreads, b.EncodeToString(salt), b.EncodeToString(key)), nil
}

// VerifyPassword checks pw against a PHC argon2id hash in constant time.
func VerifyPassword(hash, pw string) bool {
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false
	}
	var v int
	var m, t uint32
	var p uint8
	if _, err := fmt.Sscanf(parts[2], "v=%d", &v); err != nil || v != argon2.Version {
		return false
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil || m == 0 || t == 0 || p == 0 || m > 1<<20 || t > 20 {
		return false
	}
	b := base64.RawStdEncoding
	salt, err1 := b.DecodeString(parts[4])
	want, err2 := b.DecodeString(parts[5])
	if err1 != nil || err2 != nil || len(want) == 0 {
		return false
	}
	got := argon2.IDKey([]byte(pw), salt, t, m, p, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1
}

// dummyHash is verified against when an account does not exist, so a wrong
// phone number takes as long as a wrong password.
var dummyHash, _ = HashPassword("dummy-password-for-timing-1")

// SpendPasswordCheck verifies pw against a dummy hash: a sign-in for an
// account that does not exist takes as long as a wrong password.
func SpendPasswordCheck(pw string) { VerifyPassword(dummyHash, pw) }

// commonPasswords are refused outright (the most used passwords in Vietnam).
var commonPasswords = map[string]bool{
	"12345678": true, "123456789": true, "1234567890": true, "password": true, "password1": true, "matkhau123": true,
	"abc12345": true, "qwerty123": true, "11111111": true, "88888888": true, "iloveyou1": true, "anhyeuem": true,
	"anhyeuem1": true, "vietnam1": true, "caobang1": true, "123456aa": true, "a1234567": true, "aa123456": true,
}

// CheckPassword applies the password policy. Messages are in Vietnamese for
// the citizen; the English summary is in the error.
func CheckPassword(pw, phone string) *cds.Error {
	msg := ""
	n := len([]rune(pw))
	var letter, digit bool
	for _, r := range pw {
		letter = letter || unicode.IsLetter(r)
		digit = digit || unicode.IsDigit(r)
	}
	digits := strings.TrimPrefix(phone, "+84")
	switch {
	case n < 8:
		msg = "Mật khẩu phải có ít nhất 8 ký tự."
	case n > 128:
		msg = "Mật khẩu không được dài quá 128 ký tự."
	case !letter || !digit:
		msg = "Mật khẩu phải có cả chữ cái và chữ số."
	case commonPasswords[strings.ToLower(pw)]:
		msg = "Mật khẩu này quá phổ biến, vui lòng chọn mật khẩu khác."
	case len(digits) >= 6 && strings.Contains(pw, digits):
		msg = "Mật khẩu không được chứa số điện thoại."
	}
	if msg == "" {
		return nil
	}
	return cds.Errorf(cds.EINVALID, "Mật khẩu chưa đủ mạnh.", "The password does not meet the policy.").WithField("password", msg)
}

// InvalidPhone is the error of a phone number that is not a Vietnamese mobile.
func InvalidPhone() *cds.Error {
	return cds.Errorf(cds.EINVALID, "Số điện thoại không hợp lệ.", "Invalid phone number.").
		WithField("phone", "Vui lòng nhập số di động Việt Nam, ví dụ 0912 345 678.")
}

// RandomToken is n random bytes, base64url: session IDs, refresh tokens,
// OIDC state, generated passwords.
func RandomToken(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err) // the OS random source never fails on supported platforms
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

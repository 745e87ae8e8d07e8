package accounts

// Phone verification by one-time code (issue 20). Registration creates a
// pending account and sends a code by SMS; the account becomes active, and
// signs in, only when the code is verified. Password reset uses the same
// codes. Codes: 6 digits, stored as an HMAC (keyed with the token secret, so
// a database copy alone cannot brute-force them), 5 minutes, 5 tries,
// requests and checks rate-limited per phone and per IP. No answer tells
// whether a phone number is registered.

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"fmt"
	"math/big"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	cds "github.com/caobang/congdanso"
	"github.com/caobang/congdanso/api"
	"github.com/caobang/congdanso/postgres"
)

const (
	otpTTL         = 5 * time.Minute
	otpMaxAttempts = 5
)

// otpHash is HMAC-SHA256(token secret, purpose:user:code).
func (s *Handler) otpHash(purpose string, userID int64, code string) []byte {
	m := hmac.New(sha256.New, s.Config.TokenSecret)
	fmt.Fprintf(m, "%s:%d:%s", purpose, userID, code)
	return m.Sum(nil)
}

// newOTP draws a uniform 6-digit code.
func newOTP() string {
	n, err := rand.Int(rand.Reader, big.NewInt(1000000))
	if err != nil {
		panic(err) // the OS random source never fails on supported platforms
	}
	return fmt.Sprintf("%06d", n.Int64())
}

// sendOTP stores a new code for userID and queues its SMS.
func (s *Handler) sendOTP(c *gin.Context, userID int64, purpose string) error {
	code := newOTP()
	what := "Mã xác thực đăng ký"
	if purpose == "reset" {
		what = "Mã đặt lại mật khẩu"
	}
	text := fmt.Sprintf("%s Công dân số Cao Bằng: %s. Hết hạn sau 5 phút. Không chia sẻ mã này cho ai.", what, code)
	return s.DB.CreateOTP(c.Request.Context(), userID, purpose, s.otpHash(purpose, userID, code), otpTTL, text)
}

// otpSent is the one answer to a code request, whether or not the number
// has an account.
func otpSent(c *gin.Context) {
	c.JSON(http.StatusAccepted, gin.H{
		"message":    "Nếu số điện thoại hợp lệ, mã xác thực đã được gửi bằng SMS. Mã có hiệu lực 5 phút.",
		"message_en": "If the number can receive it, a code has been sent by SMS. It is valid for 5 minutes.",
		"expires_in": int(otpTTL.Seconds()),
	})
}

func wrongOTP() *cds.Error {
	return cds.Errorf(cds.EINVALID, "Mã xác thực không đúng hoặc đã hết hạn.", "The code is wrong or expired.").
		WithField("code", "Mã xác thực không đúng hoặc đã hết hạn.")
}

// startRegistration is the end of POST /auth/register once the input is
// valid: a pending account and a code for a new number; nothing for a
// number that already has an account; the same 202 either way.
func (s *Handler) startRegistration(c *gin.Context, name, phone, passwordHash string, consents ...postgres.ConsentDecision) {
	id, pending, err := s.DB.CreatePendingCitizen(c.Request.Context(), name, phone, passwordHash, consents...)
	if err == nil && pending {
		err = s.sendOTP(c, id, "register")
	}
	if err != nil {
		api.WriteError(c, err)
		return
	}
	otpSent(c)
}

type verifyReq struct {
	Phone string `json:"phone"`
	Code  string `json:"code"`
}

// codeUse is what one kind of one-time code is checked against: the
// purpose it was sent for, the per-IP rate-limit scope of its form, and the
// account status it may be used with ("" for any).
type codeUse struct{ purpose, ipScope, status string }

var (
	registerCode = codeUse{purpose: "register", ipScope: "otp.ip", status: "pending"}
	resetCode    = codeUse{purpose: "reset", ipScope: "reset.ip"}
)

// consumeCode is the one check of a one-time code (registration and
// password reset): the phone read as a mobile number, tries limited per IP
// and per phone, the account looked up, the code consumed (5 tries, then
// void). An unknown number, an account in another status and a wrong,
// expired or spent code give the same error, so the answer never tells
// whether a number is registered.
func (s *Handler) consumeCode(c *gin.Context, use codeUse, phoneIn, code string) (postgres.User, error) {
	phone, ok := cds.NormalizeMobile(phoneIn)
	if !ok {
		return postgres.User{}, api.InvalidPhone()
	}
	if err := s.RateLimit(c, use.ipScope, s.ClientIP(c), "otp.phone", phone); err != nil {
		return postgres.User{}, err
	}
	ctx := c.Request.Context()
	u, err := s.DB.UserByPhone(ctx, phone)
	if cds.ErrorCode(err) == cds.ENOTFOUND || (err == nil && use.status != "" && u.Status != use.status) {
		return postgres.User{}, wrongOTP()
	} else if err != nil {
		return postgres.User{}, err
	}
	ok, err = s.DB.ConsumeOTP(ctx, u.ID, use.purpose, s.otpHash(use.purpose, u.ID, strings.TrimSpace(code)), otpMaxAttempts)
	if err != nil {
		return postgres.User{}, err
	}
	if !ok {
		return postgres.User{}, wrongOTP()
	}
	return u, nil
}

// registerVerify activates a pending account with its code and signs it in (201).
func (s *Handler) registerVerify(c *gin.Context) {
	var req verifyReq
	if !api.BindJSON(c, &req) {
		return
	}
	u, err := s.consumeCode(c, registerCode, req.Phone, req.Code)
	if err == nil {
		u, err = s.DB.ActivateCitizen(c.Request.Context(), u.ID)
	}
	if err != nil {
		api.WriteError(c, err)
		return
	}
	resp, err := s.startSession(c, u, "password")
	if err != nil {
		api.WriteError(c, err)
		return
	}
	c.JSON(http.StatusCreated, resp)
}

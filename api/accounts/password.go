package accounts

import (
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	cds "github.com/caobang/congdanso"
	"github.com/caobang/congdanso/api"
)

type changePasswordReq struct {
	CurrentPassword string `json:"current_password"`
	NewPassword     string `json:"new_password"`
}

func (s *Handler) changePassword(c *gin.Context) {
	var req changePasswordReq
	if !api.BindJSON(c, &req) {
		return
	}
	ctx := c.Request.Context()
	u, err := s.DB.UserByID(ctx, api.ActorID(c))
	if err != nil {
		api.WriteError(c, err)
		return
	}
	if e := api.CheckPassword(req.NewPassword, u.Phone); e != nil {
		api.WriteError(c, e.WithField("new_password", e.Fields["password"]))
		return
	}
	if !s.RateCheck(c, "login.phone", "uid:"+strconv.FormatInt(u.ID, 10)) {
		return
	}
	if u.PasswordHash != "" && !api.VerifyPassword(u.PasswordHash, req.CurrentPassword) {
		api.WriteError(c, cds.Errorf(cds.EINVALID, "Mật khẩu hiện tại không đúng.", "The current password is wrong.").WithField("current_password", "Mật khẩu hiện tại không đúng."))
		return
	}
	hash, err := api.HashPassword(req.NewPassword)
	if err == nil {
		err = s.DB.SetPassword(ctx, u.ID, hash, api.SessionID(c))
	}
	if err == nil {
		err = s.DB.Audit(ctx, u.ID, "password-change", "user", strconv.FormatInt(u.ID, 10), nil)
	}
	if err != nil {
		api.WriteError(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"message": "Đã đổi mật khẩu. Các phiên đăng nhập khác đã được đăng xuất.", "message_en": "Password changed; other sessions were signed out."})
}

type forgotReq struct {
	Phone string `json:"phone"`
}

// forgotPassword sends a 6-digit code through the notification outbox. The
// answer is the same whether or not the number is registered.
func (s *Handler) forgotPassword(c *gin.Context) {
	var req forgotReq
	if !api.BindJSON(c, &req) {
		return
	}
	phone, ok := cds.NormalizeMobile(req.Phone)
	if !ok {
		api.WriteError(c, api.InvalidPhone())
		return
	}
	if !s.RateCheck(c, "reset.ip", s.ClientIP(c), "reset.phone", phone) {
		return
	}
	ctx := c.Request.Context()
	u, err := s.DB.UserByPhone(ctx, phone)
	if err == nil && u.Status == "active" {
		err = s.sendOTP(c, u.ID, "reset") // issue 20: 5-minute code by SMS (otp.go)
	} else if cds.ErrorCode(err) == cds.ENOTFOUND {
		err = nil
	}
	if err != nil {
		api.WriteError(c, err)
		return
	}
	c.JSON(http.StatusAccepted, gin.H{"message": "Nếu số điện thoại đã đăng ký, mã đặt lại mật khẩu đã được gửi.",
		"message_en": "If the number is registered, a reset code has been sent."})
}

type resetReq struct {
	Phone       string `json:"phone"`
	Code        string `json:"code"`
	NewPassword string `json:"new_password"`
}

func (s *Handler) resetPassword(c *gin.Context) {
	var req resetReq
	if !api.BindJSON(c, &req) {
		return
	}
	phone, ok := cds.NormalizeMobile(req.Phone)
	if !ok {
		api.WriteError(c, api.InvalidPhone())
		return
	}
	if e := api.CheckPassword(req.NewPassword, phone); e != nil {
		api.WriteError(c, e.WithField("new_password", e.Fields["password"]))
		return
	}
	// Issue 20: the one code check (otp.go), limited per phone too.
	u, err := s.consumeCode(c, resetCode, req.Phone, req.Code)
	if err != nil {
		api.WriteError(c, err)
		return
	}
	ctx := c.Request.Context()
	hash, err := api.HashPassword(req.NewPassword)
	if err == nil {
		err = s.DB.SetPassword(ctx, u.ID, hash, "")
	}
	if err == nil {
		_ = s.DB.RateReset(ctx, "login.phone:"+phone)
		err = s.DB.Audit(ctx, u.ID, "password-reset", "user", strconv.FormatInt(u.ID, 10), nil)
	}
	if err != nil {
		api.WriteError(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"message": "Đã đặt lại mật khẩu. Vui lòng đăng nhập lại.", "message_en": "Password reset; sign in again."})
}

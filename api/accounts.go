package api

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"net/http"
	"net/mail"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	cds "github.com/caobang/congdanso"
	"github.com/caobang/congdanso/postgres"
)

const sidKey = "cds.sid"

func init() {
	// Tokens carry their session (refresh-token family) id; a revoked or
	// expired session, or a disabled account, ends them at once. This is one
	// primary-key lookup per signed-in request. Tokens minted without a
	// session (tests, tools) have no sid and are only bounded by their expiry.
	sessionCheck = func(s *Server, c *gin.Context, userID int64, sid string) error {
		if sid == "" {
			return nil
		}
		ok, err := s.DB.SessionActive(c.Request.Context(), userID, sid)
		if err != nil {
			return err
		}
		if !ok {
			return cds.Errorf(cds.EUNAUTHORIZED, "Phiên đăng nhập đã kết thúc, vui lòng đăng nhập lại.", "The session has ended; sign in again.")
		}
		c.Set(sidKey, sid)
		return nil
	}
	register(func(s *Server) {
		s.handle(http.MethodPost, "/api/v1/auth/register", Public, s.register)
		s.handle(http.MethodPost, "/api/v1/auth/register/verify", Public, s.registerVerify) // issue 20: OTP
		s.handle(http.MethodPost, "/api/v1/auth/login", Public, s.login)
		s.handle(http.MethodPost, "/api/v1/auth/refresh", Public, s.refresh)
		s.handle(http.MethodPost, "/api/v1/auth/logout", SignedIn, s.logout)
		s.handle(http.MethodPost, "/api/v1/auth/logout-all", SignedIn, s.logoutAll)
		s.handle(http.MethodPost, "/api/v1/auth/password/forgot", Public, s.forgotPassword)
		s.handle(http.MethodPost, "/api/v1/auth/password/reset", Public, s.resetPassword)
		s.handle(http.MethodGet, "/api/v1/me", SignedIn, s.getMe)
		s.handle(http.MethodPatch, "/api/v1/me", SignedIn, s.patchMe)
		s.handle(http.MethodPost, "/api/v1/me/password", SignedIn, s.changePassword)
		s.handle(http.MethodGet, "/api/v1/me/sessions", SignedIn, s.listSessions)
		s.handle(http.MethodDelete, "/api/v1/me/sessions/:id", SignedIn, s.revokeSession)
	})
}

func currentSID(c *gin.Context) string {
	v, _ := c.Get(sidKey)
	sid, _ := v.(string)
	return sid
}

func randomToken(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err) // the OS random source never fails on supported platforms
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

func sha(s string) []byte {
	h := sha256.Sum256([]byte(s))
	return h[:]
}

// tokenResponse is what sign-in, refresh and the VNeID callback return.
type tokenResponse struct {
	AccessToken  string         `json:"access_token"`
	RefreshToken string         `json:"refresh_token"`
	TokenType    string         `json:"token_type"`
	ExpiresIn    int            `json:"expires_in"`
	SessionID    string         `json:"session_id"`
	User         map[string]any `json:"user"`
}

// startSession opens a refresh-token family for u and returns both tokens.
func (s *Server) startSession(c *gin.Context, u postgres.User, method string) (tokenResponse, error) {
	sid := randomToken(16)
	refresh := "rt_" + randomToken(32)
	ua := c.Request.UserAgent()
	if len(ua) > 200 {
		ua = ua[:200]
	}
	err := s.DB.CreateSession(c.Request.Context(), postgres.Session{
		ID: sid, UserID: u.ID, ExpiresAt: time.Now().Add(s.Config.RefreshTTL), UserAgent: ua, IP: s.clientIP(c), Method: method,
	}, sha(refresh))
	if err != nil {
		return tokenResponse{}, err
	}
	_ = s.DB.TouchLogin(c.Request.Context(), u.ID)
	return s.tokens(u, sid, refresh)
}

func (s *Server) tokens(u postgres.User, sid, refresh string) (tokenResponse, error) {
	access, exp, err := s.IssueAccessToken(u.Actor(), sid)
	if err != nil {
		return tokenResponse{}, err
	}
	return tokenResponse{
		AccessToken: access, RefreshToken: refresh, TokenType: "Bearer", ExpiresIn: int(time.Until(exp).Seconds() + 0.5), SessionID: sid,
		User: map[string]any{"id": u.ID, "full_name": u.FullName, "kind": u.Kind, "roles": u.Roles, "agency_code": u.AgencyCode},
	}, nil
}

func badCredentials() *cds.Error {
	return cds.Errorf(cds.EUNAUTHORIZED, "Số điện thoại (tên đăng nhập) hoặc mật khẩu không đúng.", "Wrong phone number (username) or password.")
}

type registerReq struct {
	FullName string `json:"full_name"`
	Phone    string `json:"phone"`
	Password string `json:"password"`
}

func (s *Server) register(c *gin.Context) {
	var req registerReq
	if !bindJSON(c, &req) {
		return
	}
	name := strings.Join(strings.Fields(req.FullName), " ")
	phone, ok := NormalizePhone(req.Phone)
	verr := cds.Errorf(cds.EINVALID, "Thông tin đăng ký chưa hợp lệ.", "Invalid registration data.")
	if n := utf8.RuneCountInString(name); n < 2 || n > 100 {
		verr.WithField("full_name", "Vui lòng nhập họ và tên (2–100 ký tự).")
	}
	if !ok {
		verr.WithField("phone", invalidPhone().Fields["phone"])
	}
	if e := CheckPassword(req.Password, phone); e != nil {
		verr.WithField("password", e.Fields["password"])
	}
	if len(verr.Fields) > 0 {
		writeError(c, verr)
		return
	}
	if !s.rateCheck(c, "register.ip", s.clientIP(c), "register.phone", phone) {
		return
	}
	hash, err := HashPassword(req.Password)
	if err != nil {
		writeError(c, err)
		return
	}
	s.startRegistration(c, name, phone, hash) // issue 20: active only after the SMS code (accounts_otp.go)
}

type loginReq struct {
	Phone    string `json:"phone"`
	Username string `json:"username"`
	Password string `json:"password"`
}

func (s *Server) login(c *gin.Context) {
	var req loginReq
	if !bindJSON(c, &req) {
		return
	}
	ctx := c.Request.Context()
	var key string
	var lookup func() (postgres.User, error)
	if req.Phone != "" {
		phone, ok := NormalizePhone(req.Phone)
		if !ok {
			writeError(c, invalidPhone())
			return
		}
		key, lookup = phone, func() (postgres.User, error) { return s.DB.UserByPhone(ctx, phone) }
	} else if u := strings.TrimSpace(req.Username); u != "" && len(u) <= 64 {
		key, lookup = "u:"+strings.ToLower(u), func() (postgres.User, error) { return s.DB.UserByUsername(ctx, u) }
	} else {
		writeError(c, cds.Errorf(cds.EINVALID, "Vui lòng nhập số điện thoại và mật khẩu.", "Phone number and password are required.").WithField("phone", "Bắt buộc."))
		return
	}
	// Count the attempt before checking the password, so parallel guesses
	// cannot slip past the limit.
	if !s.rateCheck(c, "login.ip", s.clientIP(c), "login.phone", key) {
		return
	}
	u, err := lookup()
	if err != nil && cds.ErrorCode(err) != cds.ENOTFOUND {
		writeError(c, err)
		return
	}
	if err != nil || u.PasswordHash == "" {
		VerifyPassword(dummyHash, req.Password)
		writeError(c, badCredentials())
		return
	}
	if !VerifyPassword(u.PasswordHash, req.Password) {
		writeError(c, badCredentials())
		return
	}
	if u.Status == "pending" { // issue 20: registered, phone not verified yet
		writeError(c, cds.Errorf(cds.EFORBIDDEN, "Số điện thoại chưa được xác thực. Vui lòng nhập mã đã gửi bằng SMS.", "The phone number is not verified yet; enter the SMS code."))
		return
	}
	if u.Status != "active" {
		writeError(c, cds.Errorf(cds.EFORBIDDEN, "Tài khoản đã bị khóa. Vui lòng liên hệ quản trị viên.", "The account is disabled."))
		return
	}
	_ = s.DB.RateReset(ctx, "login.phone:"+key)
	resp, err := s.startSession(c, u, "password")
	if err != nil {
		writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, resp)
}

type refreshReq struct {
	RefreshToken string `json:"refresh_token"`
}

func (s *Server) refresh(c *gin.Context) {
	var req refreshReq
	if !bindJSON(c, &req) {
		return
	}
	if req.RefreshToken == "" || len(req.RefreshToken) > 200 {
		writeError(c, cds.Errorf(cds.EUNAUTHORIZED, "Thiếu mã làm mới.", "Missing refresh token."))
		return
	}
	ctx := c.Request.Context()
	next := "rt_" + randomToken(32)
	uid, sid, err := s.DB.RotateRefresh(ctx, sha(req.RefreshToken), sha(next))
	if errors.Is(err, postgres.ErrRefreshReuse) {
		_ = s.DB.Audit(ctx, uid, "refresh-reuse", "session", sid, map[string]any{"ip": s.clientIP(c)})
		s.Logger.Warn("refresh token reuse: session revoked", "userID", uid)
		writeError(c, cds.Errorf(cds.EUNAUTHORIZED, "Mã làm mới đã được sử dụng trước đó; phiên đăng nhập đã bị thu hồi để bảo vệ tài khoản.",
			"The refresh token was already used; the session has been revoked."))
		return
	}
	if err != nil {
		writeError(c, err)
		return
	}
	u, err := s.DB.UserByID(ctx, uid)
	if err != nil || u.Status != "active" {
		writeError(c, cds.Errorf(cds.EUNAUTHORIZED, "Tài khoản không còn hoạt động.", "The account is no longer active."))
		return
	}
	resp, err := s.tokens(u, sid, next)
	if err != nil {
		writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, resp)
}

func (s *Server) logout(c *gin.Context) {
	var req refreshReq
	if c.Request.ContentLength > 0 && !bindJSON(c, &req) {
		return
	}
	ctx := c.Request.Context()
	if sid := currentSID(c); sid != "" {
		if err := s.DB.RevokeSession(ctx, actorID(c), sid, "logout"); err != nil && cds.ErrorCode(err) != cds.ENOTFOUND {
			writeError(c, err)
			return
		}
	}
	if req.RefreshToken != "" {
		if err := s.DB.RevokeSessionByRefresh(ctx, actorID(c), sha(req.RefreshToken)); err != nil {
			writeError(c, err)
			return
		}
	}
	c.Status(http.StatusNoContent)
}

func (s *Server) logoutAll(c *gin.Context) {
	n, err := s.DB.RevokeAllSessions(c.Request.Context(), actorID(c), "logout-all")
	if err != nil {
		writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"revoked": n})
}

func (s *Server) listSessions(c *gin.Context) {
	list, err := s.DB.Sessions(c.Request.Context(), actorID(c))
	if err != nil {
		writeError(c, err)
		return
	}
	cur := currentSID(c)
	items := make([]gin.H, 0, len(list))
	for _, x := range list {
		items = append(items, gin.H{"id": x.ID, "created_at": x.CreatedAt.In(cds.VietnamTZ), "last_used_at": x.LastUsedAt.In(cds.VietnamTZ),
			"expires_at": x.ExpiresAt.In(cds.VietnamTZ), "user_agent": x.UserAgent, "ip": x.IP, "method": x.Method, "current": x.ID == cur})
	}
	c.JSON(http.StatusOK, gin.H{"items": items, "next_cursor": nil})
}

func (s *Server) revokeSession(c *gin.Context) {
	id := c.Param("id")
	if len(id) > 64 {
		writeError(c, cds.Errorf(cds.ENOTFOUND, "Không tìm thấy phiên đăng nhập.", "Session not found."))
		return
	}
	if err := s.DB.RevokeSession(c.Request.Context(), actorID(c), id, "revoked"); err != nil {
		writeError(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

// meView is the profile as its owner sees it. The ID number is masked.
func (s *Server) meView(c *gin.Context, u postgres.User) (gin.H, error) {
	out := gin.H{"id": u.ID, "kind": u.Kind, "full_name": u.FullName, "phone": u.Phone, "email": u.Email, "address": u.Address,
		"commune_code": u.CommuneCode, "roles": u.Roles, "created_at": u.CreatedAt.In(cds.VietnamTZ)}
	if u.Kind == "staff" {
		out["username"], out["agency_code"] = u.Username, u.AgencyCode
	}
	id, linked, err := s.DB.IdentityOfUser(c.Request.Context(), u.ID, vneidProvider)
	if err != nil {
		return nil, err
	}
	v := gin.H{"linked": linked}
	if linked {
		v["id_number_masked"] = id.IDMasked
	}
	out["vneid"] = v
	return out, nil
}

func (s *Server) getMe(c *gin.Context) {
	u, err := s.DB.UserByID(c.Request.Context(), actorID(c))
	if err != nil {
		writeError(c, err)
		return
	}
	v, err := s.meView(c, u)
	if err != nil {
		writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, v)
}

func (s *Server) patchMe(c *gin.Context) {
	var p postgres.Profile
	if !bindJSON(c, &p) {
		return
	}
	ctx := c.Request.Context()
	verr := cds.Errorf(cds.EINVALID, "Thông tin cá nhân chưa hợp lệ.", "Invalid profile data.")
	if p.FullName != nil {
		n := strings.Join(strings.Fields(*p.FullName), " ")
		p.FullName = &n
		if l := utf8.RuneCountInString(n); l < 2 || l > 100 {
			verr.WithField("full_name", "Vui lòng nhập họ và tên (2–100 ký tự).")
		}
	}
	if p.Email != nil && *p.Email != "" {
		if a, err := mail.ParseAddress(*p.Email); err != nil || a.Address != *p.Email || len(*p.Email) > 200 {
			verr.WithField("email", "Địa chỉ email không hợp lệ.")
		}
	}
	if p.Address != nil && utf8.RuneCountInString(*p.Address) > 300 {
		verr.WithField("address", "Địa chỉ quá dài (tối đa 300 ký tự).")
	}
	if p.CommuneCode != nil && *p.CommuneCode != "" {
		ok, err := s.DB.IsCommune(ctx, *p.CommuneCode)
		if err != nil {
			writeError(c, err)
			return
		}
		if !ok {
			verr.WithField("commune_code", "Xã/phường không tồn tại.")
		}
	}
	if len(verr.Fields) > 0 {
		writeError(c, verr)
		return
	}
	if err := s.DB.UpdateProfile(ctx, actorID(c), p); err != nil {
		writeError(c, err)
		return
	}
	s.getMe(c)
}

type changePasswordReq struct {
	CurrentPassword string `json:"current_password"`
	NewPassword     string `json:"new_password"`
}

func (s *Server) changePassword(c *gin.Context) {
	var req changePasswordReq
	if !bindJSON(c, &req) {
		return
	}
	ctx := c.Request.Context()
	u, err := s.DB.UserByID(ctx, actorID(c))
	if err != nil {
		writeError(c, err)
		return
	}
	if e := CheckPassword(req.NewPassword, u.Phone); e != nil {
		writeError(c, e.WithField("new_password", e.Fields["password"]))
		return
	}
	if !s.rateCheck(c, "login.phone", "uid:"+strconv.FormatInt(u.ID, 10)) {
		return
	}
	if u.PasswordHash != "" && !VerifyPassword(u.PasswordHash, req.CurrentPassword) {
		writeError(c, cds.Errorf(cds.EINVALID, "Mật khẩu hiện tại không đúng.", "The current password is wrong.").WithField("current_password", "Mật khẩu hiện tại không đúng."))
		return
	}
	hash, err := HashPassword(req.NewPassword)
	if err == nil {
		err = s.DB.SetPassword(ctx, u.ID, hash, currentSID(c))
	}
	if err == nil {
		err = s.DB.Audit(ctx, u.ID, "password-change", "user", strconv.FormatInt(u.ID, 10), nil)
	}
	if err != nil {
		writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"message": "Đã đổi mật khẩu. Các phiên đăng nhập khác đã được đăng xuất.", "message_en": "Password changed; other sessions were signed out."})
}

type forgotReq struct {
	Phone string `json:"phone"`
}

// forgotPassword sends a 6-digit code through the notification outbox. The
// answer is the same whether or not the number is registered.
func (s *Server) forgotPassword(c *gin.Context) {
	var req forgotReq
	if !bindJSON(c, &req) {
		return
	}
	phone, ok := NormalizePhone(req.Phone)
	if !ok {
		writeError(c, invalidPhone())
		return
	}
	if !s.rateCheck(c, "reset.ip", s.clientIP(c), "reset.phone", phone) {
		return
	}
	ctx := c.Request.Context()
	u, err := s.DB.UserByPhone(ctx, phone)
	if err == nil && u.Status == "active" {
		err = s.sendOTP(c, u.ID, "reset") // issue 20: 5-minute code by SMS (accounts_otp.go)
	} else if cds.ErrorCode(err) == cds.ENOTFOUND {
		err = nil
	}
	if err != nil {
		writeError(c, err)
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

func (s *Server) resetPassword(c *gin.Context) {
	var req resetReq
	if !bindJSON(c, &req) {
		return
	}
	phone, ok := NormalizePhone(req.Phone)
	if !ok {
		writeError(c, invalidPhone())
		return
	}
	if e := CheckPassword(req.NewPassword, phone); e != nil {
		writeError(c, e.WithField("new_password", e.Fields["password"]))
		return
	}
	if !s.rateCheck(c, "reset.ip", s.clientIP(c), "otp.phone", phone) { // issue 20: per phone too
		return
	}
	ctx := c.Request.Context()
	wrong := cds.Errorf(cds.EINVALID, "Mã xác nhận không đúng hoặc đã hết hạn.", "The code is wrong or expired.").WithField("code", "Mã xác nhận không đúng hoặc đã hết hạn.")
	u, err := s.DB.UserByPhone(ctx, phone)
	if err != nil {
		if cds.ErrorCode(err) == cds.ENOTFOUND {
			err = wrong
		}
		writeError(c, err)
		return
	}
	ok, err = s.DB.ConsumeOTP(ctx, u.ID, "reset", s.otpHash("reset", u.ID, strings.TrimSpace(req.Code)), otpMaxAttempts)
	if err != nil {
		writeError(c, err)
		return
	}
	if !ok {
		writeError(c, wrong)
		return
	}
	hash, err := HashPassword(req.NewPassword)
	if err == nil {
		err = s.DB.SetPassword(ctx, u.ID, hash, "")
	}
	if err == nil {
		_ = s.DB.RateReset(ctx, "login.phone:"+phone)
		err = s.DB.Audit(ctx, u.ID, "password-reset", "user", strconv.FormatInt(u.ID, 10), nil)
	}
	if err != nil {
		writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"message": "Đã đặt lại mật khẩu. Vui lòng đăng nhập lại.", "message_en": "Password reset; sign in again."})
}

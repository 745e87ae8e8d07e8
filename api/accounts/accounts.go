package accounts

import (
	"errors"
	"net/http"
	"net/mail"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	cds "github.com/caobang/congdanso"
	"github.com/caobang/congdanso/api"
	"github.com/caobang/congdanso/postgres"
)

func (s *Handler) registerAccounts(r *api.Server) {
	r.Handle(http.MethodPost, "/api/v1/auth/register", api.Public, s.register)
	r.Handle(http.MethodPost, "/api/v1/auth/register/verify", api.Public, s.registerVerify) // issue 20: OTP (otp.go)
	r.Handle(http.MethodPost, "/api/v1/auth/login", api.Public, s.login)
	r.Handle(http.MethodPost, "/api/v1/auth/refresh", api.Public, s.refresh)
	r.Handle(http.MethodPost, "/api/v1/auth/logout", api.SignedIn, s.logout)
	r.Handle(http.MethodPost, "/api/v1/auth/logout-all", api.SignedIn, s.logoutAll)
	r.Handle(http.MethodPost, "/api/v1/auth/password/forgot", api.Public, s.forgotPassword)
	r.Handle(http.MethodPost, "/api/v1/auth/password/reset", api.Public, s.resetPassword)
	r.Handle(http.MethodGet, "/api/v1/me", api.SignedIn, s.getMe)
	r.Handle(http.MethodPatch, "/api/v1/me", api.SignedIn, s.patchMe)
	r.Handle(http.MethodPost, "/api/v1/me/password", api.SignedIn, s.changePassword)
	r.Handle(http.MethodGet, "/api/v1/me/sessions", api.SignedIn, s.listSessions)
	r.Handle(http.MethodDelete, "/api/v1/me/sessions/:id", api.SignedIn, s.revokeSession)
}

func sha(s string) []byte { return api.HashToken(s) }

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
func (s *Handler) startSession(c *gin.Context, u postgres.User, method string) (tokenResponse, error) {
	ua := c.Request.UserAgent()
	if len(ua) > 200 {
		ua = ua[:200]
	}
	sid, refresh, err := s.OpenSession(c.Request.Context(), u.ID, method, ua, s.ClientIP(c))
	if err != nil {
		return tokenResponse{}, err
	}
	_ = s.DB.TouchLogin(c.Request.Context(), u.ID)
	return s.tokens(u, sid, refresh)
}

func (s *Handler) tokens(u postgres.User, sid, refresh string) (tokenResponse, error) {
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
	// TermsVersion is the version of the terms the form showed (optional;
	// when sent it must be the current one). Consents holds the optional
	// processing the citizen chose, e.g. {"notifications": true}.
	TermsVersion string           `json:"terms_version"`
	Consents     map[string]*bool `json:"consents"`
}

func (s *Handler) register(c *gin.Context) {
	var req registerReq
	if !api.BindJSON(c, &req) {
		return
	}
	name := strings.Join(strings.Fields(req.FullName), " ")
	phone, ok := cds.NormalizeMobile(req.Phone)
	verr := cds.Errorf(cds.EINVALID, "Thông tin đăng ký chưa hợp lệ.", "Invalid registration data.")
	if n := utf8.RuneCountInString(name); n < 2 || n > 100 {
		verr.WithField("full_name", "Vui lòng nhập họ và tên (2–100 ký tự).")
	}
	if !ok {
		verr.WithField("phone", api.InvalidPhone().Fields["phone"])
	}
	if e := api.CheckPassword(req.Password, phone); e != nil {
		verr.WithField("password", e.Fields["password"])
	}
	consents, cerr := registrationConsents(req.TermsVersion, req.Consents["notifications"])
	if cerr != nil {
		verr.WithField("terms_version", cerr.Fields["terms_version"])
	}
	if len(verr.Fields) > 0 {
		api.WriteError(c, verr)
		return
	}
	if !s.RateCheck(c, "register.ip", s.ClientIP(c), "register.phone", phone) {
		return
	}
	hash, err := api.HashPassword(req.Password)
	if err != nil {
		api.WriteError(c, err)
		return
	}
	// Issue 20: the account is active only after the SMS code (otp.go);
	// the consents given here are recorded with the pending account.
	s.startRegistration(c, name, phone, hash, consents...)
}

type loginReq struct {
	Phone    string `json:"phone"`
	Username string `json:"username"`
	Password string `json:"password"`
}

func (s *Handler) login(c *gin.Context) {
	var req loginReq
	if !api.BindJSON(c, &req) {
		return
	}
	resp, err := s.SignIn(c, req.Phone, req.Username, req.Password)
	if err != nil {
		api.WriteError(c, err)
		return
	}
	c.JSON(http.StatusOK, resp)
}

// Tokens are what a sign-in returns.
type Tokens = tokenResponse

// SignIn checks a password sign-in (by phone, else by user name) under the
// rate limits and opens a session: the one implementation behind the API's
// login and the console's login page.
func (s *Handler) SignIn(c *gin.Context, phoneIn, username, password string) (Tokens, error) {
	ctx := c.Request.Context()
	var key string
	var lookup func() (postgres.User, error)
	if phoneIn != "" {
		phone, ok := cds.NormalizeMobile(phoneIn)
		if !ok {
			return Tokens{}, api.InvalidPhone()
		}
		key, lookup = phone, func() (postgres.User, error) { return s.DB.UserByPhone(ctx, phone) }
	} else if u := strings.TrimSpace(username); u != "" && len(u) <= 64 {
		key, lookup = "u:"+strings.ToLower(u), func() (postgres.User, error) { return s.DB.UserByUsername(ctx, u) }
	} else {
		return Tokens{}, cds.Errorf(cds.EINVALID, "Vui lòng nhập số điện thoại và mật khẩu.", "Phone number and password are required.").WithField("phone", "Bắt buộc.")
	}
	// Count the attempt before checking the password, so parallel guesses
	// cannot slip past the limit.
	if err := s.RateLimit(c, "login.ip", s.ClientIP(c), "login.phone", key); err != nil {
		return Tokens{}, err
	}
	u, err := lookup()
	if err != nil && cds.ErrorCode(err) != cds.ENOTFOUND {
		return Tokens{}, err
	}
	if err != nil || u.PasswordHash == "" {
		api.SpendPasswordCheck(password)
		return Tokens{}, badCredentials()
	}
	if !api.VerifyPassword(u.PasswordHash, password) {
		return Tokens{}, badCredentials()
	}
	if u.Status == "pending" { // issue 20: registered, phone not verified yet
		return Tokens{}, cds.Errorf(cds.EFORBIDDEN, "Số điện thoại chưa được xác thực. Vui lòng nhập mã đã gửi bằng SMS.", "The phone number is not verified yet; enter the SMS code.")
	}
	if u.Status != "active" {
		return Tokens{}, cds.Errorf(cds.EFORBIDDEN, "Tài khoản đã bị khóa. Vui lòng liên hệ quản trị viên.", "The account is disabled.")
	}
	_ = s.DB.RateReset(ctx, "login.phone:"+key)
	return s.startSession(c, u, "password")
}

type refreshReq struct {
	RefreshToken string `json:"refresh_token"`
}

func (s *Handler) refresh(c *gin.Context) {
	var req refreshReq
	if !api.BindJSON(c, &req) {
		return
	}
	if req.RefreshToken == "" || len(req.RefreshToken) > 200 {
		api.WriteError(c, cds.Errorf(cds.EUNAUTHORIZED, "Thiếu mã làm mới.", "Missing refresh token."))
		return
	}
	ctx := c.Request.Context()
	next := "rt_" + api.RandomToken(32)
	uid, sid, err := s.DB.RotateRefresh(ctx, sha(req.RefreshToken), sha(next))
	if errors.Is(err, postgres.ErrRefreshReuse) {
		_ = s.DB.Audit(ctx, uid, "refresh-reuse", "session", sid, map[string]any{"ip": s.ClientIP(c)})
		s.Logger.Warn("refresh token reuse: session revoked", "userID", uid)
		api.WriteError(c, cds.Errorf(cds.EUNAUTHORIZED, "Mã làm mới đã được sử dụng trước đó; phiên đăng nhập đã bị thu hồi để bảo vệ tài khoản.",
			"The refresh token was already used; the session has been revoked."))
		return
	}
	if err != nil {
		api.WriteError(c, err)
		return
	}
	u, err := s.DB.UserByID(ctx, uid)
	if err != nil || u.Status != "active" {
		api.WriteError(c, cds.Errorf(cds.EUNAUTHORIZED, "Tài khoản không còn hoạt động.", "The account is no longer active."))
		return
	}
	resp, err := s.tokens(u, sid, next)
	if err != nil {
		api.WriteError(c, err)
		return
	}
	c.JSON(http.StatusOK, resp)
}

func (s *Handler) logout(c *gin.Context) {
	var req refreshReq
	if c.Request.ContentLength > 0 && !api.BindJSON(c, &req) {
		return
	}
	if err := s.SignOut(c, req.RefreshToken); err != nil {
		api.WriteError(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

// SignOut ends the request's session and, if given, the session of a
// refresh token of the same account.
func (s *Handler) SignOut(c *gin.Context, refreshToken string) error {
	ctx := c.Request.Context()
	if sid := api.SessionID(c); sid != "" {
		if err := s.DB.RevokeSession(ctx, api.ActorID(c), sid, "logout"); err != nil && cds.ErrorCode(err) != cds.ENOTFOUND {
			return err
		}
	}
	if refreshToken != "" {
		return s.DB.RevokeSessionByRefresh(ctx, api.ActorID(c), sha(refreshToken))
	}
	return nil
}

func (s *Handler) logoutAll(c *gin.Context) {
	n, err := s.DB.RevokeAllSessions(c.Request.Context(), api.ActorID(c), "logout-all")
	if err != nil {
		api.WriteError(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"revoked": n})
}

func (s *Handler) listSessions(c *gin.Context) {
	list, err := s.DB.Sessions(c.Request.Context(), api.ActorID(c))
	if err != nil {
		api.WriteError(c, err)
		return
	}
	cur := api.SessionID(c)
	items := make([]gin.H, 0, len(list))
	for _, x := range list {
		items = append(items, gin.H{"id": x.ID, "created_at": x.CreatedAt.In(cds.VietnamTZ), "last_used_at": x.LastUsedAt.In(cds.VietnamTZ),
			"expires_at": x.ExpiresAt.In(cds.VietnamTZ), "user_agent": x.UserAgent, "ip": x.IP, "method": x.Method, "current": x.ID == cur})
	}
	c.JSON(http.StatusOK, gin.H{"items": items, "next_cursor": nil})
}

func (s *Handler) revokeSession(c *gin.Context) {
	id := c.Param("id")
	if len(id) > 64 {
		api.WriteError(c, cds.Errorf(cds.ENOTFOUND, "Không tìm thấy phiên đăng nhập.", "Session not found."))
		return
	}
	if err := s.DB.RevokeSession(c.Request.Context(), api.ActorID(c), id, "revoked"); err != nil {
		api.WriteError(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

// meView is the profile as its owner sees it. The ID number is masked.
func (s *Handler) meView(c *gin.Context, u postgres.User) (gin.H, error) {
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

func (s *Handler) getMe(c *gin.Context) {
	u, err := s.DB.UserByID(c.Request.Context(), api.ActorID(c))
	if err != nil {
		api.WriteError(c, err)
		return
	}
	v, err := s.meView(c, u)
	if err != nil {
		api.WriteError(c, err)
		return
	}
	c.JSON(http.StatusOK, v)
}

func (s *Handler) patchMe(c *gin.Context) {
	var p postgres.Profile
	if !api.BindJSON(c, &p) {
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
			api.WriteError(c, err)
			return
		}
		if !ok {
			verr.WithField("commune_code", "Xã/phường không tồn tại.")
		}
	}
	if len(verr.Fields) > 0 {
		api.WriteError(c, verr)
		return
	}
	if err := s.DB.UpdateProfile(ctx, api.ActorID(c), p); err != nil {
		api.WriteError(c, err)
		return
	}
	s.getMe(c)
}

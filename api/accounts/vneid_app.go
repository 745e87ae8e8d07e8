package accounts

// VNeID as the mobile app needs it (issue 20): the provider's own claim
// names (configurable), the level of assurance requested and recorded on
// the session, accounts linked by the personal ID number, unlinking, and a
// callback that hands an allow-listed app redirect URI a one-time code the
// app exchanges (with PKCE) for tokens.

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	cds "github.com/caobang/congdanso"
	"github.com/caobang/congdanso/api"
	"github.com/caobang/congdanso/postgres"
)

// VNeIDConfig configures the national identity provider beyond the OIDC
// endpoints. Zero fields take the defaults below.
type VNeIDConfig struct {
	// Claims names the provider's claims. Defaults: name, phone_number,
	// phone_number_verified (OIDC standard) and SoDinhDanh for the personal
	// ID number; the national names are to confirm at onboarding.
	Claims VNeIDClaims
	// ACRValues is sent as acr_values (the level of assurance asked for,
	// e.g. the provider's name for a level-2 electronic identity; to confirm
	// at onboarding). The acr the provider returns is recorded on the session.
	ACRValues string
	// AppRedirects are the mobile app's redirect URIs (custom scheme or app
	// link), matched exactly. Empty: the app flow is off.
	AppRedirects []string
}

// VNeIDClaims are claim names.
type VNeIDClaims struct {
	Name, Phone, PhoneVerified, IDNumber string
}

func (s vneid) vneidConfig() VNeIDConfig {
	c := s.Accounts.VNeID
	def := func(p *string, v string) {
		if *p == "" {
			*p = v
		}
	}
	def(&c.Claims.Name, "name")
	def(&c.Claims.Phone, "phone_number")
	def(&c.Claims.PhoneVerified, "phone_number_verified")
	def(&c.Claims.IDNumber, "SoDinhDanh")
	return c
}

// mapClaims reads the configured claims from raw into cl (non-empty values win).
func (s vneid) mapClaims(raw map[string]any, cl *vneidClaims) {
	n := s.vneidConfig().Claims
	str := func(k string) string {
		switch v := raw[k].(type) {
		case string:
			return strings.TrimSpace(v)
		case float64:
			return fmt.Sprintf("%.0f", v)
		}
		return ""
	}
	if v := str(n.Name); v != "" {
		cl.Name = v
	}
	if v := str(n.Phone); v != "" {
		cl.Phone = v
		switch b := raw[n.PhoneVerified].(type) {
		case bool:
			cl.PhoneVerified = b
		case string:
			cl.PhoneVerified = b == "true" || b == "1"
		}
	}
	if v := str(n.IDNumber); v != "" {
		cl.SoDinhDanh = v
	}
	if v := str("acr"); v != "" {
		cl.ACR = v
	}
}

// idNumberHMAC is the keyed hash that finds a person's account by ID number
// without storing the number in clear.
func (s vneid) idNumberHMAC(id string) ([]byte, error) {
	id = strings.TrimSpace(id)
	if id == "" {
		return nil, nil
	}
	key, err := s.idKey()
	if err != nil {
		return nil, err
	}
	m := hmac.New(sha256.New, key)
	m.Write([]byte("so-dinh-danh:" + id))
	return m.Sum(nil), nil
}

var pkceChallenge = regexp.MustCompile(`^[A-Za-z0-9_-]{43}$`)

// appParams reads the app's redirect URI, state and PKCE challenge from
// the start request; a redirect URI off the allow-list is refused.
func (s vneid) appParams(c *gin.Context) (redirect, state, challenge string, err error) {
	redirect = c.Query("redirect_uri")
	if redirect == "" {
		return "", "", "", nil
	}
	allowed := false
	for _, r := range s.vneidConfig().AppRedirects {
		allowed = allowed || r == redirect
	}
	bad := cds.Errorf(cds.EINVALID, "Địa chỉ quay về của ứng dụng không được phép.", "The app redirect URI is not allowed.")
	if !allowed {
		return "", "", "", bad.WithField("redirect_uri", "Không nằm trong danh sách cho phép. / Not allow-listed.")
	}
	state, challenge = c.Query("state"), c.Query("code_challenge")
	if !pkceChallenge.MatchString(challenge) || c.DefaultQuery("code_challenge_method", "S256") != "S256" || len(state) > 200 {
		return "", "", "", cds.Errorf(cds.EINVALID, "Thiếu code_challenge (PKCE S256) hợp lệ.", "A valid PKCE S256 code_challenge is required.").
			WithField("code_challenge", "Bắt buộc, S256. / Required, S256.")
	}
	return redirect, state, challenge, nil
}

const appCodeTTL = time.Minute

// redirectToApp ends the callback of an app sign-in: a one-time code, bound
// to the app's PKCE challenge, sent to the app's redirect URI.
func (s vneid) redirectToApp(c *gin.Context, st postgres.OIDCState, u postgres.User, acr string, link map[string]any) {
	code := api.RandomToken(32)
	if err := s.DB.CreateAppCode(c.Request.Context(), sha(code), postgres.AppCode{UserID: u.ID, Challenge: st.AppChallenge, ACR: acr, Link: link}, appCodeTTL); err != nil {
		api.WriteError(c, err)
		return
	}
	c.Redirect(http.StatusFound, appURL(st.AppRedirect, url.Values{"code": {code}, "state": {st.AppState}}))
}

// appURL adds query parameters to an allow-listed redirect URI.
func appURL(redirect string, q url.Values) string {
	u, err := url.Parse(redirect)
	if err != nil {
		return redirect
	}
	v := u.Query()
	for k, x := range q {
		v[k] = x
	}
	u.RawQuery = v.Encode()
	return u.String()
}

type appTokenReq struct {
	Code         string `json:"code"`
	CodeVerifier string `json:"code_verifier"`
}

// vneidToken exchanges the app's one-time code and PKCE verifier for tokens.
func (s vneid) vneidToken(c *gin.Context) {
	var req appTokenReq
	if !api.BindJSON(c, &req) {
		return
	}
	if !s.RateCheck(c, "otp.ip", s.ClientIP(c)) {
		return
	}
	invalid := cds.Errorf(cds.EINVALID, "Mã đăng nhập không hợp lệ hoặc đã hết hạn.", "The sign-in code is invalid or expired.")
	if req.Code == "" || len(req.Code) > 100 || len(req.CodeVerifier) < 43 || len(req.CodeVerifier) > 128 {
		api.WriteError(c, invalid)
		return
	}
	ac, err := s.DB.TakeAppCode(c.Request.Context(), sha(req.Code))
	if err != nil {
		if cds.ErrorCode(err) == cds.ENOTFOUND {
			err = invalid
		}
		api.WriteError(c, err)
		return
	}
	sum := sha256.Sum256([]byte(req.CodeVerifier))
	if base64.RawURLEncoding.EncodeToString(sum[:]) != ac.Challenge {
		api.WriteError(c, invalid)
		return
	}
	u, err := s.DB.UserByID(c.Request.Context(), ac.UserID)
	if err != nil {
		api.WriteError(c, err)
		return
	}
	s.finishVNeID(c, u, ac.ACR, ac.Link)
}

// finishVNeID opens the session (recording the acr) and answers with tokens.
func (s vneid) finishVNeID(c *gin.Context, u postgres.User, acr string, link map[string]any) {
	if u.Status != "active" {
		api.WriteError(c, cds.Errorf(cds.EFORBIDDEN, "Tài khoản đã bị khóa.", "The account is disabled."))
		return
	}
	resp, err := s.startSession(c, u, "vneid")
	if err == nil {
		err = s.DB.SetSessionACR(c.Request.Context(), resp.SessionID, acr)
	}
	if err != nil {
		api.WriteError(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"access_token": resp.AccessToken, "refresh_token": resp.RefreshToken, "token_type": resp.TokenType,
		"expires_in": resp.ExpiresIn, "session_id": resp.SessionID, "user": resp.User, "acr": acr, "link": link})
}

// vneidUnlink removes the caller's VNeID link. An account with no password
// would be locked out, so it must set one first (409).
func (s vneid) vneidUnlink(c *gin.Context) {
	ctx := c.Request.Context()
	u, err := s.DB.UserByID(ctx, api.ActorID(c))
	if err != nil {
		api.WriteError(c, err)
		return
	}
	if u.PasswordHash == "" {
		api.WriteError(c, cds.Errorf(cds.ECONFLICT, "Hãy đặt mật khẩu trước khi bỏ liên kết VNeID, nếu không bạn sẽ không đăng nhập được.",
			"Set a password before unlinking VNeID, or you could not sign in."))
		return
	}
	ok, err := s.DB.UnlinkIdentities(ctx, u.ID, vneidProvider)
	if err != nil {
		api.WriteError(c, err)
		return
	}
	if !ok {
		api.WriteError(c, cds.Errorf(cds.ENOTFOUND, "Tài khoản chưa liên kết VNeID.", "No VNeID link."))
		return
	}
	_ = s.DB.Audit(ctx, u.ID, "vneid-unlink", "user", fmt.Sprint(u.ID), nil)
	c.Status(http.StatusNoContent)
}

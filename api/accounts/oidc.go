package accounts

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/gin-gonic/gin"
	"golang.org/x/oauth2"

	cds "github.com/caobang/congdanso"
	"github.com/caobang/congdanso/api"
	"github.com/caobang/congdanso/postgres"
)

// vneidProvider names VNeID / the national public-service portal in user_identities.
const vneidProvider = "vneid"

// The provider is configured through Config (filled in cmd from the
// CONGDANSO_OIDC_* environment).
func (s *Handler) registerOidc(r *api.Server) {
	v := vneid{s}
	r.Handle(http.MethodGet, "/api/v1/auth/vneid/start", api.Public, v.vneidStart)
	r.Handle(http.MethodGet, "/api/v1/auth/vneid/callback", api.Public, v.vneidCallback)
	r.Handle(http.MethodPost, "/api/v1/auth/vneid/token", api.Public, v.vneidToken)         // issue 20: app code exchange
	r.Handle(http.MethodDelete, "/api/v1/me/identities/vneid", api.SignedIn, v.vneidUnlink) // issue 20
}

// oidcClient is the discovered provider, built on first use (the provider may
// be down when the API starts) and kept per server.
type oidcClient struct {
	provider *oidc.Provider
	config   oauth2.Config
	verifier *oidc.IDTokenVerifier
}

const oidcStateTTL = 10 * time.Minute

func (s vneid) oidc(ctx context.Context) (*oidcClient, error) {
	s.oidcMu.Lock()
	defer s.oidcMu.Unlock()
	if s.oidcClient != nil {
		return s.oidcClient, nil
	}
	x := s.Accounts
	issuer, clientID := x.OIDCIssuer, x.OIDCClientID
	if issuer == "" || clientID == "" {
		return nil, cds.Errorf(cds.EUNAVAILABLE, "Đăng nhập bằng VNeID chưa được cấu hình.", "VNeID sign-in is not configured.")
	}
	dctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	p, err := oidc.NewProvider(dctx, issuer)
	if err != nil {
		s.Logger.Warn("oidc discovery failed", "err", err)
		return nil, cds.Errorf(cds.EUNAVAILABLE, "Không kết nối được với VNeID, vui lòng thử lại sau.", "The identity provider is unreachable; retry later.")
	}
	redirect := x.OIDCRedirectURL
	if redirect == "" {
		redirect = strings.TrimRight(s.Config.PublicBaseURL, "/") + "/api/v1/auth/vneid/callback"
	}
	scopes := []string{oidc.ScopeOpenID, "profile", "phone"}
	if v := x.OIDCScopes; v != "" {
		scopes = strings.Fields(v)
	}
	c := &oidcClient{
		provider: p,
		config:   oauth2.Config{ClientID: clientID, ClientSecret: x.OIDCClientSecret, Endpoint: p.Endpoint(), RedirectURL: redirect, Scopes: scopes},
		verifier: p.Verifier(&oidc.Config{ClientID: clientID}),
	}
	s.oidcClient = c
	return c, nil
}

// vneidStart redirects to the provider (authorization code + PKCE S256).
// State, nonce and verifier stay server-side. A signed-in caller (bearer)
// links the VNeID identity to their account; ?format=json returns the URL
// instead of redirecting (for the mobile app's in-app browser).
func (s vneid) vneidStart(c *gin.Context) {
	ctx := c.Request.Context()
	oc, err := s.oidc(ctx)
	if err != nil {
		api.WriteError(c, err)
		return
	}
	st := postgres.OIDCState{State: api.RandomToken(24), Nonce: api.RandomToken(24), Verifier: oauth2.GenerateVerifier(), LinkUserID: api.ActorID(c)}
	if st.AppRedirect, st.AppState, st.AppChallenge, err = s.appParams(c); err != nil { // issue 20: mobile app
		api.WriteError(c, err)
		return
	}
	if err := s.DB.SaveOIDCState(ctx, st, oidcStateTTL); err != nil {
		api.WriteError(c, err)
		return
	}
	opts := []oauth2.AuthCodeOption{oidc.Nonce(st.Nonce), oauth2.S256ChallengeOption(st.Verifier)}
	if acr := s.vneidConfig().ACRValues; acr != "" { // issue 20: level of assurance
		opts = append(opts, oauth2.SetAuthURLParam("acr_values", acr))
	}
	u := oc.config.AuthCodeURL(st.State, opts...)
	if c.Query("format") == "json" {
		c.JSON(http.StatusOK, gin.H{"authorization_url": u, "expires_in": int(oidcStateTTL.Seconds())})
		return
	}
	c.Redirect(http.StatusFound, u)
}

// vneidClaims are the claims read from the ID token and the userinfo endpoint.
// SoDinhDanh is the personal ID number (CCCD) as VNeID names it.
// Claim names are configurable (VNeIDConfig.Claims, issue 20).
type vneidClaims struct {
	Subject       string
	Name          string
	Phone         string
	PhoneVerified bool
	SoDinhDanh    string
	ACR           string
}

func (s vneid) vneidCallback(c *gin.Context) {
	ctx := c.Request.Context()
	invalid := cds.Errorf(cds.EINVALID, "Phiên đăng nhập VNeID không hợp lệ hoặc đã hết hạn, vui lòng thử lại.", "The VNeID sign-in is invalid or expired; start again.")
	if e := c.Query("error"); e != "" {
		api.WriteError(c, cds.Errorf(cds.EINVALID, "VNeID từ chối đăng nhập.", "The identity provider refused the sign-in."))
		return
	}
	state, code := c.Query("state"), c.Query("code")
	if state == "" || code == "" || len(state) > 100 {
		api.WriteError(c, invalid)
		return
	}
	st, err := s.DB.TakeOIDCState(ctx, state)
	if err != nil {
		if cds.ErrorCode(err) == cds.ENOTFOUND {
			err = invalid
		}
		api.WriteError(c, err)
		return
	}
	oc, err := s.oidc(ctx)
	if err != nil {
		api.WriteError(c, err)
		return
	}
	tok, err := oc.config.Exchange(ctx, code, oauth2.VerifierOption(st.Verifier))
	if err != nil {
		s.Logger.Warn("oidc code exchange failed", "err", err)
		api.WriteError(c, invalid)
		return
	}
	rawID, _ := tok.Extra("id_token").(string)
	idt, err := oc.verifier.Verify(ctx, rawID)
	if err != nil || idt.Nonce != st.Nonce {
		s.Logger.Warn("oidc id token rejected", "err", err)
		api.WriteError(c, invalid)
		return
	}
	var cl vneidClaims
	var raw map[string]any
	if err := idt.Claims(&raw); err != nil {
		api.WriteError(c, invalid)
		return
	}
	s.mapClaims(raw, &cl)
	// The userinfo endpoint carries the phone and ID number when the ID token does not.
	if ui, err := oc.provider.UserInfo(ctx, oauth2.StaticTokenSource(tok)); err == nil && ui.Subject == idt.Subject {
		var more map[string]any
		if ui.Claims(&more) == nil {
			acr := cl.ACR
			s.mapClaims(more, &cl)
			cl.ACR = acr // the level of assurance is the ID token's
		}
	}
	cl.Subject = idt.Subject
	u, how, err := s.linkVNeID(ctx, st.LinkUserID, cl)
	if err != nil {
		api.WriteError(c, err)
		return
	}
	msg := map[string][2]string{
		"existing":  {"Đăng nhập bằng VNeID thành công.", "Signed in with VNeID."},
		"signed_in": {"Đã liên kết tài khoản VNeID với tài khoản của bạn.", "VNeID linked to your account."},
		"id_number": {"Đã liên kết VNeID với tài khoản có cùng số định danh cá nhân.", "VNeID linked to the account with the same personal ID number."},
		"created":   {"Tạo mới tài khoản liên kết.", "A new linked account was created."},
	}[how]
	id, _, _ := s.DB.IdentityOfUser(ctx, u.ID, vneidProvider)
	link := map[string]any{"result": how, "message": msg[0], "message_en": msg[1], "id_number_masked": id.IDMasked}
	if st.AppRedirect != "" { // issue 20: back to the app with a one-time code
		s.redirectToApp(c, st, u, cl.ACR, link)
		return
	}
	s.finishVNeID(c, u, cl.ACR, link)
}

// linkVNeID finds or creates the account for a VNeID identity: the account
// already linked to this subject; else the account already linked to the
// same personal ID number (số định danh cá nhân); else the signed-in
// account; else a new account. A phone number never links accounts (it can
// change hands); a provider-verified phone that is free becomes the new
// account's phone without an SMS code (issue 20).
func (s vneid) linkVNeID(ctx context.Context, signedIn int64, cl vneidClaims) (postgres.User, string, error) {
	enc, masked, err := s.sealIDNumber(cl.Subject, cl.SoDinhDanh)
	if err != nil {
		return postgres.User{}, "", err
	}
	mac, err := s.idNumberHMAC(cl.SoDinhDanh)
	if err != nil {
		return postgres.User{}, "", err
	}
	ident := postgres.Identity{Provider: vneidProvider, Subject: cl.Subject, IDNumberEnc: enc, IDMasked: masked, IDNumberHMAC: mac}
	existing, err := s.DB.IdentityBySubject(ctx, vneidProvider, cl.Subject)
	switch {
	case err == nil:
		if signedIn != 0 && signedIn != existing.UserID {
			return postgres.User{}, "", cds.Errorf(cds.ECONFLICT, "Tài khoản VNeID này đã liên kết với một tài khoản khác.", "This VNeID identity is linked to another account.")
		}
		ident.UserID = existing.UserID
		if err := s.DB.LinkIdentity(ctx, ident); err != nil {
			return postgres.User{}, "", err
		}
		u, err := s.DB.UserByID(ctx, existing.UserID)
		return u, "existing", err
	case cds.ErrorCode(err) != cds.ENOTFOUND:
		return postgres.User{}, "", err
	}
	var u postgres.User
	how := ""
	if mac != nil {
		if owner, found, err := s.DB.UserByIDNumber(ctx, mac); err != nil {
			return postgres.User{}, "", err
		} else if found {
			if signedIn != 0 && signedIn != owner {
				return postgres.User{}, "", cds.Errorf(cds.ECONFLICT, "Số định danh này đã liên kết với một tài khoản khác.", "This ID number is linked to another account.")
			}
			u, err = s.DB.UserByID(ctx, owner)
			how = "id_number"
			if err != nil {
				return postgres.User{}, "", err
			}
		}
	}
	if how == "" && signedIn != 0 {
		if u, err = s.DB.UserByID(ctx, signedIn); err != nil {
			return postgres.User{}, "", err
		}
		how = "signed_in"
	}
	if how == "" {
		name := strings.Join(strings.Fields(cl.Name), " ")
		if name == "" {
			name = "Công dân VNeID"
		}
		phone, ok := cds.NormalizeMobile(cl.Phone)
		if !ok || !cl.PhoneVerified {
			phone = ""
		} else if _, err := s.DB.UserByPhone(ctx, phone); err == nil {
			phone = "" // the number belongs to another account: not taken over
		} else if cds.ErrorCode(err) != cds.ENOTFOUND {
			return postgres.User{}, "", err
		}
		// Signing in with VNeID accepts the current terms, as the sign-in
		// page says: recorded with its version and time like a registration.
		terms, _ := registrationConsents("", nil)
		if u, err = s.DB.CreateCitizenWithConsent(ctx, name, phone, "", terms...); err != nil {
			return postgres.User{}, "", err
		}
		how = "created"
	}
	ident.UserID = u.ID
	if err := s.DB.LinkIdentity(ctx, ident); err != nil {
		return postgres.User{}, "", err
	}
	_ = s.DB.Audit(ctx, u.ID, "vneid-link", "user", fmt.Sprint(u.ID), map[string]any{"how": how})
	return u, how, nil
}

// idKey returns the AES-256 key for ID numbers at rest.
func (s vneid) idKey() ([]byte, error) {
	k, err := base64.StdEncoding.DecodeString(s.Accounts.IDKey)
	if err != nil || len(k) != 32 {
		return nil, errors.New("api: id_key must be 32 bytes, base64")
	}
	return k, nil
}

// sealIDNumber encrypts an ID number with AES-256-GCM (random nonce first;
// the subject is bound in as additional data) and masks it for display.
func (s vneid) sealIDNumber(subject, id string) ([]byte, string, error) {
	id = strings.TrimSpace(id)
	if id == "" {
		return nil, "", nil
	}
	key, err := s.idKey()
	if err != nil {
		return nil, "", err
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, "", err
	}
	gcm, err := cipher.NewGCM(block)
	if err != nil {
		return nil, "", err
	}
	nonce := make([]byte, gcm.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return nil, "", err
	}
	return gcm.Seal(nonce, nonce, []byte(id), []byte(vneidProvider+":"+subject)), cds.MaskID(id), nil
}

// OpenIDNumber decrypts an ID number sealed for (vneid, subject).
func OpenIDNumber(key []byte, subject string, sealed []byte) (string, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return "", err
	}
	gcm, err := cipher.NewGCM(block)
	if err != nil {
		return "", err
	}
	if len(sealed) < gcm.NonceSize() {
		return "", errors.New("api: sealed id too short")
	}
	out, err := gcm.Open(nil, sealed[:gcm.NonceSize()], sealed[gcm.NonceSize():], []byte(vneidProvider+":"+subject))
	return string(out), err
}

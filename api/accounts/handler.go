// Package accounts serves sign-up, sign-in (password and VNeID), sessions
// and the citizen's own profile.
package accounts

import (
	"sync"

	"github.com/caobang/congdanso/api"
)

// Config is the VNeID (OIDC) provider and the key of ID numbers at rest.
type Config struct {
	OIDCIssuer, OIDCClientID, OIDCClientSecret string
	OIDCRedirectURL                            string      // default: PublicBaseURL + /api/v1/auth/vneid/callback
	OIDCScopes                                 string      // space-separated; default "openid profile phone"
	IDKey                                      string      // base64 AES-256 key; instances must share it
	VNeID                                      VNeIDConfig // claim names, acr, app redirect URIs (vneid_app.go, issue 20)
}

// Handler serves the accounts routes.
type Handler struct {
	api.Deps
	Accounts Config

	oidcMu     sync.Mutex
	oidcClient *oidcClient // discovered on first use: the provider may be down at start
}

// Register adds the accounts routes.
func (s *Handler) Register(r *api.Server) {
	s.registerAccounts(r)
	s.registerPersonalData(r)
	s.registerOidc(r)
}

// vneid is the VNeID / national-portal sign-in (oidc.go, vneid_app.go),
// sharing the Handler's dependencies.
type vneid struct{ *Handler }

package api

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/golang-jwt/jwt/v5"

	cds "github.com/caobang/congdanso"
)

const (
	actorKey = "cds.actor"
	sidKey   = "cds.sid"
)

// accessClaims are the claims of a short-lived access token.
type accessClaims struct {
	Name   string     `json:"name,omitempty"`
	Agency string     `json:"agency,omitempty"`
	Roles  []cds.Role `json:"roles"`
	SID    string     `json:"sid,omitempty"` // refresh-token family (session) id
	jwt.RegisteredClaims
}

// IssueAccessToken signs an access token for actor. sessionID ties it to a
// refresh-token family so that "log out everywhere" can be checked.
// A token without a session could not be revoked, so there is none.
func (d Deps) IssueAccessToken(a cds.Actor, sessionID string) (string, time.Time, error) {
	return d.IssueAccessTokenFor(a, sessionID, d.Config.AccessTTL)
}

// IssueAccessTokenFor signs an access token that lives ttl (the console's
// sliding idle window).
func (d Deps) IssueAccessTokenFor(a cds.Actor, sessionID string, ttl time.Duration) (string, time.Time, error) {
	if sessionID == "" {
		return "", time.Time{}, errors.New("api: an access token needs a session (use SignIn or OpenSession)")
	}
	exp := time.Now().Add(ttl)
	claims := accessClaims{
		Name: a.Name, Agency: a.AgencyCode, Roles: a.Roles, SID: sessionID,
		RegisteredClaims: jwt.RegisteredClaims{
			Subject:   strconv.FormatInt(a.UserID, 10),
			IssuedAt:  jwt.NewNumericDate(time.Now()),
			ExpiresAt: jwt.NewNumericDate(exp),
			Issuer:    "congdanso",
			Audience:  jwt.ClaimStrings{"congdanso-api"},
		},
	}
	tok, err := jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString(d.Config.TokenSecret)
	return tok, exp, err
}

// ParseAccessToken verifies signature (HS256 only: "none" and other
// algorithms are refused), expiry, issuer and audience.
func (d Deps) ParseAccessToken(raw string) (cds.Actor, string, error) {
	var claims accessClaims
	_, err := jwt.ParseWithClaims(raw, &claims, func(t *jwt.Token) (any, error) {
		return d.Config.TokenSecret, nil
	}, jwt.WithValidMethods([]string{"HS256"}), jwt.WithIssuer("congdanso"), jwt.WithAudience("congdanso-api"), jwt.WithExpirationRequired())
	if err != nil {
		return cds.Actor{}, "", err
	}
	id, err := strconv.ParseInt(claims.Subject, 10, 64)
	if err != nil || id <= 0 {
		return cds.Actor{}, "", errors.New("bad subject")
	}
	return cds.Actor{UserID: id, Name: claims.Name, AgencyCode: claims.Agency, Roles: claims.Roles}, claims.SID, nil
}

// CurrentActor reads the bearer token, or on console paths only the console
// session cookie, if present.
func (s Deps) CurrentActor(c *gin.Context) (cds.Actor, bool, error) {
	raw := ""
	if h := c.GetHeader("Authorization"); h != "" {
		scheme, tok, ok := strings.Cut(h, " ")
		if !ok || !strings.EqualFold(scheme, "Bearer") || tok == "" {
			return cds.Actor{}, false, cds.Errorf(cds.EUNAUTHORIZED, "Mã truy cập không hợp lệ.", "Invalid access token.")
		}
		raw = tok
	} else if ck, err := c.Cookie(ConsoleCookie); err == nil && ck != "" && cookieAllowed(c) {
		raw = ck
	}
	if raw == "" {
		return cds.Actor{}, false, nil
	}
	a, sid, err := s.ParseAccessToken(raw)
	if err != nil {
		return cds.Actor{}, false, cds.Errorf(cds.EUNAUTHORIZED, "Phiên đăng nhập đã hết hạn hoặc không hợp lệ.", "The access token is expired or invalid.")
	}
	if err := s.checkSession(c, a.UserID, sid); err != nil {
		return cds.Actor{}, false, err
	}
	return a, true, nil
}

// checkSession ends tokens whose session (refresh-token family) was revoked
// or expired, or whose account was disabled: one primary-key lookup per
// signed-in request, no cache, so a revocation takes effect on the next
// request on every instance. A token without a session is refused.
func (s Deps) checkSession(c *gin.Context, userID int64, sid string) error {
	ok := false
	if sid != "" {
		var err error
		if ok, err = s.DB.SessionActive(c.Request.Context(), userID, sid); err != nil {
			return err
		}
	}
	if !ok {
		return cds.Errorf(cds.EUNAUTHORIZED, "Phiên đăng nhập đã kết thúc, vui lòng đăng nhập lại.", "The session has ended; sign in again.")
	}
	c.Set(sidKey, sid)
	return nil
}

// SessionID is the session of the request's token ("" without one).
func SessionID(c *gin.Context) string {
	v, _ := c.Get(sidKey)
	sid, _ := v.(string)
	return sid
}

// ConsoleCookie holds the staff console's access token (HttpOnly, SameSite).
const ConsoleCookie = "cds_session"

// authorize is the one middleware that enforces a route's Perm.
func (s *Server) authorize(p Perm) gin.HandlerFunc {
	return func(c *gin.Context) {
		a, ok, err := s.CurrentActor(c)
		if err != nil && !p.public {
			WriteError(c, err)
			return
		}
		if ok {
			c.Set(actorKey, a)
		}
		if p.public {
			c.Next()
			return
		}
		if !ok {
			WriteError(c, cds.Errorf(cds.EUNAUTHORIZED, "Vui lòng đăng nhập.", "Please sign in."))
			return
		}
		if p.signedIn {
			c.Next()
			return
		}
		allowed, err := s.Authz.Allowed(c.Request.Context(), a, "", p.Obj, p.Act)
		if err != nil {
			WriteError(c, err)
			return
		}
		if !allowed {
			WriteError(c, Forbidden())
			return
		}
		c.Next()
	}
}

// Forbidden is the error of a refused permission.
func Forbidden() *cds.Error {
	return cds.Errorf(cds.EFORBIDDEN, "Bạn không có quyền thực hiện thao tác này.", "You are not allowed to do this.")
}

// Require is an operation's own check: nil when a may act on obj in agency
// ("" = any agency), Forbidden when the policy says no, the authorizer's
// error otherwise. The operations that the JSON routes and the console
// share call it, so no interface grants more than the policy.
func Require(ctx context.Context, z cds.Authorizer, a cds.Actor, agency, obj, act string) error {
	ok, err := z.Allowed(ctx, a, agency, obj, act)
	if err != nil {
		return err
	}
	if !ok {
		return Forbidden()
	}
	return nil
}

// Actor returns the signed-in actor (routes other than Public always have one).
func Actor(c *gin.Context) cds.Actor {
	if v, ok := c.Get(actorKey); ok {
		return v.(cds.Actor)
	}
	return cds.Actor{}
}

// ActorID is the signed-in user's ID (0 when anonymous).
func ActorID(c *gin.Context) int64 { return Actor(c).UserID }

// AllowedOn checks a case-level permission: may the actor do act on obj of
// agency dom? It writes the error and returns false when not.
func (d Deps) AllowedOn(c *gin.Context, dom, obj, act string) bool {
	ok, err := d.Authz.Allowed(c.Request.Context(), Actor(c), dom, obj, act)
	if err != nil {
		WriteError(c, err)
		return false
	}
	if !ok {
		WriteError(c, Forbidden())
		return false
	}
	return true
}

// PathID parses a positive integer path parameter.
func PathID(c *gin.Context, name string) (int64, bool) {
	id, err := strconv.ParseInt(c.Param(name), 10, 64)
	if err != nil || id <= 0 {
		WriteError(c, cds.Errorf(cds.ENOTFOUND, "Không tìm thấy.", "Not found."))
		return 0, false
	}
	return id, true
}

// SignedInActor returns the actor when the request carries a valid token,
// also on Public routes.
func SignedInActor(c *gin.Context) (cds.Actor, bool) {
	v, ok := c.Get(actorKey)
	if !ok {
		return cds.Actor{}, false
	}
	return v.(cds.Actor), true
}

// SetActor records the actor of a request that a handler authenticated
// itself (the console's gate and login page).
func SetActor(c *gin.Context, a cds.Actor) { c.Set(actorKey, a) }

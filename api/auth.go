package api

import (
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/golang-jwt/jwt/v5"

	cds "github.com/caobang/congdanso"
)

const actorKey = "cds.actor"

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
func (s *Server) IssueAccessToken(a cds.Actor, sessionID string) (string, time.Time, error) {
	exp := time.Now().Add(s.Config.AccessTTL)
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
	tok, err := jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString(s.Config.TokenSecret)
	return tok, exp, err
}

// parseAccessToken verifies signature (HS256 only: "none" and other
// algorithms are refused), expiry, issuer and audience.
func (s *Server) parseAccessToken(raw string) (cds.Actor, string, error) {
	var claims accessClaims
	_, err := jwt.ParseWithClaims(raw, &claims, func(t *jwt.Token) (any, error) {
		return s.Config.TokenSecret, nil
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

// sessionCheck, when set by the accounts feature, rejects tokens whose
// session was revoked (log out everywhere). It returns nil when valid.
var sessionCheck func(s *Server, c *gin.Context, userID int64, sid string) error

// currentActor reads the bearer token (or the console session cookie) if present.
func (s *Server) currentActor(c *gin.Context) (cds.Actor, bool, error) {
	raw := ""
	if h := c.GetHeader("Authorization"); h != "" {
		scheme, tok, ok := strings.Cut(h, " ")
		if !ok || !strings.EqualFold(scheme, "Bearer") || tok == "" {
			return cds.Actor{}, false, cds.Errorf(cds.EUNAUTHORIZED, "Mã truy cập không hợp lệ.", "Invalid access token.")
		}
		raw = tok
	} else if ck, err := c.Cookie(consoleCookie); err == nil && ck != "" {
		raw = ck
	}
	if raw == "" {
		return cds.Actor{}, false, nil
	}
	a, sid, err := s.parseAccessToken(raw)
	if err != nil {
		return cds.Actor{}, false, cds.Errorf(cds.EUNAUTHORIZED, "Phiên đăng nhập đã hết hạn hoặc không hợp lệ.", "The access token is expired or invalid.")
	}
	if sessionCheck != nil {
		if err := sessionCheck(s, c, a.UserID, sid); err != nil {
			return cds.Actor{}, false, err
		}
	}
	return a, true, nil
}

// consoleCookie holds the staff console's access token (HttpOnly, SameSite).
const consoleCookie = "cds_session"

// authorize is the one middleware that enforces a route's Perm.
func (s *Server) authorize(p Perm) gin.HandlerFunc {
	return func(c *gin.Context) {
		a, ok, err := s.currentActor(c)
		if err != nil && !p.public {
			writeError(c, err)
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
			writeError(c, cds.Errorf(cds.EUNAUTHORIZED, "Vui lòng đăng nhập.", "Please sign in."))
			return
		}
		if p.signedIn {
			c.Next()
			return
		}
		allowed, err := s.Authz.Allowed(c.Request.Context(), a, "", p.Obj, p.Act)
		if err != nil {
			writeError(c, err)
			return
		}
		if !allowed {
			writeError(c, forbidden())
			return
		}
		c.Next()
	}
}

func forbidden() *cds.Error {
	return cds.Errorf(cds.EFORBIDDEN, "Bạn không có quyền thực hiện thao tác này.", "You are not allowed to do this.")
}

// actor returns the signed-in actor (routes other than Public always have one).
func actor(c *gin.Context) cds.Actor {
	if v, ok := c.Get(actorKey); ok {
		return v.(cds.Actor)
	}
	return cds.Actor{}
}

func actorID(c *gin.Context) int64 { return actor(c).UserID }

// allowedOn checks a case-level permission: may the actor do act on obj of agency dom?
func (s *Server) allowedOn(c *gin.Context, dom, obj, act string) bool {
	ok, err := s.Authz.Allowed(c.Request.Context(), actor(c), dom, obj, act)
	if err != nil {
		writeError(c, err)
		return false
	}
	if !ok {
		writeError(c, forbidden())
		return false
	}
	return true
}

// pathID parses a positive integer path parameter.
func pathID(c *gin.Context, name string) (int64, bool) {
	id, err := strconv.ParseInt(c.Param(name), 10, 64)
	if err != nil || id <= 0 {
		writeError(c, cds.Errorf(cds.ENOTFOUND, "Không tìm thấy.", "Not found."))
		return 0, false
	}
	return id, true
}

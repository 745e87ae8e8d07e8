package api

import (
	"mime"
	"strings"

	"github.com/gin-gonic/gin"

	cds "github.com/caobang/congdanso"
)

// ConsolePrefix is the path prefix of the staff console, the only place
// where the session cookie authenticates a request (see CurrentActor).
const ConsolePrefix = "/console/"

// cookieAllowed: the console's session cookie is accepted on console paths
// only. Everywhere else a request must carry its token in the Authorization
// header, which a page of another site cannot set, so the JSON API cannot be
// driven by cross-site requests riding on a staff browser's cookie (CSRF).
func cookieAllowed(c *gin.Context) bool {
	p := c.Request.URL.Path
	return strings.HasPrefix(p, ConsolePrefix) || p == strings.TrimSuffix(ConsolePrefix, "/")
}

// RequireJSON refuses a body that is not declared application/json (415).
// A cross-site HTML form can only send form encodings or text/plain, so this
// is a second wall against forged writes besides the header-only token.
func RequireJSON(c *gin.Context) bool {
	mt, _, err := mime.ParseMediaType(c.GetHeader("Content-Type"))
	if err == nil && (mt == "application/json" || (strings.HasPrefix(mt, "application/") && strings.HasSuffix(mt, "+json"))) {
		return true
	}
	WriteError(c, cds.Errorf(cds.EUNSUPPORTED, "Dữ liệu gửi lên phải có kiểu application/json.", "The request body must be sent as application/json."))
	return false
}

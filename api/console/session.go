package console

import (
	"net/http"
	"sync"
	"time"

	"github.com/gin-gonic/gin"

	cds "github.com/caobang/congdanso"
	"github.com/caobang/congdanso/api"
)

// Sessions in the console slide: every page request re-issues the cookie's
// access token for Config.ConsoleIdle more (default 30 minutes), so a
// session ends after that long idle and never while the person works. The
// page script also pings /console/session while someone types in a long
// form. Revoking the session (sign-out, password change, a change of agency
// or role) still ends it at the next request: the gate checks the session
// row on every request.

// refreshSession re-issues the console cookie for the signed-in actor.
func (s *Handler) refreshSession(c *gin.Context, a cds.Actor) {
	sid := api.SessionID(c)
	if sid == "" {
		return // tokens minted without a session (tools) only live their expiry
	}
	tok, _, err := s.IssueAccessTokenFor(a, sid, s.Config.ConsoleIdle)
	if err != nil {
		s.Logger.Error("console session refresh", "err", err)
		return
	}
	// As at sign-in: Strict and scoped to /console/.
	setCookie(c, api.ConsoleCookie, tok, api.ConsolePrefix, int(s.Config.ConsoleIdle.Seconds()), http.SameSiteStrictMode)
}

// consoleSessionPing keeps the session alive while the page is in use (the
// gate has already refreshed the cookie).
func (s *Handler) consoleSessionPing(c *gin.Context) {
	c.JSON(http.StatusOK, gin.H{"idle_seconds": int(s.Config.ConsoleIdle.Seconds())})
}

// pageNames resolves codes to names for every page: agencies and feedback
// categories, read at most once a minute.
type pageNames struct {
	Agencies   map[string]string
	Categories map[string]string
}

// Agency is the agency's name (its code when unknown).
func (n *pageNames) Agency(code string) string {
	if n != nil && n.Agencies[code] != "" {
		return n.Agencies[code]
	}
	return code
}

// Category is the feedback category's Vietnamese name (the value itself
// when it is not a category code: dossiers carry the procedure's field name).
func (n *pageNames) Category(code string) string {
	if n != nil && n.Categories[code] != "" {
		return n.Categories[code]
	}
	return code
}

type namesCache struct {
	mu   sync.Mutex
	at   time.Time
	last *pageNames
}

func (s *Handler) names(c *gin.Context) *pageNames {
	s.nameCache.mu.Lock()
	defer s.nameCache.mu.Unlock()
	if s.nameCache.last != nil && time.Since(s.nameCache.at) < time.Minute {
		return s.nameCache.last
	}
	ctx := c.Request.Context()
	n := &pageNames{Agencies: map[string]string{}, Categories: map[string]string{}}
	ags, err := s.DB.Agencies(ctx)
	if err != nil {
		s.Logger.Error("console names", "err", err)
		return s.nameCache.last
	}
	for _, a := range ags {
		n.Agencies[a.Code] = a.Name
	}
	cats, err := s.DB.FeedbackCategories(ctx)
	if err != nil {
		s.Logger.Error("console names", "err", err)
		return s.nameCache.last
	}
	for _, k := range cats {
		n.Categories[k.Code] = k.NameVI
	}
	s.nameCache.last, s.nameCache.at = n, time.Now()
	return n
}

// consoleHome opens the first page the person's roles use: the work queue,
// else staff accounts, the dashboard, the Phụ lục I entry or the news.
func (s *Handler) consoleHome(c *gin.Context) {
	a := api.Actor(c)
	for _, p := range []struct{ obj, act, path string }{{"tasks", "read", "/console/queues/mine"}, {"staff", "read", "/console/staff"},
		{"report", "case_stats_all", "/console/dashboard"}, {"deployment_report", "submit", "/console/appendix1"},
		{"news", "write", "/console/news"}} {
		if ok, err := s.Authz.Allowed(c.Request.Context(), a, "", p.obj, p.act); err == nil && ok {
			c.Redirect(http.StatusSeeOther, p.path)
			return
		}
	}
	c.Redirect(http.StatusSeeOther, "/console/reports")
}

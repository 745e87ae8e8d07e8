package console

import (
	"bytes"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"embed"
	"encoding/base64"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	cds "github.com/caobang/congdanso"
	"github.com/caobang/congdanso/api"
)

// The staff console: server-rendered pages (html/template). Every state
// change a page makes (log in, claim, act on a case) calls the same
// operation as the JSON API (cases.Service, accounts.Handler.SignIn), with
// the same permission checks, so the console can do nothing the API would
// refuse.

//go:embed tmpl/*.html tmpl/partials/*.html tmpl/static/*
var consoleFS embed.FS

// consoleTemplates are parsed once: each page together with the layout.
var consoleTemplates = mustConsoleTemplates()

const (
	consolePrefix    = "/console/"
	loginCSRFCookie  = "cds_login_csrf"
	flashCookie      = "cds_flash"
	consoleCSRFField = "csrf"
	// idemField carries the Idempotency-Key of a form: drawn when the page
	// is rendered, so a form submitted twice acts once.
	idemField = "idempotency_key"
)

// consoleCSP allows nothing but this origin: no inline script or style, no framing.
const consoleCSP = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; " +
	"frame-ancestors 'none'; form-action 'self'; base-uri 'none'; object-src 'none'"

func (s *Handler) registerConsole(r *api.Server) {
	// The gate only acts on /console/ paths: it sends a browser without a
	// valid session to the login page instead of a JSON 401, and sets the
	// console's stricter headers. authorize still enforces each api.Perm.
	adm, desk, rep := adminPages{s}, deskPages{s}, reportPages{s}
	r.Use(s.consoleGate(r))
	staff := api.Can("console", "use")
	r.Handle(http.MethodGet, "/console/static/*file", api.Public, s.consoleStatic)
	r.Handle(http.MethodGet, "/console/login", api.Public, s.consoleLoginPage)
	r.Handle(http.MethodPost, "/console/login", api.Public, s.consoleLogin)
	r.Handle(http.MethodPost, "/console/logout", api.SignedIn, s.consoleLogout)
	r.Handle(http.MethodGet, "/console/session", staff, s.consoleSessionPing)
	r.Handle(http.MethodGet, "/console/", staff, s.consoleHome)
	// Queues, approvals and the desk are the case workers' pages: an editor,
	// reporter or steering member who types their address gets the 403 page.
	tasks := api.Can("tasks", "read")
	r.Handle(http.MethodGet, "/console/queues/:queue", tasks, s.consoleQueue)
	r.Handle(http.MethodPost, "/console/tasks/:id/:op", tasks, s.consoleTaskOp)
	r.Handle(http.MethodGet, "/console/cases/:kind/:code", staff, s.consoleCase)
	r.Handle(http.MethodPost, "/console/cases/:kind/:code/actions/:action", staff, s.consoleCaseAction)
	r.Handle(http.MethodGet, "/console/cases/:kind/:code/print/:form", staff, s.consolePrint)
	r.Handle(http.MethodPost, "/console/cases/:kind/:code/media/:media_id/redaction", staff, s.consoleRedact)
	r.Handle(http.MethodPost, "/console/cases/:kind/:code/moderation", staff, s.consoleModerate)
	r.Handle(http.MethodGet, "/console/approvals", tasks, s.consoleApprovals)
	r.Handle(http.MethodGet, "/console/dossiers/new", api.Can("application", "submit"), desk.consoleDeskPage)
	r.HandleUpload(http.MethodPost, "/console/dossiers", api.Can("application", "submit"), desk.consoleDeskSubmit)
	r.Handle(http.MethodGet, "/console/reports", staff, rep.consoleReports)
	r.Handle(http.MethodGet, "/console/reports/case-stats", staff, rep.consoleCaseStats)
	if s.Admin != nil {
		r.Handle(http.MethodGet, "/console/staff", api.Can("staff", "read"), adm.consoleStaffList)
		r.Handle(http.MethodGet, "/console/staff/new", api.Can("staff", "manage"), adm.consoleStaffNew)
		r.Handle(http.MethodPost, "/console/staff", api.Can("staff", "manage"), adm.consoleStaffCreate)
		r.Handle(http.MethodGet, "/console/staff/:id", api.Can("staff", "manage"), adm.consoleStaffEdit)
		r.Handle(http.MethodPost, "/console/staff/:id", api.Can("staff", "manage"), adm.consoleStaffSave)
		r.Handle(http.MethodGet, "/console/policies", api.Can("policy", "read"), adm.consolePolicies)
		r.Handle(http.MethodPost, "/console/policies/:op", api.Can("policy", "manage"), adm.consolePolicyChange)
	}
	s.registerAdminScreens(r)
	if s.Content != nil {
		s.registerContent(r)
	}
	if s.Admin != nil && s.Content != nil {
		cp := contentPages{s}
		r.Handle(http.MethodGet, "/console/directory", api.Can("directory", "edit_contacts"), cp.consoleDirectory)
		r.Handle(http.MethodGet, "/console/directory/:code", api.Can("directory", "edit_contacts"), cp.consoleDirectoryEdit)
		r.Handle(http.MethodPost, "/console/directory/:code", api.Can("directory", "edit_contacts"), cp.consoleDirectorySave)
	}
	if s.Reports != nil {
		r.Handle(http.MethodGet, "/console/dashboard", api.Can("report", "case_stats_all"), rep.consoleDashboard)
		r.Handle(http.MethodGet, "/console/appendix1", api.Can("deployment_report", "read"), rep.consoleAppendix)
		r.Handle(http.MethodPost, "/console/appendix1", api.Can("deployment_report", "submit"), rep.consoleAppendixSave)
		r.Handle(http.MethodGet, "/console/reports/appendix-1.xlsx", api.Can("report", "appendix1"), s.Reports.Appendix1XLSX)
		r.Handle(http.MethodGet, "/console/reports/case-stats.xlsx", api.Can("report", "case_stats"), s.Reports.CaseStatsXLSX)
	}
}

func mustConsoleTemplates() map[string]*template.Template {
	funcs := template.FuncMap{
		"vnTime": func(t any) string {
			switch v := t.(type) {
			case time.Time:
				return v.In(cds.VietnamTZ).Format("15:04 02/01/2006")
			case *time.Time:
				if v == nil {
					return "—"
				}
				return v.In(cds.VietnamTZ).Format("15:04 02/01/2006")
			}
			return "—"
		},
		"vnDay":       func(t time.Time) string { return vnDate(t) },
		"actionLabel": actionLabel,
		"caseAction":  caseActionLabel,
		"caseStatus":  caseStatusLabel,
		"statusLabel": statusLabel,
		"kindLabel":   kindLabel,
		"pathEscape":  url.PathEscape,
		"vnd":         vndAmount,
		"newsStatus":  newsStatusLabel,
		"modAction":   moderationLabel,
		"deref": func(p *int64) int64 {
			if p == nil {
				return 0
			}
			return *p
		},
	}
	out := map[string]*template.Template{}
	pages, err := fs.Glob(consoleFS, "tmpl/*.html")
	if err != nil {
		panic(err)
	}
	for _, p := range pages {
		name := strings.TrimSuffix(strings.TrimPrefix(p, "tmpl/"), ".html")
		if name == "layout" {
			continue
		}
		out[name] = template.Must(template.New("layout.html").Funcs(funcs).ParseFS(consoleFS, "tmpl/layout.html", "tmpl/partials/*.html", p))
	}
	return out
}

// consoleGate runs before authorize on every route registered after it; it
// does nothing outside /console/. A refused route permission is answered
// with the console's error page, not the API's JSON (authorize would refuse
// it the same way).
func (s *Handler) consoleGate(r *api.Server) gin.HandlerFunc {
	return func(c *gin.Context) { s.gate(r, c) }
}

func (s *Handler) gate(r *api.Server, c *gin.Context) {
	p := c.Request.URL.Path
	if !strings.HasPrefix(p, consolePrefix) && p != "/console" {
		c.Next()
		return
	}
	h := c.Writer.Header()
	h.Set("Content-Security-Policy", consoleCSP)
	h.Set("Cache-Control", "no-store")
	if strings.HasPrefix(p, "/console/static/") {
		h.Set("Cache-Control", "public, max-age=3600")
		c.Next()
		return
	}
	if p == "/console/login" {
		c.Next()
		return
	}
	a, ok, err := s.CurrentActor(c)
	if err != nil || !ok {
		clearCookie(c, api.ConsoleCookie, api.ConsolePrefix)
		next := ""
		if c.Request.Method == http.MethodGet {
			next = "?next=" + url.QueryEscape(c.Request.URL.RequestURI())
		}
		c.Redirect(http.StatusSeeOther, "/console/login"+next)
		c.Abort()
		return
	}
	if allowed, err := s.Authz.Allowed(c.Request.Context(), a, "", "console", "use"); err != nil || !allowed {
		api.SetActor(c, a)
		s.renderConsole(c, http.StatusForbidden, "error", consolePage{Title: "Không có quyền truy cập",
			Message: "Trang quản trị chỉ dành cho cán bộ. / The console is for staff only."})
		c.Abort()
		return
	}
	if p, ok := r.PermOf(c.Request.Method, c.FullPath()); ok && p.Checked() {
		if allowed, err := s.Authz.Allowed(c.Request.Context(), a, "", p.Obj, p.Act); err != nil || !allowed {
			api.SetActor(c, a)
			s.renderConsole(c, http.StatusForbidden, "error", consolePage{Title: "Không có quyền truy cập",
				Message: "Bạn không có quyền mở trang này. / You are not allowed to open this page."})
			c.Abort()
			return
		}
	}
	s.refreshSession(c, a)
	if c.Request.Method == http.MethodPost && strings.HasPrefix(c.ContentType(), "multipart/") {
		// The desk's scans: bounded before the CSRF check reads the form.
		c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, 8*maxScanBytes)
	}
	if c.Request.Method == http.MethodPost && p != "/console/login" {
		if !s.csrfOK(c) {
			api.SetActor(c, a)
			s.renderConsole(c, http.StatusForbidden, "error", consolePage{Title: "Phiên biểu mẫu không hợp lệ",
				Message: "Biểu mẫu đã hết hạn hoặc không hợp lệ. Vui lòng tải lại trang và thử lại. / The form is stale or forged; reload and retry."})
			c.Abort()
			return
		}
	}
	c.Next()
}

// csrfToken binds a form to the session: an HMAC of the session cookie under
// the server's secret, so a page from another site cannot forge it.
// The session ID (stable while the cookie slides) is bound when there is
// one, else the cookie itself.
func (s *Handler) csrfToken(c *gin.Context) string {
	ck, _ := c.Cookie(api.ConsoleCookie)
	if ck == "" {
		return ""
	}
	if sid := api.SessionID(c); sid != "" {
		ck = "sid\x00" + sid
	}
	m := hmac.New(sha256.New, s.Config.TokenSecret)
	m.Write([]byte("console-csrf\x00" + ck))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

func (s *Handler) csrfOK(c *gin.Context) bool {
	want := s.csrfToken(c)
	got := c.PostForm(consoleCSRFField)
	return want != "" && subtle.ConstantTimeCompare([]byte(want), []byte(got)) == 1
}

func secureRequest(c *gin.Context) bool {
	return c.Request.TLS != nil || strings.EqualFold(c.GetHeader("X-Forwarded-Proto"), "https")
}

func setCookie(c *gin.Context, name, value, path string, maxAge int, site http.SameSite) {
	http.SetCookie(c.Writer, &http.Cookie{Name: name, Value: value, Path: path, MaxAge: maxAge,
		HttpOnly: true, Secure: secureRequest(c), SameSite: site})
}

func clearCookie(c *gin.Context, name, path string) {
	setCookie(c, name, "", path, -1, http.SameSiteLaxMode)
}

// setFlash leaves a one-time message for the page after a redirect (PRG).
func setFlash(c *gin.Context, msg string) {
	setCookie(c, flashCookie, base64.RawURLEncoding.EncodeToString([]byte(msg)), "/console/", 60, http.SameSiteLaxMode)
}

func takeFlash(c *gin.Context) string {
	v, err := c.Cookie(flashCookie)
	if err != nil || v == "" {
		return ""
	}
	clearCookie(c, flashCookie, "/console/")
	b, err := base64.RawURLEncoding.DecodeString(v)
	if err != nil {
		return ""
	}
	return string(b)
}

// consolePage is the data every template gets.
type consolePage struct {
	Title   string
	Nav     string
	Actor   cds.Actor
	CSRF    string
	Flash   string
	Message string
	Errors  []fieldError
	Counts  map[string]int
	Idem    string // Idempotency-Key prefix of the page's forms
	Names   *pageNames
	Can     map[string]bool // navigation: what the person may open
	Idle    int             // seconds of idle before the session ends
	Data    any
}

type fieldError struct {
	Field, Message string
}

func (s *Handler) renderConsole(c *gin.Context, status int, name string, p consolePage) {
	t, ok := consoleTemplates[name]
	if !ok {
		api.WriteError(c, cds.Errorf(cds.EINTERNAL, "Lỗi hệ thống.", "Internal error."))
		return
	}
	p.Actor = api.Actor(c)
	p.CSRF = s.csrfToken(c)
	p.Idem = api.RandomToken(12)
	if p.Flash == "" && c.Request.Method == http.MethodGet {
		p.Flash = takeFlash(c)
	}
	if p.Actor.UserID != 0 {
		p.Names = s.names(c)
		p.Can = map[string]bool{}
		for k, perm := range navPerms {
			ok, err := s.Authz.Allowed(c.Request.Context(), p.Actor, "", perm[0], perm[1])
			p.Can[k] = err == nil && ok
		}
		p.Idle = int(s.Config.ConsoleIdle.Seconds())
	}
	if p.Actor.UserID != 0 && p.Counts == nil {
		p.Counts = s.consoleCounts(c)
	}
	var buf bytes.Buffer
	if err := t.Execute(&buf, p); err != nil {
		s.Logger.Error("console template", "page", name, "err", err)
		api.WriteError(c, cds.Errorf(cds.EINTERNAL, "Lỗi hệ thống.", "Internal error."))
		return
	}
	c.Data(status, "text/html; charset=utf-8", buf.Bytes())
}

// navPerms are the permissions behind the navigation's links.
var navPerms = map[string][2]string{"news": {"news", "write"}, "directory": {"directory", "edit_contacts"}, "cameras": {"cameras", "manage"}, "desk": {"application", "submit"}, "staff": {"staff", "read"}, "policies": {"policy", "read"}, "appendix": {"deployment_report", "submit"}, "dashboard": {"report", "case_stats_all"}, "tasks": {"tasks", "read"},
	"categories": {"category", "manage"}, "procedures": {"procedure", "publish"}, "calendar": {"calendar", "manage"}, "open311": {"open311_client", "manage"}}

// consoleCounts are the navigation badges (one query).
func (s *Handler) consoleCounts(c *gin.Context) map[string]int {
	a := api.Actor(c)
	if ok, err := s.Authz.Allowed(c.Request.Context(), a, "", "tasks", "read"); err != nil || !ok {
		return nil
	}
	n, err := s.Cases.TaskCounts(c.Request.Context(), a)
	if err != nil {
		return nil
	}
	return map[string]int{"mine": n.Mine, "mine_overdue": n.MineOverdue, "agency": n.Agency, "unassigned": n.Unassigned,
		"overdue": n.Overdue, "due_soon": n.DueSoon, "approvals": n.Approvals}
}

func (s *Handler) consoleStatic(c *gin.Context) {
	name := strings.TrimPrefix(c.Param("file"), "/")
	if name == "" || strings.Contains(name, "..") {
		c.Status(http.StatusNotFound)
		return
	}
	b, err := consoleFS.ReadFile("tmpl/static/" + name)
	if err != nil {
		c.Status(http.StatusNotFound)
		return
	}
	ct := "application/octet-stream"
	switch {
	case strings.HasSuffix(name, ".css"):
		ct = "text/css; charset=utf-8"
	case strings.HasSuffix(name, ".js"):
		ct = "text/javascript; charset=utf-8"
	case strings.HasSuffix(name, ".svg"):
		ct = "image/svg+xml"
	}
	c.Data(http.StatusOK, ct, b)
}

// --- login / logout ---

type loginForm struct {
	Phone string
	Next  string
	Token string
}

func safeNext(n string) string {
	if strings.HasPrefix(n, consolePrefix) && !strings.HasPrefix(n, "//") && !strings.Contains(n, "\\") {
		return n
	}
	return "/console/queues/mine"
}

func (s *Handler) consoleLoginPage(c *gin.Context) {
	s.renderLogin(c, http.StatusOK, loginForm{Next: safeNext(c.Query("next"))}, nil)
}

// renderLogin issues a fresh double-submit token: a random value in a
// SameSite=Strict cookie that the form must echo.
func (s *Handler) renderLogin(c *gin.Context, status int, f loginForm, errs []fieldError) {
	b := make([]byte, 24)
	_, _ = rand.Read(b)
	f.Token = base64.RawURLEncoding.EncodeToString(b)
	setCookie(c, loginCSRFCookie, f.Token, "/console/login", 3600, http.SameSiteStrictMode)
	api.SetActor(c, cds.Actor{})
	s.renderConsole(c, status, "login", consolePage{Title: "Đăng nhập", Errors: errs, Data: f, Counts: map[string]int{}})
}

func (s *Handler) consoleLogin(c *gin.Context) {
	f := loginForm{Phone: strings.TrimSpace(c.PostForm("phone")), Next: safeNext(c.PostForm("next"))}
	ck, _ := c.Cookie(loginCSRFCookie)
	if ck == "" || subtle.ConstantTimeCompare([]byte(ck), []byte(c.PostForm(consoleCSRFField))) != 1 {
		s.renderLogin(c, http.StatusForbidden, f, []fieldError{{"phone", "Biểu mẫu đã hết hạn, vui lòng đăng nhập lại. / The form expired; please sign in again."}})
		return
	}
	password := c.PostForm("password")
	var errs []fieldError
	if f.Phone == "" {
		errs = append(errs, fieldError{"phone", "Nhập số điện thoại hoặc tên đăng nhập. / Enter your phone number or user name."})
	}
	if password == "" {
		errs = append(errs, fieldError{"password", "Nhập mật khẩu. / Enter your password."})
	}
	if len(errs) > 0 {
		s.renderLogin(c, http.StatusBadRequest, f, errs)
		return
	}
	phone, username := "", f.Phone
	if _, isPhone := cds.NormalizeMobile(f.Phone); isPhone {
		phone, username = f.Phone, ""
	}
	tok, err := s.Accounts.SignIn(c, phone, username, password)
	if err != nil {
		e := api.ErrorOf(c, err)
		status := api.StatusOf(e.Code)
		msg := e.Message + " / " + e.MessageEN
		if status == http.StatusUnauthorized || status == http.StatusBadRequest {
			msg = "Số điện thoại hoặc mật khẩu không đúng. / Wrong phone number or password."
		}
		if status == 0 {
			status = http.StatusInternalServerError
		}
		s.renderLogin(c, status, f, []fieldError{{"phone", msg}})
		return
	}
	a, _, err := s.ParseAccessToken(tok.AccessToken)
	if err != nil || !a.IsStaff() {
		s.renderLogin(c, http.StatusForbidden, f, []fieldError{{"phone", "Tài khoản này không phải tài khoản cán bộ. / This is not a staff account."}})
		return
	}
	maxAge := tok.ExpiresIn
	if maxAge <= 0 {
		maxAge = int(s.Config.AccessTTL.Seconds())
	}
	// Strict and scoped to /console/: the API outside it ignores the cookie.
	setCookie(c, api.ConsoleCookie, tok.AccessToken, api.ConsolePrefix, maxAge, http.SameSiteStrictMode)
	clearCookie(c, loginCSRFCookie, "/console/login")
	setFlash(c, "Xin chào "+a.Name+".")
	c.Redirect(http.StatusSeeOther, f.Next)
}

func (s *Handler) consoleLogout(c *gin.Context) {
	_ = s.Accounts.SignOut(c, "")
	clearCookie(c, api.ConsoleCookie, api.ConsolePrefix)
	c.Redirect(http.StatusSeeOther, "/console/login")
}

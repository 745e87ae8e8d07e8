package console

import (
	"bytes"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"embed"
	"encoding/base64"
	"encoding/json"
	"html/template"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	cds "github.com/caobang/congdanso"
	"github.com/caobang/congdanso/api"
)

// The staff console: server-rendered pages (html/template) over the same JSON
// API. Every state change a page makes (log in, claim, act on a case) is an
// internal request to the JSON API served by this engine with the session's
// bearer token, so the console can do nothing the API would refuse.

//go:embed tmpl/*.html tmpl/static/*
var consoleFS embed.FS

// consoleTemplates are parsed once: each page together with the layout.
var consoleTemplates = mustConsoleTemplates()

const (
	consolePrefix    = "/console/"
	loginCSRFCookie  = "cds_login_csrf"
	flashCookie      = "cds_flash"
	consoleCSRFField = "csrf"
)

// consoleCSP allows nothing but this origin: no inline script or style, no framing.
const consoleCSP = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; " +
	"frame-ancestors 'none'; form-action 'self'; base-uri 'none'; object-src 'none'"

func (s *Handler) registerConsole(r *api.Server) {
	s.srv = r
	// The gate only acts on /console/ paths: it sends a browser without a
	// valid session to the login page instead of a JSON 401, and sets the
	// console's stricter headers. authorize still enforces each api.Perm.
	r.Use(s.consoleGate)
	staff := api.Can("console", "use")
	r.Handle(http.MethodGet, "/console/static/*file", api.Public, s.consoleStatic)
	r.Handle(http.MethodGet, "/console/login", api.Public, s.consoleLoginPage)
	r.Handle(http.MethodPost, "/console/login", api.Public, s.consoleLogin)
	r.Handle(http.MethodPost, "/console/logout", api.SignedIn, s.consoleLogout)
	r.Handle(http.MethodGet, "/console/", staff, func(c *gin.Context) { c.Redirect(http.StatusSeeOther, "/console/queues/mine") })
	r.Handle(http.MethodGet, "/console/queues/:queue", staff, s.consoleQueue)
	r.Handle(http.MethodPost, "/console/tasks/:id/:op", staff, s.consoleTaskOp)
	r.Handle(http.MethodGet, "/console/cases/:kind/:code", staff, s.consoleCase)
	r.Handle(http.MethodPost, "/console/cases/:kind/:code/actions/:action", staff, s.consoleCaseAction)
	r.Handle(http.MethodGet, "/console/approvals", staff, s.consoleApprovals)
	r.Handle(http.MethodGet, "/console/reports", staff, s.consoleReports)
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
		"actionLabel": actionLabel,
		"statusLabel": statusLabel,
		"kindLabel":   kindLabel,
		"pathEscape":  url.PathEscape,
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
		out[name] = template.Must(template.New("layout.html").Funcs(funcs).ParseFS(consoleFS, "tmpl/layout.html", p))
	}
	return out
}

// consoleGate runs before authorize on every route registered after it; it
// does nothing outside /console/.
func (s *Handler) consoleGate(c *gin.Context) {
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
	a, ok, err := s.srv.CurrentActor(c)
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
func (s *Handler) csrfToken(c *gin.Context) string {
	ck, _ := c.Cookie(api.ConsoleCookie)
	if ck == "" {
		return ""
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
	if p.Flash == "" && c.Request.Method == http.MethodGet {
		p.Flash = takeFlash(c)
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

// consoleCounts are the navigation badges (one query, from GET /api/v1/tasks/counts).
func (s *Handler) consoleCounts(c *gin.Context) map[string]int {
	var m map[string]int
	if r := s.internal(c, http.MethodGet, "/api/v1/tasks/counts", nil); r.Code == http.StatusOK {
		_ = json.Unmarshal(r.Body.Bytes(), &m)
	}
	return m
}

// internal serves an API request through this engine on behalf of the
// console's user (their bearer token, their client address).
func (s *Handler) internal(c *gin.Context, method, path string, body any) *httptest.ResponseRecorder {
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req := httptest.NewRequestWithContext(c.Request.Context(), method, path, rd)
	req.RemoteAddr = c.Request.RemoteAddr
	if v := c.GetHeader("X-Forwarded-For"); v != "" {
		req.Header.Set("X-Forwarded-For", v)
	}
	req.Header.Set("User-Agent", c.Request.UserAgent())
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if tok, err := c.Cookie(api.ConsoleCookie); err == nil && tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	rec := httptest.NewRecorder()
	s.srv.Handler().ServeHTTP(rec, req)
	return rec
}

// apiError decodes the error envelope of an internal response.
func apiError(r *httptest.ResponseRecorder) *cds.Error {
	var env api.ErrorEnvelope
	if err := json.Unmarshal(r.Body.Bytes(), &env); err != nil || env.Error == nil {
		return cds.Errorf(cds.EINTERNAL, "Lỗi hệ thống (%d).", "Internal error (%d).", r.Code)
	}
	return env.Error
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
	creds := map[string]string{"password": password}
	if _, isPhone := api.NormalizePhone(f.Phone); isPhone {
		creds["phone"] = f.Phone
	} else {
		creds["username"] = f.Phone
	}
	r := s.internal(c, http.MethodPost, "/api/v1/auth/login", creds)
	if r.Code != http.StatusOK {
		e := apiError(r)
		msg := e.Message + " / " + e.MessageEN
		if r.Code == http.StatusUnauthorized || r.Code == http.StatusBadRequest {
			msg = "Số điện thoại hoặc mật khẩu không đúng. / Wrong phone number or password."
		}
		s.renderLogin(c, r.Code, f, []fieldError{{"phone", msg}})
		return
	}
	var tok struct {
		AccessToken string `json:"access_token"`
		ExpiresIn   int    `json:"expires_in"`
	}
	if err := json.Unmarshal(r.Body.Bytes(), &tok); err != nil || tok.AccessToken == "" {
		s.renderLogin(c, http.StatusBadGateway, f, []fieldError{{"phone", "Không đăng nhập được, vui lòng thử lại. / Sign-in failed; retry."}})
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
	_ = s.internal(c, http.MethodPost, "/api/v1/auth/logout", map[string]string{})
	clearCookie(c, api.ConsoleCookie, api.ConsolePrefix)
	c.Redirect(http.StatusSeeOther, "/console/login")
}

// Package api is the HTTP kit shared by the interfaces in its sub-packages
// (accounts, feedback, applications, tasks, content, payments, reporting,
// admin, open311, console): the gin router, route registration behind an
// explicit permission (Perm) that the Casbin-backed Authorizer checks, the
// error table, the signed-in actor, JSON binding and paging. Each
// sub-package is a Handler with typed dependencies and a Register method;
// cmd/app wires them onto one Server.
package api

import (
	"log/slog"
	"net/http"
	"sort"
	"sync"
	"time"

	"github.com/gin-gonic/gin"
	"go.temporal.io/sdk/client"

	cds "github.com/caobang/congdanso"
	"github.com/caobang/congdanso/postgres"
)

// Config holds the API's settings; cmd fills it from flags and environment.
type Config struct {
	TokenSecret []byte        // HMAC key for access tokens
	AccessTTL   time.Duration // access token lifetime
	RefreshTTL  time.Duration // refresh token lifetime
	// ConsoleIdle: a staff console session ends after this long without a
	// request (its cookie's token is re-issued on each page; default 30 min).
	ConsoleIdle   time.Duration
	PublicBaseURL string // e.g. http://127.0.0.1:8080, for links and redirects
	MaxBodyBytes  int64  // request body limit outside uploads
	TaskQueue     string // Temporal task queue of the worker
	Demo          bool   // demo mode (demo biller, gateway simulator)
	// SLAScale divides case deadlines (demo and tests: 1000 makes a
	// 15-working-day SLA last minutes); 1 or less means real time.
	SLAScale float64
	// TrustProxyHeaders: a reverse proxy sets X-Forwarded-For, so the
	// client address is read from it (otherwise anyone could pick one).
	TrustProxyHeaders bool
	// RateLimits override default limits by name ("login.phone", …).
	RateLimits map[string]postgres.Limit
}

// Deps are the concrete clients built in cmd.
type Deps struct {
	DB       *postgres.DB
	Temporal client.Client
	Authz    cds.Authorizer
	Blob     cds.BlobStore
	Logger   *slog.Logger
	Config   Config
}

// Registrar is an interface's handler: it adds its routes to the server.
type Registrar interface {
	Register(r *Server)
}

// Perm is the permission a route requires: a Casbin object and action.
// The zero Perm is invalid; public routes use Public.
type Perm struct {
	Obj, Act string
	public   bool
	signedIn bool
}

// Public marks a route anyone may call.
var Public = Perm{public: true, Obj: "public", Act: "read"}

// SignedIn marks a route any signed-in account may call (its handler scopes the data).
var SignedIn = Perm{signedIn: true, Obj: "self", Act: "use"}

// Can builds a Casbin permission.
func Can(obj, act string) Perm { return Perm{Obj: obj, Act: act} }

// IsPublic reports whether the route needs no sign-in.
func (p Perm) IsPublic() bool { return p.public }

// RouteInfo describes a registered route and its policy (for the matrix test and OpenAPI).
type RouteInfo struct {
	Method, Path string
	Perm         Perm
}

// Server is the HTTP API.
type Server struct {
	Deps
	engine  *gin.Engine
	mu      sync.Mutex
	routes  []RouteInfo
	uploads map[string]bool // routes whose handlers enforce their own body limit
	perms   map[string]Perm // "METHOD path" of every route → its permission
	checks  []readyCheck    // extra /readyz checks (AddReadyCheck)
}

// New builds the server with the operational routes (health, readiness,
// OpenAPI; metrics have their own listener, see MetricsHandler); Mount adds each interface's routes.
func New(d Deps) *Server {
	gin.SetMode(gin.ReleaseMode)
	if d.Logger == nil {
		d.Logger = slog.Default()
	}
	if d.Config.AccessTTL == 0 {
		d.Config.AccessTTL = 15 * time.Minute
	}
	if d.Config.ConsoleIdle <= 0 {
		d.Config.ConsoleIdle = 30 * time.Minute
	}
	if d.Config.RefreshTTL == 0 {
		d.Config.RefreshTTL = 30 * 24 * time.Hour
	}
	if d.Config.MaxBodyBytes == 0 {
		d.Config.MaxBodyBytes = 1 << 20
	}
	s := &Server{Deps: d, engine: gin.New(), uploads: map[string]bool{}}
	s.engine.HandleMethodNotAllowed = true
	s.engine.Use(s.recoverer, s.requestLog, s.securityHeaders, s.limitBody)
	s.engine.NoRoute(func(c *gin.Context) {
		WriteError(c, cds.Errorf(cds.ENOTFOUND, "Không tìm thấy đường dẫn.", "No such route."))
	})
	s.engine.NoMethod(func(c *gin.Context) {
		c.JSON(http.StatusMethodNotAllowed, ErrorBody(cds.Errorf(cds.EINVALID, "Phương thức không được hỗ trợ.", "Method not allowed.")))
	})
	s.registerOps()
	return s
}

// Mount registers the routes of each handler.
func (s *Server) Mount(hs ...Registrar) *Server {
	for _, h := range hs {
		h.Register(s)
	}
	return s
}

// Handler returns the http.Handler.
func (s *Server) Handler() http.Handler { return s.engine }

// Routes lists every registered route with its permission, sorted.
func (s *Server) Routes() []RouteInfo {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := append([]RouteInfo(nil), s.routes...)
	sort.Slice(out, func(i, j int) bool {
		if out[i].Path != out[j].Path {
			return out[i].Path < out[j].Path
		}
		return out[i].Method < out[j].Method
	})
	return out
}

// PermOf is the permission of the registered route (method, gin path
// pattern), so a gate in front of authorize (the console's) can answer a
// refusal in its own format.
func (s *Server) PermOf(method, path string) (Perm, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.perms[method+" "+path]
	return p, ok
}

// Checked reports whether the policy decides the permission (neither Public
// nor SignedIn).
func (p Perm) Checked() bool { return !p.public && !p.signedIn }

// Handle registers one route behind its permission check.
func (s *Server) Handle(method, path string, perm Perm, h ...gin.HandlerFunc) {
	if !perm.public && !perm.signedIn && (perm.Obj == "" || perm.Act == "") {
		panic("api: route " + method + " " + path + " has no policy")
	}
	s.mu.Lock()
	s.routes = append(s.routes, RouteInfo{Method: method, Path: path, Perm: perm})
	if s.perms == nil {
		s.perms = map[string]Perm{}
	}
	s.perms[method+" "+path] = perm
	s.mu.Unlock()
	chain := append([]gin.HandlerFunc{s.authorize(perm)}, h...)
	s.engine.Handle(method, path, chain...)
}

func (s *Server) recoverer(c *gin.Context) {
	defer func() {
		if r := recover(); r != nil {
			s.Logger.Error("panic", "path", c.FullPath(), "panic", r)
			WriteError(c, cds.Errorf(cds.EINTERNAL, "Lỗi hệ thống.", "Internal error."))
			c.Abort()
		}
	}()
	c.Next()
}

// requestLog logs method, route pattern, status and latency. It never logs
// query strings or bodies, which may carry phone or ID numbers.
func (s *Server) requestLog(c *gin.Context) {
	start := time.Now()
	c.Next()
	route := c.FullPath()
	if route == "" {
		route = "unmatched"
	}
	s.Logger.Info("http", "method", c.Request.Method, "route", route, "status", c.Writer.Status(),
		"ms", time.Since(start).Milliseconds(), "userID", ActorID(c))
}

func (s *Server) securityHeaders(c *gin.Context) {
	h := c.Writer.Header()
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "same-origin")
	c.Next()
}

// limitBody caps request bodies; upload routes raise the cap themselves.
func (s *Server) limitBody(c *gin.Context) {
	if c.Request.ContentLength > s.Config.MaxBodyBytes && !s.isUpload(c) {
		WriteError(c, cds.Errorf(cds.ETOOLARGE, "Dữ liệu gửi lên quá lớn.", "Request body too large."))
		c.Abort()
		return
	}
	if !s.isUpload(c) {
		c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, s.Config.MaxBodyBytes)
	}
	c.Next()
}

// HandleUpload registers a route that may carry a large multipart body; its
// handler enforces its own limit.
func (s *Server) HandleUpload(method, path string, perm Perm, h ...gin.HandlerFunc) {
	s.mu.Lock()
	s.uploads[path] = true
	s.mu.Unlock()
	s.Handle(method, path, perm, h...)
}

func (s *Server) isUpload(c *gin.Context) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.uploads[c.FullPath()]
}

// Use adds a middleware before every route registered after it.
func (s *Server) Use(mw gin.HandlerFunc) { s.engine.Use(mw) }

package api_test

import (
	"bytes"
	"context"
	"hash/fnv"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	cds "github.com/caobang/congdanso"
	"github.com/caobang/congdanso/api"
	"github.com/caobang/congdanso/cmd/app"
	"github.com/caobang/congdanso/cmd/app/apptest"
)

// panicLog records the two log lines that mean a bug: the recoverer's
// "panic" and WriteError's "internal error".
type panicLog struct {
	mu   sync.Mutex
	msgs []string
}

func (p *panicLog) Enabled(context.Context, slog.Level) bool { return true }
func (p *panicLog) Handle(_ context.Context, r slog.Record) error {
	if r.Level >= slog.LevelError && (r.Message == "panic" || r.Message == "internal error") {
		var b strings.Builder
		b.WriteString(r.Message)
		r.Attrs(func(a slog.Attr) bool { b.WriteString(" " + a.String()); return true })
		p.mu.Lock()
		p.msgs = append(p.msgs, b.String())
		p.mu.Unlock()
	}
	return nil
}
func (p *panicLog) WithAttrs([]slog.Attr) slog.Handler { return p }
func (p *panicLog) WithGroup(string) slog.Handler      { return p }
func (p *panicLog) take() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	m := p.msgs
	p.msgs = nil
	return m
}

// fuzzApp is the whole application on a real PostgreSQL database and an
// in-process Temporal server (apptest), so fuzzed input gets past the
// database into the handlers' real paths.
type fuzzApp struct {
	env         *apptest.Env
	log         *panicLog
	routes      map[string]api.RouteInfo // "METHOD /path" → route
	names       []string                 // sorted, for names that match no route
	staff, citz string
	open311Key  string
}

// newFuzzApp starts the app for one fuzz target (stopped when it ends).
func newFuzzApp(f testing.TB) *fuzzApp {
	pl := &panicLog{}
	env := apptest.New(f, func(o *app.Options) { o.Logger = slog.New(pl) })
	prev := slog.Default()
	slog.SetDefault(slog.New(pl))
	f.Cleanup(func() { slog.SetDefault(prev) })
	fa := &fuzzApp{env: env, log: pl, routes: map[string]api.RouteInfo{}}
	for _, r := range env.App.API.Routes() {
		name := r.Method + " " + r.Path
		fa.routes[name] = r
		fa.names = append(fa.names, name)
	}
	// An all-roles staff member of the province and a citizen, signed in
	// through real sessions.
	_, fa.staff = env.Staff("Quản trị", "UBND-CB", cds.RoleAdmin, cds.RoleLeader, cds.RoleOfficer,
		cds.RoleCoordinator, cds.RoleEditor, cds.RoleReporter, cds.RoleSteering)
	_, fa.citz = env.Citizen("Công dân")
	return fa
}

// route finds a route by name ("POST /api/v1/feedback"). A name that is no
// route (a mutation) still picks one, by its hash, so the fuzzer explores
// them all; committed seeds name their routes and keep pointing at them.
func (fa *fuzzApp) route(name string, methods ...string) api.RouteInfo {
	if r, ok := fa.routes[name]; ok && hasMethod(r.Method, methods) {
		return r
	}
	var pool []string
	for _, n := range fa.names {
		if hasMethod(fa.routes[n].Method, methods) {
			pool = append(pool, n)
		}
	}
	h := fnv.New32a()
	h.Write([]byte(name))
	return fa.routes[pool[int(h.Sum32()%uint32(len(pool)))]]
}

func hasMethod(m string, methods []string) bool {
	for _, x := range methods {
		if m == x {
			return true
		}
	}
	return false
}

// do sends one request through the real router and fails on a panic, an
// internal error or a 5xx other than 503.
func (fa *fuzzApp) do(t testing.TB, r api.RouteInfo, param, rawQuery, ctype string, body []byte, asStaff bool) *httptest.ResponseRecorder {
	path := r.Path
	for _, seg := range strings.Split(r.Path, "/") {
		if strings.HasPrefix(seg, ":") || strings.HasPrefix(seg, "*") {
			path = strings.Replace(path, seg, url.PathEscape(param), 1)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req := httptest.NewRequest(r.Method, "/", bytes.NewReader(body)).WithContext(ctx)
	req.URL.Path, req.URL.RawPath, req.URL.RawQuery = strings.ReplaceAll(path, "%2F", "/"), path, rawQuery
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	tok := fa.citz
	if asStaff {
		tok = fa.staff
	}
	req.Header.Set("Authorization", "Bearer "+tok)
	rec := httptest.NewRecorder()
	fa.env.App.API.Handler().ServeHTTP(rec, req)
	if logs := fa.log.take(); len(logs) > 0 {
		t.Fatalf("%s %s ?%q body %q: %v", r.Method, r.Path, rawQuery, body, logs)
	}
	if rec.Code >= 500 && rec.Code != http.StatusServiceUnavailable {
		t.Fatalf("%s %s ?%q body %q: %d %s", r.Method, r.Path, rawQuery, body, rec.Code, rec.Body)
	}
	return rec
}

// reachesHandlers proves the harness gets past auth and the database: bad
// JSON is refused by the decoder (400), a form body on a JSON route is 415,
// a good report is written (201).
func (fa *fuzzApp) reachesHandlers(t testing.TB) {
	rt := fa.route("POST /api/v1/feedback", writeMethods...)
	if rt.Path != "/api/v1/feedback" {
		t.Fatalf("route by name: %+v", rt)
	}
	for _, c := range []struct {
		ctype, body string
		want        int
	}{
		{"application/json", `not json`, http.StatusBadRequest},
		{"text/plain", `{}`, http.StatusUnsupportedMediaType},
		{"application/json", `{"title":"Ổ gà lớn trên đường","content":"Ổ gà sâu trước số 12 Hoàng Đình Giong.","category_code":"traffic",` +
			`"location":{"lat":22.6657,"lng":106.2578,"commune_code":"P-THUCPHAN"}}`, http.StatusCreated},
	} {
		if rec := fa.do(t, rt, "", "", c.ctype, []byte(c.body), false); rec.Code != c.want {
			t.Errorf("%s %s: %d %s, want %d", c.ctype, c.body, rec.Code, rec.Body, c.want)
		}
	}
}

var writeMethods = []string{http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete}

// FuzzAPIBodies sends any JSON body to any state-changing route (POST, PUT,
// PATCH, DELETE), named "METHOD /path", as a citizen or as an all-roles
// staff member, with a fuzzed path parameter. Nothing may panic and nothing
// may answer 5xx other than 503: bad input is a 4xx.
func FuzzAPIBodies(f *testing.F) {
	fa := newFuzzApp(f)
	fa.reachesHandlers(f)
	for _, name := range fa.names {
		if hasMethod(fa.routes[name].Method, writeMethods) {
			f.Add(name, "1", []byte(`{}`), true)
		}
	}
	f.Add("POST /api/v1/feedback", "1", []byte(`{"title":"Ổ gà","content":"`+strings.Repeat("x", 20)+
		`","location":{"lat":22.6,"lng":106.2,"commune_code":"P-THUCPHAN"},"category_code":"traffic"}`), false)
	f.Add("POST /api/v1/auth/login", "1", []byte(`{"phone":"0912345678","password":"x"}`), false)
	f.Add("POST /api/v1/feedback/:code/actions/:action", "PA-2026-000001", []byte(`{"score":99,"assignee_id":-1,"media_ids":["../../etc/passwd"]}`), true)
	f.Fuzz(func(t *testing.T, route, param string, body []byte, asStaff bool) {
		fa.do(t, fa.route(route, writeMethods...), param, "", "application/json", body, asStaff)
	})
}

// FuzzAPIQueries sends any query string to any GET route, named "GET
// /path": the list filters, dates, the paging cursors and limits, the
// VNeID callback's state and code, Open311's read parameters.
func FuzzAPIQueries(f *testing.F) {
	fa := newFuzzApp(f)
	for _, seed := range []struct{ route, param, query string }{
		{"GET /api/v1/tasks", "", "queue=agency&overdue=true&cursor=eyJpZCI6MX0&limit=100"},
		{"GET /api/v1/tasks", "", "cursor=%00%ff&limit=-1"},
		{"GET /api/v1/me/feedback", "", "status=received&cursor=9999999999999999999999"},
		{"GET /api/v1/public/feedback", "", "category=traffic&commune=P-THUCPHAN&from=2026-01-01&to=2026-13-45"},
		{"GET /api/v1/news", "", "q=cao+b%E1%BA%B1ng&tag=x&cursor=abc"},
		{"GET /api/v1/admin/staff", "", "agency=SXD&cursor=0"},
		{"GET /api/v1/auth/vneid/callback", "", "state=abc&code=def"},
		{"GET /api/v1/auth/vneid/callback", "", "error=access_denied&error_description=%3Cscript%3E"},
		{"GET /open311/v2/requests.json", "", "start_date=2026-01-01T00:00:00%2B07:00&status=open,closed&service_request_id=PA-1"},
		{"GET /api/v1/reports/cases.csv", "", "from=2026-01-01&to=2026-12-31&agency=SXD"},
		{"GET /api/v1/feedback/:code", "PA-2026-000001", "x=1"},
	} {
		f.Add(seed.route, seed.param, seed.query, true)
	}
	f.Fuzz(func(t *testing.T, route, param, query string, asStaff bool) {
		fa.do(t, fa.route(route, http.MethodGet), param, query, "", nil, asStaff)
	})
}

// FuzzOpen311Form posts any form body to Open311's requests and updates
// with a valid API key: the form decoder, the attribute checks and the
// reporter fields.
func FuzzOpen311Form(f *testing.F) {
	fa := newFuzzApp(f)
	r := fa.env.Do(http.MethodPost, "/api/v1/admin/open311/clients", fa.staff, map[string]any{"name": "Fuzz client"})
	if r.Status != http.StatusCreated {
		f.Fatalf("open311 client: %d %s", r.Status, r.Body)
	}
	key := r.Map(f)["api_key"].(string)
	for _, b := range []string{
		"service_code=traffic&lat=22.666&long=106.258&attribute[danger]=high&description=%E1%BB%94+g%C3%A0&phone=0912+345+678",
		"service_code=traffic&address_string=Ch%E1%BB%A3+Xanh&attribute[danger][]=high&attribute[danger][]=low",
		"service_code=water&lat=NaN&long=Inf&first_name=" + strings.Repeat("a", 200),
		"service_request_id=PA-2026-000001&description=x&status=closed&updated_datetime=2026-02-30",
		"%zz=&&&=%",
	} {
		f.Add(true, []byte(b))
		f.Add(false, []byte(b))
	}
	requests := api.RouteInfo{Method: http.MethodPost, Path: "/open311/v2/requests.json"}
	updates := api.RouteInfo{Method: http.MethodPost, Path: "/open311/v2/servicerequestupdates.json"}
	f.Fuzz(func(t *testing.T, toRequests bool, form []byte) {
		rt := updates
		if toRequests {
			rt = requests
		}
		body := append([]byte("api_key="+url.QueryEscape(key)+"&"), form...)
		fa.do(t, rt, "", "", "application/x-www-form-urlencoded", body, false)
	})
}

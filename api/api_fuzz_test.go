package api_test

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"go.temporal.io/sdk/client"

	cds "github.com/caobang/congdanso"
	"github.com/caobang/congdanso/activities"
	"github.com/caobang/congdanso/api"
	"github.com/caobang/congdanso/blob"
	"github.com/caobang/congdanso/cases"
	"github.com/caobang/congdanso/cmd/app"
	"github.com/caobang/congdanso/postgres"
)

// allowAll lets every request through Casbin, so the fuzzed bodies reach
// the handlers' decoders and validators.
type allowAll struct{}

func (allowAll) Allowed(context.Context, cds.Actor, string, string, string) (bool, error) {
	return true, nil
}

// panicLog records the recoverer's "panic" and "internal error" log lines.
type panicLog struct {
	mu   sync.Mutex
	msgs []string
}

func (p *panicLog) Enabled(context.Context, slog.Level) bool { return true }
func (p *panicLog) Handle(_ context.Context, r slog.Record) error {
	if r.Level >= slog.LevelError {
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

type fuzzServer struct {
	s      *api.Server
	log    *panicLog
	routes []api.RouteInfo
	staff  string
	citz   string
}

var (
	fuzzOnce sync.Once
	fuzzSrv  *fuzzServer
	fuzzErr  error
)

// newFuzzServer builds the real router with dependencies that are "down":
// a pool to a closed port (every query fails with a connection error) and a
// lazy Temporal client to a closed port. A handler may thus answer 2xx/4xx
// from its decoder and validators, or 503 once it needs PostgreSQL or
// Temporal — but never panic and never 500.
func newFuzzServer(t testing.TB) *fuzzServer {
	fuzzOnce.Do(func() {
		pool, err := pgxpool.New(context.Background(), "postgres://nobody@127.0.0.1:1/none?sslmode=disable&connect_timeout=1")
		if err != nil {
			fuzzErr = err
			return
		}
		tc, err := client.NewLazyClient(client.Options{HostPort: "127.0.0.1:1"})
		if err != nil {
			fuzzErr = err
			return
		}
		dir, err := os.MkdirTemp("", "cds-fuzz-blob")
		if err != nil {
			fuzzErr = err
			return
		}
		bs, err := blob.NewFileStore(dir)
		if err != nil {
			fuzzErr = err
			return
		}
		pl := &panicLog{}
		db := &postgres.DB{Pool: pool}
		s := api.New(api.Deps{DB: db, Temporal: tc, Authz: allowAll{}, Blob: bs, Logger: slog.New(pl),
			Config: api.Config{TokenSecret: []byte("fuzz-secret-0123456789abcdef0123456789"), PublicBaseURL: "http://127.0.0.1"}})
		// The real handlers, wired as cmd/app wires them.
		a := &app.App{API: s, DB: db, Temporal: tc, Blob: bs, Logger: slog.New(pl),
			Activities: &activities.Activities{DB: db}, Cases: &cases.Service{DB: db, Temporal: tc, Authz: allowAll{}}}
		s.Mount(a.Handlers()...)
		slog.SetDefault(slog.New(pl))
		f := &fuzzServer{s: s, log: pl}
		for _, r := range s.Routes() {
			switch r.Method {
			case http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete:
				f.routes = append(f.routes, r)
			}
		}
		staff := cds.Actor{UserID: 2, Name: "Quản trị", AgencyCode: "UBND-CB", Roles: []cds.Role{cds.RoleAdmin, cds.RoleLeader, cds.RoleOfficer,
			cds.RoleCoordinator, cds.RoleEditor, cds.RoleReporter, cds.RoleSteering}}
		citizen := cds.Actor{UserID: 1, Name: "Công dân", Roles: []cds.Role{cds.RoleCitizen}}
		if f.staff, _, err = s.IssueAccessToken(staff, ""); err == nil {
			f.citz, _, err = s.IssueAccessToken(citizen, "")
		}
		fuzzSrv, fuzzErr = f, err
	})
	if fuzzErr != nil {
		t.Fatal(fuzzErr)
	}
	return fuzzSrv
}

// FuzzAPIBodies sends any body to any state-changing route (POST, PUT,
// PATCH, DELETE) as a citizen or as an all-roles staff member, with a fuzzed
// path parameter. Nothing may panic and nothing may answer 500: bad input
// is a 4xx, a dependency that is down is a 503.
func FuzzAPIBodies(f *testing.F) {
	srv := newFuzzServer(f)
	for i := range srv.routes {
		for _, b := range []string{`{}`, `{"title":"Ổ gà","content":"` + strings.Repeat("x", 20) + `","location":{"lat":22.6,"lng":106.2,"commune_code":"P-THUCPHAN"},"category_code":"traffic"}`,
			`null`, `[]`, `{"score":99,"assignee_id":-1,"media_ids":["../../etc/passwd"]}`, `{"phone":"0912345678","password":"x"}`} {
			f.Add(uint8(i), "1", []byte(b), i%2 == 0)
		}
	}
	f.Fuzz(func(t *testing.T, route uint8, param string, body []byte, asStaff bool) {
		r := srv.routes[int(route)%len(srv.routes)]
		path := r.Path
		for _, seg := range strings.Split(r.Path, "/") {
			if strings.HasPrefix(seg, ":") || strings.HasPrefix(seg, "*") {
				path = strings.Replace(path, seg, url.PathEscape(param), 1)
			}
		}
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		defer cancel()
		req := httptest.NewRequest(r.Method, "/", bytes.NewReader(body)).WithContext(ctx)
		req.URL.Path, req.URL.RawPath = strings.ReplaceAll(path, "%2F", "/"), path
		req.Header.Set("Content-Type", "application/json")
		tok := srv.citz
		if asStaff {
			tok = srv.staff
		}
		req.Header.Set("Authorization", "Bearer "+tok)
		rec := httptest.NewRecorder()
		srv.s.Handler().ServeHTTP(rec, req)
		if logs := srv.log.take(); len(logs) > 0 {
			t.Fatalf("%s %s body %q: %v", r.Method, r.Path, body, logs)
		}
		if rec.Code >= 500 && rec.Code != http.StatusServiceUnavailable {
			t.Fatalf("%s %s body %q: %d %s", r.Method, r.Path, body, rec.Code, rec.Body)
		}
	})
}

// FuzzNormalizePhone: never panics; what it accepts is a +84 number made of
// digits, and normalising it again changes nothing.
func FuzzNormalizePhone(f *testing.F) {
	for _, s := range []string{"0912345678", "+84912345678", "84 912 345 678", "0912.345.678", "", "+", "٠٩١٢٣٤٥٦٧٨", "09123456789999", "+1 202 555 0100"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		out, ok := api.NormalizePhone(in)
		if !ok {
			return
		}
		if !strings.HasPrefix(out, "+84") || strings.Trim(out[1:], "0123456789") != "" {
			t.Fatalf("NormalizePhone(%q) = %q", in, out)
		}
		again, ok2 := api.NormalizePhone(out)
		if !ok2 || again != out {
			t.Fatalf("not idempotent: %q → %q → %q (%v)", in, out, again, ok2)
		}
	})
}

// TestFuzzServerReachesHandlers proves the fuzz harness gets past auth into
// the handlers: bad JSON is refused by the decoder (400), good JSON goes on
// to the database, which is down (503).
func TestFuzzServerReachesHandlers(t *testing.T) {
	srv := newFuzzServer(t)
	for _, c := range []struct {
		body string
		want int
	}{{`not json`, http.StatusBadRequest}, {`{"title":"Ổ gà lớn","content":"Ổ gà sâu trước số 12."}`, http.StatusServiceUnavailable}} {
		req := httptest.NewRequest(http.MethodPost, "/api/v1/feedback", strings.NewReader(c.body))
		req.Header.Set("Authorization", "Bearer "+srv.citz)
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		srv.s.Handler().ServeHTTP(rec, req)
		if rec.Code != c.want {
			t.Errorf("%s: %d %s, want %d", c.body, rec.Code, rec.Body, c.want)
		}
	}
	_ = srv.log.take()
}

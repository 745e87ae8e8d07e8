// Package apptest starts the whole application for integration tests: a fresh
// PostgreSQL database (real server), an in-process Temporal server
// (temporaltest), the worker and the HTTP API on httptest.
package apptest

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"go.temporal.io/sdk/client"
	"go.temporal.io/server/temporaltest"

	cds "github.com/caobang/congdanso"
	"github.com/caobang/congdanso/api"
	"github.com/caobang/congdanso/cmd/app"
	"github.com/caobang/congdanso/postgres"
)

// AdminDSN is the PostgreSQL server tests create their databases on.
func AdminDSN() string {
	if v := os.Getenv("TEST_DATABASE_URL"); v != "" {
		return v
	}
	return "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"
}

// Env is a running application.
type Env struct {
	T        testing.TB
	DSN      string
	DB       *postgres.DB
	Temporal client.Client
	App      *app.App
	HTTP     *httptest.Server
	URL      string
}

// Option adjusts the app options before Build.
type Option func(*app.Options)

// NewDB creates a fresh, migrated and base-seeded database and drops it when
// the test ends.
func NewDB(t testing.TB) (*postgres.DB, string) {
	t.Helper()
	ctx := context.Background()
	buf := make([]byte, 6)
	_, _ = rand.Read(buf)
	name := "cds_test_" + hex.EncodeToString(buf)
	u, err := url.Parse(AdminDSN())
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/" + name
	dsn := u.String()
	db, err := postgres.Open(ctx, dsn, 10)
	if err != nil {
		t.Fatalf("apptest: open %s: %v", name, err)
	}
	t.Cleanup(func() {
		db.Close()
		conn, err := pgx.Connect(context.Background(), AdminDSN())
		if err == nil {
			_, _ = conn.Exec(context.Background(), "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)")
			conn.Close(context.Background())
		}
	})
	if err := db.Migrate(ctx); err != nil {
		t.Fatalf("apptest: migrate: %v", err)
	}
	if err := db.SeedBase(ctx); err != nil {
		t.Fatalf("apptest: seed: %v", err)
	}
	return db, dsn
}

// New starts the application. Everything stops when the test ends.
// t may be a *testing.F (fuzz targets run against the real app too).
func New(t testing.TB, opts ...Option) *Env {
	t.Helper()
	db, dsn := NewDB(t)
	var ts *temporaltest.TestServer
	if tt, ok := t.(*testing.T); ok {
		ts = temporaltest.NewServer(temporaltest.WithT(tt))
	} else {
		ts = temporaltest.NewServer()
		t.Cleanup(ts.Stop)
	}
	tc := ts.GetDefaultClient()
	o := app.Options{
		DataDir: t.TempDir(),
		Logger:  slog.New(slog.NewTextHandler(io.Discard, nil)),
		API:     api.Config{TokenSecret: []byte("test-secret-0123456789abcdef0123456789"), PublicBaseURL: "http://placeholder"},
		// Messages go to the built-in simulator, where tests read them
		// (e.g. the SMS code of a registration).
		Notify: app.NotifyConfig{Simulate: true},
	}
	if testing.Verbose() {
		o.Logger = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	}
	for _, f := range opts {
		f(&o)
	}
	// The public URL must be known before Build (redirects, payment URLs), so
	// the listener is created first.
	srv := httptest.NewUnstartedServer(nil)
	o.API.PublicBaseURL = "http://" + srv.Listener.Addr().String()
	ctx := context.Background()
	a, err := app.Build(ctx, o, db, tc)
	if err != nil {
		t.Fatalf("apptest: build: %v", err)
	}
	w := a.NewWorker()
	if err := w.Start(); err != nil {
		t.Fatalf("apptest: worker: %v", err)
	}
	bg, cancel := context.WithCancel(context.Background())
	a.RunBackground(bg)
	srv.Config.Handler = a.API.Handler()
	srv.Start()
	t.Cleanup(func() {
		srv.Close()
		cancel()
		w.Stop()
		a.Close()
	})
	return &Env{T: t, DSN: dsn, DB: db, Temporal: tc, App: a, HTTP: srv, URL: srv.URL}
}

// CreateUser inserts an account with role grants and returns an actor.
// Citizens get the citizen role; staff get roles within agency.
func (e *Env) CreateUser(kind, phone, name, agency string, roles ...cds.Role) cds.Actor {
	e.T.Helper()
	ctx := context.Background()
	var agencyArg *string
	if agency != "" {
		agencyArg = &agency
	}
	var id int64
	err := e.DB.Pool.QueryRow(ctx, `INSERT INTO users (kind, phone, full_name, agency_code) VALUES ($1, NULLIF($2, ''), $3, $4) RETURNING id`,
		kind, phone, name, agencyArg).Scan(&id)
	if err != nil {
		e.T.Fatalf("apptest: create user: %v", err)
	}
	if kind == "citizen" && len(roles) == 0 {
		roles = []cds.Role{cds.RoleCitizen}
	}
	for _, r := range roles {
		dom := agency
		if dom == "" {
			dom = "*"
		}
		if _, err := e.DB.Pool.Exec(ctx, `INSERT INTO user_roles (user_id, role, agency_code) VALUES ($1, $2, $3)`, id, string(r), dom); err != nil {
			e.T.Fatalf("apptest: grant: %v", err)
		}
	}
	return cds.Actor{UserID: id, Name: name, AgencyCode: agency, Roles: roles}
}

// Citizen creates a citizen with a unique phone and returns it with a token.
func (e *Env) Citizen(name string) (cds.Actor, string) {
	e.T.Helper()
	buf := make([]byte, 4)
	_, _ = rand.Read(buf)
	phone := fmt.Sprintf("+8491%07d", (int(buf[0])<<16|int(buf[1])<<8|int(buf[2]))%10000000)
	a := e.CreateUser("citizen", phone, name, "")
	return a, e.Token(a)
}

// Staff creates a staff account in agency with roles and returns it with a token.
func (e *Env) Staff(name, agency string, roles ...cds.Role) (cds.Actor, string) {
	e.T.Helper()
	a := e.CreateUser("staff", "", name, agency, roles...)
	return a, e.Token(a)
}

// Token signs a in: a real session, then an access token tied to it (the
// API checks the session on every request).
func (e *Env) Token(a cds.Actor) string {
	e.T.Helper()
	tok, err := e.App.API.SignIn(context.Background(), a, "test")
	if err != nil {
		e.T.Fatal(err)
	}
	return tok
}

// Response is a decoded HTTP response.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
}

// JSON decodes the body into v.
func (r Response) JSON(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		t.Fatalf("decode %s: %v", r.Body, err)
	}
}

// Map decodes the body as an object.
func (r Response) Map(t testing.TB) map[string]any {
	var m map[string]any
	r.JSON(t, &m)
	return m
}

// Do sends a request. body may be nil, a []byte, a string or any value to
// encode as JSON. headers are key, value pairs.
func (e *Env) Do(method, path, token string, body any, headers ...string) Response {
	e.T.Helper()
	var rd io.Reader
	ctype := ""
	switch b := body.(type) {
	case nil:
	case []byte:
		rd = bytes.NewReader(b)
	case string:
		rd = strings.NewReader(b)
		ctype = "application/x-www-form-urlencoded"
	default:
		buf, err := json.Marshal(b)
		if err != nil {
			e.T.Fatal(err)
		}
		rd = bytes.NewReader(buf)
		ctype = "application/json"
	}
	req, err := http.NewRequest(method, e.URL+path, rd)
	if err != nil {
		e.T.Fatal(err)
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.T.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return Response{Status: resp.StatusCode, Header: resp.Header, Body: out}
}

// Eventually polls cond until it returns true or the timeout passes.
func Eventually(t testing.TB, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		if cond() {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("timed out after %s waiting for %s", timeout, what)
}

package integration

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	cds "github.com/caobang/congdanso"
	"github.com/caobang/congdanso/api"
)

// served is one `serve` process on its own database, with a connection to
// that database and the token secret it trusts.
type served struct {
	t       *testing.T
	p       *proc
	conn    *pgx.Conn
	logPath string
	secret  string
}

// startServed starts `serve` on a fresh database named after prefix; the
// database is dropped when the test ends.
func startServed(t *testing.T, prefix string) *served {
	t.Helper()
	dir := t.TempDir()
	tport, hport := freePort(t), freePort(t)
	httpAddr := fmt.Sprintf("127.0.0.1:%d", hport)
	dbName := fmt.Sprintf("cds_%s_%d", prefix, time.Now().UnixNano())
	dsn := "postgres://postgres@127.0.0.1:5432/" + dbName + "?sslmode=disable"
	s := &served{t: t, logPath: filepath.Join(dir, "serve.log"), secret: prefix + "-test-secret-0123456789abcdef"}
	t.Cleanup(func() { dropDatabase(dbName) })
	s.p = startProc(t, s.logPath, []string{"DATABASE_URL=" + dsn, "CONGDANSO_TOKEN_SECRET=" + s.secret}, httpAddr, "serve",
		"--data-dir", dir, "--http", httpAddr, "--temporal-port", fmt.Sprint(tport), "--temporal-ui-port", "0")
	conn, err := pgx.Connect(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	s.conn = conn
	return s
}

// staff inserts a staff member with one role in agency and returns a
// token the process accepts.
func (s *served) staff(name, agency string, role cds.Role) (cds.Actor, string) {
	s.t.Helper()
	ctx := context.Background()
	a := cds.Actor{Name: name, AgencyCode: agency, Roles: []cds.Role{role}}
	if err := s.conn.QueryRow(ctx, `INSERT INTO users (kind, full_name, agency_code) VALUES ('staff', $1, $2) RETURNING id`, name, agency).Scan(&a.UserID); err != nil {
		s.t.Fatal(err)
	}
	if _, err := s.conn.Exec(ctx, `INSERT INTO user_roles (user_id, role, agency_code) VALUES ($1, $2, $3)`, a.UserID, string(role), agency); err != nil {
		s.t.Fatal(err)
	}
	tok, _, err := api.New(api.Deps{Config: api.Config{TokenSecret: []byte(s.secret)}}).IssueAccessToken(a, "")
	if err != nil {
		s.t.Fatal(err)
	}
	return a, tok
}

// send is one request to the process; a transport error (the process is
// down) is returned, not fatal.
func (s *served) send(method, path, ctype string, body []byte, hdr ...string) (int, []byte, error) {
	req, _ := http.NewRequest(method, s.p.HTTP+path, bytes.NewReader(body))
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, b, err
}

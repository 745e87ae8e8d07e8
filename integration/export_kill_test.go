package integration

import (
	"bytes"
	"context"
	"encoding/json"
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

// TestCaseExportSurvivesKill starts a long case-list export on the real
// binary, SIGKILLs `serve` while the file is being built, restarts it, and
// the export completes: every case is in the stored file (the CaseExport
// workflow retries the build on the restarted worker).
func TestCaseExportSurvivesKill(t *testing.T) {
	if testing.Short() {
		t.Skip("process-level test")
	}
	const cases = 250_000 // enough rows that the build is still running when the process is killed
	dir := t.TempDir()
	tport, hport := freePort(t), freePort(t)
	httpAddr := fmt.Sprintf("127.0.0.1:%d", hport)
	logPath := filepath.Join(dir, "serve.log")
	dbName := fmt.Sprintf("cds_exportkill_%d", time.Now().UnixNano())
	dsn := "postgres://postgres@127.0.0.1:5432/" + dbName + "?sslmode=disable"
	secret := "export-kill-test-secret-0123456789abcdef"
	t.Cleanup(func() { dropDatabase(dbName) })
	env := []string{"DATABASE_URL=" + dsn, "CONGDANSO_TOKEN_SECRET=" + secret}
	p := startProc(t, logPath, env, httpAddr, "serve", "--data-dir", dir, "--http", httpAddr,
		"--temporal-port", fmt.Sprint(tport), "--temporal-ui-port", "0")

	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var uid int64
	if err := conn.QueryRow(ctx, `INSERT INTO users (kind, full_name, agency_code) VALUES ('staff', 'Thành viên Ban Chỉ đạo', 'BCD-CDS') RETURNING id`).Scan(&uid); err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Exec(ctx, `INSERT INTO user_roles (user_id, role, agency_code) VALUES ($1, 'steering', 'BCD-CDS')`, uid); err != nil {
		t.Fatal(err)
	}
	tok, _, err := api.New(api.Deps{Config: api.Config{TokenSecret: []byte(secret)}}).
		IssueAccessToken(cds.Actor{UserID: uid, Name: "Thành viên Ban Chỉ đạo", AgencyCode: "BCD-CDS", Roles: []cds.Role{cds.RoleSteering}}, "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Exec(ctx, `INSERT INTO cases (workflow_id, kind, code, title, field, agency_code, status, received_at)
		SELECT 'bulk/' || g, 'feedback', 'BULK-' || lpad(g::text, 7, '0'), 'Phản ánh thử số ' || g, 'traffic', 'SXD', 'closed',
		       now() - interval '2 days' + g * interval '1 millisecond'
		FROM generate_series(1, $1) g`, cases); err != nil {
		t.Fatal(err)
	}

	do := func(method, path string, body any) (int, map[string]any) {
		t.Helper()
		var rd io.Reader
		if body != nil {
			b, _ := json.Marshal(body)
			rd = bytes.NewReader(b)
		}
		req, _ := http.NewRequest(method, p.HTTP+path, rd)
		req.Header.Set("Authorization", "Bearer "+tok)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return 0, nil
		}
		defer resp.Body.Close()
		var m map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&m)
		return resp.StatusCode, m
	}
	now := time.Now().In(cds.VietnamTZ)
	st, job := do(http.MethodPost, "/api/v1/reports/case-exports", map[string]any{"format": "xlsx",
		"from": now.AddDate(0, 0, -7).Format("2006-01-02"), "to": now.Format("2006-01-02")})
	if st != http.StatusAccepted {
		t.Fatalf("start export %d %v", st, job)
	}
	poll := job["poll_url"].(string)

	// Kill once the build is under way (it reports progress every 5,000 rows).
	for deadline := time.Now().Add(2 * time.Minute); ; time.Sleep(20 * time.Millisecond) {
		st, v := do(http.MethodGet, poll, nil)
		if st == http.StatusOK && v["status"] == "running" && v["rows"].(float64) > 0 {
			break
		}
		if v["status"] == "done" || v["status"] == "failed" || time.Now().After(deadline) {
			t.Fatalf("the export was not caught running (status %v, rows %v): raise the number of cases", v["status"], v["rows"])
		}
	}
	p.kill()
	p.restart(logPath)

	var v map[string]any
	for deadline := time.Now().Add(4 * time.Minute); ; time.Sleep(500 * time.Millisecond) {
		st, v = do(http.MethodGet, poll, nil)
		if st == http.StatusOK && (v["status"] == "done" || v["status"] == "failed") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the export did not finish after the restart: %d %v", st, v)
		}
	}
	if v["status"] != "done" || v["rows"].(float64) != cases {
		t.Fatalf("after the restart: %v (want done with %d rows)", v, cases)
	}
	req, _ := http.NewRequest(http.MethodGet, p.HTTP+v["download_url"].(string), nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK || int64(len(b)) != int64(v["size"].(float64)) || !bytes.HasPrefix(b, []byte("PK")) {
		t.Fatalf("download %d, %d bytes (job says %v), xlsx %v", resp.StatusCode, len(b), v["size"], bytes.HasPrefix(b, []byte("PK")))
	}
}

package integration

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	cds "github.com/caobang/congdanso"
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
	srv := startServed(t, "exportkill")
	ctx, conn := context.Background(), srv.conn
	_, tok := srv.staff("Thành viên Ban Chỉ đạo", "BCD-CDS", cds.RoleSteering)
	if _, err := conn.Exec(ctx, `INSERT INTO cases (workflow_id, kind, code, title, field, agency_code, status, received_at)
		SELECT 'bulk/' || g, 'feedback', 'BULK-' || lpad(g::text, 7, '0'), 'Phản ánh thử số ' || g, 'traffic', 'SXD', 'closed',
		       now() - interval '2 days' + g * interval '1 millisecond'
		FROM generate_series(1, $1) g`, cases); err != nil {
		t.Fatal(err)
	}

	do := func(method, path string, body any) (int, map[string]any) {
		t.Helper()
		b, _ := json.Marshal(body)
		st, out, err := srv.send(method, path, "application/json", b, "Authorization", "Bearer "+tok)
		var m map[string]any
		if err == nil {
			_ = json.Unmarshal(out, &m)
		}
		return st, m
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
	srv.p.kill()
	srv.p.restart(srv.logPath)

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
	st, b, err := srv.send(http.MethodGet, v["download_url"].(string), "", nil, "Authorization", "Bearer "+tok)
	if err != nil {
		t.Fatal(err)
	}
	if st != http.StatusOK || int64(len(b)) != int64(v["size"].(float64)) || !bytes.HasPrefix(b, []byte("PK")) {
		t.Fatalf("download %d, %d bytes (job says %v), xlsx %v", st, len(b), v["size"], bytes.HasPrefix(b, []byte("PK")))
	}
}

package integration

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/caobang/congdanso/cmd/app/apptest"
	"github.com/caobang/congdanso/cmd/app/bench"
)

// runBenchBinary runs `congdanso bench args…` and decodes its JSON report.
func runBenchBinary(t *testing.T, timeout time.Duration, args ...string) bench.Report {
	t.Helper()
	out := filepath.Join(t.TempDir(), "result.json")
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, congdansoBin(t), append([]string{"bench", "--out", out}, args...)...)
	cmd.Env = append(os.Environ(), "DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable")
	b, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("bench %v: %v\n%s", args, err, tail(string(b), 4000))
	}
	raw, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	var rep bench.Report
	if err := json.Unmarshal(raw, &rep); err != nil {
		t.Fatal(err)
	}
	return rep
}

func tail(s string, n int) string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}

// TestBenchResidentScenario runs `bench --scenario resident` with two tiny
// steps (10 and 20 open cases, 4 short deadlines filed over 2 s, a 6 s window of 5
// requests per second arriving open-loop), so the
// harness cannot rot: serve is started, filled, killed with SIGKILL and
// restarted to a ready /readyz, every request succeeds and every deadline
// fires. The performance targets are printed by the bench, not checked here.
func TestBenchResidentScenario(t *testing.T) {
	rep := runBenchBinary(t, 8*time.Minute, "--scenario", "resident", "--open", "10,20", "--timers", "4", "--timer-span", "2s", "--window", "6s", "--window-rate", "5", "--c", "2")
	if len(rep.Resident) != 2 || rep.Resident[0].Open != 10 || rep.Resident[1].Open != 20 {
		t.Fatalf("resident rows %+v", rep.Resident)
	}
	for _, r := range rep.Resident {
		if r.RSSMB <= 0 || r.StoreMB <= 0 || r.AppDBMB <= 0 || r.ReadyMS <= 0 || r.InboxP99 <= 0 || r.AfterMaxMS <= 0 || r.AfterErrors != 0 || r.TimerP99 <= 0 || r.Load == "" || r.WindowRate != 5 {
			t.Errorf("row %+v", r)
		}
	}
	seen := map[string]bench.Result{}
	for _, x := range rep.Results {
		seen[x.Name] = x
		if x.Errors != 0 {
			t.Errorf("series %s: %d errors", x.Name, x.Errors)
		}
	}
	for _, name := range []string{"resident_10_seed", "resident_20_seed", "resident_20_inbox", "resident_20_inbox_counts",
		"resident_20_after_ready_all", "resident_20_after_ready_accept_old_case", "resident_20_restart_to_ready", "resident_20_timer_lateness"} {
		if _, ok := seen[name]; !ok {
			t.Errorf("series %s missing", name)
		}
	}
	if s := seen["resident_20_seed"]; s.N != 10 {
		t.Errorf("second step filed %d cases, want 10", s.N)
	}
	// Open loop: 6 s at 5/s is 30 arrivals whatever the answers take, split
	// at 5 s after ready into 25 and 5.
	if a, e, l := seen["resident_20_after_ready_all"].N, seen["resident_20_after_ready_all_first_5s"].N, seen["resident_20_after_ready_all_after_5s"].N; a != 30 || e != 25 || l != 5 {
		t.Errorf("window after ready: %d requests (%d in the first 5 s, %d after), want 30 (25, 5)", a, e, l)
	}
	// Four timer reports arriving evenly over 2 s: the last arrives at 1.5 s
	// (as fast as two clients can, they take a fraction of that).
	if s := seen["resident_20_timer_cases"]; s.N != 4 || s.Seconds < 1.5 {
		t.Errorf("timer filing %+v, want 4 reports over at least 1.5 s", s)
	}
	if s := seen["resident_20_timer_lateness"]; s.N != 4 {
		t.Errorf("timer series %+v, want 4 deadlines", s)
	}
	if !strings.Contains(seen["resident_20_restart_to_ready"].Note, "probe_answered_ms") {
		t.Errorf("restart note %q does not show the readiness probe", seen["resident_20_restart_to_ready"].Note)
	}
	// Where the server runs without autovacuum (this machine's CI config), the
	// bench stands in for it after each filing; where it runs, the bench does not.
	conn, err := pgx.Connect(context.Background(), apptest.AdminDSN())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	var autovacuum string
	if err := conn.QueryRow(context.Background(), `SHOW autovacuum`).Scan(&autovacuum); err != nil {
		t.Fatal(err)
	}
	for _, step := range []string{"resident_10_vacuum_analyze", "resident_20_vacuum_analyze"} {
		if _, ran := seen[step]; ran != (autovacuum == "off") {
			t.Errorf("autovacuum %s on the server, yet %s ran: %v", autovacuum, step, ran)
		}
	}
	if len(rep.Targets) == 0 {
		t.Error("no targets evaluated")
	}
}

// TestBenchReportsScenario runs `bench --scenario reports` with tiny sizes:
// the Phụ lục I workbook for 56 communes and 3 other units and Biểu 06 over
// 500 cases seeded in a dedicated database.
func TestBenchReportsScenario(t *testing.T) {
	rep := runBenchBinary(t, 5*time.Minute, "--scenario", "reports", "--report-units", "3", "--report-cases", "500")
	want := map[string]bool{"report_appendix1_59_units": false, "report_seed_cases": false, "report_bieu06_500_cases": false}
	for _, x := range rep.Results {
		if _, ok := want[x.Name]; ok {
			want[x.Name] = true
			if x.Seconds <= 0 || x.Errors != 0 {
				t.Errorf("series %+v", x)
			}
		}
	}
	for k, ok := range want {
		if !ok {
			t.Errorf("series %s missing: %+v", k, rep.Results)
		}
	}
	if len(rep.Targets) != 2 {
		t.Errorf("targets %v", rep.Targets)
	}
}

package integration

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	cds "github.com/caobang/congdanso"
	"github.com/caobang/congdanso/cmd/app/apptest"
	"github.com/caobang/congdanso/embedded"
)

// pgCtl runs pg_ctl on the private cluster (as user postgres when root).
func pgCtl(t *testing.T, args ...string) {
	t.Helper()
	path := filepath.Join(embedded.FindPGBin(), "pg_ctl")
	var cmd *exec.Cmd
	if os.Geteuid() == 0 {
		cmd = exec.Command("runuser", append([]string{"-u", "postgres", "--", path}, args...)...)
	} else {
		cmd = exec.Command(path, args...)
	}
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("pg_ctl %v: %v: %s", args, err, out)
	}
}

// TestPostgresRestartUnderLoad runs `congdanso serve` against a private
// PostgreSQL cluster (never the shared one) while citizens submit reports,
// staff accept them and deadline timers fire (SLAs divided by 36000: accept
// 0.8 s, answer 12 s). The cluster goes down twice under that load — a fast
// shutdown, then a SIGKILL of the postmaster (crash recovery on restart) —
// and comes back on the same port. While it is down the API answers 503
// with Retry-After and no other 5xx; afterwards it recovers by itself,
// without a restart of the app. No Idempotency-Key may stay stuck; every
// submission answered 201 is in the read model once; every accepted case
// ends accepted; every case's answer deadline fired; the read model equals
// each workflow's state and case_events each replayed workflow history.
func TestPostgresRestartUnderLoad(t *testing.T) {
	if testing.Short() {
		t.Skip("not in -short")
	}
	if embedded.FindPGBin() == "" {
		t.Fatal("PostgreSQL server binaries not installed (scripts/setup.sh installs them)")
	}
	base, err := os.MkdirTemp("", "cds-pgrestart")
	if err != nil {
		t.Fatal(err)
	}
	_ = os.Chmod(base, 0o755) // the postgres user must reach the cluster dir
	t.Cleanup(func() { os.RemoveAll(base) })
	pgDir := filepath.Join(base, "pg")
	pg, err := embedded.StartPGCluster(context.Background(), pgDir)
	if err != nil {
		t.Fatal(err)
	}
	pgOpts := fmt.Sprintf("-p %d -c listen_addresses=127.0.0.1 -k %s", pg.Port, pgDir)
	t.Cleanup(func() { _ = pg.Stop() })
	dsn := pg.DSN("congdanso")

	dir := filepath.Join(base, "data")
	tport, hport := freePort(t), freePort(t)
	httpAddr := fmt.Sprintf("127.0.0.1:%d", hport)
	logPath := filepath.Join(base, "serve.log")
	secret := "pgrestart-test-secret-0123456789abcdef0123"
	p := startProc(t, logPath, []string{"DATABASE_URL=" + dsn, "CONGDANSO_TOKEN_SECRET=" + secret}, httpAddr, "serve", "--data-dir", dir,
		"--http", httpAddr, "--temporal-port", fmt.Sprint(tport), "--temporal-ui-port", "0", "--sla-scale", "36000", "--log-level", "warn")
	t.Cleanup(func() {
		if t.Failed() {
			b, _ := os.ReadFile(logPath)
			if len(b) > 5000 {
				b = b[len(b)-5000:]
			}
			t.Logf("serve log tail:\n%s", b)
		}
	})
	ctx := context.Background()
	conn, err := pgxpool.New(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	users := newSeedUsers(t, conn, secret)
	toks := make([]string, 4)
	for i := range toks {
		_, toks[i] = users.user("citizen", fmt.Sprintf("+8491500%04d", i), fmt.Sprintf("Công dân %d", i), "", cds.RoleCitizen)
	}
	_, otok := users.user("staff", "", "Chuyên viên SXD", "SXD", cds.RoleOfficer)
	conn.Close()

	cl := newChaosClient(func() string { return p.HTTP })
	var down atomic.Bool
	var mu sync.Mutex
	answered := map[string]string{} // title → code
	accepted := map[string]bool{}   // code → accepted by staff
	var stuck, failed int
	var downStatus = map[int]int{} // answers while PostgreSQL was down
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for w := range toks {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				// A read that needs PostgreSQL, to see the answers during the outage.
				st, _ := cl.once(http.MethodGet, "/api/v1/me/feedback", toks[w], nil)
				if down.Load() {
					mu.Lock()
					downStatus[st]++
					mu.Unlock()
				}
				title := fmt.Sprintf("Khởi động lại CSDL %d-%d", w, i)
				body := submitBody("traffic", "P-THUCPHAN", nil)
				body["title"] = title
				lctx, cancel := context.WithTimeout(ctx, 3*time.Minute)
				_, b, err := cl.create(lctx, "/api/v1/feedback", toks[w], fmt.Sprintf("pg-%d-%d", w, i), body)
				cancel()
				mu.Lock()
				switch {
				case err == errStuck:
					stuck++
				case err != nil:
					failed++
					t.Errorf("submission %s: %v", title, err)
				default:
					var r struct{ Code string }
					_ = json.Unmarshal(b, &r)
					answered[title] = r.Code
				}
				mu.Unlock()
				time.Sleep(100 * time.Millisecond)
			}
		}()
	}
	// Staff accept every report as it comes, through the outages too.
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			select {
			case <-stop:
				return
			default:
			}
			var todo []string
			mu.Lock()
			for _, code := range answered {
				if _, ok := accepted[code]; !ok && code != "" {
					todo = append(todo, code)
				}
			}
			mu.Unlock()
			for _, code := range todo {
				lctx, cancel := context.WithTimeout(ctx, 3*time.Minute)
				err := cl.act(lctx, "/api/v1/feedback/"+code+"/actions/accept", otok, map[string]any{}, "/api/v1/feedback/"+code, "accept")
				cancel()
				mu.Lock()
				accepted[code] = err == nil
				mu.Unlock()
				if err != nil {
					t.Errorf("accept %s: %v", code, err)
				}
			}
			time.Sleep(200 * time.Millisecond)
		}
	}()
	count := func() int { mu.Lock(); defer mu.Unlock(); return len(answered) }
	waitMore := func(n int) {
		for base, deadline := count(), time.Now().Add(2*time.Minute); count() < base+n && time.Now().Before(deadline); {
			time.Sleep(200 * time.Millisecond)
		}
	}
	var probe503 int
	var probeOther []string
	var recoveries []string
	// outage takes the cluster down (fast shutdown or SIGKILL of the
	// postmaster), probes the API for 8 s and starts the cluster again.
	outage := func(how string) {
		down.Store(true)
		cl.epoch.Add(1)
		if how == "fast" {
			pgCtl(t, "-D", pgDir, "-m", "fast", "-w", "stop")
		} else {
			killPostmaster(t, pgDir)
		}
		stopped := time.Now()
		for time.Since(stopped) < 8*time.Second {
			req, _ := http.NewRequest(http.MethodGet, p.HTTP+"/api/v1/me/feedback", nil)
			req.Header.Set("Authorization", "Bearer "+toks[0])
			if resp, err := http.DefaultClient.Do(req); err == nil {
				if resp.StatusCode == http.StatusServiceUnavailable && resp.Header.Get("Retry-After") != "" {
					probe503++
				} else {
					probeOther = append(probeOther, fmt.Sprint(resp.StatusCode))
				}
				resp.Body.Close()
			}
			time.Sleep(250 * time.Millisecond)
		}
		pgCtl(t, "-D", pgDir, "-o", pgOpts, "-l", filepath.Join(pgDir, "server.log"), "-w", "start")
		restarted := time.Now()
		down.Store(false)
		// Recovery by itself: the same process answers 200 again.
		for time.Since(restarted) < 90*time.Second {
			req, _ := http.NewRequest(http.MethodGet, p.HTTP+"/api/v1/me/feedback", nil)
			req.Header.Set("Authorization", "Bearer "+toks[0])
			if resp, err := http.DefaultClient.Do(req); err == nil {
				resp.Body.Close()
				if resp.StatusCode == http.StatusOK {
					recoveries = append(recoveries, fmt.Sprintf("%s %.1fs", how, time.Since(restarted).Seconds()))
					return
				}
			}
			time.Sleep(100 * time.Millisecond)
		}
		t.Fatalf("the API did not recover within 90 s after PostgreSQL came back (%s)", how)
	}
	waitMore(10)
	beforeStop := count()
	outage("fast")
	waitMore(10)
	outage("sigkill")
	afterStart := count()
	waitMore(10)
	close(stop)
	wg.Wait()

	if probe503 == 0 || len(probeOther) > 0 {
		t.Errorf("while PostgreSQL was down: %d × 503 with Retry-After, other answers %v", probe503, probeOther)
	}
	mu.Lock()
	for st, n := range downStatus {
		if st >= 500 && st != http.StatusServiceUnavailable {
			t.Errorf("%d answers %d while PostgreSQL was down", n, st)
		}
	}
	mu.Unlock()
	cl.status.Range(func(k, v any) bool {
		if st := k.(int); st >= 500 && st != http.StatusServiceUnavailable {
			t.Errorf("%d answers %d during the test (only 503 may say \"try again\")", v.(*atomic.Int64).Load(), st)
		}
		return true
	})
	if stuck > 0 {
		t.Errorf("%d idempotency keys stuck in progress", stuck)
	}

	conn, err = pgxpool.New(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	lost, dups := 0, 0
	for title, code := range answered {
		var n int
		var got string
		if err := conn.QueryRow(ctx, `SELECT count(*), COALESCE(min(code), '') FROM cases WHERE title = $1`, title).Scan(&n, &got); err != nil {
			t.Fatal(err)
		}
		if n != 1 || got != code {
			if n == 0 {
				lost++
			} else {
				dups += n - 1
			}
			t.Errorf("%q answered %s: %d rows (%s)", title, code, n, got)
		}
	}
	total := pgCount(t, conn, `SELECT count(*) FROM cases`)
	if total != len(answered) {
		t.Errorf("%d cases, %d answered 201", total, len(answered))
	}
	// Timers through the outages: every answer deadline fired; staff
	// actions through the outages: every accepted case is accepted.
	var codes, acc []string
	for _, code := range answered {
		codes = append(codes, code)
		if accepted[code] {
			acc = append(acc, code)
		}
	}
	apptest.Eventually(t, 60*time.Second, "answer deadlines fired", func() bool {
		return pgCount(t, conn, `SELECT count(*) FROM cases WHERE code = ANY($1) AND NOT overdue`, codes) == 0
	})
	if n := pgCount(t, conn, `SELECT count(*) FROM cases WHERE code = ANY($1) AND status <> 'accepted'`, acc); n != 0 || len(acc) == 0 {
		t.Errorf("%d of %d accepted cases are not accepted", n, len(acc))
	}
	tc := temporalClient(t, tport)
	mismatch := compareReadModel(t, tc, conn, 10)
	ended := failedWorkflows(t, tc)
	diverged := compareEventsWithHistory(t, tc, conn)
	report(t, "pgrestart: RESULT answered_201=%d (%d before the first stop, %d by the last restart) accepted=%d cases=%d lost=%d duplicates=%d stuck_idempotency_keys=%d 503_while_down=%d recovered_after=%v read_model_mismatches=%d failed_workflows=%d timelines_unlike_history=%d answers %s",
		len(answered), beforeStop, afterStart, len(acc), total, lost, dups, stuck, probe503, recoveries, mismatch, ended, diverged, cl.statuses())
}

// killPostmaster SIGKILLs the cluster's postmaster (a crash: no shutdown
// checkpoint) and waits until every server process of the cluster is gone.
func killPostmaster(t *testing.T, pgDir string) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(pgDir, "postmaster.pid"))
	if err != nil {
		t.Fatal(err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(strings.SplitN(string(b), "\n", 2)[0]))
	if err != nil {
		t.Fatal(err)
	}
	children := childrenOf(pid)
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	// The backends notice the postmaster's death and exit; the restart
	// needs them gone (shared memory still attached otherwise).
	for deadline := time.Now().Add(30 * time.Second); ; {
		alive := 0
		for _, c := range append(children, pid) {
			if syscall.Kill(c, 0) == nil && !zombie(c) {
				alive++
			}
		}
		if alive == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d PostgreSQL processes still running 30 s after SIGKILL of the postmaster", alive)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// childrenOf lists the processes whose parent is pid.
func childrenOf(pid int) []int {
	ents, _ := os.ReadDir("/proc")
	var out []int
	for _, e := range ents {
		c, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if f := procStat(c); len(f) > 1 && f[1] == strconv.Itoa(pid) {
			out = append(out, c)
		}
	}
	return out
}

// zombie says whether pid has exited and waits to be reaped.
func zombie(pid int) bool {
	f := procStat(pid)
	return len(f) == 0 || f[0] == "Z" || f[0] == "X"
}

// procStat returns the fields of /proc/pid/stat after the command name:
// state, ppid, pgrp, …
func procStat(pid int) []string {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return nil
	}
	i := strings.LastIndexByte(string(b), ')')
	if i < 0 {
		return nil
	}
	return strings.Fields(string(b[i+1:]))
}

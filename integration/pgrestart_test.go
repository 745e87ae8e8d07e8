package integration

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	cds "github.com/caobang/congdanso"
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
// PostgreSQL cluster (never the shared one), stops the cluster under load
// and starts it again on the same port. While it is down the API answers
// 503 (never 500); afterwards it recovers by itself, without a restart of
// the app, and every submission answered 201 is in the read model once,
// matching its workflow.
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
		"--http", httpAddr, "--temporal-port", fmt.Sprint(tport), "--temporal-ui-port", "0", "--log-level", "warn")
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
	conn.Close()

	cl := newChaosClient(func() string { return p.HTTP })
	var down atomic.Bool
	var mu sync.Mutex
	answered := map[string]string{} // title → code
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
	count := func() int { mu.Lock(); defer mu.Unlock(); return len(answered) }
	for deadline := time.Now().Add(2 * time.Minute); count() < 10 && time.Now().Before(deadline); {
		time.Sleep(200 * time.Millisecond)
	}
	beforeStop := count()
	down.Store(true)
	cl.epoch.Add(1)
	pgCtl(t, "-D", pgDir, "-m", "fast", "-w", "stop")
	stopped := time.Now()
	// While it is down: the API answers 503 with Retry-After.
	var probe503 int
	var probeOther []string
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
	var recovered time.Duration
	for time.Since(restarted) < 90*time.Second {
		req, _ := http.NewRequest(http.MethodGet, p.HTTP+"/api/v1/me/feedback", nil)
		req.Header.Set("Authorization", "Bearer "+toks[0])
		if resp, err := http.DefaultClient.Do(req); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				recovered = time.Since(restarted)
				break
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	if recovered == 0 {
		t.Fatal("the API did not recover within 90 s after PostgreSQL came back")
	}
	afterStart := count()
	for deadline := time.Now().Add(2 * time.Minute); count() < afterStart+10 && time.Now().Before(deadline); {
		time.Sleep(200 * time.Millisecond)
	}
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
	if st := cl.statuses(); strings.Contains(st, "500:") {
		t.Errorf("a 500 was answered: %s", st)
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
		_ = conn.QueryRow(ctx, `SELECT count(*), COALESCE(min(code), '') FROM cases WHERE title = $1`, title).Scan(&n, &got)
		if n != 1 || got != code {
			if n == 0 {
				lost++
			} else {
				dups += n - 1
			}
			t.Errorf("%q answered %s: %d rows (%s)", title, code, n, got)
		}
	}
	var total int
	_ = conn.QueryRow(ctx, `SELECT count(*) FROM cases`).Scan(&total)
	if total-len(answered) > stuck || total < len(answered) {
		t.Errorf("%d cases, %d answered 201, %d stuck keys", total, len(answered), stuck)
	}
	tc := temporalClient(t, tport)
	mismatch := compareReadModel(t, tc, conn, 10)
	report(t, "pgrestart: RESULT answered_201=%d (%d before the stop, %d by restart) cases=%d lost=%d duplicates=%d stuck_idempotency_keys=%d 503_while_down=%d recovered_after=%.1fs read_model_mismatches=%d answers %s",
		len(answered), beforeStop, afterStart, total, lost, dups, stuck, probe503, recovered.Seconds(), mismatch, cl.statuses())
}

package integration

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	cds "github.com/caobang/congdanso"
)

// rssKB reads VmRSS of a process from /proc.
func rssKB(pid int) int64 {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			n, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return n
		}
	}
	return 0
}

// goroutines reads go_goroutines from the child's /metrics (its own listener).
func goroutines(base string) int64 { return metric(base, "go_goroutines") }

// metric reads one unlabelled gauge from the child's /metrics.
func metric(base, name string) int64 {
	resp, err := http.Get(base + "/metrics")
	if err != nil {
		return 0
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), name+" "); ok {
			f, _ := strconv.ParseFloat(rest, 64)
			return int64(f)
		}
	}
	return 0
}

// TestSoak runs mixed traffic at 20 requests/s against a child `congdanso
// serve` for CONGDANSO_SOAK (e.g. 10m; `make soak`) and reports whether the
// RSS, the goroutine count and the Go heap stay flat (±10% between the first and the
// last quarter of the run, after a warm-up of a fifth of it) and whether any
// request failed (5xx or transport error). Skipped unless CONGDANSO_SOAK is set.
func TestSoak(t *testing.T) {
	dur, err := time.ParseDuration(os.Getenv("CONGDANSO_SOAK"))
	if err != nil || dur <= 0 {
		t.Skip("set CONGDANSO_SOAK=10m (make soak)")
	}
	rate := envInt("CONGDANSO_SOAK_RPS", 20)
	dir := t.TempDir()
	tport, hport, mport := freePort(t), freePort(t), freePort(t)
	httpAddr := fmt.Sprintf("127.0.0.1:%d", hport)
	metricsBase := fmt.Sprintf("http://127.0.0.1:%d", mport)
	// The child's log is kept with the heap profiles, to trace any error.
	logPath := filepath.Join(soakArtifacts(t), "serve.log")
	dbName := fmt.Sprintf("cds_soak_%d", time.Now().UnixNano())
	dsn := "postgres://postgres@127.0.0.1:5432/" + dbName + "?sslmode=disable"
	secret := "soak-test-secret-0123456789abcdef0123456789"
	t.Cleanup(func() { dropDatabase(dbName) })
	p := startProc(t, logPath, []string{"DATABASE_URL=" + dsn, "CONGDANSO_TOKEN_SECRET=" + secret,
		"CONGDANSO_METRICS_ADDR=" + strings.TrimPrefix(metricsBase, "http://")}, httpAddr, "serve", "--data-dir", dir,
		"--http", httpAddr, "--temporal-port", fmt.Sprint(tport), "--temporal-ui-port", "0", "--sla-scale", "3600", "--log-level", "warn")
	pid := p.cmd.Process.Pid
	ctx := context.Background()
	pool, err := pgxpool.New(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	users := newSeedUsers(t, pool, secret)
	officer, otok := users.user("staff", "", "Chuyên viên SXD", "SXD", cds.RoleOfficer)
	_ = officer
	ctoks := make([]string, 20)
	for i := range ctoks {
		_, ctoks[i] = users.user("citizen", fmt.Sprintf("+8491600%04d", i), fmt.Sprintf("Công dân %d", i), "", cds.RoleCitizen)
	}
	cl := newChaosClient(func() string { return p.HTTP })
	var codes sync.Map
	var n, errs, skipped atomic.Int64
	var errMu sync.Mutex
	errSamples := map[string]int{}
	mix := func(i int) {
		tok := ctoks[i%len(ctoks)]
		var st int
		var b []byte
		// Cases are opened and closed at the same rate (submit, then the
		// citizen withdraws an open one), so a steady state exists and
		// growth means a leak, not more open workflows.
		switch i % 10 {
		case 0: // submit
			body := submitBody("traffic", "P-THUCPHAN", nil)
			st, b = cl.once(http.MethodPost, "/api/v1/feedback", tok, body, "Idempotency-Key", fmt.Sprintf("soak-%d", i))
			var r struct{ Code string }
			if st == 201 && json.Unmarshal(b, &r) == nil {
				codes.Store(r.Code, tok)
			}
		case 1: // the citizen withdraws one (the workflow ends)
			code, owner := "", ""
			codes.Range(func(k, v any) bool { code, owner = k.(string), v.(string); codes.Delete(k); return false })
			if code == "" {
				st, _ = cl.once(http.MethodGet, "/readyz", "", nil)
			} else {
				st, b = cl.once(http.MethodPost, "/api/v1/feedback/"+code+"/withdraw", owner, map[string]any{"note": "Đã tự khắc phục."})
			}
		case 2: // a staff read
			st, b = cl.once(http.MethodGet, "/api/v1/feedback/categories", otok, nil)
		case 3, 4:
			st, b = cl.once(http.MethodGet, "/api/v1/me/feedback", tok, nil)
		case 5:
			st, b = cl.once(http.MethodGet, "/api/v1/public/feedback", "", nil)
		case 6:
			st, b = cl.once(http.MethodGet, "/readyz", "", nil)
		case 7:
			st, b = cl.once(http.MethodGet, "/api/v1/feedback/nearby?lat=22.6657&lng=106.2570&category_code=traffic", tok, nil)
		case 8:
			st, b = cl.once(http.MethodGet, "/api/v1/news", "", nil)
		default:
			st, b = cl.once(http.MethodGet, "/api/v1/me", tok, nil)
		}
		n.Add(1)
		if st == 0 || st >= 500 {
			errs.Add(1)
			errMu.Lock()
			errSamples[fmt.Sprintf("%d %s", st, head1(string(b)))]++
			errMu.Unlock()
		}
	}
	type sample struct {
		at       time.Duration
		rss, gor int64
		heap     int64 // Go heap in use (bytes), to tell a leak from caches and GC slack
	}
	var samples []sample
	// Warm-up: a fifth of the run, at least a minute (or a fifth of a run
	// shorter than five). The embedded server's history cache
	// (embedded.DefaultHistoryCache executions) fills in about five minutes
	// at 20 req/s, so a 30-minute run measures after it is full. The heap
	// profile and the figures taken then are the baseline of the end's.
	warm := max(dur/5, time.Minute)
	if dur < 5*time.Minute {
		warm = dur / 5
	}
	artifacts := soakArtifacts(t)
	var warmPoint *soakPoint
	start := time.Now()
	tick := time.NewTicker(time.Second / time.Duration(rate))
	defer tick.Stop()
	sampleEvery := 10 * time.Second
	nextSample := time.Duration(0)
	sem := make(chan struct{}, 64)
	var wg sync.WaitGroup
	for i := 0; time.Since(start) < dur; i++ {
		<-tick.C
		if el := time.Since(start); el >= nextSample {
			samples = append(samples, sample{el, rssKB(pid), goroutines(metricsBase), metric(metricsBase, "go_memstats_heap_inuse_bytes")})
			nextSample += sampleEvery
		}
		if warmPoint == nil && time.Since(start) >= warm {
			wp := soakSnapshot(t, metricsBase, pid, artifacts, "warm")
			warmPoint = &wp
		}
		select {
		case sem <- struct{}{}:
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				defer func() { <-sem }()
				mix(i)
			}(i)
		default:
			skipped.Add(1) // the server is so far behind that 64 requests are pending
		}
	}
	wg.Wait()
	samples = append(samples, sample{time.Since(start), rssKB(pid), goroutines(metricsBase), metric(metricsBase, "go_memstats_heap_inuse_bytes")})
	endPoint := soakSnapshot(t, metricsBase, pid, artifacts, "end")

	// Compare the first and last quarter after the warm-up.
	var steady []sample
	for _, s := range samples {
		if s.at >= warm {
			steady = append(steady, s)
		}
	}
	if len(steady) < 4 {
		t.Fatalf("too few samples: %d", len(steady))
	}
	q := len(steady) / 4
	avg := func(ss []sample, f func(sample) int64) float64 {
		var sum int64
		for _, s := range ss {
			sum += f(s)
		}
		return float64(sum) / float64(len(ss))
	}
	rss0, rss1 := avg(steady[:q], func(s sample) int64 { return s.rss }), avg(steady[len(steady)-q:], func(s sample) int64 { return s.rss })
	g0, g1 := avg(steady[:q], func(s sample) int64 { return s.gor }), avg(steady[len(steady)-q:], func(s sample) int64 { return s.gor })
	h0, h1 := avg(steady[:q], func(s sample) int64 { return s.heap }), avg(steady[len(steady)-q:], func(s sample) int64 { return s.heap })
	drift := func(a, b float64) float64 { return (b - a) / a * 100 }
	within := func(a, b float64) bool { return drift(a, b) <= 10 && drift(a, b) >= -10 }
	flatRSS, flatG, flatHeap := within(rss0, rss1), within(g0, g1), within(h0, h1)
	report(t, "soak: %s at %d req/s: %d requests, %d not sent (64 pending), %d errors; RSS %.0f → %.0f MB (%+.1f%%, flat=%v); goroutines %.0f → %.0f (%+.1f%%, flat=%v); Go heap in use %.0f → %.0f MB (%+.1f%%, flat=%v); answers %s",
		dur, rate, n.Load(), skipped.Load(), errs.Load(), rss0/1024, rss1/1024, drift(rss0, rss1), flatRSS, g0, g1, drift(g0, g1), flatG, h0/(1<<20), h1/(1<<20), drift(h0, h1), flatHeap, cl.statuses())
	if warmPoint != nil {
		report(t, "soak: after warm-up (%s) → end, heap after GC: RSS %d → %d MB (%+.1f%%); Go heap in use %d → %d MB (%+.1f%%); goroutines %d → %d; load average %s → %s; heap profiles %s, %s",
			warm, warmPoint.rssKB>>10, endPoint.rssKB>>10, drift(float64(warmPoint.rssKB), float64(endPoint.rssKB)),
			warmPoint.heapInuse>>20, endPoint.heapInuse>>20, drift(float64(warmPoint.heapInuse), float64(endPoint.heapInuse)),
			warmPoint.goroutines, endPoint.goroutines, warmPoint.load, endPoint.load, warmPoint.profile, endPoint.profile)
		t.Logf("heap in use gained from warm-up to end (go tool pprof -top -diff_base):\n%s", heapDiff(t, warmPoint.profile, endPoint.profile, 30))
	}
	for _, s := range samples {
		t.Logf("soak sample t=%4.0fs rss=%6d kB goroutines=%d heap_inuse=%d MB", s.at.Seconds(), s.rss, s.gor, s.heap>>20)
	}
	if errs.Load() > 0 {
		t.Errorf("errors: %v", errSamples)
	}
	if skipped.Load() > n.Load()/20 {
		t.Errorf("the server did not keep up with %d req/s: %d requests not sent", rate, skipped.Load())
	}
	if !flatRSS || !flatG || !flatHeap {
		t.Errorf("not flat: RSS %+.1f%%, goroutines %+.1f%%, Go heap in use %+.1f%%", drift(rss0, rss1), drift(g0, g1), drift(h0, h1))
	}
}

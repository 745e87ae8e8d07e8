package main

// `congdanso bench --scenario resident --open N[,N2,…]` (issue 22 part B):
// serve runs as a child process on fresh databases; the bench fills it with
// open cases through the API, then at each step measures serve's RSS, the
// store's size, the staff queue reads, the restart after SIGKILL (time to an
// honest /readyz and every request in the 30 s after it) and the lateness
// of 1,000 deadline timers due in the same minute.

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/caobang/congdanso/api"
	"github.com/caobang/congdanso/cmd/app"
	"github.com/caobang/congdanso/cmd/app/bench"
	"github.com/caobang/congdanso/postgres"
)

// residentOpts are the flags of the resident scenario.
type residentOpts struct {
	Engine, AdminDSN string
	Steps            []int
	Conc             int
	Shards           int
	Timers           int           // deadline timers due in the same minute (0: skip)
	TimerSpan        time.Duration // the timer reports arrive evenly over it (0: as fast as Conc clients)
	Keep             bool          // keep the databases and serve's data directory afterwards
	Window           time.Duration // the measured window after ready
	WindowRate       float64       // arrivals per second in the window (0: Conc clients, closed loop)
	// Checkpoint, when set, is called after each step (the JSON is written
	// step by step, so a long run that is stopped keeps what it measured).
	Checkpoint func(rows []bench.ResidentRow)
}

// residentSLAScale makes the accept deadline of a report (8 working hours)
// 2 minutes of wall time: 8 h / 240 = 120 s.
const residentSLAScale = 240

func parseSteps(s string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 2 {
			return nil, fmt.Errorf("--open: %q is not a case count >= 2", f)
		}
		if len(out) > 0 && n <= out[len(out)-1] {
			return nil, fmt.Errorf("--open: steps must grow (%d after %d)", n, out[len(out)-1])
		}
		out = append(out, n)
	}
	return out, nil
}

func runResident(ctx context.Context, o residentOpts, rep *bench.Report, logger *slog.Logger) error {
	if o.Engine != "postgres" && o.Engine != "sqlite" {
		return fmt.Errorf("scenario resident: --engine sqlite or postgres (the embedded server is what restarts)")
	}
	stamp := strconv.FormatInt(time.Now().UnixNano(), 10)
	appDB, tdb, vdb := "cds_bench_"+stamp, "cds_bench_temporal_"+stamp, "cds_bench_visibility_"+stamp
	appDSN, err := withDB(o.AdminDSN, appDB)
	if err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "congdanso-resident")
	if err != nil {
		return err
	}
	if o.Keep {
		defer logger.Info("resident: kept for inspection", "data_dir", dir, "app_db", appDB, "temporal_db", tdb, "visibility_db", vdb)
	} else {
		defer os.RemoveAll(dir)
		defer dropDB(o.AdminDSN, appDB)
		if o.Engine == "postgres" {
			defer dropDB(o.AdminDSN, tdb)
			defer dropDB(o.AdminDSN, vdb)
		}
	}
	secret := "bench-resident-" + randHex(16)
	srv, err := newServeChild(filepath.Join(dir, "data"), appDSN, o.Engine, secret, o.Shards, tdb, vdb)
	if err != nil {
		return err
	}
	defer srv.kill(syscall.SIGKILL)
	first, err := srv.start(ctx)
	if err != nil {
		return err
	}
	logger.Info("resident: serve ready", "ms", first.Milliseconds(), "http", srv.HTTP)

	// The bench's own view of the same database: accounts and tokens are
	// minted here with serve's token secret (the API checks each session).
	db, err := postgres.Open(ctx, appDSN, 4)
	if err != nil {
		return err
	}
	defer db.Close()
	quiet := slog.New(slog.NewJSONHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError}))
	a, err := app.Build(ctx, app.Options{DataDir: filepath.Join(dir, "bench"), Logger: quiet,
		// Tokens minted here must outlive a long run (the default 15 min does not).
		API: api.Config{TokenSecret: []byte(secret), PublicBaseURL: "http://" + srv.HTTP, AccessTTL: 24 * time.Hour}}, db, nil)
	if err != nil {
		return err
	}
	defer a.Close()
	be := &benchEnv{App: a, URL: "http://" + srv.HTTP, HTTP: bench.NewHTTPClient(o.Conc)}
	fb, err := be.actors(ctx, bench.FeedbackAgency, nil)
	if err != nil {
		return err
	}
	dossier, err := be.actors(ctx, bench.ApplicationsAgency, nil)
	if err != nil {
		return err
	}
	dossier.Citizens = fb.Citizens
	res, err := bench.NewResident(ctx, fb, dossier)
	if err != nil {
		return err
	}

	have := 0
	var rows []bench.ResidentRow
	for _, n := range o.Steps {
		row := bench.ResidentRow{Open: n}
		p := fmt.Sprintf("resident_%d", n)
		logger.Info("resident: filing", "from", have, "to", n)
		seed := res.Seed(ctx, p+"_seed", n-have, o.Conc)
		rep.Add(seed)
		if seed.Errors > 0 {
			logger.Warn("resident: some cases were not filed", "errors", seed.Errors)
		}
		have = n
		time.Sleep(5 * time.Second) // let the outbox and read model settle
		if r, err := autovacuumStandIn(ctx, db, p); err != nil {
			return err
		} else if r != nil {
			rep.Add(*r)
		}
		if row.RSSMB, _, err = srv.rssMB(); err != nil {
			return fmt.Errorf("serve RSS: %w", err)
		}
		if row.StoreMB, row.AppDBMB, err = storeSizes(ctx, o, srv.DataDir, appDB, tdb, vdb); err != nil {
			return err
		}
		row.Load = bench.LoadAvg()
		inbox := res.Inbox(ctx, p, 200)
		for _, r := range inbox {
			rep.Add(r)
		}
		row.InboxP99 = inbox[0].LatencyMS["p99"]
		row.CountsP99 = inbox[1].LatencyMS["p99"]

		// Restart after SIGKILL: to an honest /readyz, then 30 s of requests.
		logger.Info("resident: SIGKILL and restart", "open", n)
		srv.kill(syscall.SIGKILL)
		ready, err := srv.start(ctx)
		if err != nil {
			return err
		}
		row.ReadyMS = ms(ready)
		marks := srv.startupMarks()
		mixed := res.Mixed(ctx, p+"_after_ready", o.Window, o.Conc, o.WindowRate)
		for _, r := range mixed.Results() {
			rep.Add(r)
		}
		row.AfterMaxMS, row.AfterP99MS = mixed.All.LatencyMS["max"], mixed.All.LatencyMS["p99"]
		row.AfterErrors = mixed.All.Errors
		row.WindowRate = o.WindowRate
		row.AfterFirst5sMaxMS = mixed.First5s.LatencyMS["max"]
		row.AfterRestMaxMS = mixed.After5s.LatencyMS["max"]
		if row.RSSAfterMB, _, err = srv.rssMB(); err != nil {
			return fmt.Errorf("serve RSS after the restart: %w", err)
		}
		rep.Add(bench.Result{Name: p + "_restart_to_ready", N: 1, Seconds: round3(ready.Seconds()),
			LatencyMS: map[string]float64{"max": ms(ready)}, Note: marksNote(marks)})

		if o.Timers > 0 {
			late, err := residentTimers(ctx, srv, res, db, o, p, rep, logger)
			if err != nil {
				return err
			}
			row.TimerP50, row.TimerP99 = late["p50"], late["p99"]
		}
		rows = append(rows, row)
		logger.Info("resident: step done", "row", fmt.Sprintf("%+v", row))
		if o.Checkpoint != nil {
			o.Checkpoint(rows)
		}
	}
	rep.Resident = rows
	rep.CheckResident()
	return nil
}

// residentTimers restarts serve with short SLAs, files o.Timers reports
// whose accept deadlines (2 min) fall in the same minute, waits until they
// have fired and returns the lateness percentiles (event time minus due).
func residentTimers(ctx context.Context, srv *serveChild, res *bench.Resident, db *postgres.DB, o residentOpts, p string, rep *bench.Report, logger *slog.Logger) (map[string]float64, error) {
	srv.kill(syscall.SIGTERM)
	if _, err := srv.start(ctx, "CONGDANSO_SLA_SCALE="+strconv.Itoa(residentSLAScale)); err != nil {
		return nil, err
	}
	logger.Info("resident: filing reports with 2-minute accept deadlines", "n", o.Timers, "span", o.TimerSpan.String())
	r, codes := res.FileFeedback(ctx, p+"_timer_cases", o.Timers, o.Conc, o.TimerSpan)
	r.Note = fmt.Sprintf("filed open-loop over %s (0s: as fast as %d clients)", o.TimerSpan, o.Conc)
	rep.Add(r)
	var ids []string
	for _, c := range codes {
		if c != "" {
			ids = append(ids, "feedback/"+c)
		}
	}
	var lastDue time.Time
	if err := db.Pool.QueryRow(ctx, `SELECT coalesce(max((detail->>'accept_due_at')::timestamptz), now()) FROM case_events
		WHERE workflow_id = ANY($1) AND detail ? 'accept_due_at'`, ids).Scan(&lastDue); err != nil {
		return nil, err
	}
	// Wait for every escalation, at most 3 minutes past the last deadline.
	var lat []time.Duration
	for {
		lat = lat[:0]
		rows, err := db.Pool.Query(ctx, `SELECT extract(epoch FROM e.at - (SELECT (r.detail->>'accept_due_at')::timestamptz FROM case_events r
			WHERE r.workflow_id = e.workflow_id AND r.detail ? 'accept_due_at' ORDER BY r.seq DESC LIMIT 1))
			FROM case_events e WHERE e.workflow_id = ANY($1) AND e.action = 'accept_overdue'`, ids)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var s float64
			if err := rows.Scan(&s); err != nil {
				rows.Close()
				return nil, err
			}
			lat = append(lat, time.Duration(s*float64(time.Second)))
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
		if len(lat) >= len(ids) || time.Now().After(lastDue.Add(3*time.Minute)) {
			break
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(2 * time.Second):
		}
	}
	late := bench.Percentiles(lat)
	rep.Add(bench.Result{Name: p + "_timer_lateness", N: len(ids), Errors: int64(len(ids) - len(lat)), LatencyMS: late,
		Note: "accept-deadline escalation: case event time minus the deadline; errors = not fired 3 min after the last deadline"})
	// Back to real SLAs for the next step.
	srv.kill(syscall.SIGTERM)
	if _, err := srv.start(ctx); err != nil {
		return nil, err
	}
	if late == nil {
		late = map[string]float64{}
	}
	if len(lat) < len(ids) {
		late["p99"] = -1 // not all fired: reported as FAIL
	}
	return late, nil
}

// autovacuumStandIn does what autovacuum does in a deployment after a bulk
// of writes, when this PostgreSQL runs without it (the CI machine's config
// sets autovacuum = off): VACUUM (ANALYZE) of the app database, so that the
// planner has statistics and index-only scans a visibility map. Without it
// the badge counts read every open task's row (BENCHMARKS.md, T18). It
// answers nil when the server's own autovacuum is on.
func autovacuumStandIn(ctx context.Context, db *postgres.DB, prefix string) (*bench.Result, error) {
	var on string
	if err := db.Pool.QueryRow(ctx, `SHOW autovacuum`).Scan(&on); err != nil {
		return nil, fmt.Errorf("resident: autovacuum setting: %w", err)
	}
	if on == "on" {
		return nil, nil
	}
	t0 := time.Now()
	if _, err := db.Pool.Exec(ctx, `VACUUM (ANALYZE)`); err != nil {
		return nil, fmt.Errorf("resident: vacuum the app database: %w", err)
	}
	d := time.Since(t0)
	return &bench.Result{Name: prefix + "_vacuum_analyze", N: 1, Seconds: round3(d.Seconds()),
		LatencyMS: map[string]float64{"max": ms(d)},
		Note:      "autovacuum is off on this server: VACUUM (ANALYZE) of the app database after the filing, as autovacuum would run in a deployment"}, nil
}

// storeSizes is the size of Temporal's store (its two PostgreSQL databases,
// or the embedded SQLite directory) and of the app database, in MB. A query
// that fails fails the bench: a size never reads as zero.
func storeSizes(ctx context.Context, o residentOpts, dataDir, appDB, tdb, vdb string) (store, appMB float64, err error) {
	db, err := postgres.Open(ctx, o.AdminDSN, 1)
	if err != nil {
		return 0, 0, fmt.Errorf("store sizes: %w", err)
	}
	defer db.Close()
	size := func(name string) (float64, error) {
		var b int64
		if err := db.Pool.QueryRow(ctx, `SELECT pg_database_size($1)`, name).Scan(&b); err != nil {
			return 0, fmt.Errorf("size of database %s: %w", name, err)
		}
		return float64(b) / (1 << 20), nil
	}
	if o.Engine == "postgres" {
		t, err := size(tdb)
		if err != nil {
			return 0, 0, err
		}
		v, err := size(vdb)
		if err != nil {
			return 0, 0, err
		}
		store = t + v
	} else if store, err = dirSizeMB(filepath.Join(dataDir, "temporal")); err != nil {
		return 0, 0, fmt.Errorf("size of the temporal directory: %w", err)
	}
	if appMB, err = size(appDB); err != nil {
		return 0, 0, err
	}
	return round1(store), round1(appMB), nil
}

func marksNote(m map[string]float64) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	b.WriteString("serve log, ms from exec:")
	for _, k := range keys {
		fmt.Fprintf(&b, " %s=%.0f", k, m[k])
	}
	return b.String()
}

func round1(f float64) float64 { return float64(int64(f*10+0.5)) / 10 }
func round3(f float64) float64 { return float64(int64(f*1000+0.5)) / 1000 }

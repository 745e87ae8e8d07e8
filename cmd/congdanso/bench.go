package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"

	"github.com/caobang/congdanso/api"
	"github.com/caobang/congdanso/cmd/app"
	"github.com/caobang/congdanso/cmd/app/bench"
	"github.com/caobang/congdanso/embedded"
	"github.com/caobang/congdanso/postgres"
	"github.com/caobang/congdanso/workflows"
)

// benchEnv is the product under measurement: either in-process (fresh
// databases, a Temporal engine of the chosen kind, the worker and the HTTP
// API on a loopback port) or a running server (--target).
type benchEnv struct {
	App      *app.App // nil with --target
	URL      string
	Temporal client.Client // nil when not known (--target without TEMPORAL_ADDRESS)
	Pool     *pgxpool.Pool // nil when not known (--target without DATABASE_URL)
	HTTP     *http.Client
	logins   []string // --login user:password pairs for --target
	citizen  string   // --citizen phone:password for --target
	cleanup  []func()
}

func (e *benchEnv) Close() {
	for i := len(e.cleanup) - 1; i >= 0; i-- {
		e.cleanup[i]()
	}
}

// runBench implements `congdanso bench`.
func runBench(ctx context.Context, args []string, logger *slog.Logger) error {
	fs := flag.NewFlagSet("congdanso bench", flag.ContinueOnError)
	engine := fs.String("engine", "sqlite", "Temporal engine: sqlite (embedded default), postgres (embedded on PostgreSQL) or external (TEMPORAL_ADDRESS)")
	scenarios := fs.String("scenario", "feedback,applications", "comma list: feedback, applications; or alone: resident, reports (province scale)")
	n := fs.Int("n", 200, "cases per scenario")
	conc := fs.Int("c", 10, "concurrency")
	rate := fs.Float64("rate", 50, "submit rate for the latency series (requests/s); 0 = skip")
	shards := fs.Int("history-shards", 512, "history shards for --engine postgres")
	pollers := fs.Int("worker-pollers", 0, "worker pollers per kind (0 = the product default)")
	dbConns := fs.Int("db-conns", 0, "PostgreSQL pool size of the app (0 = the product default)")
	out := fs.String("out", "bench-result.json", "JSON result file")
	cpuprofile := fs.String("cpuprofile", "", "write a CPU profile of the scenarios (baselines excluded) to this file")
	target := fs.String("target", "", "URL of a running server to measure instead of an in-process one")
	logins := fs.String("login", os.Getenv("CONGDANSO_BENCH_LOGINS"), "with --target: comma list of staff username:password (an officer and a leader of each scenario's agency)")
	citizen := fs.String("citizen", os.Getenv("CONGDANSO_BENCH_CITIZEN"), "with --target: citizen phone:password (default: register a new citizen)")
	// Round 2 (issue 22 part A): baseline (c) and the load curve.
	stepsPerCase := fs.Int("baseline-c-updates", bench.StaffSteps, "Updates per workflow in baseline (c) (the staff steps per case)")
	sweep := fs.String("sweep", "", "comma list of offered rates (requests/s): run the load curve instead of the scenarios, e.g. 10,20,40,60,80,100")
	sweepSecs := fs.Float64("sweep-seconds", 10, "seconds of arrivals per rate in --sweep")
	adminDSN := fs.String("database-url", env("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"), "PostgreSQL server for the fresh bench databases (with --target: the target's database, for baseline (b) and the queue probe)")
	// Province scale (issue 22 part B): scenarios resident and reports, bench_province.go.
	province := provinceFlags(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if err := checkWorkerPollers(*pollers); err != nil {
		return err
	}
	rep := &bench.Report{Engine: *engine, StartedAt: time.Now(), Concurrency: *conc, LoadStart: bench.LoadAvg(),
		Machine: fmt.Sprintf("%s/%s, %d cores, %.0f GiB, %s", runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), memGiB(), runtime.Version())}
	if done, err := province.run(ctx, *scenarios, *engine, *adminDSN, *conc, *shards, *out, rep, logger); done {
		return err
	}
	var be *benchEnv
	var err error
	if *target != "" {
		rep.Engine = "target " + *target
		be, err = targetBenchEnv(ctx, *target, *adminDSN, fs, *logins, *citizen, *conc, logger)
	} else {
		be, err = startBenchEnv(ctx, *engine, *adminDSN, *shards, *pollers, *dbConns, *conc, logger)
	}
	if err != nil {
		return err
	}
	defer be.Close()

	if *sweep != "" {
		return runSweep(ctx, be, rep, *sweep, *sweepSecs, *out)
	}
	// Baseline (a): a trivial workflow, start + complete, same worker settings.
	if tc := be.Temporal; tc != nil {
		rep.Add(bench.Run(ctx, bench.BaselineA, *n, *conc, func(ctx context.Context, i int) error {
			run, err := tc.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
				ID: fmt.Sprintf("bench-ping-%d-%d", time.Now().UnixNano(), i), TaskQueue: workflows.TaskQueue,
			}, workflows.PingWorkflowName, "b")
			if err != nil {
				return err
			}
			return run.Get(ctx, nil)
		}))
	}
	// Baseline (c): a raw Update on a trivial workflow, same worker and engine.
	if tc := be.Temporal; tc != nil {
		rep.Add(bench.RunBaselineC(ctx, tc, workflows.TaskQueue, *n, *conc, *stepsPerCase))
	}
	// Baseline (b): a plain pgx insert of a row shaped like a case.
	if pool := be.Pool; pool != nil {
		table := pgx.Identifier{fmt.Sprintf("bench_rows_%d", time.Now().UnixNano())}.Sanitize()
		if _, err := pool.Exec(ctx, `CREATE TABLE `+table+` (id bigserial PRIMARY KEY, code text UNIQUE, title text, content text, category text, lat float8, lng float8, created_at timestamptz DEFAULT now())`); err != nil {
			return err
		}
		defer func() { _, _ = pool.Exec(context.Background(), `DROP TABLE IF EXISTS `+table) }()
		rep.Add(bench.Run(ctx, bench.BaselineB, *n, *conc, func(ctx context.Context, i int) error {
			_, err := pool.Exec(ctx, `INSERT INTO `+table+` (code, title, content, category, lat, lng) VALUES ($1, $2, $3, $4, $5, $6)`,
				fmt.Sprintf("B-%d-%d", time.Now().UnixNano(), i), "Đèn đường hỏng", strings.Repeat("Nội dung phản ánh. ", 10), "traffic", 22.66, 106.25)
			return err
		}))
	}
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err != nil {
			return err
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer f.Close()
		defer pprof.StopCPUProfile()
	}
	for _, s := range strings.Split(*scenarios, ",") {
		s = strings.TrimSpace(s)
		sc, ok := benchScenarios[s]
		if !ok {
			if s != "" {
				fmt.Fprintf(os.Stderr, "bench: scenario %q is not available in this build\n", s)
			}
			continue
		}
		if err := sc(ctx, be, rep, *n, *conc, *rate); err != nil {
			return fmt.Errorf("scenario %s: %w", s, err)
		}
		rep.CheckTargets(s)
	}
	rep.PeakRSSMB = bench.PeakRSSMB()
	rep.LoadEnd = bench.LoadAvg()
	rep.WriteTable(os.Stdout)
	if err := rep.WriteJSON(*out); err != nil {
		return err
	}
	fmt.Println("written", *out)
	return nil
}

func memGiB() float64 {
	b, err := os.ReadFile("/proc/meminfo")
	if err != nil {
		return 0
	}
	var kb float64
	_, _ = fmt.Sscanf(strings.SplitN(string(b), "\n", 2)[0], "MemTotal: %f kB", &kb)
	return kb / (1 << 20)
}

// benchScenario measures one product scenario into rep.
type benchScenario func(ctx context.Context, be *benchEnv, rep *bench.Report, n, conc int, rate float64) error

// benchScenarios is filled by the scenario files.
var benchScenarios = map[string]benchScenario{}

func startBenchEnv(ctx context.Context, engine, adminDSN string, shards, pollers, dbConns, conc int, logger *slog.Logger) (*benchEnv, error) {
	be := &benchEnv{HTTP: bench.NewHTTPClient(conc)}
	if dbConns <= 0 {
		dbConns = envInt("CONGDANSO_DB_MAX_CONNS", 20) // as `congdanso serve`
	}
	stamp := fmt.Sprintf("%d", time.Now().UnixNano())
	appDB := "cds_bench_" + stamp
	dsn, err := withDB(adminDSN, appDB)
	if err != nil {
		return nil, err
	}
	db, err := postgres.Open(ctx, dsn, int32(dbConns))
	if err != nil {
		return nil, err
	}
	be.cleanup = append(be.cleanup, func() { db.Close(); dropDB(adminDSN, appDB) })
	if err := db.Migrate(ctx); err != nil {
		be.Close()
		return nil, err
	}
	if err := db.SeedBase(ctx); err != nil {
		be.Close()
		return nil, err
	}
	dir, _ := os.MkdirTemp("", "congdanso-bench")
	be.cleanup = append(be.cleanup, func() { os.RemoveAll(dir) })
	addr := os.Getenv("TEMPORAL_ADDRESS")
	quiet := slog.New(slog.NewJSONHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError}))
	switch engine {
	case "sqlite", "postgres":
		o := embedded.TemporalOptions{DataDir: filepath.Join(dir, "temporal"), Namespace: "default", Store: engine, HistoryShards: int32(shards), LogLevel: "error"}
		if engine == "postgres" {
			tdb, vdb := "cds_bench_temporal_"+stamp, "cds_bench_visibility_"+stamp
			if o.SQL, err = embedded.PostgresSQLConfig(adminDSN, tdb); err != nil {
				return nil, err
			}
			if o.VisibilitySQL, err = embedded.PostgresSQLConfig(adminDSN, vdb); err != nil {
				return nil, err
			}
			be.cleanup = append(be.cleanup, func() { dropDB(adminDSN, tdb); dropDB(adminDSN, vdb) })
		}
		t, err := embedded.StartTemporal(o)
		if err != nil {
			be.Close()
			return nil, err
		}
		be.cleanup = append(be.cleanup, t.Stop)
		addr = t.Address
	case "external":
		if addr == "" {
			be.Close()
			return nil, fmt.Errorf("--engine external needs TEMPORAL_ADDRESS")
		}
	default:
		be.Close()
		return nil, fmt.Errorf("unknown engine %q", engine)
	}
	tc, err := dialTemporal(ctx, addr, env("TEMPORAL_NAMESPACE", "default"), quiet)
	if err != nil {
		be.Close()
		return nil, err
	}
	be.cleanup = append(be.cleanup, tc.Close)
	// A freshly created namespace reaches the frontend's namespace cache a
	// few seconds after the server is up (PostgreSQL store); hooks that
	// create schedules in Build fail until then.
	if err := waitNamespace(ctx, tc); err != nil {
		be.Close()
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		be.Close()
		return nil, err
	}
	be.URL = "http://" + ln.Addr().String()
	a, err := app.Build(ctx, app.Options{DataDir: dir, WorkerPollers: pollers, Logger: quiet,
		API: api.Config{TokenSecret: []byte("bench-secret-" + stamp), PublicBaseURL: be.URL}}, db, tc)
	if err != nil {
		be.Close()
		return nil, err
	}
	be.App, be.Temporal, be.Pool = a, tc, db.Pool
	w := a.NewWorker()
	workflows.RegisterBenchCounter(w) // baseline (c), on this worker only
	if err := w.Start(); err != nil {
		be.Close()
		return nil, err
	}
	bg, cancel := context.WithCancel(context.Background())
	a.RunBackground(bg)
	srv := a.HTTPServer(ln.Addr().String())
	go func() { _ = srv.Serve(ln) }()
	be.cleanup = append(be.cleanup, func() { _ = srv.Close(); cancel(); w.Stop(); a.Close() })
	logger.Info("bench environment ready", "engine", engine, "temporal", addr, "http", be.URL)
	return be, nil
}

func withDB(dsn, name string) (string, error) {
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("postgres://%s@%s:%d/%s?sslmode=disable", cfg.User, cfg.Host, cfg.Port, name), nil
}

func dropDB(adminDSN, name string) {
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, adminDSN)
	if err != nil {
		return
	}
	defer conn.Close(ctx)
	_, _ = conn.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)")
}

// waitNamespace waits until the frontend knows the namespace: a start of an
// unknown workflow type succeeds (and is terminated at once) instead of
// failing with NamespaceNotFound.
func waitNamespace(ctx context.Context, tc client.Client) error {
	deadline := time.Now().Add(90 * time.Second)
	for {
		id := fmt.Sprintf("bench-ns-probe-%d", time.Now().UnixNano())
		run, err := tc.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: id, TaskQueue: "bench-ns-probe"}, "bench-ns-probe")
		if err == nil {
			return tc.TerminateWorkflow(ctx, id, run.GetRunID(), "probe")
		}
		var nf *serviceerror.NamespaceNotFound
		if !errors.As(err, &nf) || time.Now().After(deadline) {
			return fmt.Errorf("bench: temporal namespace: %w", err)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(500 * time.Millisecond):
		}
	}
}

package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"

	commonpb "go.temporal.io/api/common/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	"google.golang.org/protobuf/types/known/durationpb"

	"github.com/caobang/congdanso/api"
	"github.com/caobang/congdanso/cmd/app"
	"github.com/caobang/congdanso/embedded"
	"github.com/caobang/congdanso/postgres"
	"github.com/caobang/congdanso/workflows"
)

const defaultDSN = "postgres://postgres@127.0.0.1:5432/congdanso?sslmode=disable"

// openDB resolves PostgreSQL: DATABASE_URL, else the local default, else a
// private cluster under the data dir when the server binaries are installed.
func openDB(ctx context.Context, cfg Config, logger *slog.Logger) (*postgres.DB, func(), error) {
	dsn := cfg.DatabaseURL
	cleanup := func() {}
	if dsn == "" {
		if reachable("127.0.0.1:5432") {
			dsn = defaultDSN
		} else if embedded.FindPGBin() != "" {
			logger.Info("no PostgreSQL on 127.0.0.1:5432; starting a private cluster", "dir", filepath.Join(cfg.DataDir, "pg"))
			abs, _ := filepath.Abs(filepath.Join(cfg.DataDir, "pg"))
			pg, err := embedded.StartPGCluster(ctx, abs)
			if err != nil {
				return nil, nil, fmt.Errorf("private PostgreSQL: %w", err)
			}
			dsn = pg.DSN("congdanso")
			cleanup = func() {
				if err := pg.Stop(); err != nil {
					logger.Warn("stopping private PostgreSQL", "err", err)
				}
			}
		} else {
			return nil, nil, errors.New("PostgreSQL is not reachable on 127.0.0.1:5432 and its server is not installed.\n" +
				"Cài PostgreSQL / install it:  apt-get install -y postgresql  (or set DATABASE_URL)")
		}
	}
	db, err := postgres.Open(ctx, dsn, int32(cfg.DBMaxConns))
	if err != nil {
		cleanup()
		return nil, nil, err
	}
	if err := db.Migrate(ctx); err != nil {
		db.Close()
		cleanup()
		return nil, nil, err
	}
	if err := db.SeedBase(ctx); err != nil {
		db.Close()
		cleanup()
		return nil, nil, err
	}
	return db, func() { db.Close(); cleanup() }, nil
}

func reachable(addr string) bool {
	c, err := net.DialTimeout("tcp", addr, 500*time.Millisecond)
	if err != nil {
		return false
	}
	c.Close()
	return true
}

// startTemporal returns the frontend address: TEMPORAL_ADDRESS, or an
// embedded server whose state lives under the data dir.
func startTemporal(cfg Config, logger *slog.Logger) (string, func(), error) {
	if cfg.TemporalAddress != "" {
		return cfg.TemporalAddress, func() {}, nil
	}
	opts := embedded.TemporalOptions{
		DataDir: filepath.Join(cfg.DataDir, "temporal"), Namespace: cfg.TemporalNamespace,
		Port: cfg.TemporalPort, UIPort: cfg.TemporalUIPort, Store: cfg.TemporalStore,
		HistoryShards: int32(cfg.HistoryShards), IP: cfg.TemporalBind, HistoryCache: cfg.TemporalCache,
	}
	if cfg.TemporalStore == "postgres" {
		dsn := cfg.DatabaseURL
		if dsn == "" {
			dsn = defaultDSN
		}
		var err error
		if opts.SQL, err = embedded.PostgresSQLConfig(dsn, cfg.TemporalDB); err != nil {
			return "", nil, err
		}
		if opts.VisibilitySQL, err = embedded.PostgresSQLConfig(dsn, cfg.TemporalVisibilityDB); err != nil {
			return "", nil, err
		}
		// --db-max-conns bounds each of Temporal's two pools too: count
		// them in PostgreSQL's max_connections with every instance's pool.
		opts.SQL.MaxConns, opts.SQL.MaxIdleConns = cfg.DBMaxConns, cfg.DBMaxConns
		opts.VisibilitySQL.MaxConns, opts.VisibilitySQL.MaxIdleConns = max(2, cfg.DBMaxConns/2), max(2, cfg.DBMaxConns/2)
	}
	start := time.Now()
	t, err := embedded.StartTemporal(opts)
	if err != nil {
		return "", nil, err
	}
	logger.Info("embedded Temporal started", "address", t.Address, "ui", t.UIAddr, "store", cfg.TemporalStore, "ms", time.Since(start).Milliseconds())
	return t.Address, t.Stop, nil
}

// identity names this process to Temporal: pid@host plus the instance name
// when set (e.g. "worker-2"). Temporal records it on every task a worker
// completes, so workflow histories show which process did what.
var identity string

func processIdentity() string { return identity }

func setIdentity(instance string) {
	host, _ := os.Hostname()
	identity = fmt.Sprintf("%d@%s", os.Getpid(), host)
	if instance != "" {
		identity += "@" + instance
	}
}

// dialTemporal connects and makes sure the namespace exists.
func dialTemporal(ctx context.Context, addr, ns string, logger *slog.Logger) (client.Client, error) {
	comp, err := grpcCompression(addr, env("TEMPORAL_GRPC_COMPRESSION", ""))
	if err != nil {
		return nil, err
	}
	var c client.Client
	for i := 0; i < 60; i++ {
		c, err = client.DialContext(ctx, client.Options{HostPort: addr, Namespace: ns, Identity: processIdentity(),
			Logger: newSDKLogger(logger), MetricsHandler: app.NewPromMetrics(),
			ConnectionOptions: client.ConnectionOptions{GrpcCompression: comp}})
		if err == nil {
			break
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(time.Second):
		}
	}
	if err != nil {
		return nil, fmt.Errorf("temporal: dial %s: %w", addr, err)
	}
	if err := ensureNamespace(ctx, c, ns); err != nil {
		c.Close()
		return nil, err
	}
	return c, nil
}

// grpcCompression is the SDK's compression of its requests to addr
// (TEMPORAL_GRPC_COMPRESSION: gzip or none; empty: chosen by the address).
// The SDK's default is gzip. On a loopback address (the embedded server, or
// a frontend on the same host) it only costs CPU at both ends, about 5 % of
// a bench run's process (BENCHMARKS.md, T11), so it is off there; across a
// network it stays on unless the setting says none.
func grpcCompression(addr, setting string) (client.GrpcCompression, error) {
	switch setting {
	case "gzip":
		return &client.GrpcCompressionGzip{}, nil
	case "none":
		return &client.GrpcCompressionNone{}, nil
	case "":
	default:
		return nil, fmt.Errorf("TEMPORAL_GRPC_COMPRESSION=%q: use gzip or none", setting)
	}
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		host = addr
	}
	if ip := net.ParseIP(host); host == "localhost" || (ip != nil && ip.IsLoopback()) {
		return &client.GrpcCompressionNone{}, nil
	}
	return &client.GrpcCompressionGzip{}, nil
}

func ensureNamespace(ctx context.Context, c client.Client, ns string) error {
	svc := c.WorkflowService()
	if _, err := svc.DescribeNamespace(ctx, &workflowservice.DescribeNamespaceRequest{Namespace: ns}); err != nil {
		_, err := svc.RegisterNamespace(ctx, &workflowservice.RegisterNamespaceRequest{
			Namespace: ns, WorkflowExecutionRetentionPeriod: durationpb.New(30 * 24 * time.Hour),
		})
		if err != nil && !isAlreadyExists(err) {
			return fmt.Errorf("temporal: register namespace %s: %w", ns, err)
		}
	}
	// A namespace registered moments ago (here, or by another process such
	// as `congdanso temporal`) is known to the frontend before the history
	// service's namespace cache has it; schedules and starts fail until then.
	// Wait until a call that reaches history no longer says "namespace not found".
	for i := 0; ; i++ {
		_, err := svc.DescribeWorkflowExecution(ctx, &workflowservice.DescribeWorkflowExecutionRequest{
			Namespace: ns, Execution: &commonpb.WorkflowExecution{WorkflowId: "congdanso-namespace-probe"}})
		if !isNamespaceNotFound(err) {
			return nil
		}
		if i >= 120 {
			return fmt.Errorf("temporal: namespace %s not usable after 60 s: %w", ns, err)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(500 * time.Millisecond):
		}
	}
}

// runServe runs the API and/or the worker until ctx ends, then shuts down in
// order: drain HTTP, stop the worker, stop the embedded server.
func runServe(ctx context.Context, cfg Config, logger *slog.Logger, withAPI, withWorker bool) error {
	startupProfile(logger)
	db, closeDB, err := openDB(ctx, cfg, logger)
	if err != nil {
		return err
	}
	defer closeDB()
	addr := cfg.TemporalAddress
	stopTemporal := func() {}
	if withAPI && withWorker {
		if addr, stopTemporal, err = startTemporal(cfg, logger); err != nil {
			return err
		}
	} else if addr == "" {
		return errors.New("`api` and `worker` join a cluster: set TEMPORAL_ADDRESS (or use `serve`)")
	}
	defer stopTemporal()
	tc, err := dialTemporal(ctx, addr, cfg.TemporalNamespace, logger)
	if err != nil {
		return err
	}
	defer tc.Close()
	secret, err := cfg.tokenSecret()
	if err != nil {
		return err
	}
	a, err := app.Build(ctx, app.Options{
		DataDir: cfg.DataDir, WorkerPollers: cfg.WorkerPollers, Logger: logger,
		API: api.Config{TokenSecret: secret, PublicBaseURL: cfg.PublicBaseURL, Demo: cfg.Demo, SLAScale: cfg.SLAScale, ConsoleIdle: cfg.ConsoleIdle},
	}, db, tc)
	if err != nil {
		return err
	}
	defer a.Close()
	if cfg.Demo {
		if done, err := a.DemoSeeded(ctx); err != nil {
			return err
		} else if !done {
			if err := a.SeedDemo(ctx, os.Stdout); err != nil {
				return err
			}
		}
	}
	bg, stopBG := context.WithCancel(context.Background())
	defer stopBG()
	var stopWorker func()
	if withWorker {
		w := a.NewWorker()
		if err := w.Start(); err != nil {
			return fmt.Errorf("worker: %w", err)
		}
		stopWorker = w.Stop
		a.RunBackground(bg)
		logger.Info("worker started", "task_queue", workflows.TaskQueue)
		// Ready means a worker answers, not only that the servers listen
		// (issue 22: requests right after a restart waited seconds).
		probe := &app.WorkerProbe{Temporal: tc, OnFirst: func() { logger.Info("readiness probe answered") }}
		a.API.AddReadyCheck("worker", probe.Check)
	}
	stopMetrics, err := startMetrics(cfg, logger)
	if err != nil {
		return err
	}
	defer stopMetrics()
	var srv *http.Server
	errCh := make(chan error, 1)
	if withAPI {
		srv = a.HTTPServer(cfg.HTTPAddr)
		ln, err := net.Listen("tcp", cfg.HTTPAddr)
		if err != nil {
			return fmt.Errorf("http listen: %w", err)
		}
		logger.Info("congdanso ready", "http", ln.Addr().String(), "temporal", addr, "demo", cfg.Demo, "identity", processIdentity(), "worker", withWorker)
		go func() { errCh <- srv.Serve(ln) }()
	} else {
		// The identity is what Temporal records on the tasks this worker
		// completes (workflow history), so operators can tell workers apart.
		logger.Info("congdanso worker ready", "temporal", addr, "identity", processIdentity(), "task_queue", workflows.TaskQueue)
	}
	select {
	case <-ctx.Done():
	case err := <-errCh:
		if err != nil && !errors.Is(err, http.ErrServerClosed) {
			return err
		}
	}
	logger.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
	defer cancel()
	if srv != nil {
		_ = srv.Shutdown(sctx)
	}
	if stopWorker != nil {
		stopWorker()
	}
	stopBG()
	return nil
}

func runMigrate(ctx context.Context, cfg Config, logger *slog.Logger) error {
	_, closeDB, err := openDB(ctx, cfg, logger)
	if err != nil {
		return err
	}
	closeDB()
	logger.Info("migrations applied")
	return nil
}

func runSeedDemo(ctx context.Context, cfg Config, logger *slog.Logger) error {
	db, closeDB, err := openDB(ctx, cfg, logger)
	if err != nil {
		return err
	}
	defer closeDB()
	a, err := app.Build(ctx, app.Options{DataDir: cfg.DataDir, Logger: logger}, db, nil)
	if err != nil {
		return err
	}
	return a.SeedDemo(ctx, os.Stdout)
}

// runTemporal runs only the embedded Temporal server (a small cluster node
// with --store postgres).
func runTemporal(ctx context.Context, cfg Config, logger *slog.Logger) error {
	addr, stop, err := startTemporal(cfg, logger)
	if err != nil {
		return err
	}
	defer stop()
	tc, err := dialTemporal(ctx, addr, cfg.TemporalNamespace, logger)
	if err != nil {
		return err
	}
	defer tc.Close()
	// The shard count is fixed when the store is created: a different setting
	// on a later start is ignored by the server, so report what is in force.
	shards := int32(0)
	if info, err := tc.WorkflowService().GetClusterInfo(ctx, &workflowservice.GetClusterInfoRequest{}); err == nil {
		shards = info.GetHistoryShardCount()
	}
	if cfg.TemporalStore == "postgres" && shards != 0 && shards != int32(cfg.HistoryShards) {
		logger.Warn("history shards are fixed at creation: the store keeps its count, --history-shards is ignored",
			"in_store", shards, "setting", cfg.HistoryShards)
	}
	logger.Info("temporal ready", "address", addr, "store", cfg.TemporalStore, "history_shards", shards,
		"database", cfg.TemporalDB, "visibility_database", cfg.TemporalVisibilityDB)
	<-ctx.Done()
	return nil
}

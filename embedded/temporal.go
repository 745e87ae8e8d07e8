// Package embedded runs the pieces `congdanso serve` can host in-process: a
// Temporal server that keeps its state on disk (SQLite file or PostgreSQL) and a
// private PostgreSQL cluster when none is reachable.
package embedded

import (
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/caobang/congdanso/embedded/freeport"
	uiserver "github.com/temporalio/ui-server/v2/server"
	uiconfig "github.com/temporalio/ui-server/v2/server/config"
	uiopts "github.com/temporalio/ui-server/v2/server/server_options"
	"go.temporal.io/server/common/cluster"
	"go.temporal.io/server/common/config"
	"go.temporal.io/server/common/dynamicconfig"
	tlog "go.temporal.io/server/common/log"
	"go.temporal.io/server/common/membership/static"
	sqliteplugin "go.temporal.io/server/common/persistence/sql/sqlplugin/sqlite"
	"go.temporal.io/server/common/primitives"
	sqliteschema "go.temporal.io/server/schema/sqlite"
	"go.temporal.io/server/temporal"
)

// TemporalOptions configures the embedded Temporal server.
type TemporalOptions struct {
	DataDir   string // where the SQLite file lives
	Namespace string
	IP        string // bind address, default 127.0.0.1
	Port      int    // frontend gRPC port, 0 picks a free one
	UIPort    int    // Temporal Web UI port, 0 disables the UI
	LogLevel  string // debug, info, warn, error
	// Store is "sqlite" (default) or "postgres". For postgres, SQL must be set.
	Store string
	SQL   *config.SQL // PostgreSQL persistence (see postgres_store.go)
	// VisibilitySQL is the visibility store for postgres; nil means same as SQL.
	VisibilitySQL *config.SQL
	// HistoryShards is fixed when the store is created. SQLite uses 1.
	HistoryShards int32
	// HistoryCache is how many workflow executions the history service keeps
	// in memory (its host-level mutable-state cache); 0 means
	// DefaultHistoryCache. A miss reloads the execution from the store.
	HistoryCache int
}

// DefaultHistoryCache is the embedded server's history cache: about 7 KB of
// heap per execution (measured in the round 2 soak, BENCHMARKS.md), so
// ≈ 15 MB. Temporal's own default is 128,000 executions, sized for a
// dedicated history host; in one process beside the API and the worker the
// cache kept growing for the whole 30-minute soak at 8,192.
const DefaultHistoryCache = 2048

// Temporal is a running embedded server.
type Temporal struct {
	server  temporal.Server
	ui      *uiserver.Server
	Address string // host:port of the frontend
	UIAddr  string
}

const clusterName = "active"

// StartTemporal starts the server and returns when its frontend accepts calls.
// With the SQLite store the schema is created on first start and reused after,
// so running workflows and their timers survive a restart of the process.
func StartTemporal(o TemporalOptions) (*Temporal, error) {
	// The internal service ports are picked free and bound a moment later;
	// another process may take one in between. Then start again with fresh
	// ports (the setup steps are idempotent).
	var err error
	for attempt := 0; attempt < 5; attempt++ {
		var t *Temporal
		if t, err = startTemporalOnce(o); err == nil {
			return t, nil
		}
		if !strings.Contains(err.Error(), "address already in use") {
			return nil, err
		}
		time.Sleep(200 * time.Millisecond)
	}
	return nil, err
}

func startTemporalOnce(o TemporalOptions) (*Temporal, error) {
	if o.Namespace == "" {
		return nil, errors.New("embedded: namespace required")
	}
	if o.IP == "" {
		o.IP = "127.0.0.1"
	}
	if o.LogLevel == "" {
		o.LogLevel = "warn"
	}
	var err error
	if o.Port == 0 {
		if o.Port, err = FreePort(o.IP); err != nil {
			return nil, err
		}
	}
	ports := map[string]int{"frontend": o.Port}
	for _, svc := range []string{"history", "matching", "worker", "http"} {
		if ports[svc], err = FreePort(o.IP); err != nil {
			return nil, err
		}
	}
	addr := net.JoinHostPort(o.IP, strconv.Itoa(o.Port))

	var store config.DataStore
	var visStore config.DataStore
	shards := o.HistoryShards
	switch o.Store {
	case "", "sqlite":
		if err := os.MkdirAll(o.DataDir, 0o750); err != nil {
			return nil, fmt.Errorf("embedded: data dir: %w", err)
		}
		sqlConf, err := sqliteStore(filepath.Join(o.DataDir, "temporal.db"), o.Namespace)
		if err != nil {
			return nil, err
		}
		store, visStore = config.DataStore{SQL: sqlConf}, config.DataStore{SQL: sqlConf}
		shards = 1
	case "postgres":
		if o.SQL == nil {
			return nil, errors.New("embedded: postgres store needs SQL config")
		}
		if shards <= 0 {
			shards = 512
		}
		vis := o.VisibilitySQL
		if vis == nil {
			vis = o.SQL
		}
		if err := setupPostgres(o.SQL, vis); err != nil {
			return nil, err
		}
		store, visStore = config.DataStore{SQL: o.SQL}, config.DataStore{SQL: vis}
	default:
		return nil, fmt.Errorf("embedded: unknown store %q", o.Store)
	}

	conf := &config.Config{}
	conf.Global.Membership.MaxJoinDuration = 30e9
	conf.Global.Membership.BroadcastAddress = o.IP
	conf.Persistence.DefaultStore = "default"
	conf.Persistence.VisibilityStore = "visibility"
	conf.Persistence.NumHistoryShards = shards
	conf.Persistence.DataStores = map[string]config.DataStore{"default": store, "visibility": visStore}
	conf.ClusterMetadata = &cluster.Config{
		FailoverVersionIncrement: 10,
		MasterClusterName:        clusterName,
		CurrentClusterName:       clusterName,
		ClusterInformation: map[string]cluster.ClusterInformation{clusterName: {
			Enabled:                true,
			InitialFailoverVersion: 1,
			RPCAddress:             addr,
			HTTPAddress:            net.JoinHostPort(o.IP, strconv.Itoa(ports["http"])),
			ClusterID:              "congdanso-embedded",
		}},
	}
	conf.DCRedirectionPolicy.Policy = "noop"
	conf.Services = map[string]config.Service{}
	for _, svc := range []string{"frontend", "history", "matching", "worker"} {
		s := config.Service{}
		s.RPC.GRPCPort = ports[svc]
		s.RPC.BindOnIP = o.IP
		// The frontend's HTTP API stays off (HTTPPort 0): the app and the
		// Web UI speak gRPC, and one listener less means one port race less.
		conf.Services[svc] = s
	}
	conf.Archival.History.State = "disabled"
	conf.Archival.Visibility.State = "disabled"
	conf.NamespaceDefaults.Archival.History.State = "disabled"
	conf.NamespaceDefaults.Archival.Visibility.State = "disabled"
	conf.PublicClient.HostPort = addr

	host := func(svc string) static.Hosts {
		return static.SingleLocalHost(net.JoinHostPort(o.IP, strconv.Itoa(ports[svc])))
	}
	logger := tlog.NewZapLogger(tlog.BuildZapLogger(tlog.Config{Level: o.LogLevel, Format: "json"}))
	cacheSize := o.HistoryCache
	if cacheSize <= 0 {
		cacheSize = DefaultHistoryCache
	}
	dyn := dynamicconfig.StaticClient{
		dynamicconfig.HistoryCacheHostLevelMaxSize.Key():                 cacheSize,
		dynamicconfig.FrontendMaxNamespaceVisibilityRPSPerInstance.Key(): 200,
	}
	srv, err := temporal.NewServer(
		temporal.WithConfig(conf),
		temporal.ForServices(temporal.DefaultServices),
		temporal.WithStaticHosts(map[primitives.ServiceName]static.Hosts{
			primitives.FrontendService: host("frontend"),
			primitives.HistoryService:  host("history"),
			primitives.MatchingService: host("matching"),
			primitives.WorkerService:   host("worker"),
		}),
		temporal.WithLogger(logger),
		temporal.WithDynamicConfigClient(dyn),
	)
	if err != nil {
		return nil, fmt.Errorf("embedded: new temporal server: %w", err)
	}
	if err := srv.Start(); err != nil {
		return nil, fmt.Errorf("embedded: start temporal server: %w", err)
	}
	t := &Temporal{server: srv, Address: addr}
	if o.UIPort > 0 {
		t.UIAddr = net.JoinHostPort(o.IP, strconv.Itoa(o.UIPort))
		t.ui = uiserver.NewServer(uiopts.WithConfigProvider(&uiconfig.Config{
			Host:                o.IP,
			Port:                o.UIPort,
			TemporalGRPCAddress: addr,
			EnableUI:            true,
			CORS:                uiconfig.CORS{CookieInsecure: true},
			HideLogs:            true,
			DisableNewsFetch:    true,
		}))
		go func() { _ = t.ui.Start() }()
	}
	return t, nil
}

// Stop stops the UI and the server.
func (t *Temporal) Stop() {
	if t.ui != nil {
		t.ui.Stop()
	}
	_ = t.server.Stop()
}

// sqliteStore returns the SQLite persistence config, creating the schema on
// first use and the namespace if it is missing (both idempotent).
func sqliteStore(file, namespace string) (*config.SQL, error) {
	conf := &config.SQL{
		PluginName:   sqliteplugin.PluginName,
		DatabaseName: file,
		// WAL with synchronous=NORMAL: durable across process crashes (the
		// WAL is in the OS page cache) and far faster than the default.
		ConnectAttributes: map[string]string{"mode": "rwc", "journal_mode": "wal", "synchronous": "NORMAL", "busy_timeout": "10000"},
		// One connection: SQLite takes one writer at a time anyway, and with
		// more connections a read transaction that upgrades to a write fails
		// with SQLITE_BUSY_SNAPSHOT ("database is locked (517)", which
		// busy_timeout does not cover) — surfacing as 503s on feedback actions
		// under load. Measured with `congdanso bench` (BENCHMARKS.md, T1).
		MaxConns:     1,
		MaxIdleConns: 1,
	}
	if _, err := os.Stat(file); errors.Is(err, os.ErrNotExist) {
		if err := sqliteschema.SetupSchema(conf); err != nil {
			return nil, fmt.Errorf("embedded: sqlite schema: %w", err)
		}
	}
	ns, err := sqliteschema.NewNamespaceConfig(clusterName, namespace, false, nil)
	if err != nil {
		return nil, err
	}
	if err := sqliteschema.CreateNamespaces(conf, ns); err != nil {
		return nil, fmt.Errorf("embedded: namespace: %w", err)
	}
	return conf, nil
}

// FreePort is a free TCP port on ip below the local ephemeral range, so a
// process killed and started again can bind it again (freeport.Pick).
func FreePort(ip string) (int, error) { return freeport.Pick(ip) }

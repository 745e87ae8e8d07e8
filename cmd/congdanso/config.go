package main

import (
	"crypto/rand"
	"encoding/hex"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/caobang/congdanso/embedded"
)

// Config is every setting, filled from flags and environment in one place.
type Config struct {
	DataDir           string
	DatabaseURL       string
	TemporalAddress   string // empty: start the embedded server
	TemporalNamespace string
	TemporalStore     string // embedded store: sqlite (default) or postgres
	HistoryShards     int
	// TemporalDB and TemporalVisibilityDB name Temporal's two databases on
	// the PostgreSQL server of DatabaseURL (--store postgres).
	TemporalDB           string
	TemporalVisibilityDB string
	TemporalBind         string // embedded Temporal bind/broadcast IP
	TemporalPort         int
	TemporalUIPort       int
	TemporalCache        int
	HTTPAddr             string
	// MetricsAddr is the private listen address of /metrics ("off": none);
	// MetricsToken, when set, is the bearer token a scrape must send.
	MetricsAddr   string
	MetricsToken  string
	PublicBaseURL string
	Demo          bool
	TokenSecret   string
	LogLevel      string
	// Instance names this process in logs and to Temporal (e.g. "worker-2").
	Instance        string
	DBMaxConns      int
	WorkerPollers   int
	ShutdownTimeout time.Duration
	// SLAScale divides every SLA (tests and the crash test use short SLAs).
	SLAScale float64
	// ConsoleIdle ends a staff console session after this long without a request.
	ConsoleIdle time.Duration
}

func env(name, def string) string {
	if v, ok := os.LookupEnv(name); ok && v != "" {
		return v
	}
	return def
}

func envInt(name string, def int) int {
	if v := os.Getenv(name); v != "" {
		if n, err := strconv.Atoi(v); err == nil {
			return n
		}
	}
	return def
}

func envDuration(name string, def time.Duration) time.Duration {
	if v := os.Getenv(name); v != "" {
		if d, err := time.ParseDuration(v); err == nil && d > 0 {
			return d
		}
	}
	return def
}

// parseConfig reads flags for subcommand cmd (after the environment defaults).
func parseConfig(cmd string, args []string) (Config, error) {
	var c Config
	fs := flag.NewFlagSet("congdanso "+cmd, flag.ContinueOnError)
	fs.StringVar(&c.DataDir, "data-dir", env("CONGDANSO_DATA_DIR", "./data"), "data directory (embedded Temporal, private PostgreSQL, media)")
	fs.StringVar(&c.DatabaseURL, "database-url", env("DATABASE_URL", ""), "PostgreSQL URL (default: postgres://postgres@127.0.0.1:5432/congdanso, else a private cluster)")
	fs.StringVar(&c.TemporalAddress, "temporal-address", env("TEMPORAL_ADDRESS", ""), "Temporal frontend host:port (empty: embedded server)")
	fs.StringVar(&c.TemporalNamespace, "temporal-namespace", env("TEMPORAL_NAMESPACE", "default"), "Temporal namespace")
	fs.StringVar(&c.TemporalStore, "store", env("CONGDANSO_TEMPORAL_STORE", "sqlite"), "embedded Temporal store: sqlite or postgres")
	fs.IntVar(&c.HistoryShards, "history-shards", envInt("CONGDANSO_HISTORY_SHARDS", 512), "history shards for --store postgres (fixed at creation)")
	fs.StringVar(&c.TemporalDB, "temporal-db", env("CONGDANSO_TEMPORAL_DB", "temporal"), "Temporal's main database for --store postgres (created if missing)")
	fs.StringVar(&c.TemporalVisibilityDB, "temporal-visibility-db", env("CONGDANSO_TEMPORAL_VISIBILITY_DB", "temporal_visibility"), "Temporal's visibility database for --store postgres (created if missing)")
	fs.StringVar(&c.TemporalBind, "temporal-bind", env("CONGDANSO_TEMPORAL_BIND", "127.0.0.1"), "IP the embedded Temporal server binds to and advertises")
	fs.IntVar(&c.TemporalPort, "temporal-port", envInt("CONGDANSO_TEMPORAL_PORT", 7233), "embedded Temporal frontend port (0: any free port)")
	fs.IntVar(&c.TemporalCache, "temporal-cache", envInt("CONGDANSO_TEMPORAL_CACHE", embedded.DefaultHistoryCache), "embedded Temporal: workflow executions kept in the history cache")
	fs.IntVar(&c.TemporalUIPort, "temporal-ui-port", envInt("CONGDANSO_TEMPORAL_UI_PORT", 8233), "embedded Temporal Web UI port (0: no UI)")
	fs.StringVar(&c.HTTPAddr, "http", env("CONGDANSO_HTTP_ADDR", "127.0.0.1:8080"), "HTTP listen address")
	fs.StringVar(&c.MetricsAddr, "metrics", env("CONGDANSO_METRICS_ADDR", "off"), "listen address of /metrics, apart from the public API (off: none)")
	fs.StringVar(&c.MetricsToken, "metrics-token", env("CONGDANSO_METRICS_TOKEN", ""), "bearer token a metrics scrape must send (empty: none)")
	fs.StringVar(&c.PublicBaseURL, "public-url", env("CONGDANSO_PUBLIC_URL", ""), "public base URL (default http://<http addr>)")
	fs.BoolVar(&c.Demo, "demo", env("CONGDANSO_DEMO", "") == "1" || env("CONGDANSO_DEMO", "") == "true", "load demo data and run the demo biller and payment simulator")
	fs.StringVar(&c.TokenSecret, "token-secret", env("CONGDANSO_TOKEN_SECRET", ""), "HMAC secret for access tokens (default: generated once under the data dir)")
	fs.StringVar(&c.Instance, "instance", env("CONGDANSO_INSTANCE", ""), "name of this instance, added to its Temporal identity (e.g. worker-2)")
	fs.StringVar(&c.LogLevel, "log-level", env("CONGDANSO_LOG_LEVEL", "info"), "debug, info, warn, error")
	fs.IntVar(&c.DBMaxConns, "db-max-conns", envInt("CONGDANSO_DB_MAX_CONNS", 20), "PostgreSQL pool size")
	fs.IntVar(&c.WorkerPollers, "worker-pollers", envInt("CONGDANSO_WORKER_POLLERS", 0), "Temporal task pollers per kind (0: scaled by the server, 4 to 100)")
	fs.DurationVar(&c.ConsoleIdle, "console-idle", envDuration("CONGDANSO_CONSOLE_IDLE", 30*time.Minute), "staff console: idle time after which the session ends")
	sla := fs.Float64("sla-scale", 1, "divide every SLA by this (tests only)")
	fs.DurationVar(&c.ShutdownTimeout, "shutdown-timeout", 20*time.Second, "graceful shutdown budget")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	c.SLAScale = *sla
	bad := func(err error) (Config, error) {
		fmt.Fprintln(fs.Output(), "congdanso "+cmd+":", err)
		return c, err
	}
	if c.HistoryShards < 1 {
		return bad(fmt.Errorf("--history-shards must be at least 1 (got %d)", c.HistoryShards))
	}
	if err := checkWorkerPollers(c.WorkerPollers); err != nil {
		return bad(err)
	}
	if c.TemporalDB == c.TemporalVisibilityDB {
		return bad(fmt.Errorf("--temporal-db and --temporal-visibility-db must differ"))
	}
	if v := os.Getenv("CONGDANSO_SLA_SCALE"); v != "" && c.SLAScale == 1 {
		if f, err := strconv.ParseFloat(v, 64); err == nil && f > 0 {
			c.SLAScale = f
		}
	}
	if c.PublicBaseURL == "" {
		host := c.HTTPAddr
		if strings.HasPrefix(host, ":") {
			host = "127.0.0.1" + host
		}
		c.PublicBaseURL = "http://" + host
	}
	return c, nil
}

// tokenSecret returns the configured secret or one generated once and kept in
// the data directory, so tokens survive restarts of a single node.
func (c Config) tokenSecret() ([]byte, error) {
	if c.TokenSecret != "" {
		return []byte(c.TokenSecret), nil
	}
	p := filepath.Join(c.DataDir, "token.key")
	if b, err := os.ReadFile(p); err == nil && len(b) >= 32 {
		return b, nil
	}
	if err := os.MkdirAll(c.DataDir, 0o750); err != nil {
		return nil, err
	}
	buf := make([]byte, 32)
	if _, err := rand.Read(buf); err != nil {
		return nil, err
	}
	key := []byte(hex.EncodeToString(buf))
	if err := os.WriteFile(p, key, 0o600); err != nil {
		return nil, fmt.Errorf("write token key: %w", err)
	}
	return key, nil
}

// checkWorkerPollers refuses a --worker-pollers value outside 0–100 (serve,
// worker and bench share it).
func checkWorkerPollers(n int) error {
	if n < 0 || n > 100 {
		return fmt.Errorf("--worker-pollers must be 0 (scaled by the server) or 1 to 100 (got %d)", n)
	}
	return nil
}

// Command congdanso is the one binary of the platform: `serve` runs the API,
// the worker and (unless TEMPORAL_ADDRESS is set) an embedded Temporal server
// that keeps its state on disk.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"
)

// version is set by the build (-ldflags "-X main.version=...").
var version = "dev"

const usage = `congdanso: Công dân số Cao Bằng backend

Usage: congdanso <command> [flags]

Commands:
  serve      API + worker + embedded Temporal (unless TEMPORAL_ADDRESS is set)
  api        HTTP API only (joins TEMPORAL_ADDRESS)
  worker     Temporal worker only (joins TEMPORAL_ADDRESS)
  temporal   embedded Temporal server only (--store sqlite|postgres)
  migrate    apply database migrations
  seed-demo  load demo data (agencies, categories, procedures, demo staff)
  bench      measure scenarios against baselines (see BENCHMARKS.md)
  version    print the version
`

func main() {
	if len(os.Args) < 2 {
		fmt.Fprint(os.Stderr, usage)
		os.Exit(2)
	}
	cmd, args := os.Args[1], os.Args[2:]
	if cmd == "version" || cmd == "--version" {
		fmt.Println("congdanso", version)
		return
	}
	if cmd == "help" || cmd == "-h" || cmd == "--help" {
		fmt.Print(usage)
		return
	}
	if cmd == "bench" {
		logger := newLogger("info")
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		defer stop()
		if err := runBench(ctx, args, logger); err != nil && !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "congdanso bench:", err)
			os.Exit(1)
		}
		return
	}
	cfg, err := parseConfig(cmd, args)
	if errors.Is(err, flag.ErrHelp) {
		return
	}
	if err != nil {
		os.Exit(2)
	}
	setIdentity(cfg.Instance)
	logger := newLogger(cfg.LogLevel)
	if cfg.Instance != "" {
		logger = logger.With("instance", cfg.Instance)
	}
	slog.SetDefault(logger)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	switch cmd {
	case "serve":
		err = runServe(ctx, cfg, logger, true, true)
	case "api":
		err = runServe(ctx, cfg, logger, true, false)
	case "worker":
		err = runServe(ctx, cfg, logger, false, true)
	case "temporal":
		err = runTemporal(ctx, cfg, logger)
	case "migrate":
		err = runMigrate(ctx, cfg, logger)
	case "seed-demo":
		err = runSeedDemo(ctx, cfg, logger)
	default:
		fmt.Fprintf(os.Stderr, "unknown command %q\n\n%s", cmd, usage)
		os.Exit(2)
	}
	if err != nil {
		logger.Error("congdanso failed", "command", cmd, "err", err)
		fmt.Fprintln(os.Stderr, "congdanso:", err)
		os.Exit(1)
	}
}

func newLogger(level string) *slog.Logger {
	var l slog.Level
	switch strings.ToLower(level) {
	case "debug":
		l = slog.LevelDebug
	case "warn":
		l = slog.LevelWarn
	case "error":
		l = slog.LevelError
	default:
		l = slog.LevelInfo
	}
	return slog.New(slog.NewJSONHandler(os.Stderr, &slog.HandlerOptions{Level: l}))
}

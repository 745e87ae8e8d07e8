package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/caobang/congdanso/api"
)

// startMetrics serves /metrics on its own address (CONGDANSO_METRICS_ADDR),
// never on the public API, optionally behind a bearer token. "off" (the
// default) serves nothing. The returned func stops the listener.
func startMetrics(cfg Config, logger *slog.Logger) (func(), error) {
	if cfg.MetricsAddr == "" || cfg.MetricsAddr == "off" {
		return func() {}, nil
	}
	ln, err := net.Listen("tcp", cfg.MetricsAddr)
	if err != nil {
		return nil, fmt.Errorf("metrics listen: %w", err)
	}
	srv := &http.Server{Handler: api.MetricsHandler(cfg.MetricsToken), ReadHeaderTimeout: 5 * time.Second}
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			logger.Error("metrics server", "err", err)
		}
	}()
	logger.Info("metrics ready", "addr", ln.Addr().String(), "token", cfg.MetricsToken != "")
	return func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
	}, nil
}

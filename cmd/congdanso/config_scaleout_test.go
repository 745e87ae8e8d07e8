package main

import (
	"context"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
)

// TestTemporalStoreSettings: Temporal's database names and shard count are
// settings (tests and several clusters share one PostgreSQL server).
func TestTemporalStoreSettings(t *testing.T) {
	c, err := parseConfig("temporal", []string{"--store", "postgres"})
	if err != nil || c.TemporalDB != "temporal" || c.TemporalVisibilityDB != "temporal_visibility" || c.HistoryShards != 512 {
		t.Fatalf("defaults: %+v %v", c, err)
	}
	t.Setenv("CONGDANSO_TEMPORAL_DB", "t_main")
	c, err = parseConfig("temporal", []string{"--temporal-visibility-db", "t_vis", "--history-shards", "8", "--instance", "temporal-1"})
	if err != nil || c.TemporalDB != "t_main" || c.TemporalVisibilityDB != "t_vis" || c.HistoryShards != 8 || c.Instance != "temporal-1" {
		t.Fatalf("settings: %+v %v", c, err)
	}
	for _, args := range [][]string{{"--history-shards", "0"}, {"--temporal-db", "x", "--temporal-visibility-db", "x"}} {
		if _, err := parseConfig("temporal", args); err == nil {
			t.Errorf("%v accepted", args)
		}
	}
	setIdentity("worker-2")
	if id := processIdentity(); len(id) < len("1@h@worker-2") || id[len(id)-len("@worker-2"):] != "@worker-2" {
		t.Errorf("identity %q", id)
	}
}

// TestWorkerPollersSetting: by default the server scales the pollers (T15:
// four fixed ones left deadline timers seconds late on PostgreSQL); a fixed
// count stays possible, and a count out of range is refused.
func TestWorkerPollersSetting(t *testing.T) {
	c, err := parseConfig("serve", nil)
	if err != nil || c.WorkerPollers != 0 {
		t.Fatalf("default: %d %v, want 0 (autoscaling)", c.WorkerPollers, err)
	}
	t.Setenv("CONGDANSO_WORKER_POLLERS", "8")
	if c, err = parseConfig("serve", nil); err != nil || c.WorkerPollers != 8 {
		t.Fatalf("from the environment: %d %v", c.WorkerPollers, err)
	}
	for _, v := range []string{"-1", "101"} {
		if _, err := parseConfig("serve", []string{"--worker-pollers", v}); err == nil {
			t.Errorf("--worker-pollers %s accepted", v)
		}
		// The bench refuses it too, before it starts anything.
		err := runBench(context.Background(), []string{"--worker-pollers", v, "--out", filepath.Join(t.TempDir(), "r.json")}, slog.New(slog.DiscardHandler))
		if err == nil || !strings.Contains(err.Error(), "--worker-pollers") {
			t.Errorf("bench --worker-pollers %s: %v", v, err)
		}
	}
}

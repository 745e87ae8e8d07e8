package main

import "testing"

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

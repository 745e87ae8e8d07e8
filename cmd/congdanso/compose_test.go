package main

import (
	"os"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// TestComposeFile checks docker-compose.yml, which cannot be started here (no
// Docker engine): it must parse, and every app service must use settings the
// binary reads, with a real subcommand.
func TestComposeFile(t *testing.T) {
	b, err := os.ReadFile("../../docker-compose.yml")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Services map[string]struct {
			Image       string            `yaml:"image"`
			Build       any               `yaml:"build"`
			Command     []string          `yaml:"command"`
			Environment map[string]string `yaml:"environment"`
			Volumes     []string          `yaml:"volumes"`
		} `yaml:"services"`
	}
	if err := yaml.Unmarshal(b, &doc); err != nil {
		t.Fatalf("docker-compose.yml: %v", err)
	}
	for _, want := range []string{"postgres", "temporal", "temporal-ui", "api1", "api2", "worker1", "worker2", "caddy"} {
		if _, ok := doc.Services[want]; !ok {
			t.Errorf("service %s missing", want)
		}
	}
	known := map[string]bool{"DATABASE_URL": true, "TEMPORAL_ADDRESS": true, "TEMPORAL_NAMESPACE": true}
	src, _ := os.ReadFile("config.go")
	apps := 0
	// Scale-out: every instance must share the state (one PostgreSQL, one
	// Temporal, one token secret, one media volume) and carry its own name.
	shared := map[string]string{}
	instances := map[string]bool{}
	for name, s := range doc.Services {
		if s.Build == nil {
			continue
		}
		apps++
		for _, k := range []string{"DATABASE_URL", "TEMPORAL_ADDRESS", "CONGDANSO_TOKEN_SECRET", "CONGDANSO_DATA_DIR"} {
			if v, ok := shared[k]; ok && v != s.Environment[k] {
				t.Errorf("%s: %s differs between instances", name, k)
			}
			shared[k] = s.Environment[k]
		}
		media := strings.Join(s.Volumes, ",")
		if v, ok := shared["volumes"]; ok && v != media {
			t.Errorf("%s: media volumes %q differ from %q", name, media, v)
		}
		shared["volumes"] = media
		if !strings.HasSuffix(media, ":"+s.Environment["CONGDANSO_DATA_DIR"]) {
			t.Errorf("%s: the shared volume must be mounted at the data dir", name)
		}
		inst := s.Environment["CONGDANSO_INSTANCE"]
		if inst == "" || instances[inst] {
			t.Errorf("%s: CONGDANSO_INSTANCE %q missing or not unique", name, inst)
		}
		instances[inst] = true
		if len(s.Command) != 1 || !strings.Contains(usage, "\n  "+s.Command[0]+" ") {
			t.Errorf("%s: command %v is not a congdanso subcommand", name, s.Command)
		}
		if s.Environment["TEMPORAL_ADDRESS"] == "" || s.Environment["DATABASE_URL"] == "" {
			t.Errorf("%s: needs TEMPORAL_ADDRESS and DATABASE_URL", name)
		}
		for k := range s.Environment {
			if !known[k] && !strings.Contains(string(src), `"`+k+`"`) {
				t.Errorf("%s: env %s is not read by the binary", name, k)
			}
		}
	}
	if apps != 4 {
		t.Errorf("want 4 app services built from the Dockerfile, got %d", apps)
	}
}

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
	for name, s := range doc.Services {
		if s.Build == nil {
			continue
		}
		apps++
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

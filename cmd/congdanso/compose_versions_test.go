package main

import (
	"os"
	"regexp"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// TestComposeVersionsFollowGoMod keeps docker-compose.yml on the Temporal
// server and UI versions the binary embeds: the tags must be the versions of
// go.temporal.io/server and github.com/temporalio/ui-server/v2 in go.mod, the
// deprecated auto-setup image must not come back, and the server must start
// only after Temporal's schema tool has run.
func TestComposeVersionsFollowGoMod(t *testing.T) {
	mod, err := os.ReadFile("../../go.mod")
	if err != nil {
		t.Fatal(err)
	}
	version := func(module string) string {
		m := regexp.MustCompile(`(?m)^\s*` + regexp.QuoteMeta(module) + `\s+v(\S+)`).FindSubmatch(mod)
		if m == nil {
			t.Fatalf("go.mod has no %s", module)
		}
		return string(m[1])
	}
	server, ui := version("go.temporal.io/server"), version("github.com/temporalio/ui-server/v2")

	b, err := os.ReadFile("../../docker-compose.yml")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Services map[string]struct {
			Image      string         `yaml:"image"`
			DependsOn  map[string]any `yaml:"depends_on"`
			Entrypoint []string       `yaml:"entrypoint"`
			Volumes    []string       `yaml:"volumes"`
		} `yaml:"services"`
	}
	// depends_on is a list on some services; decode loosely first.
	var loose struct {
		Services map[string]map[string]any `yaml:"services"`
	}
	if err := yaml.Unmarshal(b, &loose); err != nil {
		t.Fatal(err)
	}
	for name, s := range loose.Services {
		if _, ok := s["depends_on"].([]any); ok {
			delete(s, "depends_on")
			loose.Services[name] = s
		}
	}
	nb, _ := yaml.Marshal(loose)
	if err := yaml.Unmarshal(nb, &doc); err != nil {
		t.Fatal(err)
	}

	want := map[string]string{
		"temporal":        "temporalio/server:" + server,
		"temporal-schema": "temporalio/admin-tools:" + server,
		"temporal-ui":     "temporalio/ui:" + ui,
	}
	for svc, img := range want {
		if got := doc.Services[svc].Image; got != img {
			t.Errorf("service %s: image %q, want %q (from go.mod)", svc, got, img)
		}
	}
	for name, s := range doc.Services {
		if strings.Contains(s.Image, "auto-setup") {
			t.Errorf("service %s uses the deprecated auto-setup image %s", name, s.Image)
		}
	}
	dep, ok := doc.Services["temporal"].DependsOn["temporal-schema"].(map[string]any)
	if !ok || dep["condition"] != "service_completed_successfully" {
		t.Errorf("temporal must wait for temporal-schema to complete, got %v", doc.Services["temporal"].DependsOn)
	}
	// The schema service runs the repository's script, which must exist and
	// use Temporal's schema tool on both databases.
	script, err := os.ReadFile("../../scripts/temporal-schema.sh")
	if err != nil {
		t.Fatal(err)
	}
	mounted := strings.Join(doc.Services["temporal-schema"].Volumes, " ")
	if !strings.Contains(mounted, "./scripts/temporal-schema.sh:") {
		t.Errorf("temporal-schema does not mount scripts/temporal-schema.sh: %s", mounted)
	}
	for _, w := range []string{"temporal-sql-tool", "setup-schema", "update-schema", "temporal/versioned", "visibility/versioned"} {
		if !strings.Contains(string(script), w) {
			t.Errorf("scripts/temporal-schema.sh lacks %q", w)
		}
	}
}

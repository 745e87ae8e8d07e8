package main

import (
	"os"
	"path/filepath"
	"testing"
)

// TestStateDocsAreCurrent fails when docs/*-states.md differ from the state
// tables: run `go generate ./workflows/` and commit the docs.
func TestStateDocsAreCurrent(t *testing.T) {
	for name, want := range docs() {
		got, err := os.ReadFile(filepath.Join("..", "..", "docs", name))
		if err != nil {
			t.Fatalf("%s: %v (run go generate ./workflows/)", name, err)
		}
		if string(got) != want {
			t.Errorf("docs/%s is stale: run go generate ./workflows/ and commit it", name)
		}
	}
}

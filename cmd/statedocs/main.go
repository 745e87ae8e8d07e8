// Command statedocs writes docs/feedback-states.md and
// docs/application-states.md from the state tables in workflows
// (go generate ./workflows/). A test fails when a committed doc is stale.
package main

import (
	"flag"
	"log"
	"os"
	"path/filepath"
)

func main() {
	out := flag.String("out", "docs", "directory of the generated docs")
	flag.Parse()
	for name, body := range docs() {
		if err := os.WriteFile(filepath.Join(*out, name), []byte(body), 0o644); err != nil {
			log.Fatal(err)
		}
	}
}

package integration

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/caobang/congdanso/cmd/app/bench"
)

// soakPoint is the state of the soak's child at one moment: RSS, Go heap in
// use right after a forced GC (live memory), goroutines and the machine's
// load average, with the heap profile written at that moment.
type soakPoint struct {
	rssKB, heapInuse, goroutines int64
	load                         string
	profile                      string
}

// soakSnapshot fetches the child's heap profile (?gc=1, from the metrics
// listener) into dir/heap-<name>.pb.gz and reads RSS, heap in use and
// goroutines after it, so the figures and the profile describe the same
// collected heap.
func soakSnapshot(t *testing.T, metricsBase string, pid int, dir, name string) soakPoint {
	t.Helper()
	p := soakPoint{profile: filepath.Join(dir, "heap-"+name+".pb.gz")}
	resp, err := http.Get(metricsBase + "/debug/pprof/heap?gc=1")
	if err != nil {
		t.Errorf("heap profile %s: %v", name, err)
	} else {
		b, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil || resp.StatusCode != 200 {
			t.Errorf("heap profile %s: %d %v", name, resp.StatusCode, err)
		} else if err := os.WriteFile(p.profile, b, 0o644); err != nil {
			t.Errorf("heap profile %s: %v", name, err)
		}
	}
	p.rssKB = rssKB(pid)
	p.heapInuse = metric(metricsBase, "go_memstats_heap_inuse_bytes")
	p.goroutines = goroutines(metricsBase)
	p.load = bench.LoadAvg()
	return p
}

// soakArtifacts is the folder the soak keeps its heap profiles in
// (integration/artifacts/soak/, not committed), so they outlive the test.
func soakArtifacts(t *testing.T) string {
	t.Helper()
	dir := filepath.Join("artifacts", "soak")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// heapDiff is the top of `go tool pprof -top -diff_base warm end` on in-use
// space: what the heap gained between the two snapshots, by function.
func heapDiff(t *testing.T, warm, end string, lines int) string {
	t.Helper()
	bin := os.Getenv("CONGDANSO_BIN")
	args := []string{"tool", "pprof", "-top", "-sample_index=inuse_space", "-diff_base", warm}
	if bin != "" {
		args = append(args, bin) // symbols of the child's binary
	}
	out, err := exec.Command("go", append(args, end)...).CombinedOutput()
	if err != nil {
		return fmt.Sprintf("go tool pprof: %v: %s", err, out)
	}
	ls := strings.Split(string(out), "\n")
	if len(ls) > lines {
		ls = ls[:lines]
	}
	return strings.Join(ls, "\n")
}

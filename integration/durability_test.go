package integration

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"go.temporal.io/sdk/client"

	"github.com/caobang/congdanso/workflows"
)

// TestTimerSurvivesSIGKILL starts the real binary on the embedded Temporal
// server (SQLite file), starts a workflow waiting on a timer, SIGKILLs the
// process, starts it again and checks that the timer fires at its time.
func TestTimerSurvivesSIGKILL(t *testing.T) {
	dir := t.TempDir()
	tport, hport := freePort(t), freePort(t)
	httpAddr := fmt.Sprintf("127.0.0.1:%d", hport)
	logPath := filepath.Join(dir, "serve.log")
	dbName := fmt.Sprintf("cds_durability_%d", time.Now().UnixNano())
	env := []string{"DATABASE_URL=postgres://postgres@127.0.0.1:5432/" + dbName + "?sslmode=disable"}
	t.Cleanup(func() { dropDatabase(dbName) })
	p := startProc(t, logPath, env, httpAddr, "serve", "--data-dir", dir, "--http", httpAddr,
		"--temporal-port", fmt.Sprint(tport), "--temporal-ui-port", "0")

	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	tc, err := client.DialContext(ctx, client.Options{HostPort: fmt.Sprintf("127.0.0.1:%d", tport)})
	if err != nil {
		t.Fatal(err)
	}
	const wait = 8 * time.Second
	started := time.Now()
	run, err := tc.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: "durable-timer", TaskQueue: workflows.TaskQueue}, workflows.SleepWorkflowName, wait)
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(1500 * time.Millisecond)
	tc.Close()
	p.kill()
	t.Logf("killed with SIGKILL %.1fs after start", time.Since(started).Seconds())

	p.restart(logPath)
	tc2, err := client.DialContext(ctx, client.Options{HostPort: fmt.Sprintf("127.0.0.1:%d", tport)})
	if err != nil {
		t.Fatal(err)
	}
	defer tc2.Close()
	var woke time.Time
	if err := tc2.GetWorkflow(ctx, "durable-timer", run.GetRunID()).Get(ctx, &woke); err != nil {
		t.Fatalf("workflow after restart: %v", err)
	}
	elapsed := woke.Sub(started)
	t.Logf("timer fired %.2fs after start (wanted %s)", elapsed.Seconds(), wait)
	if elapsed < wait-time.Second || elapsed > wait+30*time.Second {
		t.Fatalf("timer fired after %s, want about %s", elapsed, wait)
	}
}

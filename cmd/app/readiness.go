package app

import (
	"context"
	"errors"
	"sync"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"

	"github.com/caobang/congdanso/workflows"
)

// ReadinessWorkflowID is the one Ping workflow /readyz queries. It is
// started once (again only after retention removed it), so probing adds no
// history.
const ReadinessWorkflowID = "congdanso-readyz-probe"

// WorkerProbe answers nil when a worker polling the task queue answers a
// query: only a worker can answer one, by replaying the workflow, so this
// proves the whole path a case takes (frontend, history, matching, worker).
// A success is kept for a few seconds so frequent probes cost nothing.
type WorkerProbe struct {
	Temporal client.Client
	Queue    string
	// OnFirst is called once, after the first success (serve logs it).
	OnFirst func()

	mu      sync.Mutex
	okUntil time.Time
	once    sync.Once
}

// Check is the /readyz check.
func (p *WorkerProbe) Check(ctx context.Context) error {
	p.mu.Lock()
	fresh := time.Now().Before(p.okUntil)
	p.mu.Unlock()
	if fresh {
		return nil
	}
	if err := p.ask(ctx); err != nil {
		return err
	}
	p.mu.Lock()
	p.okUntil = time.Now().Add(5 * time.Second)
	p.mu.Unlock()
	if p.OnFirst != nil {
		p.once.Do(p.OnFirst)
	}
	return nil
}

func (p *WorkerProbe) ask(ctx context.Context) error {
	_, err := p.Temporal.QueryWorkflow(ctx, ReadinessWorkflowID, "", "__stack_trace")
	var nf *serviceerror.NotFound
	if !errors.As(err, &nf) {
		return err
	}
	queue := p.Queue
	if queue == "" {
		queue = workflows.TaskQueue
	}
	run, err := p.Temporal.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: ReadinessWorkflowID, TaskQueue: queue,
		WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING}, workflows.PingWorkflowName, "readyz")
	if err != nil {
		return err
	}
	return run.Get(ctx, nil)
}

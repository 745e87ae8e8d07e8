package bench

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"go.temporal.io/sdk/client"

	"github.com/caobang/congdanso/workflows"
)

// BaselineC is baseline (c): a raw Temporal Update on a trivial workflow
// (workflows.BenchCounter) on the product's own worker and engine.
const BaselineC = "baseline_c_update"

// StaffSteps is the number of staff Updates the scenarios drive per case
// (feedback: accept, assign, start, draft_answer, approve_answer;
// applications: accept, forward, approve, issue_result, return_result).
const StaffSteps = 5

// RunBaselineC starts n BenchCounter workflows (not timed), then, like the
// staff phase, c workers each take a workflow and send it k "set" Updates
// one after the other, waiting for each result. The result counts Updates:
// N = n·k, PerSecond = Updates per second, latencies per Update. The
// workflows are closed afterwards (not timed).
func RunBaselineC(ctx context.Context, tc client.Client, taskQueue string, n, c, k int) Result {
	if k < 1 {
		k = 1
	}
	run := strconv.FormatInt(time.Now().UnixNano(), 36)
	ids := make([]string, n)
	setup := NewSeries(BaselineC + "_start")
	Parallel(ctx, n, c, func(ctx context.Context, i int) {
		id := fmt.Sprintf("bench-counter-%s-%d", run, i)
		if _, err := tc.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: id, TaskQueue: taskQueue}, workflows.BenchCounterWorkflowName); err != nil {
			setup.Fail(err)
			return
		}
		ids[i] = id
	})
	s := NewSeries(BaselineC)
	cpu0 := ReadCPU()
	el := Parallel(ctx, n, c, func(ctx context.Context, i int) {
		for j := 0; j < k; j++ {
			if ids[i] == "" {
				s.Fail(fmt.Errorf("workflow %d did not start", i))
				continue
			}
			t0 := time.Now()
			h, err := tc.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{WorkflowID: ids[i], UpdateName: workflows.BenchCounterUpdateSet,
				Args: []any{j + 1}, WaitForStage: client.WorkflowUpdateStageCompleted})
			var v int
			if err == nil {
				err = h.Get(ctx, &v)
			}
			if err == nil && v != j+1 {
				err = fmt.Errorf("update %d on %s returned %d", j+1, ids[i], v)
			}
			if err != nil {
				s.Fail(err)
				continue
			}
			s.Observe(time.Since(t0))
		}
	})
	used := ReadCPU().Since(cpu0)
	Parallel(context.WithoutCancel(ctx), n, c, func(ctx context.Context, i int) {
		if ids[i] == "" {
			return
		}
		if h, err := tc.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{WorkflowID: ids[i], UpdateName: workflows.BenchCounterUpdateClose,
			WaitForStage: client.WorkflowUpdateStageCompleted}); err == nil {
			_ = h.Get(ctx, nil)
		}
	})
	r := s.Result(el).WithCPU(used)
	r.Note = fmt.Sprintf("raw Update on a trivial workflow: %d workflows × %d sequential Updates at concurrency %d; per s = Updates/s", n, k, c)
	return r
}

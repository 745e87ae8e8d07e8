package workflows

import (
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
)

// BenchCounter is the benchmark's baseline (c): the cheapest workflow that
// takes Updates. Each "set" Update changes one field and returns it; a
// "close" Update ends the run. `congdanso bench` measures staff steps (one
// Update each) against it, on the same worker and engine.
const (
	BenchCounterWorkflowName = "BenchCounter"
	BenchCounterUpdateSet    = "set"
	BenchCounterUpdateClose  = "close"
)

// RegisterBenchCounter adds BenchCounter to a worker. Only `congdanso
// bench` calls it, on its own in-process worker: the product's workers
// (serve, worker) never run it.
func RegisterBenchCounter(w worker.Registry) {
	w.RegisterWorkflowWithOptions(BenchCounter, workflow.RegisterOptions{Name: BenchCounterWorkflowName})
}

// BenchCounter holds one field; "set" stores its argument and returns it.
// It returns the last value once "close" is received.
func BenchCounter(ctx workflow.Context) (int, error) {
	field, closed := 0, false
	if err := workflow.SetUpdateHandler(ctx, BenchCounterUpdateSet, func(ctx workflow.Context, v int) (int, error) {
		field = v
		return field, nil
	}); err != nil {
		return 0, err
	}
	if err := workflow.SetUpdateHandler(ctx, BenchCounterUpdateClose, func(ctx workflow.Context) (int, error) {
		closed = true
		return field, nil
	}); err != nil {
		return 0, err
	}
	if err := workflow.Await(ctx, func() bool { return closed }); err != nil {
		return 0, err
	}
	return field, nil
}

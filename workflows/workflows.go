// Package workflows holds the durable Temporal workflows: FeedbackCase,
// ServiceApplication, BillPayment and the system workflows. Workflow code is
// deterministic: workflow.Now, timers, workflow.Go and sorted keys only; all
// I/O goes through activities.
package workflows

import (
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/caobang/congdanso/activities"
)

// TaskQueue is the task queue every workflow and activity runs on.
const TaskQueue = "congdanso"

// registrars are added by each workflow file's init.
var registrars []func(w worker.Registry)

func register(f func(w worker.Registry)) { registrars = append(registrars, f) }

// Register registers every workflow under its pinned name, and every method of
// a as an activity, on w.
func Register(w worker.Registry, a *activities.Activities) {
	for _, f := range registrars {
		f(w)
	}
	w.RegisterActivityWithOptions(a, activity.RegisterOptions{SkipInvalidStructFunctions: true})
}

// Pinned workflow names: renaming a Go function must not orphan running cases.
const (
	PingWorkflowName  = "Ping"
	SleepWorkflowName = "Sleep"
)

func init() {
	register(func(w worker.Registry) {
		w.RegisterWorkflowWithOptions(Ping, workflow.RegisterOptions{Name: PingWorkflowName})
		w.RegisterWorkflowWithOptions(Sleep, workflow.RegisterOptions{Name: SleepWorkflowName})
	})
}

// Ping is the trivial workflow: it completes at once. /readyz's deep check and
// the benchmark's baseline (a) use it.
func Ping(ctx workflow.Context, msg string) (string, error) {
	return "pong:" + msg, nil
}

// Sleep waits on a durable timer for d, then returns the time it woke. The
// durability test kills the process while it waits.
func Sleep(ctx workflow.Context, d time.Duration) (time.Time, error) {
	if err := workflow.Sleep(ctx, d); err != nil {
		return time.Time{}, err
	}
	return workflow.Now(ctx), nil
}

// var a *activities.Activities lets workflows reference activity methods in a
// type-checked way without a live value (the reference-app pattern).
var acts *activities.Activities

// localOpts are the options for short local activities (calendar arithmetic,
// read-model writes): quick retries, bounded.
func localOpts(ctx workflow.Context) workflow.Context {
	return workflow.WithLocalActivityOptions(ctx, workflow.LocalActivityOptions{
		StartToCloseTimeout: 10 * time.Second,
	})
}

// localWriteOpts are the options of the short, idempotent read-model writes
// and lookups that workflows run as local activities: each try bounded to
// 10 s, retried with backoff for up to a day (retries longer than the local
// threshold go through a workflow timer). Non-retryable errors stop at once.
func localWriteOpts(ctx workflow.Context) workflow.Context {
	return workflow.WithLocalActivityOptions(ctx, workflow.LocalActivityOptions{
		StartToCloseTimeout:    10 * time.Second,
		ScheduleToCloseTimeout: 24 * time.Hour,
		RetryPolicy:            &temporal.RetryPolicy{InitialInterval: time.Second, MaximumInterval: time.Minute},
	})
}

// activityOpts are the options for regular activities: retried with backoff
// for as long as it takes (dependencies may be down), each try bounded.
func activityOpts(ctx workflow.Context) workflow.Context {
	return workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 30 * time.Second,
	})
}

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

// localOpts are the options of every local activity the workflows run:
// read-model writes, lookups and calendar arithmetic, each short and
// idempotent. Each try is bounded to 10 s and retried with backoff for up to
// a day (retries longer than the local threshold go through a workflow
// timer); non-retryable errors stop at once. Every one of them may need the
// database (a lookup, or the calendar once its cache expires), so none may
// give up while PostgreSQL restarts: a plan that failed after 10 s failed
// the whole case, and the submission's retry met a finished workflow
// (TestFeedbackIntakeOutlastsADatabaseOutage).
func localOpts(ctx workflow.Context) workflow.Context {
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

package workflows

import (
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"
)

// Notices from durable history (the case workflows' outbox).
//
// A local activity runs inside a workflow task and writes before the task is
// recorded. If the process dies before that task completes, the server runs
// the task again, and what happened in between (a timer that fired, another
// Update) can put the same transition at a different seq. A read-model write
// keyed by (workflow_id, seq) is then overwritten and corrects itself; a
// notice keyed by seq is not: the citizen keeps one from a task that never
// happened and gets the real one as well (the chaos test saw two
// "application.resolved" for one dossier).
//
// So from the "durable notices" versions on, every outbox enqueue (the
// citizen's notices and the staff's) is a regular activity. Its
// ActivityTaskScheduled event is part of the completed task, so a notice is
// enqueued exactly when its transition is in history, under the seq that
// history gives it; retries of the activity carry the same dedupe key. The
// Update that caused it does not wait for it (its answer is as fast as
// before), one coroutine sends the queue in order, and the workflow sends
// everything queued before it completes.
type outbox struct{ queue []outboxItem }

type outboxItem struct{ fn, arg any }

// start runs the sender. Call it once, in the workflow's first task.
func (o *outbox) start(ctx workflow.Context) {
	workflow.Go(ctx, func(ctx workflow.Context) {
		actx := outboxOpts(ctx)
		for {
			if err := workflow.Await(ctx, func() bool { return len(o.queue) > 0 }); err != nil {
				return
			}
			it := o.queue[0]
			if err := workflow.ExecuteActivity(actx, it.fn, it.arg).Get(ctx, nil); err != nil {
				workflow.GetLogger(ctx).Warn("notification not queued", "err", err)
			}
			o.queue = o.queue[1:]
		}
	})
}

// add queues one enqueue; the sender schedules it in this workflow task.
func (o *outbox) add(fn, arg any) { o.queue = append(o.queue, outboxItem{fn: fn, arg: arg}) }

// drain waits until everything queued has been enqueued; call it before the
// workflow completes (a closed workflow's activities never run).
func (o *outbox) drain(ctx workflow.Context) error {
	return workflow.Await(ctx, func() bool { return len(o.queue) == 0 })
}

// outboxOpts: each try bounded to 10 s, retried with backoff for up to a
// day, as the local writes were (localWriteOpts).
func outboxOpts(ctx workflow.Context) workflow.Context {
	return workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout:    10 * time.Second,
		ScheduleToCloseTimeout: 24 * time.Hour,
		RetryPolicy:            &temporal.RetryPolicy{InitialInterval: time.Second, MaximumInterval: time.Minute},
	})
}

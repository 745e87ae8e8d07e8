package workflows

import (
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/caobang/congdanso/activities"
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
//
// From the "notices in the answer" versions (feedback-local-writes and
// application-local-writes v3), the notices an Update's handler makes are
// held instead: the handler's answer carries them (FeedbackView.Notices,
// ApplicationView.Notices) and cases enqueues them, with the same dedupe
// keys, before it answers the request. The server hands an Update's answer
// out only once the workflow task that produced it is recorded, so the
// answer holds exactly the notices of transitions in history, as the
// scheduled activity did, without the activity's round trip and the extra
// workflow task that records its completion (BENCHMARKS.md, T6 and T7). A
// notice still held in a later workflow task (the API died with the answer
// in hand, or the Update failed) is enqueued there by a local activity: that
// task can only start after the one that held it was recorded. What is held
// when the workflow closes goes through the regular queue. Notices that no
// answer carries (timers, signals, a start without the submission's Update)
// go through the regular queue as in version 2.
type outbox struct {
	queue []outboxItem

	answers  bool         // version 3: hold the notices of Update handlers
	held     []heldNotice // in the order they were made
	waiting  int          // submission Updates waiting for the intake (feedback)
	flushing bool         // the safety net's local activity is running
}

type outboxItem struct{ fn, arg any }

// heldNotice is a notice and the history length of the workflow task that
// made it (workflow.GetInfo().GetCurrentHistoryLength, the same in replay).
type heldNotice struct {
	n  activities.Notice
	at int
}

type answeringKey struct{}

// answering marks ctx as an Update handler's, whose answer carries the
// notices made under it.
func answering(ctx workflow.Context) workflow.Context {
	return workflow.WithValue(ctx, answeringKey{}, true)
}

// send queues one enqueue: held for the answer when the outbox holds
// (version 3) and ctx is an Update handler's (or a submission waits for the
// intake), otherwise for the sender, which schedules it in this task.
func (o *outbox) send(ctx workflow.Context, fn, arg any) {
	if o.answers && (ctx.Value(answeringKey{}) != nil || o.waiting > 0) {
		if n, ok := activities.NoticeOf(arg); ok {
			o.held = append(o.held, heldNotice{n: n, at: workflow.GetInfo(ctx).GetCurrentHistoryLength()})
			return
		}
	}
	o.add(fn, arg)
}

// handOut is what an answer carries: every notice still held (an earlier
// answer's too: cases enqueues idempotently).
func (o *outbox) handOut() []activities.Notice {
	if len(o.held) == 0 {
		return nil
	}
	out := make([]activities.Notice, len(o.held))
	for i, h := range o.held {
		out[i] = h.n
	}
	return out
}

// hold turns on version 3 and starts the safety net: in each workflow task,
// the notices held by an earlier task are enqueued by one local activity.
// If that fails for good, they go to the regular queue.
func (o *outbox) hold(ctx workflow.Context) {
	o.answers = true
	workflow.Go(ctx, func(ctx workflow.Context) {
		lctx := localOpts(ctx)
		for {
			k := 0
			if err := workflow.Await(ctx, func() bool {
				k = o.due(workflow.GetInfo(ctx).GetCurrentHistoryLength())
				return k > 0
			}); err != nil {
				return
			}
			batch := make([]activities.Notice, k)
			for i := range batch {
				batch[i] = o.held[i].n
			}
			o.held = o.held[k:]
			o.flushing = true
			if err := workflow.ExecuteLocalActivity(lctx, acts.EnqueueNotices, batch).Get(ctx, nil); err != nil {
				workflow.GetLogger(ctx).Warn("held notices not queued; sending them as an activity", "err", err)
				o.add(acts.EnqueueNotices, batch)
			}
			o.flushing = false
		}
	})
}

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

// due counts the held notices made before the task at history length now
// (they are a prefix: held is in the order made).
func (o *outbox) due(now int) int {
	k := 0
	for k < len(o.held) && o.held[k].at < now {
		k++
	}
	return k
}

// drain waits until everything queued has been enqueued; call it before the
// workflow completes (a closed workflow's activities never run). Notices
// still held go to the queue as one enqueue.
func (o *outbox) drain(ctx workflow.Context) error {
	if len(o.held) > 0 {
		o.add(acts.EnqueueNotices, o.handOut())
		o.held = nil
	}
	return workflow.Await(ctx, func() bool { return len(o.queue) == 0 && !o.flushing })
}

// outboxOpts: each try bounded to 10 s, retried with backoff for up to a
// day, as the local activities are (localOpts).
func outboxOpts(ctx workflow.Context) workflow.Context {
	return workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout:    10 * time.Second,
		ScheduleToCloseTimeout: 24 * time.Hour,
		RetryPolicy:            &temporal.RetryPolicy{InitialInterval: time.Second, MaximumInterval: time.Minute},
	})
}

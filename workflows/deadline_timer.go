package workflows

import (
	"time"

	"go.temporal.io/sdk/workflow"
)

// deadlineTimer is a case's one timer for its next deadline, kept across
// the steps that do not move that deadline.
//
// Before the keep-timer versions (feedback-local-writes v5,
// application-local-writes v5) the deadline loop waited with
// workflow.AwaitWithTimeout: every step woke it, and the next wait started
// a new timer. The old one was not cancelled (the SDK cancels it only under
// SDKFlagCancelAwaitTimerOnCondition, off by default in sdk v1.50): it
// stayed pending in the case's mutable state and fired for nothing at its
// deadline, waking the workflow once more. So every staff step added a
// TimerStarted event, a timer task and a pending timer. Now a step that
// leaves the next deadline where it was (assign, start, draft_answer on a
// feedback case) starts no timer, and one that moves it (almost every
// dossier step: each step has its own deadline) cancels the old one and
// starts another. BENCHMARKS.md, T11.
type deadlineTimer struct {
	at     time.Time
	f      workflow.Future // nil: no timer running
	cancel workflow.CancelFunc
}

// wait blocks until changed() or the deadline at (zero: none) passes. It
// reports true when changed() came first: the caller recomputes the
// deadlines and waits again, and a timer for the same instant is kept. It
// reports false when the deadline is due (at once if it is past).
func (t *deadlineTimer) wait(ctx workflow.Context, at time.Time, changed func() bool) (bool, error) {
	if t.f != nil && !t.at.Equal(at) {
		t.cancel()
		t.f = nil
	}
	if at.IsZero() {
		return true, workflow.Await(ctx, changed)
	}
	if t.f == nil {
		d := at.Sub(workflow.Now(ctx))
		if d <= 0 {
			return false, nil
		}
		tctx, cancel := workflow.WithCancel(ctx)
		t.f, t.cancel, t.at = workflow.NewTimer(tctx, d), cancel, at
	}
	if err := workflow.Await(ctx, func() bool { return changed() || t.f.IsReady() }); err != nil {
		return false, err
	}
	if changed() {
		return true, nil // a fired timer stays ready for the next wait on the same instant
	}
	err := t.f.Get(ctx, nil)
	t.f = nil
	return false, err
}

// awaitDeadline is the wait before the keep-timer versions: a new timer at
// every wait, left pending when changed() comes first (see deadlineTimer).
// It reports as deadlineTimer.wait does.
func awaitDeadline(ctx workflow.Context, at time.Time, changed func() bool) (bool, error) {
	if at.IsZero() {
		return true, workflow.Await(ctx, changed)
	}
	if d := at.Sub(workflow.Now(ctx)); d > 0 {
		return workflow.AwaitWithTimeout(ctx, d, changed)
	}
	return false, nil
}

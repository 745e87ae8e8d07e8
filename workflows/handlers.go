package workflows

import "go.temporal.io/sdk/workflow"

// One concurrency model for the case workflows (FeedbackCase and
// ServiceApplication), as the Temporal docs recommend for message handlers
// that run activities: every Update handler, signal reader and deadline step
// runs its transition under one workflow.Mutex and validates again once it
// holds it (the Update validator ran against the state before the lock, and
// an earlier handler may have changed it while this one waited), and the
// workflow waits for workflow.AllHandlersFinished before it completes, so no
// accepted Update is cut off.

// serial runs the transitions of one case one at a time.
type serial struct{ mu workflow.Mutex }

func newSerial(ctx workflow.Context) serial { return serial{mu: workflow.NewMutex(ctx)} }

// do runs f holding the case's mutex. Activities inside f yield, but no other
// transition starts before f returns.
func (s serial) do(ctx workflow.Context, f func() error) error {
	if err := s.mu.Lock(ctx); err != nil {
		return err
	}
	defer s.mu.Unlock()
	return f()
}

// drainHandlers waits until every running Update and signal handler has
// returned; call it before the workflow completes or continues as new.
func drainHandlers(ctx workflow.Context) error {
	return workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) })
}

// fbHandlerLockChange moves FeedbackCase from its pending counter (handlers
// could interleave at their activities, and a transfer that waited on its
// deadline lookup could land after a concurrent step) to serial. Cases
// started before it keep the counter on replay.
const (
	fbHandlerLockChange = "feedback-handler-lock"
	fbHandlerLock       = workflow.Version(1)
)

// serially runs one feedback transition: under the mutex from fbHandlerLock
// on, directly in cases started before.
func (w *feedbackCase) serially(ctx workflow.Context, f func() error) error {
	if w.lockV < fbHandlerLock {
		return f()
	}
	return w.ser.do(ctx, f)
}

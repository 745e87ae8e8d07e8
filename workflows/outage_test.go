package workflows

import (
	"testing"
	"time"

	"go.temporal.io/sdk/temporal"
)

// TestFeedbackIntakeOutlastsADatabaseOutage: PostgreSQL restarts while a
// report is filed, so the intake plan (a routing lookup in the database)
// fails until it is back, here 5 minutes. The case must wait for it and go
// on; it must never fail, or the citizen's retry meets a finished workflow
// and gets 500 for good (TestPostgresRestartUnderLoad saw this).
//
// The failure carries its next retry delay, so the test needs no real time:
// the retry is a workflow timer on the test clock.
func TestFeedbackIntakeOutlastsADatabaseOutage(t *testing.T) {
	// The test environment measures a local activity's deadline against the
	// real clock, so a retried one needs a start in the future.
	start := time.Now().In(vn).Add(time.Hour).Truncate(time.Hour)
	h := newFB(t, start)
	h.planFails = func(try int) error {
		if try == 1 {
			return temporal.NewApplicationErrorWithOptions("failed to connect to `host=127.0.0.1`: connection refused", "DatabaseDown",
				temporal.ApplicationErrorOptions{NextRetryDelay: 5 * time.Minute})
		}
		return nil
	}
	h.at(10*time.Minute, FBActAccept, FeedbackAction{Actor: officer})
	h.at(20*time.Minute, FBActWithdraw, FeedbackAction{Actor: citizen})
	h.run(input(false))
	h.wantOK()
	if h.planTries != 2 {
		t.Fatalf("the plan ran %d times, want 2 (one failure, one retry)", h.planTries)
	}
	if got := h.statuses(); got != "submitted,routed,accepted,withdrawn" {
		t.Fatal(got)
	}
	if at := h.event("route").At; at.Before(start.Add(5 * time.Minute)) {
		t.Fatalf("routed at %s, before the database was back", at)
	}
}

package workflows

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	cds "github.com/caobang/congdanso"
	"github.com/caobang/congdanso/activities"
)

func newDeliveryEnv() *testsuite.TestWorkflowEnvironment {
	var s testsuite.WorkflowTestSuite
	env := s.NewTestWorkflowEnvironment()
	env.SetStartTime(time.Date(2026, 5, 23, 22, 30, 0, 0, cds.VietnamTZ))
	env.RegisterWorkflowWithOptions(DeliverNotification, workflowOpts(DeliverNotificationName))
	env.RegisterActivityWithOptions(&activities.Activities{}, activity.RegisterOptions{SkipInvalidStructFunctions: true})
	return env
}

func TestDeliverNotificationSends(t *testing.T) {
	env := newDeliveryEnv()
	env.OnActivity(acts.Deliver, mock.Anything, int64(7)).Return(nil).Once()
	env.ExecuteWorkflow(DeliverNotification, DeliveryInput{ID: 7})
	if err := env.GetWorkflowError(); err != nil {
		t.Fatal(err)
	}
	env.AssertExpectations(t)
}

// Quiet hours: nothing is sent before NotBefore (06:00 the next morning).
func TestDeliverNotificationWaitsForQuietHours(t *testing.T) {
	env := newDeliveryEnv()
	wake := time.Date(2026, 5, 24, 6, 0, 0, 0, cds.VietnamTZ)
	var sentAt time.Time
	env.OnActivity(acts.Deliver, mock.Anything, int64(8)).Run(func(mock.Arguments) { sentAt = env.Now() }).Return(nil).Once()
	env.ExecuteWorkflow(DeliverNotification, DeliveryInput{ID: 8, NotBefore: wake})
	if err := env.GetWorkflowError(); err != nil {
		t.Fatal(err)
	}
	if sentAt.Before(wake) {
		t.Fatalf("sent at %s, before the end of quiet hours %s", sentAt, wake)
	}
}

// A provider down for good: retried with backoff, then given up with the
// last error as the reason, within the bounded time.
func TestDeliverNotificationGivesUp(t *testing.T) {
	env := newDeliveryEnv()
	tries := 0
	env.OnActivity(acts.Deliver, mock.Anything, int64(9)).Run(func(mock.Arguments) { tries++ }).
		Return(temporal.NewApplicationError("zns: status 503", "DeliveryTransient"))
	var reason string
	env.OnActivity(acts.GiveUpDelivery, mock.Anything, int64(9), mock.Anything).Run(func(a mock.Arguments) { reason = a.String(2) }).Return(nil).Once()
	start := env.Now()
	env.ExecuteWorkflow(DeliverNotification, DeliveryInput{ID: 9})
	if err := env.GetWorkflowError(); err != nil {
		t.Fatal(err)
	}
	if tries < 5 || reason != "zns: status 503" {
		t.Fatalf("tries %d, reason %q", tries, reason)
	}
	if d := env.Now().Sub(start); d > DeliveryGiveUp+DeliveryMaxBackoff {
		t.Fatalf("gave up after %s, bound is %s", d, DeliveryGiveUp)
	}
}

// TestDeliverNotificationReplay replays recorded delivery histories
// (recorded by the integration test with CONGDANSO_RECORD_HISTORY=1).
func TestDeliverNotificationReplay(t *testing.T) {
	files, err := filepath.Glob("testdata/delivery_*.json")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 1 {
		t.Fatalf("want the recorded delivery histories in testdata, found %v", files)
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			r := worker.NewWorkflowReplayer()
			r.RegisterWorkflowWithOptions(DeliverNotification, workflow.RegisterOptions{Name: DeliverNotificationName})
			if err := r.ReplayWorkflowHistoryFromJSONFile(nil, f); err != nil {
				t.Fatal(err)
			}
		})
	}
}

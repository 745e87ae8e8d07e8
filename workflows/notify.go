package workflows

import (
	"context"
	"errors"
	"time"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/caobang/congdanso/activities"
)

// DeliverNotificationName is the pinned name of the delivery workflow.
const DeliverNotificationName = "DeliverNotification"

// Delivery retry policy: the first retry after 10 s, doubling up to 10 min
// between tries, and giving up 24 h after the first try (a message about a
// step is stale after a day; the inbox keeps it anyway).
const (
	DeliveryFirstRetry = 10 * time.Second
	DeliveryMaxBackoff = 10 * time.Minute
	DeliveryGiveUp     = 24 * time.Hour
)

// DeliveryInput is one delivery row to send, not before NotBefore (quiet hours).
type DeliveryInput struct {
	ID        int64     `json:"id"`
	NotBefore time.Time `json:"not_before,omitempty"`
}

func init() {
	register(func(w worker.Registry) {
		w.RegisterWorkflowWithOptions(DeliverNotification, workflow.RegisterOptions{Name: DeliverNotificationName})
	})
}

// DeliverNotification sends one notification on one channel. It is a
// workflow (not a loop in the drainer) so that the wait for quiet hours is a
// durable timer and retries survive restarts: the Deliver activity retries
// with exponential backoff until DeliveryGiveUp, then the delivery is marked
// failed with the last error. Its workflow ID is the delivery's dedupe key
// (step + channel) and the ID may not be reused, so one step reaches one
// channel once.
func DeliverNotification(ctx workflow.Context, in DeliveryInput) error {
	if d := in.NotBefore.Sub(workflow.Now(ctx)); !in.NotBefore.IsZero() && d > 0 {
		if err := workflow.Sleep(ctx, d); err != nil {
			return err
		}
	}
	actx := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout:    30 * time.Second,
		ScheduleToCloseTimeout: DeliveryGiveUp,
		RetryPolicy: &temporal.RetryPolicy{InitialInterval: DeliveryFirstRetry, BackoffCoefficient: 2,
			MaximumInterval: DeliveryMaxBackoff},
	})
	err := workflow.ExecuteActivity(actx, acts.Deliver, in.ID).Get(ctx, nil)
	if err == nil {
		return nil
	}
	reason := err.Error()
	var appErr *temporal.ApplicationError
	if errors.As(err, &appErr) {
		reason = appErr.Message()
	}
	return workflow.ExecuteActivity(activityOpts(ctx), acts.GiveUpDelivery, in.ID, reason).Get(ctx, nil)
}

// StartDelivery starts the delivery workflow of one row (activities.ChannelSet.StartDelivery).
func StartDelivery(ctx context.Context, c client.Client, id int64, key string, notBefore time.Time) error {
	in := DeliveryInput{ID: id}
	if notBefore.After(time.Now()) {
		in.NotBefore = notBefore
	}
	_, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID: activities.DeliveryWorkflowID(key), TaskQueue: TaskQueue,
		WorkflowIDReusePolicy:                    activities.DeliveryReuse,
		WorkflowExecutionErrorWhenAlreadyStarted: true,
	}, DeliverNotificationName, in)
	return err
}

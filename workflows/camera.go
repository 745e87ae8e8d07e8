package workflows

import (
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/caobang/congdanso/activities"
)

// Camera health check: a Temporal Schedule (created in cmd/app/content.go)
// starts this workflow every few minutes; it runs one activity.
const (
	CameraHealthWorkflowName = "CameraHealthCheck"
	CameraHealthScheduleID   = "camera-health-check"
	CameraHealthInterval     = 5 * time.Minute
)

func init() {
	register(func(w worker.Registry) {
		w.RegisterWorkflowWithOptions(CameraHealthCheck, workflow.RegisterOptions{Name: CameraHealthWorkflowName})
	})
}

// CameraHealthCheck probes every camera once. Each probe has its own bounded
// timeout inside the activity; the activity as a whole is bounded too and
// retried only twice, since the next scheduled run comes soon anyway.
func CameraHealthCheck(ctx workflow.Context, in activities.CheckCamerasInput) (activities.CheckCamerasResult, error) {
	ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 2 * time.Minute,
		RetryPolicy:         &temporal.RetryPolicy{MaximumAttempts: 3, InitialInterval: 5 * time.Second},
	})
	var res activities.CheckCamerasResult
	err := workflow.ExecuteActivity(ctx, acts.CheckCameras, in).Get(ctx, &res)
	return res, err
}

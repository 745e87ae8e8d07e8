package workflows

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/testsuite"

	"github.com/caobang/congdanso/activities"
)

func TestCameraHealthCheckRunsTheActivity(t *testing.T) {
	var s testsuite.WorkflowTestSuite
	env := s.NewTestWorkflowEnvironment()
	env.RegisterActivity(acts.CheckCameras)
	env.OnActivity(acts.CheckCameras, mock.Anything, activities.CheckCamerasInput{Parallel: 2}).
		Return(activities.CheckCamerasResult{Checked: 2, Online: 1, Offline: 1}, nil).Once()
	env.ExecuteWorkflow(CameraHealthCheck, activities.CheckCamerasInput{Parallel: 2})
	if !env.IsWorkflowCompleted() || env.GetWorkflowError() != nil {
		t.Fatalf("workflow: %v", env.GetWorkflowError())
	}
	var res activities.CheckCamerasResult
	if err := env.GetWorkflowResult(&res); err != nil || res.Offline != 1 || res.Checked != 2 {
		t.Fatalf("result %+v, %v", res, err)
	}
	env.AssertExpectations(t)
}

func TestCameraHealthCheckGivesUpAfterBoundedRetries(t *testing.T) {
	var s testsuite.WorkflowTestSuite
	env := s.NewTestWorkflowEnvironment()
	env.RegisterActivity(acts.CheckCameras)
	calls := 0
	env.OnActivity(acts.CheckCameras, mock.Anything, mock.Anything).Return(
		func(context.Context, activities.CheckCamerasInput) (activities.CheckCamerasResult, error) {
			calls++
			return activities.CheckCamerasResult{}, errors.New("database down")
		})
	env.ExecuteWorkflow(CameraHealthCheck, activities.CheckCamerasInput{})
	if env.GetWorkflowError() == nil {
		t.Fatal("want an error after the retries")
	}
	if calls != 3 {
		t.Fatalf("activity tried %d times, want 3", calls)
	}
}

package workflows

import (
	"context"
	"errors"
	"testing"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/testsuite"
)

func TestCaseExportRetriesTheBuildThenMarksFailed(t *testing.T) {
	for _, c := range []struct {
		name       string
		failFirst  int // attempts that fail before one succeeds
		wantFailed bool
	}{{"crash then done", 2, false}, {"every attempt fails", 99, true}} {
		t.Run(c.name, func(t *testing.T) {
			var s testsuite.WorkflowTestSuite
			env := s.NewTestWorkflowEnvironment()
			builds, failed := 0, ""
			env.RegisterActivityWithOptions(func(ctx context.Context, in CaseExportInput) error {
				builds++
				if builds <= c.failFirst {
					return errors.New("worker lost")
				}
				return nil
			}, activity.RegisterOptions{Name: BuildCaseExportActivity})
			env.RegisterActivityWithOptions(func(ctx context.Context, id string) error {
				failed = id
				return nil
			}, activity.RegisterOptions{Name: FailCaseExportActivity})
			env.ExecuteWorkflow(CaseExport, CaseExportInput{ID: "job-1", Format: "csv"})
			if !env.IsWorkflowCompleted() {
				t.Fatal("not completed")
			}
			err := env.GetWorkflowError()
			if c.wantFailed {
				if err == nil || failed != "job-1" || builds != 5 {
					t.Fatalf("err %v, failed %q, builds %d (want 5 attempts then failed)", err, failed, builds)
				}
				return
			}
			if err != nil || failed != "" || builds != 3 {
				t.Fatalf("err %v, failed %q, builds %d", err, failed, builds)
			}
		})
	}
}

package workflows

import (
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
)

// Pinned names of the case-list export (workflow and activities, which live
// in the operations layer, cases.Exporter, and are registered by name).
const (
	CaseExportWorkflowName  = "CaseExport"
	BuildCaseExportActivity = "BuildCaseExport"
	FailCaseExportActivity  = "FailCaseExport"
)

// CaseExportWorkflowID is the ID of the export job id.
func CaseExportWorkflowID(id string) string { return "case-export/" + id }

// CaseExportInput is one export job (report_exports row ID and its filters).
type CaseExportInput struct {
	ID     string    `json:"id"`
	Format string    `json:"format"` // csv or xlsx
	From   time.Time `json:"from"`
	To     time.Time `json:"to"`
	Agency string    `json:"agency"` // "" : the whole province
}

func init() {
	register(func(w worker.Registry) {
		w.RegisterWorkflowWithOptions(CaseExport, workflow.RegisterOptions{Name: CaseExportWorkflowName})
	})
}

// CaseExport builds a long case-list export durably: one activity streams
// the cases into a file and stores it in the blob store. It heartbeats, so
// when its process dies (SIGKILL, a lost node) the server notices within
// the heartbeat timeout and retries it on a live worker, which builds the
// file again from the start (a partial file is never stored). When every
// attempt fails the job is marked failed.
func CaseExport(ctx workflow.Context, in CaseExportInput) error {
	build := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 2 * time.Hour,
		HeartbeatTimeout:    20 * time.Second,
		RetryPolicy:         &temporal.RetryPolicy{InitialInterval: time.Second, MaximumInterval: time.Minute, MaximumAttempts: 5},
	})
	err := workflow.ExecuteActivity(build, BuildCaseExportActivity, in).Get(ctx, nil)
	if err == nil {
		return nil
	}
	short := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 10 * time.Second,
		RetryPolicy:         &temporal.RetryPolicy{MaximumInterval: time.Minute},
	})
	if ferr := workflow.ExecuteActivity(short, FailCaseExportActivity, in.ID).Get(ctx, nil); ferr != nil {
		return ferr
	}
	return err
}

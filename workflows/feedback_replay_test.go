package workflows

import (
	"path/filepath"
	"testing"

	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
)

// TestFeedbackReplay replays every recorded FeedbackCase history (recorded
// from real runs by the integration tests with CONGDANSO_RECORD_HISTORY=1).
// A failure means a change broke determinism: guard it with
// workflow.GetVersion; never re-record to make this pass.
func TestFeedbackReplay(t *testing.T) {
	files, err := filepath.Glob("testdata/feedback_*.json")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 2 {
		t.Fatalf("want at least 2 recorded histories, found %v", files)
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			r := worker.NewWorkflowReplayer()
			r.RegisterWorkflowWithOptions(FeedbackCase, workflow.RegisterOptions{Name: FeedbackWorkflowName})
			if err := r.ReplayWorkflowHistoryFromJSONFile(nil, f); err != nil {
				t.Fatalf("replay %s: %v", f, err)
			}
		})
	}
}

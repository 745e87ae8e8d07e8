package workflows

import (
	"path/filepath"
	"testing"

	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
)

// TestApplicationReplay replays every recorded ServiceApplication history
// (recorded from real runs by the integration tests with
// CDS_RECORD_HISTORY=1). A failure means a change to the workflow code is not
// deterministic for running dossiers: guard it with workflow.GetVersion
// instead of re-recording.
func TestApplicationReplay(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "application_*.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 2 {
		t.Fatalf("want recorded histories in testdata, found %v", files)
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			r := worker.NewWorkflowReplayer()
			r.RegisterWorkflowWithOptions(ServiceApplication, workflow.RegisterOptions{Name: ApplicationWorkflowName})
			if err := r.ReplayWorkflowHistoryFromJSONFile(nil, f); err != nil {
				t.Fatalf("replay %s: %v", f, err)
			}
		})
	}
}

package workflows

import (
	"path/filepath"
	"testing"

	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
)

// TestBillPaymentReplay replays the recorded BillPayment histories in
// testdata/ (recorded from the integration tests with
// CDS_RECORD_PAYMENT_HISTORY=…/workflows/testdata). A failure means a code
// change broke determinism for running payments: guard it with
// workflow.GetVersion, never re-record.
func TestBillPaymentReplay(t *testing.T) {
	files, err := filepath.Glob("testdata/payment_*.json")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 3 {
		t.Fatalf("want the recorded payment histories in testdata, found %v", files)
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			r := worker.NewWorkflowReplayer()
			r.RegisterWorkflowWithOptions(BillPayment, workflow.RegisterOptions{Name: BillPaymentWorkflowName})
			if err := r.ReplayWorkflowHistoryFromJSONFile(nil, f); err != nil {
				t.Fatal(err)
			}
		})
	}
}

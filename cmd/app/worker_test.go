package app

import "testing"

// TestWorkerOptions: 0 pollers means the server scales them, for workflow
// and activity tasks alike; a count fixes both kinds and sets no behaviour
// (the SDK refuses a worker that has both).
func TestWorkerOptions(t *testing.T) {
	auto := workerOptions(0)
	if auto.WorkflowTaskPollerBehavior == nil || auto.ActivityTaskPollerBehavior == nil {
		t.Fatalf("0: no autoscaling behaviour: %+v", auto)
	}
	if auto.MaxConcurrentWorkflowTaskPollers != 0 || auto.MaxConcurrentActivityTaskPollers != 0 {
		t.Fatalf("0: fixed counts set beside the behaviour: %+v", auto)
	}
	fixed := workerOptions(6)
	if fixed.MaxConcurrentWorkflowTaskPollers != 6 || fixed.MaxConcurrentActivityTaskPollers != 6 {
		t.Fatalf("6: %+v", fixed)
	}
	if fixed.WorkflowTaskPollerBehavior != nil || fixed.ActivityTaskPollerBehavior != nil {
		t.Fatalf("6: a behaviour beside the fixed counts: %+v", fixed)
	}
}

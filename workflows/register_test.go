package workflows

import (
	"testing"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/caobang/congdanso/activities"
)

// names records the workflow names a Register call adds.
type names struct {
	worker.Registry
	got map[string]bool
}

func (n names) RegisterWorkflowWithOptions(_ interface{}, o workflow.RegisterOptions) {
	n.got[o.Name] = true
}
func (n names) RegisterActivityWithOptions(interface{}, activity.RegisterOptions) {}

// The product worker runs the product's workflows and not the benchmark's
// baseline; the list is written by hand from the case, payment and
// notification designs in ARCHITECTURE.md.
func TestRegisterRunsTheProductNotTheBenchmark(t *testing.T) {
	n := names{got: map[string]bool{}}
	Register(n, &activities.Activities{})
	for _, want := range []string{"FeedbackCase", "ServiceApplication", "BillPayment", "Ping"} {
		if !n.got[want] {
			t.Errorf("Register does not add %s (has %v)", want, n.got)
		}
	}
	if n.got[BenchCounterWorkflowName] {
		t.Errorf("the product worker registers %s, the benchmark's baseline", BenchCounterWorkflowName)
	}
}

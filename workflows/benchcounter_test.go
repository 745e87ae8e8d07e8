package workflows

import (
	"testing"
	"time"

	"go.temporal.io/sdk/testsuite"
)

type counterCB struct {
	t   *testing.T
	got *[]int
}

func (c counterCB) Accept()          {}
func (c counterCB) Reject(err error) { c.t.Errorf("update rejected: %v", err) }
func (c counterCB) Complete(v any, err error) {
	if err != nil {
		c.t.Errorf("update failed: %v", err)
		return
	}
	*c.got = append(*c.got, v.(int))
}

// Baseline (c)'s workflow: each "set" returns the value it stored, "close"
// ends the run with the last value.
func TestBenchCounter(t *testing.T) {
	var s testsuite.WorkflowTestSuite
	env := s.NewTestWorkflowEnvironment()
	var got []int
	for i, v := range []int{7, 3, 11} {
		v := v
		env.RegisterDelayedCallback(func() {
			env.UpdateWorkflow(BenchCounterUpdateSet, "", counterCB{t: t, got: &got}, v)
		}, time.Duration(i+1)*time.Second)
	}
	env.RegisterDelayedCallback(func() {
		env.UpdateWorkflow(BenchCounterUpdateClose, "", counterCB{t: t, got: &got})
	}, 10*time.Second)
	env.ExecuteWorkflow(BenchCounter)
	if !env.IsWorkflowCompleted() || env.GetWorkflowError() != nil {
		t.Fatalf("completed %v err %v", env.IsWorkflowCompleted(), env.GetWorkflowError())
	}
	var last int
	if err := env.GetWorkflowResult(&last); err != nil || last != 11 {
		t.Fatalf("result %d %v", last, err)
	}
	if len(got) != 4 || got[0] != 7 || got[1] != 3 || got[2] != 11 || got[3] != 11 {
		t.Fatalf("update results %v, want [7 3 11 11]", got)
	}
}

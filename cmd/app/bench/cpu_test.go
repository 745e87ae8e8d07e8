package bench

import (
	"testing"
	"time"
)

// A /proc/stat as proc(5) documents it; busy = user + nice + system + irq +
// softirq = 1000 + 20 + 300 + 7 + 13 = 1340 ticks = 13.4 s at USER_HZ 100.
const procStat = `cpu  1000 20 300 50000 400 7 13 90 5 0
cpu0 500 10 150 25000 200 3 6 45 2 0
cpu1 500 10 150 25000 200 4 7 45 3 0
intr 123456
ctxt 789
`

func TestMachineBusy(t *testing.T) {
	got, ok := machineBusy(procStat)
	if !ok || got != 13400*time.Millisecond {
		t.Fatalf("machineBusy = %v, %v; want 13.4s, true", got, ok)
	}
	if _, ok := machineBusy("cpu0 1 2 3 4 5 6 7 8\n"); ok {
		t.Error("a /proc/stat without the aggregate cpu line must not read as zero")
	}
	if _, ok := machineBusy("cpu  1 2 x 4 5 6 7 8\n"); ok {
		t.Error("a malformed field must not read as zero")
	}
}

func TestReadCPUMoves(t *testing.T) {
	a := ReadCPU()
	if !a.ok {
		t.Skip("no getrusage or /proc/stat here")
	}
	x := 0
	for t0 := time.Now(); time.Since(t0) < 50*time.Millisecond; {
		x++
	}
	d := ReadCPU().Since(a)
	if !d.ok || d.Proc <= 0 {
		t.Fatalf("50 ms of spinning used %v of this process's CPU (%d loops)", d.Proc, x)
	}
}

func TestWithCPUAndCostRatios(t *testing.T) {
	used := CPU{Proc: 300 * time.Millisecond, Machine: 600 * time.Millisecond, ok: true}
	// 12 ops, 2 of them failed: 10 successful ones share the phase's CPU.
	r := Result{Name: "feedback_submit", N: 12, Errors: 2}.WithCPU(used)
	if r.CPUMSPerOp != 30 || r.MachineCPUMSPerOp != 60 {
		t.Fatalf("per op = %v / %v ms, want 30 / 60", r.CPUMSPerOp, r.MachineCPUMSPerOp)
	}
	if r := (Result{N: 3}).WithCPU(CPU{}); r.CPUMSPerOp != 0 {
		t.Error("an unreadable CPU sample must leave the figure out")
	}
	if r := (Result{N: 2, Errors: 2}).WithCPU(used); r.CPUMSPerOp != 0 {
		t.Error("no successful op: no per-op figure")
	}
	var rep Report
	rep.Add(Result{Name: BaselineA, MachineCPUMSPerOp: 4})
	rep.Add(Result{Name: BaselineC, MachineCPUMSPerOp: 2})
	rep.Add(r)
	for _, st := range ScenarioSteps("feedback") { // 5 steps: 15 ms per case = 3 ms per step
		rep.Add(Result{Name: "feedback_" + st, MachineCPUMSPerOp: 15})
	}
	rep.CostRatios("feedback")
	if got := rep.CPUCost["feedback_intake/baseline_a"]; got != 15 {
		t.Errorf("intake cost = %v, want 60/4 = 15", got)
	}
	if got := rep.CPUCost["feedback_step/baseline_c"]; got != 1.5 {
		t.Errorf("step cost = %v, want (15/5)/2 = 1.5", got)
	}
}

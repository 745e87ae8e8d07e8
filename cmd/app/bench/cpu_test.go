package bench

import (
	"os"
	"path/filepath"
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

// Lines written out from proc(5)'s field list. A postgres backend: utime 120,
// stime 30, cutime 0, cstime 0. The postmaster, with reaped children: utime 5,
// stime 2, cutime 400, cstime 100. A process whose name holds a space and a
// parenthesis, which must not be taken for postgres. Total for postgres:
// 150 + 507 = 657 ticks = 6.57 s.
var procStats = map[string]string{
	"101":  "101 (postgres) S 100 101 101 0 -1 4194304 500 0 0 0 120 30 0 0 20 0 1 0 1000 200000000 3000 18446744073709551615 0 0 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0\n",
	"100":  "100 (postgres) S 1 100 100 0 -1 4194560 900 0 0 0 5 2 400 100 20 0 1 0 900 220000000 4000 18446744073709551615 0 0 0 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0\n",
	"200":  "200 (congdanso) R 1 200 200 0 -1 4194304 900 0 0 0 9000 900 0 0 20 0 30 0 950 2000000000 90000 18446744073709551615 0 0 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0\n",
	"300":  "300 (x) (postgres) S 1 300 300 0 -1 4194304 10 0 0 0 7777 7777 0 0 20 0 1 0 999 1000 10 18446744073709551615 0 0 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0\n",
	"self": "not a pid directory\n",
}

func writeProc(t *testing.T, stats map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for pid, line := range stats {
		if err := os.MkdirAll(filepath.Join(dir, pid), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, pid, "stat"), []byte(line), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestPGCPU(t *testing.T) {
	got, ok := pgCPU(writeProc(t, procStats))
	if !ok || got != 6570*time.Millisecond {
		t.Fatalf("pgCPU = %v, %v; want 6.57s, true", got, ok)
	}
	if _, ok := pgCPU(writeProc(t, map[string]string{"200": procStats["200"]})); ok {
		t.Error("no postgres process (the database on another host) must leave the figure out, not read as zero")
	}
	short := map[string]string{"101": "101 (postgres) S 100 101 101\n"}
	if _, ok := pgCPU(writeProc(t, short)); ok {
		t.Error("a truncated stat line must not read as zero")
	}
}

func TestPGCPUPerOp(t *testing.T) {
	start := CPU{ok: true, PG: 2 * time.Second, pgOK: true}
	end := CPU{Proc: time.Second, Machine: 3 * time.Second, ok: true, PG: 2500 * time.Millisecond, pgOK: true}
	if r := (Result{N: 10}).WithCPU(end.Since(start)); r.PGCPUMSPerOp != 50 {
		t.Errorf("postgres per op = %v ms, want 500/10 = 50", r.PGCPUMSPerOp)
	}
	if r := (Result{N: 10}).WithCPU(end.Since(CPU{ok: true})); r.PGCPUMSPerOp != 0 {
		t.Error("a start sample without postgres must leave the figure out")
	}
	sum := end.Since(start).Plus(end.Since(start))
	if r := (Result{N: 10}).WithCPU(sum); r.PGCPUMSPerOp != 100 {
		t.Errorf("two phases' postgres per op = %v ms, want 1000/10 = 100", r.PGCPUMSPerOp)
	}
}

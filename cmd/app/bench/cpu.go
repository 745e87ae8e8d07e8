package bench

import (
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// CPU is CPU time consumed so far: by this process (the bench client and,
// on the embedded engines, the API, the worker and the Temporal server), and
// by the whole machine (everything above plus PostgreSQL and, on the
// external engine, the Temporal server's own process).
//
// Throughput moves with the machine's speed and its other load; CPU seconds
// per operation move much less, so they compare runs made on different days.
type CPU struct {
	Proc    time.Duration
	Machine time.Duration
	ok      bool
	// PG is the CPU time of this machine's PostgreSQL processes (pgCPU),
	// set when pgOK: a database on another host is not seen.
	PG   time.Duration
	pgOK bool
}

// clockTick is USER_HZ, the unit of /proc/stat. It is 100 on every Linux
// architecture Go supports (the kernel's ABI; sysconf(_SC_CLK_TCK)).
const clockTick = 100

// ReadCPU samples getrusage(RUSAGE_SELF) and /proc/stat. ok is false when
// either is unreadable (not Linux), and then no CPU figure is reported.
func ReadCPU() CPU {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return CPU{}
	}
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return CPU{}
	}
	m, ok := machineBusy(string(b))
	if !ok {
		return CPU{}
	}
	proc := time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	pg, pgOK := pgCPU("/proc")
	return CPU{Proc: proc, Machine: m, ok: true, PG: pg, pgOK: pgOK}
}

// machineBusy reads the aggregate "cpu" line of /proc/stat: user, nice,
// system, idle, iowait, irq, softirq, steal, guest, guest_nice (proc(5)).
// Busy time is user + nice + system + irq + softirq. Idle and iowait are not
// work; steal is time the hypervisor gave to another guest; guest time is
// already counted in user.
func machineBusy(stat string) (time.Duration, bool) {
	for _, line := range strings.Split(stat, "\n") {
		f := strings.Fields(line)
		if len(f) < 8 || f[0] != "cpu" {
			continue
		}
		var busy int64
		for _, i := range []int{1, 2, 3, 6, 7} {
			v, err := strconv.ParseInt(f[i], 10, 64)
			if err != nil {
				return 0, false
			}
			busy += v
		}
		return time.Duration(busy) * time.Second / clockTick, true
	}
	return 0, false
}

// Since is the CPU time consumed between start and c.
func (c CPU) Since(start CPU) CPU {
	if !c.ok || !start.ok {
		return CPU{}
	}
	d := CPU{Proc: c.Proc - start.Proc, Machine: c.Machine - start.Machine, ok: true}
	if c.pgOK && start.pgOK && c.PG >= start.PG {
		d.PG, d.pgOK = c.PG-start.PG, true
	}
	return d
}

// Plus adds the CPU time of two phases.
func (c CPU) Plus(d CPU) CPU {
	if !c.ok || !d.ok {
		return CPU{}
	}
	sum := CPU{Proc: c.Proc + d.Proc, Machine: c.Machine + d.Machine, ok: true}
	if c.pgOK && d.pgOK {
		sum.PG, sum.pgOK = c.PG+d.PG, true
	}
	return sum
}

// WithCPU records used, the CPU time of the phase r measured, as
// milliseconds per unit that r's per s counts: its successful operations.
// Where a phase measures several series (the staff steps), each series gets
// the whole phase's figure, as each gets the phase's per s.
func (r Result) WithCPU(used CPU) Result {
	ops := r.N - int(r.Errors)
	if !used.ok || ops <= 0 {
		return r
	}
	r.CPUMSPerOp = round(float64(used.Proc)/float64(time.Millisecond)/float64(ops), 3)
	r.MachineCPUMSPerOp = round(float64(used.Machine)/float64(time.Millisecond)/float64(ops), 3)
	if used.pgOK {
		r.PGCPUMSPerOp = round(float64(used.PG)/float64(time.Millisecond)/float64(ops), 3)
	}
	return r
}

// CostRatios records in CPUCost, for scenario prefix, the machine CPU of
// one submit against one start of (a) ("<prefix>_intake/baseline_a"), and
// of one staff step against one Update of (c) ("<prefix>_step/baseline_c"):
// a step series counts cases through the staff phase, k steps each, so its
// figure divided by k is one step's.
func (r *Report) CostRatios(prefix string) {
	cost := func(key string, ours, base float64) {
		if ours <= 0 || base <= 0 {
			return
		}
		if r.CPUCost == nil {
			r.CPUCost = map[string]float64{}
		}
		r.CPUCost[key] = round(ours/base, 3)
	}
	if x, ok := r.Find(prefix + "_submit"); ok {
		if a, ok := r.Find(BaselineA); ok {
			cost(prefix+"_intake/baseline_a", x.MachineCPUMSPerOp, a.MachineCPUMSPerOp)
		}
	}
	steps := ScenarioSteps(prefix)
	c, ok := r.Find(BaselineC)
	if !ok || len(steps) == 0 {
		return
	}
	if x, ok := r.Find(prefix + "_" + steps[0]); ok {
		cost(prefix+"_step/baseline_c", x.MachineCPUMSPerOp/float64(len(steps)), c.MachineCPUMSPerOp)
	}
}

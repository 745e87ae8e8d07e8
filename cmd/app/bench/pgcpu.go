package bench

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// pgCPU is the CPU time used so far by this machine's PostgreSQL: every
// process whose name is "postgres" (the postmaster and its backends and
// helpers), with the time of the children each has reaped. A backend that
// exits during a phase moves its time into the postmaster's reaped-children
// figure, so the sum runs on without a jump. ok is false when no such
// process is readable: the database is on another host, or this is not
// Linux. The figure names where a step's machine CPU goes (BENCHMARKS.md
// T13): the read model's writes run in PostgreSQL, not in this process.
func pgCPU(proc string) (time.Duration, bool) {
	dirs, err := os.ReadDir(proc)
	if err != nil {
		return 0, false
	}
	var ticks int64
	found := false
	for _, d := range dirs {
		if _, err := strconv.Atoi(d.Name()); err != nil {
			continue
		}
		b, err := os.ReadFile(filepath.Join(proc, d.Name(), "stat"))
		if err != nil {
			continue // the process ended between the listing and the read
		}
		if t, ok := postgresTicks(string(b)); ok {
			ticks += t
			found = true
		}
	}
	return time.Duration(ticks) * time.Second / clockTick, found
}

// postgresTicks reads one /proc/<pid>/stat line (proc(5)). When the
// process's name (field 2, in parentheses, which may hold spaces) is
// "postgres", it returns utime + stime + cutime + cstime (fields 14–17),
// in clock ticks.
func postgresTicks(stat string) (int64, bool) {
	open, end := strings.IndexByte(stat, '('), strings.LastIndexByte(stat, ')')
	if open < 0 || end < open || stat[open+1:end] != "postgres" {
		return 0, false
	}
	f := strings.Fields(stat[end+1:]) // f[0] is field 3, the state
	if len(f) < 15 {
		return 0, false
	}
	var sum int64
	for _, i := range []int{11, 12, 13, 14} { // fields 14, 15, 16, 17
		v, err := strconv.ParseInt(f[i], 10, 64)
		if err != nil || v < 0 {
			return 0, false
		}
		sum += v
	}
	return sum, true
}

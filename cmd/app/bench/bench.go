// Package bench is the `congdanso bench` harness: it measures the product's
// scenarios over HTTP and, in the same run on the same Temporal engine and
// PostgreSQL, two baselines — (a) a trivial workflow start+complete and (b) a
// plain pgx insert of an equivalent row — and reports the ratios.
package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"text/tabwriter"
	"time"
)

// Names of the baseline series.
const (
	BaselineA = "baseline_a_trivial_workflow"
	BaselineB = "baseline_b_pgx_insert"
)

// IntakeTarget is the intake target: submit throughput >= 0.70 x (a).
const IntakeTarget = 0.70

// logOut receives the first errors of each series.
var logOut io.Writer = os.Stderr

// Result is one measured series.
type Result struct {
	Name      string             `json:"name"`
	N         int                `json:"n"`
	Errors    int64              `json:"errors"`
	Seconds   float64            `json:"seconds"`
	PerSecond float64            `json:"per_second"`
	LatencyMS map[string]float64 `json:"latency_ms,omitempty"` // p50, p95, p99, max
	Note      string             `json:"note,omitempty"`
	// CPUMSPerOp and MachineCPUMSPerOp are the phase's CPU milliseconds
	// per unit of PerSecond: this process's, and the whole machine's
	// (cpu.go). PGCPUMSPerOp is the part of the machine's figure this
	// machine's PostgreSQL used (pgcpu.go); absent when it runs elsewhere.
	CPUMSPerOp        float64 `json:"cpu_ms_per_op,omitempty"`
	MachineCPUMSPerOp float64 `json:"machine_cpu_ms_per_op,omitempty"`
	PGCPUMSPerOp      float64 `json:"pg_cpu_ms_per_op,omitempty"`
}

// Report is the whole run, written as JSON for diffing between commits.
type Report struct {
	Engine      string             `json:"engine"`
	Machine     string             `json:"machine"`
	StartedAt   time.Time          `json:"started_at"`
	Concurrency int                `json:"concurrency"`
	Results     []Result           `json:"results"`
	Ratios      map[string]float64 `json:"ratios"`
	PeakRSSMB   float64            `json:"peak_rss_mb"`
	// LoadAvg is /proc/loadavg (1, 5, 15 min) at the start and the end:
	// the machine is shared, so every number comes with its load.
	LoadStart string `json:"load_start,omitempty"`
	LoadEnd   string `json:"load_end,omitempty"`
	// Targets is each issue-11 target with the measured value and pass/FAIL.
	Targets map[string]string `json:"targets,omitempty"`
	// CPUCost is machine CPU per unit of ours ÷ machine CPU per unit of the
	// baseline: lower is cheaper, 1 is the baseline's cost (CostRatios).
	CPUCost map[string]float64 `json:"cpu_cost,omitempty"`
	// Resident is scenario resident's table (issue 22 part B, resident_report.go).
	Resident []ResidentRow `json:"resident,omitempty"`
}

// LoadAvg returns the first three fields of /proc/loadavg.
func LoadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return ""
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return ""
	}
	return strings.Join(f[:3], " ")
}

// CheckTargets evaluates the targets for scenario prefix (e.g. "feedback"):
// intake >= 70% of (a); every staff step >= 80% of (c)'s throughput with a
// p99 <= 1.5 x (c)'s p99 (see StepTargets); lifecycle >= 70% of the model
// built from (a) and (c); p99 submit < 150 ms at the fixed rate; p99 queue
// visibility < 1 s.
func (r *Report) CheckTargets(prefix string) {
	if r.Targets == nil {
		r.Targets = map[string]string{}
	}
	if v, ok := r.Ratios[prefix+"_intake/baseline_a"]; ok {
		r.Targets[prefix+" intake >= 0.70 x (a)"] = fmt.Sprintf("%.2f %s", v, verdict(v >= IntakeTarget))
	}
	r.StepTargets(prefix)
	r.CostRatios(prefix)
	for _, x := range r.Results {
		if strings.HasPrefix(x.Name, prefix+"_submit_at_") && x.LatencyMS != nil {
			r.Targets[prefix+" p99 submit < 150 ms at fixed rate"] = fmt.Sprintf("%.0f ms %s", x.LatencyMS["p99"], verdict(x.Errors == 0 && x.LatencyMS["p99"] < 150))
		}
	}
	if x, ok := r.Find(prefix + "_queue_visible"); ok && x.LatencyMS != nil {
		r.Targets[prefix+" queue visible p99 < 1 s"] = fmt.Sprintf("%.0f ms %s", x.LatencyMS["p99"], verdict(x.Errors == 0 && x.LatencyMS["p99"] < 1000))
	}
}

func verdict(ok bool) string {
	if ok {
		return "pass"
	}
	return "FAIL"
}

// Add appends a result.
func (r *Report) Add(res Result) { r.Results = append(r.Results, res) }

// Find returns the named result.
func (r *Report) Find(name string) (Result, bool) {
	for _, x := range r.Results {
		if x.Name == name {
			return x, true
		}
	}
	return Result{}, false
}

// Ratio records ours/base throughput as key.
func (r *Report) Ratio(key, ours, base string) {
	a, ok1 := r.Find(ours)
	b, ok2 := r.Find(base)
	if !ok1 || !ok2 || b.PerSecond == 0 {
		return
	}
	if r.Ratios == nil {
		r.Ratios = map[string]float64{}
	}
	r.Ratios[key] = round(a.PerSecond/b.PerSecond, 3)
}

// Run executes op n times at concurrency c and measures each call.
func Run(ctx context.Context, name string, n, c int, op func(ctx context.Context, i int) error) Result {
	lat := make([]time.Duration, n)
	var errs int64
	var next int64 = -1
	var wg sync.WaitGroup
	cpu0 := ReadCPU()
	start := time.Now()
	for w := 0; w < c; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(atomic.AddInt64(&next, 1))
				if i >= n || ctx.Err() != nil {
					return
				}
				t0 := time.Now()
				if err := op(ctx, i); err != nil {
					if atomic.AddInt64(&errs, 1) <= 3 {
						fmt.Fprintf(os.Stderr, "bench %s: %v\n", name, err)
					}
				}
				lat[i] = time.Since(t0)
			}
		}()
	}
	wg.Wait()
	el := time.Since(start)
	r := Result{Name: name, N: n, Errors: errs, Seconds: round(el.Seconds(), 3),
		PerSecond: round(float64(n)/el.Seconds(), 2), LatencyMS: Percentiles(lat)}
	return r.WithCPU(ReadCPU().Since(cpu0))
}

// Percentiles returns p50/p95/p99/max in milliseconds.
func Percentiles(d []time.Duration) map[string]float64 {
	if len(d) == 0 {
		return nil
	}
	s := append([]time.Duration(nil), d...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	p := func(q float64) float64 {
		i := int(math.Ceil(q*float64(len(s)))) - 1
		if i < 0 {
			i = 0
		}
		return round(float64(s[i].Microseconds())/1000, 2)
	}
	return map[string]float64{"p50": p(0.50), "p95": p(0.95), "p99": p(0.99), "max": p(1)}
}

func round(f float64, places int) float64 {
	m := math.Pow(10, float64(places))
	return math.Round(f*m) / m
}

// PeakRSSMB reads the process's peak resident set (VmHWM) from /proc.
func PeakRSSMB() float64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "VmHWM:") {
			f := strings.Fields(line)
			if len(f) >= 2 {
				kb, _ := strconv.ParseFloat(f[1], 64)
				return round(kb/1024, 1)
			}
		}
	}
	return 0
}

// WriteTable prints the report as an aligned table.
func (r *Report) WriteTable(w io.Writer) {
	fmt.Fprintf(w, "engine: %s   machine: %s   concurrency: %d   peak RSS: %.0f MB   load: %s -> %s\n", r.Engine, r.Machine, r.Concurrency, r.PeakRSSMB, r.LoadStart, r.LoadEnd)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "series\tn\terrors\tper s\tp50 ms\tp95 ms\tp99 ms\tmax ms\tcpu ms/op\tmachine cpu ms/op\tpostgres cpu ms/op\t")
	for _, x := range r.Results {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%.1f\t%.1f\t%.1f\t%.1f\t%.1f\t%.2f\t%.2f\t%.2f\t\n", x.Name, x.N, x.Errors, x.PerSecond,
			x.LatencyMS["p50"], x.LatencyMS["p95"], x.LatencyMS["p99"], x.LatencyMS["max"], x.CPUMSPerOp, x.MachineCPUMSPerOp, x.PGCPUMSPerOp)
	}
	tw.Flush()
	writeSorted(w, r.Ratios, func(k string, v float64) string { return fmt.Sprintf("ratio %s = %.3f", k, v) })
	writeSorted(w, r.CPUCost, func(k string, v float64) string { return fmt.Sprintf("machine CPU cost %s = %.3f", k, v) })
	writeSorted(w, r.Targets, func(k, v string) string { return fmt.Sprintf("target %s: %s", k, v) })
}

// writeSorted prints one line per entry of m, in key order.
func writeSorted[V any](w io.Writer, m map[string]V, line func(k string, v V) string) {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Fprintln(w, line(k, m[k]))
	}
}

// WriteJSON writes the report to path.
func (r *Report) WriteJSON(path string) error {
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(b, '\n'), 0o644)
}

package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"
)

// KneeMS is the latency whose crossing by p99 marks the knee of a load curve.
const KneeMS = 150

// SweepPoint is one offered arrival rate of one series.
type SweepPoint struct {
	Offered  float64 `json:"offered_per_s"`
	Achieved float64 `json:"achieved_per_s"`
	N        int     `json:"n"`
	Errors   int64   `json:"errors"`
	P50      float64 `json:"p50_ms"`
	P95      float64 `json:"p95_ms"`
	P99      float64 `json:"p99_ms"`
	Max      float64 `json:"max_ms"`
}

// SweepSeries is one operation measured at every rate.
type SweepSeries struct {
	Name   string       `json:"name"`
	Points []SweepPoint `json:"points"`
	// Knee is the offered rate where p99 crosses KneeMS (see Knee).
	Knee string `json:"knee"`
}

// Sweep is a load curve: open-loop arrivals at increasing rates.
type Sweep struct {
	Engine    string        `json:"engine"`
	Machine   string        `json:"machine"`
	StartedAt time.Time     `json:"started_at"`
	Seconds   float64       `json:"seconds_per_rate"`
	LoadStart string        `json:"load_start,omitempty"`
	LoadEnd   string        `json:"load_end,omitempty"`
	Series    []SweepSeries `json:"series"`
}

// ParseRates reads "10,20,40" into rates (each > 0).
func ParseRates(s string) ([]float64, error) {
	var out []float64
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		v, err := strconv.ParseFloat(f, 64)
		if err != nil || v <= 0 {
			return nil, fmt.Errorf("sweep rate %q: want a positive number", f)
		}
		out = append(out, v)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("sweep: no rates")
	}
	return out, nil
}

func point(offered float64, r Result) SweepPoint {
	return SweepPoint{Offered: offered, Achieved: r.PerSecond, N: r.N, Errors: r.Errors,
		P50: r.LatencyMS["p50"], P95: r.LatencyMS["p95"], P99: r.LatencyMS["p99"], Max: r.LatencyMS["max"]}
}

// FeedbackSweep measures, at each offered rate, open-loop feedback submits
// for `seconds` (n = rate·seconds), then — once those cases are in the
// agency's queue — open-loop `accept` staff steps on them at the same rate.
// Errors are counted per point, never fatal.
func FeedbackSweep(ctx context.Context, t *Target, sw *Sweep, rates []float64, seconds float64) error {
	if len(t.Citizens) == 0 || t.Officer == "" {
		return fmt.Errorf("sweep: citizens and an officer are required")
	}
	run := strconv.FormatInt(time.Now().UnixNano(), 36)
	submit := SweepSeries{Name: "feedback_submit"}
	accept := SweepSeries{Name: "feedback_accept"}
	base := 0
	for _, rate := range rates {
		n := int(math.Round(rate * seconds))
		if n < 1 {
			n = 1
		}
		codes := make([]string, n)
		s := NewSeries(fmt.Sprintf("sweep_submit_at_%g", rate))
		el := OpenLoop(ctx, n, rate, func(ctx context.Context, i int) {
			t0 := time.Now()
			code, err := t.submitFeedback(ctx, base+i, run+"-s-"+strconv.Itoa(base+i))
			if err != nil {
				s.Fail(err)
				return
			}
			s.Observe(time.Since(t0))
			codes[i] = code
		})
		base += n
		submit.Points = append(submit.Points, point(rate, s.Result(el)))
		// The staff step needs the case in the queue (routed).
		if t.QueueVisible != nil {
			Parallel(ctx, n, 4, func(ctx context.Context, i int) {
				if codes[i] == "" {
					return
				}
				if _, err := WaitVisible(ctx, time.Now(), 60*time.Second, func(ctx context.Context) (bool, error) {
					return t.QueueVisible(ctx, FeedbackAgency, codes[i])
				}); err != nil {
					codes[i] = ""
				}
			})
		}
		a := NewSeries(fmt.Sprintf("sweep_accept_at_%g", rate))
		el = OpenLoop(ctx, n, rate, func(ctx context.Context, i int) {
			if codes[i] == "" {
				a.Fail(fmt.Errorf("case %d was not filed or not routed", i))
				return
			}
			t0 := time.Now()
			var out struct {
				Status string `json:"status"`
			}
			if err := t.Call(ctx, http.MethodPost, "/api/v1/feedback/"+codes[i]+"/actions/accept", t.Officer, map[string]any{}, http.StatusOK, &out); err != nil {
				a.Fail(err)
				return
			}
			a.Observe(time.Since(t0))
		})
		accept.Points = append(accept.Points, point(rate, a.Result(el)))
		if ctx.Err() != nil {
			return ctx.Err()
		}
	}
	for _, x := range []*SweepSeries{&submit, &accept} {
		x.Knee = KneeText(x.Points, KneeMS)
	}
	sw.Series = append(sw.Series, submit, accept)
	return nil
}

// Knee returns the offered rate at which p99 first reaches limitMS, linearly
// interpolated between the last point below and the first at or above it.
// below is true when the first point is already at or above the limit (the
// knee is at or below the lowest rate); ok is false when no point reaches
// it. A point with errors counts as crossing.
func Knee(pts []SweepPoint, limitMS float64) (rate float64, ok, below bool) {
	for i, p := range pts {
		if p.P99 < limitMS && p.Errors == 0 {
			continue
		}
		if i == 0 {
			return p.Offered, true, true
		}
		q := pts[i-1]
		if p.Errors > 0 || p.P99 == q.P99 {
			return p.Offered, true, false
		}
		f := (limitMS - q.P99) / (p.P99 - q.P99)
		return round(q.Offered+f*(p.Offered-q.Offered), 1), true, false
	}
	return 0, false, false
}

// KneeText is Knee for people: "≈ 47.5/s", "≤ 10/s" or "> 100/s (not reached)".
func KneeText(pts []SweepPoint, limitMS float64) string {
	r, ok, below := Knee(pts, limitMS)
	switch {
	case len(pts) == 0:
		return "no data"
	case !ok:
		return fmt.Sprintf("> %g/s (not reached)", pts[len(pts)-1].Offered)
	case below:
		return fmt.Sprintf("≤ %g/s", r)
	}
	return fmt.Sprintf("≈ %g/s", r)
}

// WriteTable prints the sweep as an aligned table.
func (sw *Sweep) WriteTable(w io.Writer) {
	fmt.Fprintf(w, "sweep engine: %s   machine: %s   %gs per rate   load: %s -> %s\n", sw.Engine, sw.Machine, sw.Seconds, sw.LoadStart, sw.LoadEnd)
	for _, s := range sw.Series {
		fmt.Fprintf(w, "%s (knee, p99 crosses %d ms: %s)\n", s.Name, KneeMS, s.Knee)
		fmt.Fprintf(w, "  %8s %8s %6s %6s %8s %8s %8s %8s\n", "offered", "achieved", "n", "errors", "p50 ms", "p95 ms", "p99 ms", "max ms")
		for _, p := range s.Points {
			fmt.Fprintf(w, "  %8.0f %8.1f %6d %6d %8.1f %8.1f %8.1f %8.1f\n", p.Offered, p.Achieved, p.N, p.Errors, p.P50, p.P95, p.P99, p.Max)
		}
	}
}

// WriteJSON writes the sweep to path.
func (sw *Sweep) WriteJSON(path string) error {
	b, err := json.MarshalIndent(sw, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(b, '\n'), 0o644)
}

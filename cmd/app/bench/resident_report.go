package bench

import (
	"fmt"
	"io"
	"text/tabwriter"
)

// ResidentRow is one step of the resident scenario: what serve holds and
// how it behaves with Open cases open.
type ResidentRow struct {
	Open        int     `json:"open"`
	RSSMB       float64 `json:"rss_mb"`               // serve's VmRSS after filing
	RSSAfterMB  float64 `json:"rss_after_restart_mb"` // after the restart and 30 s of requests
	StoreMB     float64 `json:"temporal_store_mb"`    // SQLite files, or Temporal's two PostgreSQL databases
	AppDBMB     float64 `json:"app_db_mb"`
	InboxP99    float64 `json:"inbox_p99_ms"`
	CountsP99   float64 `json:"inbox_counts_p99_ms"`
	ReadyMS     float64 `json:"restart_to_ready_ms"`
	AfterP99MS  float64 `json:"after_ready_p99_ms"`
	AfterMaxMS  float64 `json:"after_ready_max_ms"`
	AfterErrors int64   `json:"after_ready_errors"`
	// WindowRate is the open-loop arrival rate of the window (0: closed
	// loop); the two maxima split it at 5 s after ready.
	WindowRate        float64 `json:"after_ready_rate"`
	AfterFirst5sMaxMS float64 `json:"after_ready_first_5s_max_ms"`
	AfterRestMaxMS    float64 `json:"after_ready_after_5s_max_ms"`
	TimerP50          float64 `json:"timer_lateness_p50_ms"`
	TimerP99          float64 `json:"timer_lateness_p99_ms"`
	Load              string  `json:"load"`
}

// CheckResident records the issue-22 targets of every step: no request
// slower than 1 s in the 30 s after ready, inbox p99 < 50 ms, timer
// lateness p99 < 2 s, and RSS growing less than linearly with the cases.
func (r *Report) CheckResident() {
	if r.Targets == nil {
		r.Targets = map[string]string{}
	}
	verdict := func(ok bool) string {
		if ok {
			return "pass"
		}
		return "FAIL"
	}
	for _, x := range r.Resident {
		p := fmt.Sprintf("resident %6d open: ", x.Open)
		mode := "closed loop"
		if x.WindowRate > 0 {
			mode = fmt.Sprintf("%g/s open loop", x.WindowRate)
		}
		r.Targets[p+"slowest request in 30 s after ready < 1 s ("+mode+")"] = fmt.Sprintf("%.0f ms (%d errors) %s", x.AfterMaxMS, x.AfterErrors, verdict(x.AfterErrors == 0 && x.AfterMaxMS > 0 && x.AfterMaxMS < 1000))
		r.Targets[p+"inbox p99 < 50 ms"] = fmt.Sprintf("%.1f ms %s", x.InboxP99, verdict(x.InboxP99 > 0 && x.InboxP99 < 50))
		r.Targets[p+"inbox counts p99 < 50 ms"] = fmt.Sprintf("%.1f ms %s", x.CountsP99, verdict(x.CountsP99 > 0 && x.CountsP99 < 50))
		if x.TimerP99 != 0 {
			r.Targets[p+"timer lateness p99 < 2 s"] = fmt.Sprintf("%.0f ms %s", x.TimerP99, verdict(x.TimerP99 > 0 && x.TimerP99 < 2000))
		}
	}
	if n := len(r.Resident); n >= 2 {
		a, b := r.Resident[0], r.Resident[n-1]
		growth, cases := b.RSSMB/a.RSSMB, float64(b.Open)/float64(a.Open)
		r.Targets[fmt.Sprintf("resident RSS grows sub-linearly (%d -> %d open)", a.Open, b.Open)] =
			fmt.Sprintf("x%.2f RSS for x%.2f cases %s", growth, cases, verdict(a.RSSMB > 0 && growth < cases))
	}
}

// WriteResident prints the resident rows as a table.
func (r *Report) WriteResident(w io.Writer) {
	if len(r.Resident) == 0 {
		return
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "open\tRSS MB\tRSS after restart\tstore MB\tapp DB MB\tinbox p99\tcounts p99\trestart→ready ms\tafter-ready p99\tafter-ready max\tfirst 5 s max\tafter 5 s max\trate/s\terrors\ttimer p50 ms\ttimer p99 ms\tload\t")
	for _, x := range r.Resident {
		fmt.Fprintf(tw, "%d\t%.0f\t%.0f\t%.0f\t%.0f\t%.1f\t%.1f\t%.0f\t%.0f\t%.0f\t%.0f\t%.0f\t%g\t%d\t%.0f\t%.0f\t%s\t\n", x.Open, x.RSSMB, x.RSSAfterMB, x.StoreMB, x.AppDBMB,
			x.InboxP99, x.CountsP99, x.ReadyMS, x.AfterP99MS, x.AfterMaxMS, x.AfterFirst5sMaxMS, x.AfterRestMaxMS, x.WindowRate, x.AfterErrors, x.TimerP50, x.TimerP99, x.Load)
	}
	tw.Flush()
}

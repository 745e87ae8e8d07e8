package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/caobang/congdanso/cmd/app/bench"
)

// provinceOpts are the flags of the province-scale scenarios (issue 22 part B).
type provinceOpts struct {
	open        *string
	timers      *int
	timerSpan   *time.Duration
	window      *time.Duration
	windowRate  *float64
	units       *int
	reportCases *int
	keep        *bool
}

func provinceFlags(fs *flag.FlagSet) *provinceOpts {
	return &provinceOpts{
		open:        fs.String("open", "50000", "scenario resident: open cases to reach, or growing steps (10000,25000,50000)"),
		timers:      fs.Int("timers", 1000, "scenario resident: reports whose deadlines fall in the same minute, per step (0: skip)"),
		timerSpan:   fs.Duration("timer-span", time.Minute, "scenario resident: the --timers reports arrive open-loop over this span, so their deadlines fall within it (0: as fast as --c clients file them)"),
		window:      fs.Duration("window", 30*time.Second, "scenario resident: measured window of requests after the restart"),
		windowRate:  fs.Float64("window-rate", 20, "scenario resident: requests per second arriving open-loop in the window after the restart (0: --c clients, closed loop, the server at capacity)"),
		units:       fs.Int("report-units", 100, "scenario reports: units besides the 56 communes in the Phụ lục I workbook"),
		reportCases: fs.Int("report-cases", 1000000, "scenario reports: cases in the read model for Biểu 06"),
		keep:        fs.Bool("keep", false, "scenario resident: keep the databases, serve's data directory and its logs afterwards (printed at the end), to read a case's history"),
	}
}

// run runs scenario resident or reports when asked for (done = true).
func (p *provinceOpts) run(ctx context.Context, scenario, engine, adminDSN string, conc, shards int, out string, rep *bench.Report, logger *slog.Logger) (bool, error) {
	var err error
	switch scenario {
	case "resident":
		steps, perr := parseSteps(*p.open)
		if perr != nil {
			return true, perr
		}
		if *p.timerSpan < 0 {
			return true, fmt.Errorf("--timer-span %s: must not be negative", *p.timerSpan)
		}
		err = runResident(ctx, residentOpts{Engine: engine, AdminDSN: adminDSN, Steps: steps, Conc: conc, Shards: shards,
			Timers: *p.timers, TimerSpan: *p.timerSpan, Keep: *p.keep, Window: *p.window, WindowRate: *p.windowRate, Checkpoint: func(rows []bench.ResidentRow) {
				rep.Resident = rows
				rep.CheckResident()
				rep.LoadEnd = bench.LoadAvg()
				_ = rep.WriteJSON(out)
			}}, rep, logger)
	case "reports":
		rep.Engine = "postgres (read model only)"
		err = runReportsBench(ctx, adminDSN, *p.units, *p.reportCases, rep, logger)
	default:
		return false, nil
	}
	rep.PeakRSSMB = bench.PeakRSSMB()
	rep.LoadEnd = bench.LoadAvg()
	rep.WriteTable(os.Stdout)
	rep.WriteResident(os.Stdout)
	if werr := rep.WriteJSON(out); werr != nil && err == nil {
		err = werr
	}
	fmt.Println("written", out)
	return true, err
}

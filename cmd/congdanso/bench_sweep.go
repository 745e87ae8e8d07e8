package main

import (
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/caobang/congdanso/cmd/app/bench"
)

// runSweep is `congdanso bench --sweep r1,r2,...`: the load curve of the
// feedback submit and of one staff step (accept), written as JSON and SVG
// next to out (<out without .json>-sweep.json / -sweep.svg).
func runSweep(ctx context.Context, be *benchEnv, rep *bench.Report, rates string, seconds float64, out string) error {
	rs, err := bench.ParseRates(rates)
	if err != nil {
		return err
	}
	t, err := be.actors(ctx, bench.FeedbackAgency, func(code string) string { return "/api/v1/feedback/" + code })
	if err != nil {
		return err
	}
	sw := &bench.Sweep{Engine: rep.Engine, Machine: rep.Machine, StartedAt: rep.StartedAt, Seconds: seconds, LoadStart: rep.LoadStart}
	if err := bench.FeedbackSweep(ctx, t, sw, rs, seconds); err != nil {
		return err
	}
	sw.LoadEnd = bench.LoadAvg()
	sw.WriteTable(os.Stdout)
	base := strings.TrimSuffix(out, ".json")
	if err := sw.WriteJSON(base + "-sweep.json"); err != nil {
		return err
	}
	if err := sw.WriteSVGFile(base + "-sweep.svg"); err != nil {
		return err
	}
	fmt.Println("written", base+"-sweep.json", base+"-sweep.svg")
	return nil
}

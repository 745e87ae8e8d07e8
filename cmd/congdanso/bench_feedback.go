package main

import (
	"context"

	"github.com/caobang/congdanso/cmd/app/bench"
)

func init() {
	benchScenarios["feedback"] = func(ctx context.Context, be *benchEnv, rep *bench.Report, n, conc int, rate float64) error {
		t, err := be.actors(ctx, bench.FeedbackAgency, func(code string) string { return "/api/v1/feedback/" + code })
		if err != nil {
			return err
		}
		return bench.Feedback(ctx, t, rep, n, conc, rate)
	}
}

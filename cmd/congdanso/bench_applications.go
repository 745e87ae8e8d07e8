package main

import (
	"context"

	"github.com/caobang/congdanso/cmd/app/bench"
)

func init() {
	benchScenarios["applications"] = func(ctx context.Context, be *benchEnv, rep *bench.Report, n, conc int, rate float64) error {
		t, err := be.actors(ctx, bench.ApplicationsAgency, func(code string) string { return "/api/v1/applications/" + code })
		if err != nil {
			return err
		}
		return bench.Applications(ctx, t, rep, n, conc, rate)
	}
}

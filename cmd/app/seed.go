package app

import (
	"context"
	"fmt"
	"io"
)

// DemoSeed loads one feature's demo data. It must be idempotent.
type DemoSeed func(ctx context.Context, a *App, out io.Writer) error

var demoSeeds []DemoSeed

// AddDemoSeed registers a feature's demo seed (called from init).
func AddDemoSeed(s DemoSeed) { demoSeeds = append(demoSeeds, s) }

// SeedDemo runs every demo seed and records that it ran. Passwords of demo
// accounts are printed to out once, here, and never logged.
func (a *App) SeedDemo(ctx context.Context, out io.Writer) error {
	for _, s := range demoSeeds {
		if err := s(ctx, a, out); err != nil {
			return fmt.Errorf("seed-demo: %w", err)
		}
	}
	return a.DB.Audit(ctx, 0, "seed-demo", "system", "demo", nil)
}

// DemoSeeded reports whether SeedDemo ran before on this database.
func (a *App) DemoSeeded(ctx context.Context) (bool, error) {
	var ok bool
	err := a.DB.Pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM audit_log WHERE action = 'seed-demo')`).Scan(&ok)
	return ok, err
}

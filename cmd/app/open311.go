package app

import (
	"context"
	"fmt"
	"io"
	"os"

	"github.com/caobang/congdanso/api/open311"
)

// The Open311 feature's wiring: discovery facts from the environment
// (CONGDANSO_OPEN311_JURISDICTION, CONGDANSO_OPEN311_CONTACT), and a demo
// client application whose api_key the demo seed prints once.
func init() {
	AddHook(func(ctx context.Context, a *App) error {
		o := &a.Opts.Open311
		if o.Jurisdiction == "" {
			o.Jurisdiction = os.Getenv("CONGDANSO_OPEN311_JURISDICTION")
		}
		if o.Contact == "" {
			o.Contact = os.Getenv("CONGDANSO_OPEN311_CONTACT")
		}
		return nil
	})
	AddDemoSeed(func(ctx context.Context, a *App, out io.Writer) error {
		const name = "Ứng dụng thử nghiệm Open311 (demo)"
		var exists bool
		if err := a.DB.Pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM open311_clients WHERE name = $1)`, name).Scan(&exists); err != nil || exists {
			return err
		}
		key := open311.NewKey()
		if _, err := a.DB.Open311CreateClient(ctx, name, key, 600, 0); err != nil {
			return err
		}
		_, err := fmt.Fprintf(out, "Open311 demo api_key (%s): %s\n", name, key)
		return err
	})
}

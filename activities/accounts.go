package activities

import (
	"context"
	"time"

	"github.com/caobang/congdanso/postgres"
)

// Worker-side sweeps rather than Temporal schedules: each sweep is
// idempotent statements whose state is the table itself, so a restart
// loses nothing (the next tick, on any worker, finds what is still due),
// and several workers share the work through row locks (SKIP LOCKED)
// without a workflow or a schedule to keep in step.

// runSweep calls sweep now and then every interval until ctx ends, again
// at once while it reports more left; it logs what each pass did.
func (a *Activities) runSweep(ctx context.Context, interval time.Duration, what string, sweep func(context.Context) (done int64, more bool, err error)) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		for {
			n, more, err := sweep(ctx)
			if err != nil && ctx.Err() == nil {
				a.log().Warn(what+": failed", "err", err)
			}
			if n > 0 {
				a.log().Info(what, "count", n)
			}
			if !more || err != nil {
				break
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// RunPendingExpiry anonymises, every interval until ctx ends, the
// registrations whose phone was not verified within ttl
// (postgres.ExpirePendingAccounts), so the number can register again.
func (a *Activities) RunPendingExpiry(ctx context.Context, interval, ttl time.Duration) {
	a.runSweep(ctx, interval, "expire pending accounts", func(ctx context.Context) (int64, bool, error) {
		n, err := a.DB.ExpirePendingAccounts(ctx, ttl, 100)
		return int64(n), n >= 100, err
	})
}

// RunRetention deletes, every interval until ctx ends, the rows r no
// longer keeps (postgres.PruneExpired: spent idempotency keys, notice
// marks, idle rate limits, ended sessions, expired reset codes).
//
// Its first pass comes one interval after start, not at it: nothing it
// deletes is urgent, and a worker restarting after a crash has recovery
// to do first (its scans would compete with the restart, BENCHMARKS.md).
func (a *Activities) RunRetention(ctx context.Context, interval time.Duration, r postgres.Retention) {
	select {
	case <-ctx.Done():
		return
	case <-time.After(interval):
	}
	a.runSweep(ctx, interval, "retention sweep: rows deleted", func(ctx context.Context) (int64, bool, error) {
		byTable, err := a.DB.PruneExpired(ctx, r, 1000)
		var n int64
		for _, c := range byTable {
			n += c
		}
		return n, false, err
	})
}

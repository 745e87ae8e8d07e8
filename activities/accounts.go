package activities

import (
	"context"
	"time"
)

// RunPendingExpiry anonymises, every interval until ctx ends, the
// registrations whose phone was not verified within ttl
// (postgres.ExpirePendingAccounts), so the number can register again.
//
// A worker-side loop rather than a Temporal schedule: the sweep is one
// idempotent statement per account, its state is the users table itself,
// so a restart loses nothing (the next tick, on any worker, finds what is
// still due), and several workers share the work through row locks (SKIP
// LOCKED) without a workflow or a schedule to keep in step.
func (a *Activities) RunPendingExpiry(ctx context.Context, interval, ttl time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		for {
			n, err := a.DB.ExpirePendingAccounts(ctx, ttl, 100)
			if err != nil && ctx.Err() == nil {
				a.log().Warn("pending accounts not expired", "err", err)
			}
			if n > 0 {
				a.log().Info("pending accounts expired", "count", n)
			}
			if n < 100 || err != nil {
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

package policy

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/casbin/casbin/v2"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	cds "github.com/caobang/congdanso"
)

// Channel is the LISTEN/NOTIFY channel that triggers on casbin_rule and
// agencies publish to (see migration 00011_policy.sql).
const Channel = "cds_policy"

// NewPostgres builds the authorizer used by the running application: policies
// live in PostgreSQL (casbin_rule), the CSV files under policies/ are seeded
// once each, and decisions are cached until the policy or the agency tree
// changes. Call StartWatcher to follow changes made by other instances.
func NewPostgres(ctx context.Context, pool *pgxpool.Pool) (*Authorizer, error) {
	if err := SeedDefaults(ctx, pool); err != nil {
		return nil, err
	}
	m, err := NewModel()
	if err != nil {
		return nil, err
	}
	e, err := casbin.NewSyncedEnforcer(m, NewAdapter(pool))
	if err != nil {
		return nil, fmt.Errorf("policy: enforcer: %w", err)
	}
	agencies, err := loadAgencies(ctx, pool)
	if err != nil {
		return nil, err
	}
	a := NewAuthorizer(e, agencies)
	a.pool = pool
	a.cached = true
	return a, nil
}

// SeedDefaults inserts the built-in policy lines that were never seeded
// before. It is idempotent and safe to run from several instances at once; a
// line an admin removed stays removed, and admin-made lines are untouched.
func SeedDefaults(ctx context.Context, pool *pgxpool.Pool) error {
	pols, err := DefaultPolicies()
	if err != nil {
		return err
	}
	return pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		for _, p := range pols {
			line := "p, " + strings.Join(p, ", ")
			tag, err := tx.Exec(ctx, `INSERT INTO casbin_seeded (line) VALUES ($1) ON CONFLICT DO NOTHING`, line)
			if err != nil {
				return fmt.Errorf("policy: seed: %w", err)
			}
			if tag.RowsAffected() == 0 {
				continue
			}
			args, err := ruleArgs("p", p)
			if err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, insertRule, args...); err != nil {
				return fmt.Errorf("policy: seed: %w", err)
			}
		}
		return nil
	})
}

func loadAgencies(ctx context.Context, pool *pgxpool.Pool) ([]cds.Agency, error) {
	rows, err := pool.Query(ctx, `SELECT code, COALESCE(parent_code, '') FROM agencies`)
	if err != nil {
		return nil, fmt.Errorf("policy: agencies: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (cds.Agency, error) {
		var a cds.Agency
		err := r.Scan(&a.Code, &a.ParentCode)
		return a, err
	})
}

// Reload reads the policy and the agency tree again and drops cached decisions.
func (a *Authorizer) Reload(ctx context.Context) error {
	if a.pool == nil {
		return nil
	}
	if err := a.E.LoadPolicy(); err != nil {
		return err
	}
	agencies, err := loadAgencies(ctx, a.pool)
	if err != nil {
		return err
	}
	a.SetAgencies(agencies)
	return nil
}

// StartWatcher listens on Channel with a dedicated connection (not one of the
// pool's) and reloads after every change, so a policy changed through one API
// instance is enforced by the others within a fraction of a second. It
// returns once LISTEN is in place; stop ends the loop.
func (a *Authorizer) StartWatcher(ctx context.Context, log *slog.Logger) (stop func(), err error) {
	if a.pool == nil {
		return func() {}, nil
	}
	if log == nil {
		log = slog.Default()
	}
	conn, err := a.listen(ctx)
	if err != nil {
		return nil, err
	}
	wctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		a.watch(wctx, conn, log)
	}()
	return func() { cancel(); <-done }, nil
}

func (a *Authorizer) listen(ctx context.Context) (*pgx.Conn, error) {
	cfg := a.pool.Config().ConnConfig.Copy()
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("policy: watcher connect: %w", err)
	}
	if _, err := conn.Exec(ctx, "LISTEN "+Channel); err != nil {
		conn.Close(ctx)
		return nil, fmt.Errorf("policy: listen: %w", err)
	}
	return conn, nil
}

func (a *Authorizer) watch(ctx context.Context, conn *pgx.Conn, log *slog.Logger) {
	defer func() {
		if conn != nil {
			conn.Close(context.Background())
		}
	}()
	for ctx.Err() == nil {
		if conn == nil {
			var err error
			if conn, err = a.listen(ctx); err != nil {
				log.Warn("policy watcher reconnect failed", "err", err)
				sleepCtx(ctx, time.Second)
				continue
			}
			// Changes may have been missed while disconnected.
			if err := a.Reload(ctx); err != nil {
				log.Warn("policy reload failed", "err", err)
			}
		}
		if _, err := conn.WaitForNotification(ctx); err != nil {
			if ctx.Err() != nil {
				return
			}
			log.Warn("policy watcher lost its connection", "err", err)
			conn.Close(context.Background())
			conn = nil
			sleepCtx(ctx, 200*time.Millisecond)
			continue
		}
		// A short pause lets a burst of changes land before one reload.
		sleepCtx(ctx, 20*time.Millisecond)
		if conn.IsClosed() {
			conn = nil
		}
		if err := a.Reload(ctx); err != nil && ctx.Err() == nil {
			log.Warn("policy reload failed", "err", err)
		}
	}
}

func sleepCtx(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}

package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	cds "github.com/caobang/congdanso"
)

// ExpirePendingAccounts anonymises up to limit registrations whose phone was
// never verified by its SMS code within ttl of the last registration
// attempt (docs/notifications.md), with the same anonymisation as a deleted
// account: name, phone and password hash go, so the number can register
// again and nothing personal is kept about someone who never finished.
// It returns how many were expired.
//
// Several workers may run it at once: each account is locked with SKIP
// LOCKED and checked again (still pending, still old) under the lock, so a
// code verified at the same moment either activates the account first or
// finds it gone, never both.
func (db *DB) ExpirePendingAccounts(ctx context.Context, ttl time.Duration, limit int) (int, error) {
	cutoff := time.Now().Add(-ttl)
	rows, err := db.Pool.Query(ctx, `SELECT id FROM users WHERE status = 'pending' AND deleted_at IS NULL
		AND GREATEST(created_at, COALESCE(password_changed_at, created_at)) < $1 ORDER BY id LIMIT $2`, cutoff, limit)
	if err != nil {
		return 0, mapErr(err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return 0, mapErr(err)
	}
	n := 0
	for _, id := range ids {
		err := db.anonymise(ctx, id, "pending-expired", `SELECT kind FROM users WHERE id = $1 AND status = 'pending' AND deleted_at IS NULL
			AND GREATEST(created_at, COALESCE(password_changed_at, created_at)) < $2 FOR UPDATE SKIP LOCKED`, cutoff)
		switch {
		case err == nil:
			n++
		case cds.ErrorCode(err) == cds.ENOTFOUND: // verified meanwhile, or another worker has it
		default:
			return n, err
		}
	}
	return n, nil
}

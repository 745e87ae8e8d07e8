package postgres

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// RepairDivergedEvents runs inside a read-model write of event seq, before
// it is applied. Workflows write the read model from local activities, which
// run inside a workflow task: if the process dies before that task
// completes, its writes stay in PostgreSQL while the history does not have
// them, and the replayed workflow may write other events at the same seqs
// (a timer that fired first, the retried action one seq later). A different
// event already stored at seq is the sign: every row from seq on is undone —
// events deleted, the tasks they opened deleted (a task's step key ends with
// the seq that opened it), the tasks they closed reopened, the case's last
// seq set back — and the write then applies as on a fresh row.
// It reports whether it repaired anything.
func RepairDivergedEvents(ctx context.Context, tx pgx.Tx, workflowID string, seq int, action, from, to string, actorID int64) (bool, error) {
	var same bool
	err := tx.QueryRow(ctx, `SELECT `+SameEventSQL+` FROM case_events WHERE workflow_id = $1 AND seq = $2`,
		workflowID, seq, action, from, to, actorID).Scan(&same)
	if err == pgx.ErrNoRows || (err == nil && same) {
		return false, nil
	}
	if err != nil {
		return false, mapErr(err)
	}
	for _, q := range repairSQL {
		if _, err := tx.Exec(ctx, q, workflowID, seq); err != nil {
			return false, mapErr(err)
		}
	}
	return true, nil
}

// SameEventSQL is true for the stored row of case_events that is the event
// ($3 action, $4 from, $5 to, $6 actor; 0 for the system) about to be
// written: the write is a retry of one already applied.
const SameEventSQL = `(action = $3 AND from_status = $4 AND to_status = $5 AND COALESCE(actor_id, 0) = $6)`

// repairSQL undoes every row of case $1 from seq $2 on (RepairDivergedEvents).
var repairSQL = []string{
	`DELETE FROM case_events WHERE workflow_id = $1 AND seq >= $2`,
	`DELETE FROM tasks WHERE workflow_id = $1 AND substring(step_key from '[#-]([0-9]+)$')::int >= $2`,
	`UPDATE tasks SET status = 'open', closed_at = NULL, closed_by = NULL, closed_seq = NULL WHERE workflow_id = $1 AND closed_seq >= $2`,
	`UPDATE cases SET last_seq = $2 - 1 WHERE workflow_id = $1 AND last_seq >= $2`,
}

// QueueRepair queues the repair of a diverged seq (RepairDivergedEvents)
// on b, for a write sent as one batch.
func QueueRepair(b *pgx.Batch, workflowID string, seq int) {
	for _, q := range repairSQL {
		b.Queue(q, workflowID, seq)
	}
}

// IsDuplicateEvent reports whether err is the insert of an event whose
// (workflow_id, seq) is stored already: another try of the same write
// committed first.
func IsDuplicateEvent(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == "23505" && pe.ConstraintName == "case_events_pkey"
}

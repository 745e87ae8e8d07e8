package activities

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	cds "github.com/caobang/congdanso"
)

// NotifyInput is one notification to enqueue. DedupeKey (workflow ID plus
// event) makes a retried activity enqueue it once.
type NotifyInput struct {
	DedupeKey string         `json:"dedupe_key"`
	UserID    int64          `json:"user_id"`
	Channel   string         `json:"channel,omitempty"`
	Kind      string         `json:"kind"`
	Title     string         `json:"title"`
	Body      string         `json:"body"`
	Payload   map[string]any `json:"payload,omitempty"`
}

// NotifyTaskAssigned tells a staff member that a task (a feedback case's or
// a dossier's step) was handed to them by someone else: an inbox entry and
// the staff channels by their preferences (topic staff: e-mail and push by
// default, no quiet hours). cases.AssignTask calls it after the assignment
// is written; the dedupe key is the task and the assignee, so a retried
// assignment tells once. A feedback case assigned through its "assign"
// action is told from the read-model write instead (notifyAssignee).
func (a *Activities) NotifyTaskAssigned(ctx context.Context, taskID, userID int64, caseKind, caseCode string) error {
	what := "hồ sơ"
	if caseKind == "feedback" {
		what = "phản ánh"
	}
	return a.enqueue(ctx, NotifyInput{DedupeKey: fmt.Sprintf("task/%d/assigned/%d", taskID, userID), UserID: userID,
		Kind: "staff.task_assigned", Title: fmt.Sprintf("Bạn được giao xử lý %s %s.", what, caseCode),
		Payload: map[string]any{"code": caseCode, "case_kind": caseKind, "task_id": taskID}})
}

// DrainOutbox delivers up to limit unsent notifications. Rows are locked with
// SKIP LOCKED so several workers drain in parallel without sending a row twice;
// a row is marked sent in the same transaction that locked it.
func (a *Activities) DrainOutbox(ctx context.Context, limit int) (int, error) {
	if a.Notifier == nil {
		return 0, nil
	}
	tx, err := a.DB.Pool.Begin(ctx)
	if err != nil {
		return 0, err
	}
	// Rolled back on a context of its own (bounded): when ctx is cancelled
	// mid-drain (shutdown), the ROLLBACK still runs and the row locks go at
	// once, instead of when PostgreSQL notices a closed connection; until
	// then every other drainer would skip those rows (SKIP LOCKED).
	defer func() {
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		_ = tx.Rollback(rctx)
	}()
	rows, err := tx.Query(ctx, `SELECT id, COALESCE(user_id, 0), channel, kind, title, body, payload FROM notifications
		WHERE sent_at IS NULL ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED`, limit)
	if err != nil {
		return 0, err
	}
	list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (cds.Notification, error) {
		var n cds.Notification
		var payload []byte
		err := r.Scan(&n.ID, &n.UserID, &n.Channel, &n.Kind, &n.Title, &n.Body, &payload)
		if err == nil {
			err = json.Unmarshal(payload, &n.Payload)
		}
		return n, err
	})
	if err != nil {
		return 0, err
	}
	sent := make([]int64, 0, len(list))
	for _, n := range list {
		if err := a.Notifier.Send(ctx, n); err != nil {
			a.log().Warn("notification not delivered", "id", n.ID, "err", err)
			if _, err := tx.Exec(ctx, `UPDATE notifications SET attempts = attempts + 1 WHERE id = $1`, n.ID); err != nil {
				return 0, err
			}
			continue
		}
		sent = append(sent, n.ID)
	}
	if _, err := tx.Exec(ctx, `UPDATE notifications SET sent_at = now(), attempts = attempts + 1 WHERE id = ANY($1)`, sent); err != nil {
		return 0, err
	}
	return len(sent), tx.Commit(ctx)
}

// RunOutboxDrainer drains the outbox and dispatches queued deliveries every
// interval until ctx ends. Each worker process runs one.
func (a *Activities) RunOutboxDrainer(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		for {
			n, err := a.DrainOutbox(ctx, 100)
			if err != nil && ctx.Err() == nil {
				a.log().Warn("outbox drain failed", "err", err)
			}
			if n < 100 || err != nil {
				break
			}
		}
		// Deliveries to people: start each one's delivery workflow (issue 20).
		for {
			n, err := a.DispatchDeliveries(ctx, 100)
			if err != nil && ctx.Err() == nil {
				a.log().Warn("delivery dispatch failed", "err", err)
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

// LogNotifier writes notifications to the log (the channel used until SMS
// and push are contracted). The phone is never logged.
type LogNotifier struct{ Log func(msg string, args ...any) }

// Send implements congdanso.Notifier.
func (l LogNotifier) Send(_ context.Context, n cds.Notification) error {
	if l.Log != nil {
		l.Log("notification", "id", n.ID, "userID", n.UserID, "kind", n.Kind, "title", n.Title)
	}
	return nil
}

// String helps debugging.
func (in NotifyInput) String() string { return fmt.Sprintf("%s→%d", in.DedupeKey, in.UserID) }

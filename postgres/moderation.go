package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"

	cds "github.com/caobang/congdanso"
)

// Moderation actions on a feedback report.
const (
	ModHide     = "hide"
	ModUnhide   = "unhide"
	ModEditText = "edit_text"
)

// PublicText is what the public view of a report shows.
type PublicText struct {
	Hidden  bool   `json:"hidden"`
	Title   string `json:"title"`
	Content string `json:"content"`
}

// ModerationEntry is one recorded moderation decision.
type ModerationEntry struct {
	ID         int64      `json:"id"`
	Code       string     `json:"code"`
	ActorID    int64      `json:"actor_id"`
	ActorName  string     `json:"actor_name"`
	Action     string     `json:"action"`
	Reason     string     `json:"reason"`
	Before     PublicText `json:"before"`
	After      PublicText `json:"after"`
	At         time.Time  `json:"at"`
	workflowID string
}

// ModerationChange is a decision to apply: Title and Content for edit_text.
type ModerationChange struct {
	WorkflowID, Code, Action, Reason, Key string
	ActorID                               int64
	ActorName                             string
	Title, Content                        string
}

// ApplyModeration applies a decision and records it with its reason, in one
// transaction. A retry with the same actor and key returns the recorded
// entry without applying anything again (replayed = true); the same key for
// a different case or action is a conflict.
func (db *DB) ApplyModeration(ctx context.Context, m ModerationChange) (e ModerationEntry, replayed bool, err error) {
	err = pgx.BeginFunc(ctx, db.Pool, func(tx pgx.Tx) error {
		if m.Key != "" {
			prev, err := moderationByKey(ctx, tx, m.ActorID, m.Key)
			if err == nil {
				if prev.workflowID != m.WorkflowID || prev.Action != m.Action {
					return cds.Errorf(cds.ECONFLICT, "Khóa Idempotency-Key đã dùng cho một thao tác khác.", "The Idempotency-Key was used for another action.")
				}
				e, replayed = prev, true
				return nil
			} else if !errors.Is(err, pgx.ErrNoRows) {
				return err
			}
		}
		var before PublicText
		var hidden *time.Time
		var pt, pc *string
		if err := tx.QueryRow(ctx, `SELECT c.title, r.content, r.hidden_at, r.public_title, r.public_content FROM feedback_reports r
			JOIN cases c ON c.workflow_id = r.workflow_id WHERE r.workflow_id = $1 FOR UPDATE OF r`, m.WorkflowID).
			Scan(&before.Title, &before.Content, &hidden, &pt, &pc); err != nil {
			return err
		}
		before.Hidden = hidden != nil
		if pt != nil {
			before.Title = *pt
		}
		if pc != nil {
			before.Content = *pc
		}
		after := before
		var q string
		switch m.Action {
		case ModHide:
			after.Hidden, q = true, `UPDATE feedback_reports SET hidden_at = COALESCE(hidden_at, now()) WHERE workflow_id = $1`
		case ModUnhide:
			after.Hidden, q = false, `UPDATE feedback_reports SET hidden_at = NULL WHERE workflow_id = $1`
		case ModEditText:
			after.Title, after.Content = m.Title, m.Content
			q = `UPDATE feedback_reports SET public_title = $2, public_content = $3 WHERE workflow_id = $1`
		default:
			return cds.Errorf(cds.EINVALID, "Thao tác kiểm duyệt không hợp lệ.", "Unknown moderation action.")
		}
		args := []any{m.WorkflowID}
		if m.Action == ModEditText {
			args = append(args, m.Title, m.Content)
		}
		if _, err := tx.Exec(ctx, q, args...); err != nil {
			return err
		}
		bj, _ := json.Marshal(before)
		aj, _ := json.Marshal(after)
		e = ModerationEntry{Code: m.Code, ActorID: m.ActorID, ActorName: m.ActorName, Action: m.Action, Reason: m.Reason, Before: before, After: after}
		if err := tx.QueryRow(ctx, `INSERT INTO feedback_moderation (workflow_id, actor_id, actor_name, action, reason, before, after, idem_key)
			VALUES ($1, $2, $3, $4, $5, $6, $7, NULLIF($8, '')) RETURNING id, at`, m.WorkflowID, m.ActorID, m.ActorName, m.Action, m.Reason, bj, aj, m.Key).
			Scan(&e.ID, &e.At); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `INSERT INTO audit_log (actor_id, action, object_type, object_id, detail) VALUES ($1, $2, 'feedback', $3, $4)`,
			m.ActorID, "feedback.moderate."+m.Action, m.Code, map[string]any{"reason": m.Reason, "moderation_id": e.ID})
		return err
	})
	return e, replayed, mapErr(err)
}

const moderationCols = `m.id, c.code, m.workflow_id, m.actor_id, m.actor_name, m.action, m.reason, m.before, m.after, m.at
	FROM feedback_moderation m JOIN cases c ON c.workflow_id = m.workflow_id `

func scanModeration(r pgx.Row) (ModerationEntry, error) {
	var e ModerationEntry
	var b, a []byte
	err := r.Scan(&e.ID, &e.Code, &e.workflowID, &e.ActorID, &e.ActorName, &e.Action, &e.Reason, &b, &a, &e.At)
	if err == nil {
		_ = json.Unmarshal(b, &e.Before)
		_ = json.Unmarshal(a, &e.After)
	}
	return e, err
}

func moderationByKey(ctx context.Context, tx pgx.Tx, actorID int64, key string) (ModerationEntry, error) {
	return scanModeration(tx.QueryRow(ctx, `SELECT `+moderationCols+`WHERE m.actor_id = $1 AND m.idem_key = $2`, actorID, key))
}

// ModerationLog lists a case's moderation decisions, oldest first.
func (db *DB) ModerationLog(ctx context.Context, workflowID string) ([]ModerationEntry, error) {
	rows, err := db.Pool.Query(ctx, `SELECT `+moderationCols+`WHERE m.workflow_id = $1 ORDER BY m.id`, workflowID)
	if err != nil {
		return nil, mapErr(err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (ModerationEntry, error) { return scanModeration(r) })
	return out, mapErr(err)
}

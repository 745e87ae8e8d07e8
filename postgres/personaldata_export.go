package postgres

import (
	"context"
	"encoding/json"
	"time"

	"github.com/jackc/pgx/v5"
)

// ExportCase is one of the citizen's cases as the export shows it: what the
// citizen sent, what was answered or issued, and the public timeline.
type ExportCase struct {
	Kind       string         `json:"kind"`
	Code       string         `json:"code"`
	Title      string         `json:"title"`
	Status     string         `json:"status"`
	AgencyCode string         `json:"agency_code"`
	ReceivedAt time.Time      `json:"received_at"`
	DueAt      *time.Time     `json:"due_at,omitempty"`
	FinishedAt *time.Time     `json:"finished_at,omitempty"`
	Rating     *int           `json:"rating,omitempty"`
	Detail     map[string]any `json:"detail"`
	Timeline   []CaseEvent    `json:"timeline"`
	workflowID string
}

// ExportCases lists the cases a citizen submitted, with the timeline the
// citizen sees (public events only).
func (db *DB) ExportCases(ctx context.Context, userID int64) ([]ExportCase, error) {
	rows, err := db.Pool.Query(ctx, `SELECT c.workflow_id, c.kind, c.code, c.title, c.status, COALESCE(c.agency_code, ''), c.received_at,
		c.due_at, c.finished_at, c.rating,
		CASE WHEN c.kind = 'feedback' THEN (SELECT jsonb_build_object('content', r.content, 'lat', r.lat, 'lng', r.lng, 'address', r.address,
			'commune_code', r.commune_code, 'info_request', r.info_request, 'info_reply', r.info_reply,
			'answer', CASE WHEN r.published_at IS NOT NULL THEN r.answer ELSE '' END, 'published_at', r.published_at)
			FROM feedback_reports r WHERE r.workflow_id = c.workflow_id)
		ELSE (SELECT jsonb_build_object('procedure_code', a.procedure_code, 'form', a.form, 'document_ids', a.document_ids,
			'forms', a.forms, 'result', a.result) FROM applications a WHERE a.workflow_id = c.workflow_id) END
		FROM cases c WHERE c.citizen_id = $1 ORDER BY c.received_at, c.code`, userID)
	if err != nil {
		return nil, mapErr(err)
	}
	list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (ExportCase, error) {
		var e ExportCase
		var detail []byte
		err := r.Scan(&e.workflowID, &e.Kind, &e.Code, &e.Title, &e.Status, &e.AgencyCode, &e.ReceivedAt, &e.DueAt, &e.FinishedAt, &e.Rating, &detail)
		if err == nil && detail != nil {
			err = json.Unmarshal(detail, &e.Detail)
		}
		return e, err
	})
	if err != nil {
		return nil, mapErr(err)
	}
	for i := range list {
		if list[i].Timeline, err = db.CaseEvents(ctx, list[i].workflowID, false); err != nil {
			return nil, err
		}
	}
	return list, nil
}

// ExportNotification is a notification sent to the user.
type ExportNotification struct {
	Kind      string     `json:"kind"`
	Channel   string     `json:"channel"`
	Title     string     `json:"title"`
	Body      string     `json:"body"`
	CreatedAt time.Time  `json:"created_at"`
	SentAt    *time.Time `json:"sent_at,omitempty"`
}

// ExportNotifications lists the user's notifications, oldest first.
func (db *DB) ExportNotifications(ctx context.Context, userID int64) ([]ExportNotification, error) {
	rows, err := db.Pool.Query(ctx, `SELECT kind, channel, title, body, created_at, sent_at FROM notifications WHERE user_id = $1 ORDER BY id`, userID)
	if err != nil {
		return nil, mapErr(err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (ExportNotification, error) {
		var n ExportNotification
		err := r.Scan(&n.Kind, &n.Channel, &n.Title, &n.Body, &n.CreatedAt, &n.SentAt)
		return n, err
	})
	return out, mapErr(err)
}

// OwnMedia lists the files the user uploaded.
func (db *DB) OwnMedia(ctx context.Context, userID int64) ([]Media, error) {
	rows, err := db.Pool.Query(ctx, `SELECT id, COALESCE(owner_id, 0), content_type, size, sha256, created_at FROM media WHERE owner_id = $1 ORDER BY created_at, id`, userID)
	if err != nil {
		return nil, mapErr(err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Media, error) {
		var m Media
		err := r.Scan(&m.ID, &m.OwnerID, &m.ContentType, &m.Size, &m.SHA256, &m.CreatedAt)
		return m, err
	})
	return out, mapErr(err)
}

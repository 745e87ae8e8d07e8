package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
)

// InboxItem is one notification in a person's in-app inbox, with the
// status of each channel it went out on.
type InboxItem struct {
	ID         int64            `json:"id"`
	Kind       string           `json:"kind"`
	Title      string           `json:"title"`
	Body       string           `json:"body"`
	Payload    map[string]any   `json:"payload"`
	CreatedAt  time.Time        `json:"created_at"`
	ReadAt     *time.Time       `json:"read_at"`
	Deliveries []DeliveryStatus `json:"deliveries"`
}

// DeliveryStatus is one channel's delivery state.
type DeliveryStatus struct {
	Channel string `json:"channel"`
	Status  string `json:"status"`
	Reason  string `json:"reason,omitempty"`
}

// Inbox lists userID's notifications newest first (one-time codes are
// not inbox material), with ids below before
// (0: from the newest), and the unread count.
func (db *DB) Inbox(ctx context.Context, userID, before int64, limit int) ([]InboxItem, int, error) {
	rows, err := db.Pool.Query(ctx, `SELECT n.id, n.kind, n.title, n.body, n.payload, n.created_at, n.read_at,
			COALESCE((SELECT json_agg(json_build_object('channel', d.channel, 'status', d.status, 'reason', d.reason) ORDER BY d.channel)
				FROM notification_deliveries d WHERE d.notification_id = n.id), '[]')
		FROM notifications n WHERE n.user_id = $1 AND ($2 = 0 OR n.id < $2) AND n.kind <> 'password_reset' AND n.kind NOT LIKE 'otp.%' ORDER BY n.id DESC LIMIT $3`, userID, before, limit)
	if err != nil {
		return nil, 0, err
	}
	items, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (InboxItem, error) {
		var it InboxItem
		err := r.Scan(&it.ID, &it.Kind, &it.Title, &it.Body, &it.Payload, &it.CreatedAt, &it.ReadAt, &it.Deliveries)
		return it, err
	})
	if err != nil {
		return nil, 0, err
	}
	var unread int
	err = db.Pool.QueryRow(ctx, `SELECT count(*) FROM notifications WHERE user_id = $1 AND read_at IS NULL
		AND kind <> 'password_reset' AND kind NOT LIKE 'otp.%'`, userID).Scan(&unread)
	return items, unread, err
}

// MarkRead marks one of userID's notifications read; false when it is not theirs.
func (db *DB) MarkRead(ctx context.Context, userID, id int64) (bool, error) {
	tag, err := db.Pool.Exec(ctx, `UPDATE notifications SET read_at = COALESCE(read_at, now()) WHERE id = $1 AND user_id = $2`, id, userID)
	return tag.RowsAffected() == 1, err
}

// MarkAllRead marks every unread notification of userID read.
func (db *DB) MarkAllRead(ctx context.Context, userID int64) (int64, error) {
	tag, err := db.Pool.Exec(ctx, `UPDATE notifications SET read_at = now() WHERE user_id = $1 AND read_at IS NULL`, userID)
	return tag.RowsAffected(), err
}

// AddDevice registers a push token for userID. A token already registered
// moves to userID (the phone changed hands or accounts).
func (db *DB) AddDevice(ctx context.Context, userID int64, token, platform string) (bool, error) {
	var inserted bool
	err := db.Pool.QueryRow(ctx, `INSERT INTO user_devices (user_id, token, platform) VALUES ($1, $2, $3)
		ON CONFLICT (token) DO UPDATE SET user_id = EXCLUDED.user_id, platform = EXCLUDED.platform, seen_at = now()
		RETURNING xmax = 0`, userID, token, platform).Scan(&inserted)
	return inserted, err
}

// RemoveDevice unregisters one of userID's push tokens; false when it is not theirs.
func (db *DB) RemoveDevice(ctx context.Context, userID int64, token string) (bool, error) {
	tag, err := db.Pool.Exec(ctx, `DELETE FROM user_devices WHERE user_id = $1 AND token = $2`, userID, token)
	return tag.RowsAffected() == 1, err
}

// NotifyPref is one topic/channel choice.
type NotifyPref struct {
	Topic, Channel string
	Enabled        bool
}

// SetNotifyPrefs replaces userID's choices and quiet hours (nil: none) in one transaction.
func (db *DB) SetNotifyPrefs(ctx context.Context, userID int64, prefs []NotifyPref, quiet *[2]int) error {
	return pgx.BeginFunc(ctx, db.Pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `DELETE FROM notification_prefs WHERE user_id = $1`, userID); err != nil {
			return err
		}
		for _, p := range prefs {
			if _, err := tx.Exec(ctx, `INSERT INTO notification_prefs (user_id, topic, channel, enabled) VALUES ($1, $2, $3, $4)`,
				userID, p.Topic, p.Channel, p.Enabled); err != nil {
				return err
			}
		}
		if _, err := tx.Exec(ctx, `DELETE FROM notification_quiet_hours WHERE user_id = $1`, userID); err != nil {
			return err
		}
		if quiet == nil {
			return nil
		}
		_, err := tx.Exec(ctx, `INSERT INTO notification_quiet_hours (user_id, start_minute, end_minute) VALUES ($1, $2, $3)`, userID, quiet[0], quiet[1])
		return err
	})
}

// SimMessage is what the demo simulator received on one channel.
type SimMessage struct {
	ID         int64             `json:"id"`
	Channel    string            `json:"channel"`
	Recipient  string            `json:"recipient"`
	RequestKey string            `json:"request_key"`
	Title      string            `json:"title"`
	Body       string            `json:"body"`
	Data       map[string]string `json:"data"`
	ProviderID string            `json:"provider_id"`
	Repeat     bool              `json:"repeat"`
	ReceivedAt time.Time         `json:"received_at"`
	UserID     int64             `json:"user_id,omitempty"` // whose address it is (list only)
	Person     string            `json:"person,omitempty"`
}

// SimRecord stores a received message; Repeat is set when the same
// channel and request key were seen before (a provider's duplicate check).
func (db *DB) SimRecord(ctx context.Context, m SimMessage) (SimMessage, error) {
	if m.Data == nil {
		m.Data = map[string]string{}
	}
	err := db.Pool.QueryRow(ctx, `INSERT INTO notifysim_messages (channel, recipient, request_key, title, body, data, provider_id, repeat)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $3 <> '' AND EXISTS (SELECT 1 FROM notifysim_messages WHERE channel = $1 AND request_key = $3))
		RETURNING id, repeat, received_at`, m.Channel, m.Recipient, m.RequestKey, m.Title, m.Body, m.Data, m.ProviderID).
		Scan(&m.ID, &m.Repeat, &m.ReceivedAt)
	return m, err
}

// SimMessages lists received messages, newest first, for one recipient
// (or all when recipient is ""), at most limit.
func (db *DB) SimMessages(ctx context.Context, recipient string, limit int) ([]SimMessage, error) {
	rows, err := db.Pool.Query(ctx, `SELECT m.id, m.channel, m.recipient, m.request_key, m.title, m.body, m.data, m.provider_id, m.repeat, m.received_at,
			COALESCE(u.id, 0), COALESCE(u.full_name, '')
		FROM notifysim_messages m LEFT JOIN LATERAL (
			SELECT id, full_name FROM users WHERE (m.channel IN ('sms','zalo') AND phone IN ('+' || m.recipient, '0' || substr(m.recipient, 3)))
				OR (m.channel = 'email' AND email = m.recipient)
				OR (m.channel = 'push' AND id = (SELECT user_id FROM user_devices WHERE token = m.recipient))
			LIMIT 1) u ON true
		WHERE $1 = '' OR m.recipient = $1 ORDER BY m.id DESC LIMIT $2`, recipient, limit)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (SimMessage, error) {
		var m SimMessage
		return m, r.Scan(&m.ID, &m.Channel, &m.Recipient, &m.RequestKey, &m.Title, &m.Body, &m.Data, &m.ProviderID, &m.Repeat, &m.ReceivedAt,
			&m.UserID, &m.Person)
	})
}

// CaseDelivery is one channel delivery of a notification about a case, for
// the staff timeline.
type CaseDelivery struct {
	NotificationID int64      `json:"notification_id"`
	Seq            int64      `json:"seq"` // the timeline step (case_events.seq) that sent it; 0: none
	At             time.Time  `json:"at"`
	Kind           string     `json:"kind"`
	Recipient      string     `json:"recipient"` // the person's name
	Follower       bool       `json:"follower"`
	Channel        string     `json:"channel"`
	Status         string     `json:"status"`
	Reason         string     `json:"reason,omitempty"`
	Attempts       int        `json:"attempts"`
	SentAt         *time.Time `json:"sent_at"`
}

// CaseDeliveries lists the deliveries of every notification about the case
// workflowID, oldest first: dedupe keys start with the workflow ID and the
// step's seq ("feedback/PA-…/12/…", "application/HS-…#12"), which ties each
// delivery to its timeline step. The delivery API and the console's case
// timeline both read this.
func (db *DB) CaseDeliveries(ctx context.Context, workflowID string) ([]CaseDelivery, error) {
	rows, err := db.Pool.Query(ctx, `SELECT n.id, COALESCE(substring(substr(n.dedupe_key, length($1) + 2) from '^[0-9]+')::bigint, 0),
			n.created_at, n.kind, COALESCE(u.full_name, ''), COALESCE((n.payload->>'following')::boolean, false),
			d.channel, d.status, d.reason, d.attempts, d.sent_at
		FROM notifications n JOIN notification_deliveries d ON d.notification_id = n.id LEFT JOIN users u ON u.id = n.user_id
		WHERE n.dedupe_key LIKE $1 || '/%' OR n.dedupe_key LIKE $1 || '#%' ORDER BY n.id, d.channel`, workflowID)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (CaseDelivery, error) {
		var d CaseDelivery
		return d, r.Scan(&d.NotificationID, &d.Seq, &d.At, &d.Kind, &d.Recipient, &d.Follower, &d.Channel, &d.Status, &d.Reason, &d.Attempts, &d.SentAt)
	})
}

package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
)

// NewNotification is one message to one person with the channels it goes
// out on (already filtered by preferences).
type NewNotification struct {
	DedupeKey string
	UserID    int64
	Kind      string
	Title     string
	Body      string
	Payload   map[string]any
	Channels  []string
	NotBefore *time.Time // quiet hours: deliveries wait until then
}

// NotifyTarget is what deciding the channels needs to know about a person.
type NotifyTarget struct {
	Exists     bool
	Staff      bool
	Deleted    bool            // the account was deleted: nothing is queued for it
	Withdrawn  bool            // consent to optional notifications withdrawn (docs/personal-data.md)
	Prefs      map[string]bool // topic + "/" + channel → enabled
	Quiet      bool
	QuietStart int // minutes after midnight, Vietnam time
	QuietEnd   int
}

// DeliveryJob is one delivery with what sending it needs.
type DeliveryJob struct {
	ID, NotificationID, UserID int64
	Channel, DedupeKey, Status string
	Attempts                   int
	Kind, Title, Body          string
	Payload                    map[string]any
	Phone, Email               string
	Tokens                     []string
}

// DeliveryJob loads delivery id, the message and the person's addresses.
func (db *DB) DeliveryJob(ctx context.Context, id int64) (DeliveryJob, error) {
	var j DeliveryJob
	err := db.Pool.QueryRow(ctx, `SELECT d.id, d.notification_id, COALESCE(n.user_id, 0), d.channel, d.dedupe_key, d.status, d.attempts,
			n.kind, n.title, n.body, n.payload, COALESCE(u.phone, ''), COALESCE(u.email, ''),
			COALESCE((SELECT array_agg(token ORDER BY id) FROM user_devices WHERE user_id = n.user_id), '{}')
		FROM notification_deliveries d JOIN notifications n ON n.id = d.notification_id
		LEFT JOIN users u ON u.id = n.user_id WHERE d.id = $1`, id).
		Scan(&j.ID, &j.NotificationID, &j.UserID, &j.Channel, &j.DedupeKey, &j.Status, &j.Attempts,
			&j.Kind, &j.Title, &j.Body, &j.Payload, &j.Phone, &j.Email, &j.Tokens)
	return j, mapErr(err)
}

// DeliveryAttempt counts a try and keeps the last transient error.
func (db *DB) DeliveryAttempt(ctx context.Context, id int64, lastErr string) error {
	_, err := db.Pool.Exec(ctx, `UPDATE notification_deliveries SET attempts = attempts + 1, reason = $2, updated_at = now() WHERE id = $1`, id, lastErr)
	return err
}

// DeliverySent marks a queued delivery sent, then applies a receipt the
// provider already sent. The two statements commit one after the other: a
// receipt stored before the second one is applied by it, one stored after
// finds the delivery sent (DeliveryDelivered), so none is lost to the race.
func (db *DB) DeliverySent(ctx context.Context, id int64, providerID string) error {
	_, err := db.Pool.Exec(ctx, `UPDATE notification_deliveries SET status = 'sent', provider_id = $2, reason = '', sent_at = now(), updated_at = now()
		WHERE id = $1 AND status = 'queued'`, id, providerID)
	if err != nil || providerID == "" {
		return err
	}
	_, err = db.Pool.Exec(ctx, `UPDATE notification_deliveries d SET status = 'delivered', delivered_at = r.delivered_at, updated_at = now()
		FROM delivery_receipts r WHERE d.id = $1 AND d.status = 'sent' AND r.channel = d.channel AND r.provider_id = d.provider_id`, id)
	return err
}

// DeliveryFailed marks a queued delivery failed with its reason.
func (db *DB) DeliveryFailed(ctx context.Context, id int64, reason string) error {
	_, err := db.Pool.Exec(ctx, `UPDATE notification_deliveries SET status = 'failed', reason = $2, updated_at = now()
		WHERE id = $1 AND status = 'queued'`, id, reason)
	return err
}

// DeliveryDelivered records a provider's receipt for its message id. The
// receipt is stored first, then applied: a delivery being marked sent at the
// same moment either sees the stored receipt (DeliverySent) or is updated
// here once its row lock is released, so no receipt is lost to the race.
func (db *DB) DeliveryDelivered(ctx context.Context, channel, providerID string, at time.Time) (bool, error) {
	if _, err := db.Pool.Exec(ctx, `INSERT INTO delivery_receipts (channel, provider_id, delivered_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`,
		channel, providerID, at); err != nil {
		return false, err
	}
	tag, err := db.Pool.Exec(ctx, `UPDATE notification_deliveries SET status = 'delivered', delivered_at = $3, updated_at = now()
		WHERE channel = $1 AND provider_id = $2 AND status IN ('sent', 'delivered')`, channel, providerID, at)
	return tag.RowsAffected() > 0, err
}

// DropDeviceTokens removes push tokens the provider reported invalid.
func (db *DB) DropDeviceTokens(ctx context.Context, tokens []string) error {
	_, err := db.Pool.Exec(ctx, `DELETE FROM user_devices WHERE token = ANY($1)`, tokens)
	return err
}

// DispatchDeliveries locks up to limit deliveries whose workflow has not been
// started (SKIP LOCKED: several workers share the work), calls start for
// each and marks the started ones dispatched, in one transaction. A crash
// after start and before the commit starts the same workflow ID again, which
// the caller treats as already started.
func (db *DB) DispatchDeliveries(ctx context.Context, limit int, start func(id int64, key string, notBefore time.Time) error) (int, error) {
	n := 0
	err := pgx.BeginFunc(ctx, db.Pool, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `SELECT id, dedupe_key, not_before FROM notification_deliveries
			WHERE dispatched_at IS NULL ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED`, limit)
		if err != nil {
			return err
		}
		type job struct {
			id  int64
			key string
			nb  time.Time
		}
		jobs, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (job, error) {
			var j job
			var nb *time.Time
			err := r.Scan(&j.id, &j.key, &nb)
			if nb != nil {
				j.nb = *nb
			}
			return j, err
		})
		if err != nil {
			return err
		}
		done := make([]int64, 0, len(jobs))
		for _, j := range jobs {
			if err := start(j.id, j.key, j.nb); err != nil {
				return err
			}
			done = append(done, j.id)
		}
		n = len(done)
		_, err = tx.Exec(ctx, `UPDATE notification_deliveries SET dispatched_at = now() WHERE id = ANY($1)`, done)
		return err
	})
	return n, err
}

// RefreshProviderToken returns the stored access token of name when it is
// still valid for a minute, else calls renew with the stored (or seed)
// refresh token and saves the answer, holding the row lock throughout so
// two instances never spend the same single-use refresh token.
func (db *DB) RefreshProviderToken(ctx context.Context, name, seed string,
	renew func(access, refresh string) (string, string, time.Time, error)) (string, time.Time, error) {
	var access string
	var exp time.Time
	err := pgx.BeginFunc(ctx, db.Pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO provider_tokens (name, refresh_token) VALUES ($1, $2) ON CONFLICT DO NOTHING`, name, seed); err != nil {
			return err
		}
		var refresh string
		var valid bool
		if err := tx.QueryRow(ctx, `SELECT access_token, refresh_token, expires_at, expires_at > now() + interval '1 minute'
			FROM provider_tokens WHERE name = $1 FOR UPDATE`, name).Scan(&access, &refresh, &exp, &valid); err != nil {
			return err
		}
		if valid && access != "" {
			return nil
		}
		a, r, e, err := renew(access, refresh)
		if err != nil {
			return err
		}
		access, exp = a, e
		_, err = tx.Exec(ctx, `UPDATE provider_tokens SET access_token = $2, refresh_token = $3, expires_at = $4, updated_at = now() WHERE name = $1`, name, a, r, e)
		return err
	})
	return access, exp, err
}

// InvalidateProviderToken marks name's access token expired.
func (db *DB) InvalidateProviderToken(ctx context.Context, name string) error {
	_, err := db.Pool.Exec(ctx, `UPDATE provider_tokens SET expires_at = 'epoch' WHERE name = $1`, name)
	return err
}

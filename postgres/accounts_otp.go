package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// CreatePendingCitizen registers a citizen whose phone is not verified yet
// (status 'pending'). A pending account for the same phone is taken over
// (name and password replaced: whoever proves the phone with the code
// owns it). For a phone that belongs to an active or disabled account it
// changes nothing and reports pending = false, so the caller can answer
// exactly as for a new number.
// The consent decisions given at registration are recorded with the pending
// account, in the same transaction (docs/personal-data.md).
func (db *DB) CreatePendingCitizen(ctx context.Context, name, phone, passwordHash string, ds ...ConsentDecision) (id int64, pending bool, err error) {
	err = pgx.BeginFunc(ctx, db.Pool, func(tx pgx.Tx) error {
		var status string
		err := tx.QueryRow(ctx, `INSERT INTO users (kind, phone, full_name, password_hash, password_changed_at, status)
			VALUES ('citizen', $1, $2, $3, now(), 'pending')
			ON CONFLICT (phone) DO UPDATE SET full_name = EXCLUDED.full_name, password_hash = EXCLUDED.password_hash,
				password_changed_at = now() WHERE users.status = 'pending'
			RETURNING id, status`, phone, name, passwordHash).Scan(&id, &status)
		if errors.Is(err, pgx.ErrNoRows) {
			// The phone belongs to a verified account: nothing to do.
			return tx.QueryRow(ctx, `SELECT id FROM users WHERE phone = $1`, phone).Scan(&id)
		}
		if err != nil {
			return err
		}
		pending = true
		if _, err = tx.Exec(ctx, `INSERT INTO user_roles (user_id, role, agency_code) VALUES ($1, 'citizen', '*') ON CONFLICT DO NOTHING`, id); err != nil {
			return err
		}
		for _, d := range ds {
			if err := recordConsent(ctx, tx, id, d); err != nil {
				return err
			}
		}
		return nil
	})
	return id, pending, mapErr(err)
}

// ActivateCitizen makes a pending account active once its phone is verified.
func (db *DB) ActivateCitizen(ctx context.Context, id int64) (User, error) {
	if _, err := db.Pool.Exec(ctx, `UPDATE users SET status = 'active', updated_at = now() WHERE id = $1 AND status = 'pending'`, id); err != nil {
		return User{}, mapErr(err)
	}
	return db.UserByID(ctx, id)
}

// CreateOTP stores a hashed one-time code for userID and purpose (older
// codes of that purpose stop working) and queues its SMS in the same
// transaction: a notification row with an 'sms' delivery, which the
// delivery workflow sends. smsText (the body) carries the code; it is
// erased from the row once sent.
func (db *DB) CreateOTP(ctx context.Context, userID int64, purpose string, codeHash []byte, ttl time.Duration, smsText string) error {
	return mapErr(pgx.BeginFunc(ctx, db.Pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `UPDATE password_resets SET used_at = now() WHERE user_id = $1 AND purpose = $2 AND used_at IS NULL`, userID, purpose); err != nil {
			return err
		}
		var id int64
		if err := tx.QueryRow(ctx, `INSERT INTO password_resets (user_id, purpose, code_hash, expires_at) VALUES ($1, $2, $3, now() + $4::interval) RETURNING id`,
			userID, purpose, codeHash, fmt.Sprintf("%d seconds", int(ttl.Seconds()))).Scan(&id); err != nil {
			return err
		}
		kind := "otp." + purpose
		if purpose == "reset" {
			kind = "password_reset"
		}
		key := fmt.Sprintf("otp:%s:%d", purpose, id)
		var nid int64
		// The code is in the body only: the log notifier prints titles.
		if err := tx.QueryRow(ctx, `INSERT INTO notifications (dedupe_key, user_id, channel, kind, title, body)
			VALUES ($1, $2, 'sms', $3, 'Mã xác thực / verification code', $4) RETURNING id`,
			key, userID, kind, smsText).Scan(&nid); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `INSERT INTO notification_deliveries (notification_id, channel, dedupe_key) VALUES ($1, 'sms', $2)`, nid, key+"#sms")
		return err
	}))
}

// ConsumeOTP checks a code against the user's current one for purpose. A
// code allows maxAttempts tries (then it is void); a right code is used once.
func (db *DB) ConsumeOTP(ctx context.Context, userID int64, purpose string, codeHash []byte, maxAttempts int) (bool, error) {
	var ok bool
	err := pgx.BeginFunc(ctx, db.Pool, func(tx pgx.Tx) error {
		var id int64
		var stored []byte
		var attempts int
		err := tx.QueryRow(ctx, `SELECT id, code_hash, attempts FROM password_resets WHERE user_id = $1 AND purpose = $2 AND used_at IS NULL AND expires_at > now()
			ORDER BY id DESC LIMIT 1 FOR UPDATE`, userID, purpose).Scan(&id, &stored, &attempts)
		if errors.Is(err, pgx.ErrNoRows) {
			return nil
		}
		if err != nil {
			return err
		}
		if attempts >= maxAttempts {
			_, err := tx.Exec(ctx, `UPDATE password_resets SET used_at = now() WHERE id = $1`, id)
			return err
		}
		ok = constantTimeEqual(stored, codeHash)
		if ok {
			_, err = tx.Exec(ctx, `UPDATE password_resets SET used_at = now(), attempts = attempts + 1 WHERE id = $1`, id)
		} else {
			_, err = tx.Exec(ctx, `UPDATE password_resets SET attempts = attempts + 1 WHERE id = $1`, id)
		}
		return err
	})
	return ok, mapErr(err)
}

// ScrubSentCode blanks the text of a one-time-code notification once its
// SMS has gone out, so the code does not stay readable in the database.
func (db *DB) ScrubSentCode(ctx context.Context, notificationID int64) error {
	_, err := db.Pool.Exec(ctx, `UPDATE notifications SET title = 'Mã xác thực đã được gửi / code sent', body = ''
		WHERE id = $1 AND (kind = 'password_reset' OR kind LIKE 'otp.%')`, notificationID)
	return err
}

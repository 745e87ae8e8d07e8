package postgres

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"

	cds "github.com/caobang/congdanso"
)

// UserByIDNumber finds the account already linked to the person with this
// ID number (keyed hash), under any subject of any provider.
func (db *DB) UserByIDNumber(ctx context.Context, idHMAC []byte) (int64, bool, error) {
	var id int64
	err := db.Pool.QueryRow(ctx, `SELECT user_id FROM user_identities WHERE id_number_hmac = $1 ORDER BY created_at LIMIT 1`, idHMAC).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, false, nil
	}
	return id, err == nil, mapErr(err)
}

// UnlinkIdentities removes userID's links to provider; false when there were none.
func (db *DB) UnlinkIdentities(ctx context.Context, userID int64, provider string) (bool, error) {
	tag, err := db.Pool.Exec(ctx, `DELETE FROM user_identities WHERE user_id = $1 AND provider = $2`, userID, provider)
	return tag.RowsAffected() > 0, mapErr(err)
}

// SetSessionACR records the level of assurance a session was opened with.
func (db *DB) SetSessionACR(ctx context.Context, sid, acr string) error {
	_, err := db.Pool.Exec(ctx, `UPDATE sessions SET acr = $2 WHERE id = $1`, sid, acr)
	return mapErr(err)
}

// SessionACR returns a session's recorded level of assurance.
func (db *DB) SessionACR(ctx context.Context, sid string) (string, error) {
	var acr string
	err := db.Pool.QueryRow(ctx, `SELECT acr FROM sessions WHERE id = $1`, sid).Scan(&acr)
	return acr, mapErr(err)
}

// AppCode is a one-time code the mobile app exchanges for tokens.
type AppCode struct {
	UserID    int64
	Challenge string
	ACR       string
	Link      map[string]any
}

// CreateAppCode stores a one-time code (its hash) valid for ttl.
func (db *DB) CreateAppCode(ctx context.Context, codeHash []byte, c AppCode, ttl time.Duration) error {
	_, err := db.Pool.Exec(ctx, `INSERT INTO app_login_codes (code_hash, user_id, challenge, acr, link, expires_at) VALUES ($1, $2, $3, $4, $5, $6)`,
		codeHash, c.UserID, c.Challenge, c.ACR, c.Link, time.Now().Add(ttl))
	if err == nil {
		_, err = db.Pool.Exec(ctx, `DELETE FROM app_login_codes WHERE expires_at < now() - interval '1 hour'`)
	}
	return mapErr(err)
}

// TakeAppCode uses a one-time code: the first caller gets it, once, before
// it expires; anyone else gets ENOTFOUND.
func (db *DB) TakeAppCode(ctx context.Context, codeHash []byte) (AppCode, error) {
	var c AppCode
	err := db.Pool.QueryRow(ctx, `UPDATE app_login_codes SET used_at = now() WHERE code_hash = $1 AND used_at IS NULL AND expires_at > now()
		RETURNING user_id, challenge, acr, link`, codeHash).Scan(&c.UserID, &c.Challenge, &c.ACR, &c.Link)
	if errors.Is(err, pgx.ErrNoRows) {
		return c, cds.Errorf(cds.ENOTFOUND, "Mã không hợp lệ.", "Invalid code.")
	}
	return c, mapErr(err)
}

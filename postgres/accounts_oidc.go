package postgres

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"

	cds "github.com/caobang/congdanso"
)

// OIDCState is an authorization request in flight.
type OIDCState struct {
	State, Nonce, Verifier string
	LinkUserID             int64
	// The mobile app's redirect URI, state and PKCE challenge (issue 20);
	// empty for a JSON (web) sign-in.
	AppRedirect, AppState, AppChallenge string
}

// SaveOIDCState stores a login attempt's secrets until ttl passes.
func (db *DB) SaveOIDCState(ctx context.Context, s OIDCState, ttl time.Duration) error {
	_, err := db.Pool.Exec(ctx, `INSERT INTO oidc_states (state, nonce, verifier, link_user_id, expires_at, app_redirect, app_state, app_challenge)
		VALUES ($1, $2, $3, NULLIF($4, 0), $5, $6, $7, $8)`,
		s.State, s.Nonce, s.Verifier, s.LinkUserID, time.Now().Add(ttl), s.AppRedirect, s.AppState, s.AppChallenge)
	if err == nil {
		_, err = db.Pool.Exec(ctx, `DELETE FROM oidc_states WHERE expires_at < now() - interval '1 hour'`)
	}
	return mapErr(err)
}

// TakeOIDCState returns and deletes a state (single use). Expired or unknown: ENOTFOUND.
func (db *DB) TakeOIDCState(ctx context.Context, state string) (OIDCState, error) {
	s := OIDCState{State: state}
	var link *int64
	var live bool
	err := db.Pool.QueryRow(ctx, `DELETE FROM oidc_states WHERE state = $1
		RETURNING nonce, verifier, link_user_id, expires_at > now(), app_redirect, app_state, app_challenge`, state).
		Scan(&s.Nonce, &s.Verifier, &link, &live, &s.AppRedirect, &s.AppState, &s.AppChallenge)
	if err != nil {
		return s, mapErr(err)
	}
	if !live {
		return s, cds.Errorf(cds.ENOTFOUND, "Hết hạn.", "Expired.")
	}
	if link != nil {
		s.LinkUserID = *link
	}
	return s, nil
}

// Identity is an account's link to an outside identity provider.
type Identity struct {
	Provider, Subject string
	UserID            int64
	IDNumberEnc       []byte
	IDMasked          string
	IDNumberHMAC      []byte // keyed hash of the ID number, to find the person's account (issue 20)
}

// IdentityBySubject finds the account linked to (provider, subject).
func (db *DB) IdentityBySubject(ctx context.Context, provider, subject string) (Identity, error) {
	i := Identity{Provider: provider, Subject: subject}
	err := db.Pool.QueryRow(ctx, `SELECT user_id, id_number_enc, id_masked FROM user_identities WHERE provider = $1 AND subject = $2`, provider, subject).
		Scan(&i.UserID, &i.IDNumberEnc, &i.IDMasked)
	if errors.Is(err, pgx.ErrNoRows) {
		return i, cds.Errorf(cds.ENOTFOUND, "Chưa liên kết.", "Not linked.")
	}
	return i, mapErr(err)
}

// IdentityOfUser returns a user's link to provider, if any.
func (db *DB) IdentityOfUser(ctx context.Context, userID int64, provider string) (Identity, bool, error) {
	i := Identity{Provider: provider, UserID: userID}
	err := db.Pool.QueryRow(ctx, `SELECT subject, id_number_enc, id_masked FROM user_identities WHERE user_id = $1 AND provider = $2`, userID, provider).
		Scan(&i.Subject, &i.IDNumberEnc, &i.IDMasked)
	if errors.Is(err, pgx.ErrNoRows) {
		return i, false, nil
	}
	return i, err == nil, mapErr(err)
}

// LinkIdentity links (provider, subject) to a user or refreshes the link.
func (db *DB) LinkIdentity(ctx context.Context, i Identity) error {
	_, err := db.Pool.Exec(ctx, `INSERT INTO user_identities (provider, subject, user_id, id_number_enc, id_masked, id_number_hmac) VALUES ($1, $2, $3, $4, $5, $6)
		ON CONFLICT (provider, subject) DO UPDATE SET id_number_enc = COALESCE(EXCLUDED.id_number_enc, user_identities.id_number_enc),
		id_masked = CASE WHEN EXCLUDED.id_masked = '' THEN user_identities.id_masked ELSE EXCLUDED.id_masked END,
		id_number_hmac = COALESCE(EXCLUDED.id_number_hmac, user_identities.id_number_hmac), last_login_at = now()
		WHERE user_identities.user_id = EXCLUDED.user_id`, i.Provider, i.Subject, i.UserID, i.IDNumberEnc, i.IDMasked, i.IDNumberHMAC)
	return mapErr(err)
}

package postgres

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"

	cds "github.com/caobang/congdanso"
)

// User is an account row with its role grants.
type User struct {
	ID           int64      `json:"id"`
	Kind         string     `json:"kind"`
	Phone        string     `json:"phone,omitempty"`
	Username     string     `json:"username,omitempty"`
	FullName     string     `json:"full_name"`
	PasswordHash string     `json:"-"`
	Email        string     `json:"email"`
	Address      string     `json:"address"`
	CommuneCode  string     `json:"commune_code,omitempty"`
	AgencyCode   string     `json:"agency_code,omitempty"`
	Status       string     `json:"status"`
	Roles        []cds.Role `json:"roles"`
	CreatedAt    time.Time  `json:"created_at"`
}

// Actor is the user as the API sees it in tokens and checks.
func (u User) Actor() cds.Actor {
	return cds.Actor{UserID: u.ID, Name: u.FullName, AgencyCode: u.AgencyCode, Roles: u.Roles}
}

const userCols = `u.id, u.kind, COALESCE(u.phone, ''), COALESCE(u.username, ''), u.full_name, u.password_hash, u.email, u.address,
	COALESCE(u.commune_code, ''), COALESCE(u.agency_code, ''), u.status, u.created_at,
	COALESCE((SELECT array_agg(DISTINCT r.role ORDER BY r.role) FROM user_roles r WHERE r.user_id = u.id), '{}')`

func scanUser(row pgx.Row) (User, error) {
	var u User
	var roles []string
	err := row.Scan(&u.ID, &u.Kind, &u.Phone, &u.Username, &u.FullName, &u.PasswordHash, &u.Email, &u.Address,
		&u.CommuneCode, &u.AgencyCode, &u.Status, &u.CreatedAt, &roles)
	for _, r := range roles {
		u.Roles = append(u.Roles, cds.Role(r))
	}
	if u.Roles == nil {
		u.Roles = []cds.Role{}
	}
	return u, err
}

func (db *DB) userWhere(ctx context.Context, where string, arg any) (User, error) {
	u, err := scanUser(db.Pool.QueryRow(ctx, `SELECT `+userCols+` FROM users u WHERE `+where, arg))
	if errors.Is(err, pgx.ErrNoRows) {
		return u, cds.Errorf(cds.ENOTFOUND, "Không tìm thấy tài khoản.", "Account not found.")
	}
	return u, mapErr(err)
}

// UserByID returns an account.
func (db *DB) UserByID(ctx context.Context, id int64) (User, error) {
	return db.userWhere(ctx, "u.id = $1", id)
}

// UserByPhone returns the account with a normalised phone number.
func (db *DB) UserByPhone(ctx context.Context, phone string) (User, error) {
	return db.userWhere(ctx, "u.phone = $1", phone)
}

// UserByUsername returns a staff account by its sign-in name.
func (db *DB) UserByUsername(ctx context.Context, username string) (User, error) {
	return db.userWhere(ctx, "lower(u.username) = lower($1)", username)
}

// CreateCitizen inserts a citizen account with the citizen role.
func (db *DB) CreateCitizen(ctx context.Context, name, phone, passwordHash string) (User, error) {
	var id int64
	err := pgx.BeginFunc(ctx, db.Pool, func(tx pgx.Tx) error {
		if err := tx.QueryRow(ctx, `INSERT INTO users (kind, phone, full_name, password_hash, password_changed_at)
			VALUES ('citizen', NULLIF($1, ''), $2, $3, now()) RETURNING id`, phone, name, passwordHash).Scan(&id); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `INSERT INTO user_roles (user_id, role, agency_code) VALUES ($1, 'citizen', '*')`, id)
		return err
	})
	if err != nil {
		if cds.ErrorCode(mapErr(err)) == cds.ECONFLICT {
			return User{}, cds.Errorf(cds.ECONFLICT, "Số điện thoại này đã được đăng ký.", "This phone number is already registered.").WithField("phone", "Số điện thoại đã được đăng ký.")
		}
		return User{}, mapErr(err)
	}
	return db.UserByID(ctx, id)
}

// Profile holds the fields a citizen may change about themselves (nil: unchanged).
type Profile struct {
	FullName    *string `json:"full_name"`
	Email       *string `json:"email"`
	Address     *string `json:"address"`
	CommuneCode *string `json:"commune_code"`
}

// UpdateProfile changes the given fields.
func (db *DB) UpdateProfile(ctx context.Context, id int64, p Profile) error {
	_, err := db.Pool.Exec(ctx, `UPDATE users SET full_name = COALESCE($2, full_name), email = COALESCE($3, email),
		address = COALESCE($4, address), commune_code = CASE WHEN $5::text IS NULL THEN commune_code ELSE NULLIF($5, '') END,
		updated_at = now() WHERE id = $1`, id, p.FullName, p.Email, p.Address, p.CommuneCode)
	return mapErr(err)
}

// AgencyExists reports whether an agency code exists.
func (db *DB) AgencyExists(ctx context.Context, code string) (bool, error) {
	var ok bool
	err := db.Pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM agencies WHERE code = $1)`, code).Scan(&ok)
	return ok, mapErr(err)
}

// SetPassword stores a new hash and ends every session but keep (may be "").
func (db *DB) SetPassword(ctx context.Context, id int64, hash, keep string) error {
	return pgx.BeginFunc(ctx, db.Pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `UPDATE users SET password_hash = $2, password_changed_at = now(), updated_at = now() WHERE id = $1`, id, hash); err != nil {
			return mapErr(err)
		}
		_, err := tx.Exec(ctx, `UPDATE sessions SET revoked_at = now(), revoke_reason = 'password' WHERE user_id = $1 AND id <> $2 AND revoked_at IS NULL`, id, keep)
		return mapErr(err)
	})
}

// TouchLogin records a successful sign-in.
func (db *DB) TouchLogin(ctx context.Context, id int64) error {
	_, err := db.Pool.Exec(ctx, `UPDATE users SET last_login_at = now() WHERE id = $1`, id)
	return mapErr(err)
}

// Session is a refresh-token family as listed to its owner.
type Session struct {
	ID         string    `json:"id"`
	UserID     int64     `json:"-"`
	CreatedAt  time.Time `json:"created_at"`
	LastUsedAt time.Time `json:"last_used_at"`
	ExpiresAt  time.Time `json:"expires_at"`
	UserAgent  string    `json:"user_agent"`
	IP         string    `json:"ip"`
	Method     string    `json:"method"`
}

// CreateSession starts a family with its first refresh token (stored hashed).
func (db *DB) CreateSession(ctx context.Context, s Session, tokenHash []byte) error {
	return mapErr(pgx.BeginFunc(ctx, db.Pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO sessions (id, user_id, expires_at, user_agent, ip, method) VALUES ($1, $2, $3, $4, $5, $6)`,
			s.ID, s.UserID, s.ExpiresAt, s.UserAgent, s.IP, s.Method); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `INSERT INTO refresh_tokens (token_hash, session_id, expires_at) VALUES ($1, $2, $3)`, tokenHash, s.ID, s.ExpiresAt)
		return err
	}))
}

// ErrRefreshReuse is returned when a refresh token is used a second time:
// the whole family has been revoked.
var ErrRefreshReuse = errors.New("refresh token reuse")

// RotateRefresh uses a refresh token once: it is marked used and newHash
// becomes the family's current token. A token used before revokes the family
// (ErrRefreshReuse). It returns the session's user and id.
func (db *DB) RotateRefresh(ctx context.Context, oldHash, newHash []byte) (userID int64, sessionID string, err error) {
	var reuse bool
	err = pgx.BeginFunc(ctx, db.Pool, func(tx pgx.Tx) error {
		var usedAt, revokedAt *time.Time
		var expired bool
		err := tx.QueryRow(ctx, `SELECT s.id, s.user_id, rt.used_at, s.revoked_at, (rt.expires_at < now() OR s.expires_at < now())
			FROM refresh_tokens rt JOIN sessions s ON s.id = rt.session_id WHERE rt.token_hash = $1 FOR UPDATE OF rt, s`, oldHash).
			Scan(&sessionID, &userID, &usedAt, &revokedAt, &expired)
		if errors.Is(err, pgx.ErrNoRows) {
			return errBadRefresh()
		}
		if err != nil {
			return err
		}
		if revokedAt != nil || expired {
			return errBadRefresh()
		}
		if usedAt != nil {
			reuse = true
			_, err := tx.Exec(ctx, `UPDATE sessions SET revoked_at = now(), revoke_reason = 'reuse' WHERE id = $1`, sessionID)
			return err // commit the revocation
		}
		if _, err := tx.Exec(ctx, `UPDATE refresh_tokens SET used_at = now() WHERE token_hash = $1`, oldHash); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO refresh_tokens (token_hash, session_id, expires_at) SELECT $1, id, expires_at FROM sessions WHERE id = $2`, newHash, sessionID); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `UPDATE sessions SET last_used_at = now() WHERE id = $1`, sessionID)
		return err
	})
	if err == nil && reuse {
		return userID, sessionID, ErrRefreshReuse
	}
	return userID, sessionID, mapErr(err)
}

func errBadRefresh() error {
	return cds.Errorf(cds.EUNAUTHORIZED, "Mã làm mới không hợp lệ hoặc đã hết hạn, vui lòng đăng nhập lại.", "The refresh token is invalid or expired; sign in again.")
}

// SessionActive reports whether a session exists, is neither revoked nor
// expired, and its account is active. One primary-key lookup per request.
func (db *DB) SessionActive(ctx context.Context, userID int64, sid string) (bool, error) {
	var ok bool
	err := db.Pool.QueryRow(ctx, `SELECT s.revoked_at IS NULL AND s.expires_at > now() AND u.status = 'active'
		FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.id = $1 AND s.user_id = $2`, sid, userID).Scan(&ok)
	if errors.Is(err, pgx.ErrNoRows) {
		return false, nil
	}
	return ok, err
}

// Sessions lists the active sessions of a user, newest first.
func (db *DB) Sessions(ctx context.Context, userID int64) ([]Session, error) {
	rows, err := db.Pool.Query(ctx, `SELECT id, user_id, created_at, last_used_at, expires_at, user_agent, ip, method FROM sessions
		WHERE user_id = $1 AND revoked_at IS NULL AND expires_at > now() ORDER BY created_at DESC LIMIT 100`, userID)
	if err != nil {
		return nil, mapErr(err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (Session, error) {
		var s Session
		err := r.Scan(&s.ID, &s.UserID, &s.CreatedAt, &s.LastUsedAt, &s.ExpiresAt, &s.UserAgent, &s.IP, &s.Method)
		return s, err
	})
}

// RevokeSession ends one session of userID (ENOTFOUND for another user's).
func (db *DB) RevokeSession(ctx context.Context, userID int64, sid, reason string) error {
	tag, err := db.Pool.Exec(ctx, `UPDATE sessions SET revoked_at = now(), revoke_reason = $3 WHERE id = $1 AND user_id = $2 AND revoked_at IS NULL`, sid, userID, reason)
	if err == nil && tag.RowsAffected() == 0 {
		return cds.Errorf(cds.ENOTFOUND, "Không tìm thấy phiên đăng nhập.", "Session not found.")
	}
	return mapErr(err)
}

// RevokeSessionByRefresh ends the session a refresh token belongs to, if it is userID's.
func (db *DB) RevokeSessionByRefresh(ctx context.Context, userID int64, tokenHash []byte) error {
	_, err := db.Pool.Exec(ctx, `UPDATE sessions SET revoked_at = now(), revoke_reason = 'logout' WHERE user_id = $1 AND revoked_at IS NULL
		AND id = (SELECT session_id FROM refresh_tokens WHERE token_hash = $2)`, userID, tokenHash)
	return mapErr(err)
}

// RevokeAllSessions ends every session of a user; it returns how many.
func (db *DB) RevokeAllSessions(ctx context.Context, userID int64, reason string) (int64, error) {
	tag, err := db.Pool.Exec(ctx, `UPDATE sessions SET revoked_at = now(), revoke_reason = $2 WHERE user_id = $1 AND revoked_at IS NULL`, userID, reason)
	return tag.RowsAffected(), mapErr(err)
}

func constantTimeEqual(a, b []byte) bool {
	if len(a) != len(b) {
		return false
	}
	var v byte
	for i := range a {
		v |= a[i] ^ b[i]
	}
	return v == 0
}

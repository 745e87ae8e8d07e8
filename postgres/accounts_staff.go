package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"

	cds "github.com/caobang/congdanso"
)

// NewStaff is a staff account to create.
type NewStaff struct {
	Username     string
	Phone        string
	FullName     string
	AgencyCode   string
	PasswordHash string
	Roles        []cds.Role
}

// CreateStaff inserts a staff account with its roles in its agency.
func (db *DB) CreateStaff(ctx context.Context, n NewStaff) (User, error) {
	var id int64
	err := pgx.BeginFunc(ctx, db.Pool, func(tx pgx.Tx) error {
		if err := tx.QueryRow(ctx, `INSERT INTO users (kind, username, phone, full_name, agency_code, password_hash, password_changed_at)
			VALUES ('staff', $1, NULLIF($2, ''), $3, $4, $5, now()) RETURNING id`, n.Username, n.Phone, n.FullName, n.AgencyCode, n.PasswordHash).Scan(&id); err != nil {
			return err
		}
		return setRoles(ctx, tx, id, n.AgencyCode, n.Roles)
	})
	if err != nil {
		if cds.ErrorCode(mapErr(err)) == cds.ECONFLICT {
			return User{}, cds.Errorf(cds.ECONFLICT, "Tên đăng nhập hoặc số điện thoại đã được dùng.", "The username or phone number is already taken.")
		}
		return User{}, mapErr(err)
	}
	return db.UserByID(ctx, id)
}

func setRoles(ctx context.Context, tx pgx.Tx, id int64, agency string, roles []cds.Role) error {
	if _, err := tx.Exec(ctx, `DELETE FROM user_roles WHERE user_id = $1`, id); err != nil {
		return err
	}
	for _, r := range roles {
		if _, err := tx.Exec(ctx, `INSERT INTO user_roles (user_id, role, agency_code) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`, id, string(r), agency); err != nil {
			return err
		}
	}
	return nil
}

// SetStaffRoles replaces a staff account's role grants.
func (db *DB) SetStaffRoles(ctx context.Context, id int64, roles []cds.Role) error {
	return mapErr(pgx.BeginFunc(ctx, db.Pool, func(tx pgx.Tx) error {
		var agency string
		if err := tx.QueryRow(ctx, `SELECT COALESCE(agency_code, '') FROM users WHERE id = $1 AND kind = 'staff' FOR UPDATE`, id).Scan(&agency); err != nil {
			return err
		}
		if err := setRoles(ctx, tx, id, agency, roles); err != nil {
			return err
		}
		// Access tokens carry roles: the grants and the end of the
		// account's sessions commit together.
		return revokeAll(ctx, tx, id, "roles-changed")
	}))
}

// revokeAll ends every open session of a user inside tx.
func revokeAll(ctx context.Context, tx pgx.Tx, userID int64, reason string) error {
	_, err := tx.Exec(ctx, `UPDATE sessions SET revoked_at = now(), revoke_reason = $2 WHERE user_id = $1 AND revoked_at IS NULL`, userID, reason)
	return err
}

// StaffPatch changes a staff account (nil: unchanged).
type StaffPatch struct {
	FullName   *string `json:"full_name"`
	AgencyCode *string `json:"agency_code"`
	Status     *string `json:"status"`
	Phone      *string `json:"phone"`
}

// UpdateStaff applies a patch; moving agency moves the role grants with it.
// Moving agency or disabling the account ends its sessions in the same
// transaction.
func (db *DB) UpdateStaff(ctx context.Context, id int64, p StaffPatch) error {
	return mapErr(pgx.BeginFunc(ctx, db.Pool, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE users SET full_name = COALESCE($2, full_name), agency_code = COALESCE($3, agency_code),
			status = COALESCE($4, status), phone = CASE WHEN $5::text IS NULL THEN phone ELSE NULLIF($5, '') END, updated_at = now()
			WHERE id = $1 AND kind = 'staff'`, id, p.FullName, p.AgencyCode, p.Status, p.Phone)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return pgx.ErrNoRows
		}
		if p.AgencyCode != nil {
			if _, err := tx.Exec(ctx, `UPDATE user_roles SET agency_code = $2 WHERE user_id = $1`, id, *p.AgencyCode); err != nil {
				return err
			}
			// Access tokens carry the agency: end the sessions with the move.
			if err := revokeAll(ctx, tx, id, "agency-changed"); err != nil {
				return err
			}
		}
		if p.Status != nil && *p.Status != "active" {
			err = revokeAll(ctx, tx, id, "disabled")
		}
		return err
	}))
}

// StaffByID returns a staff account (ENOTFOUND for citizens).
func (db *DB) StaffByID(ctx context.Context, id int64) (User, error) {
	return db.userWhere(ctx, "u.id = $1 AND u.kind = 'staff'", id)
}

// ListStaff lists staff accounts of the given agencies (nil: all), by id after cursor.
func (db *DB) ListStaff(ctx context.Context, agencies []string, after int64, limit int) ([]User, error) {
	rows, err := db.Pool.Query(ctx, `SELECT `+userCols+` FROM users u WHERE u.kind = 'staff' AND u.id > $1
		AND ($2::text[] IS NULL OR u.agency_code = ANY($2)) ORDER BY u.id LIMIT $3`, after, agencies, limit)
	if err != nil {
		return nil, mapErr(err)
	}
	defer rows.Close()
	var out []User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, u)
	}
	return out, rows.Err()
}

package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	cds "github.com/caobang/congdanso"
)

// Workplace statuses and how a confirmation came about.
const (
	WorkplacePending   = "pending"
	WorkplaceConfirmed = "confirmed"
	WorkplaceRejected  = "rejected"
	SourceAdmin        = "admin"
	SourceStaffList    = "staff_list"
)

// Workplace is an official's declared unit (đơn vị công tác) and its state.
type Workplace struct {
	UserID     int64      `json:"user_id"`
	FullName   string     `json:"full_name"`
	Phone      string     `json:"phone"` // masked
	UnitCode   string     `json:"unit_code"`
	UnitName   string     `json:"unit_name"`
	Position   string     `json:"position"`
	Status     string     `json:"status"`
	Source     string     `json:"source,omitempty"`
	DeclaredAt time.Time  `json:"declared_at"`
	DecidedAt  *time.Time `json:"decided_at,omitempty"`
	Reason     string     `json:"reason,omitempty"`
}

const workplaceCols = `w.user_id, u.full_name, COALESCE(u.phone, ''), w.unit_code, a.name, w.position, w.status, w.source,
	w.declared_at, w.decided_at, w.reason`

func scanWorkplace(r pgx.Row) (Workplace, error) {
	var w Workplace
	err := r.Scan(&w.UserID, &w.FullName, &w.Phone, &w.UnitCode, &w.UnitName, &w.Position, &w.Status, &w.Source,
		&w.DeclaredAt, &w.DecidedAt, &w.Reason)
	w.Phone = cds.MaskPhone(w.Phone)
	w.DeclaredAt = w.DeclaredAt.In(cds.VietnamTZ)
	if w.DecidedAt != nil {
		*w.DecidedAt = w.DecidedAt.In(cds.VietnamTZ)
	}
	return w, err
}

// errUnitNotInForce is returned for a unit that does not exist or has ceased.
func errUnitNotInForce(field string) error {
	return cds.Errorf(cds.EINVALID, "Đơn vị không tồn tại hoặc đã giải thể.", "The unit does not exist or has ceased.").
		WithField(field, "Chọn một đơn vị đang hoạt động / Choose a unit in force")
}

// unitInForce reports whether code names a unit in force today.
func unitInForce(ctx context.Context, q pgx.Tx, code string, types ...string) (bool, error) {
	var ok bool
	err := q.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM agencies WHERE code = $1
		AND (in_force_to IS NULL OR in_force_to >= (now() AT TIME ZONE 'Asia/Ho_Chi_Minh')::date)
		AND (COALESCE(cardinality($2::text[]), 0) = 0 OR type = ANY($2)))`, code, types).Scan(&ok)
	return ok, mapErr(err)
}

// Workplace returns a user's declared workplace (ENOTFOUND when none).
func (db *DB) Workplace(ctx context.Context, userID int64) (Workplace, error) {
	w, err := scanWorkplace(db.Pool.QueryRow(ctx, `SELECT `+workplaceCols+` FROM workplaces w
		JOIN users u ON u.id = w.user_id JOIN agencies a ON a.code = w.unit_code WHERE w.user_id = $1`, userID))
	return w, mapErr(err)
}

// DeclareWorkplace records that a citizen works at unit. Declaring the same
// unit and position again changes nothing (idempotent); another unit or
// position starts over as pending. A phone number on the unit's uploaded staff
// list confirms the declaration at once.
func (db *DB) DeclareWorkplace(ctx context.Context, userID int64, unit, position string) (Workplace, error) {
	tx, err := db.Pool.Begin(ctx)
	if err != nil {
		return Workplace{}, mapErr(err)
	}
	defer tx.Rollback(ctx) //nolint:errcheck
	var kind string
	if err := tx.QueryRow(ctx, `SELECT kind FROM users WHERE id = $1 FOR UPDATE`, userID).Scan(&kind); err != nil {
		return Workplace{}, mapErr(err)
	}
	if kind != "citizen" {
		return Workplace{}, cds.Errorf(cds.EINVALID, "Tài khoản cán bộ đã thuộc một đơn vị; chỉ tài khoản công dân khai báo đơn vị công tác.",
			"Staff accounts already belong to a unit; only citizen accounts declare a workplace.")
	}
	if ok, err := unitInForce(ctx, tx, unit); err != nil {
		return Workplace{}, err
	} else if !ok {
		return Workplace{}, errUnitNotInForce("unit_code")
	}
	_, err = tx.Exec(ctx, `INSERT INTO workplaces (user_id, unit_code, position) VALUES ($1, $2, $3)
		ON CONFLICT (user_id) DO UPDATE SET unit_code = EXCLUDED.unit_code, position = EXCLUDED.position,
			status = 'pending', source = '', declared_at = now(), decided_at = NULL, decided_by = NULL, reason = ''
		WHERE workplaces.unit_code IS DISTINCT FROM EXCLUDED.unit_code OR workplaces.position IS DISTINCT FROM EXCLUDED.position`,
		userID, unit, position)
	if err != nil {
		return Workplace{}, mapErr(err)
	}
	if _, err := tx.Exec(ctx, `UPDATE workplaces w SET status = 'confirmed', source = 'staff_list', decided_at = now()
		FROM users u, staff_list_entries s
		WHERE w.user_id = $1 AND u.id = w.user_id AND w.status = 'pending' AND s.unit_code = w.unit_code AND s.phone = u.phone`, userID); err != nil {
		return Workplace{}, mapErr(err)
	}
	if err := tx.Commit(ctx); err != nil {
		return Workplace{}, mapErr(err)
	}
	return db.Workplace(ctx, userID)
}

// WorkplaceClaims lists the declarations naming unit, pending first.
// status "" lists all.
func (db *DB) WorkplaceClaims(ctx context.Context, unit, status string) ([]Workplace, error) {
	rows, err := db.Pool.Query(ctx, `SELECT `+workplaceCols+` FROM workplaces w
		JOIN users u ON u.id = w.user_id JOIN agencies a ON a.code = w.unit_code
		WHERE w.unit_code = $1 AND ($2 = '' OR w.status = $2)
		ORDER BY array_position(ARRAY['pending','confirmed','rejected'], w.status), w.declared_at, w.user_id LIMIT 5000`, unit, status)
	if err != nil {
		return nil, mapErr(err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Workplace, error) { return scanWorkplace(r) })
	return out, mapErr(err)
}

// DecideWorkplace confirms or rejects a declaration naming unit. A
// declaration of another unit is ENOTFOUND, so a unit admin cannot reach
// other units' officials. Deciding again the same way changes nothing.
func (db *DB) DecideWorkplace(ctx context.Context, unit string, userID int64, confirm bool, reason string, by int64) (Workplace, error) {
	status := WorkplaceRejected
	if confirm {
		status = WorkplaceConfirmed
	}
	tag, err := db.Pool.Exec(ctx, `UPDATE workplaces SET status = $3, source = 'admin', decided_at = now(), decided_by = NULLIF($4, 0), reason = $5
		WHERE user_id = $1 AND unit_code = $2 AND status <> $3`, userID, unit, status, by, reason)
	if err != nil {
		return Workplace{}, mapErr(err)
	}
	w, err := db.Workplace(ctx, userID)
	if err != nil || w.UnitCode != unit {
		return Workplace{}, cds.Errorf(cds.ENOTFOUND, "Không tìm thấy khai báo đơn vị công tác.", "Workplace declaration not found.")
	}
	if tag.RowsAffected() == 0 && w.Status != status {
		return Workplace{}, cds.Errorf(cds.ECONFLICT, "Khai báo vừa thay đổi, vui lòng tải lại.", "The declaration just changed; reload.")
	}
	return w, nil
}

// StaffEntry is one row of a unit's staff list.
type StaffEntry struct {
	Phone    string // canonical account form
	FullName string
	Position string
}

// StaffListResult says what an upload did.
type StaffListResult struct {
	Entries   int `json:"entries"`
	Confirmed int `json:"confirmed"` // pending declarations confirmed by this upload
}

// ReplaceStaffList stores unit's staff list (replacing the previous one) and
// confirms the pending declarations whose account phone is on it, in one
// transaction. Confirmations already made stay; rejected ones stay rejected.
func (db *DB) ReplaceStaffList(ctx context.Context, unit string, entries []StaffEntry, by int64) (StaffListResult, error) {
	tx, err := db.Pool.Begin(ctx)
	if err != nil {
		return StaffListResult{}, mapErr(err)
	}
	defer tx.Rollback(ctx) //nolint:errcheck
	if ok, err := unitInForce(ctx, tx, unit); err != nil {
		return StaffListResult{}, err
	} else if !ok {
		return StaffListResult{}, errUnitNotInForce("unit_code")
	}
	if _, err := tx.Exec(ctx, `DELETE FROM staff_list_entries WHERE unit_code = $1`, unit); err != nil {
		return StaffListResult{}, mapErr(err)
	}
	rows := make([][]any, 0, len(entries))
	seen := map[string]bool{}
	for _, e := range entries {
		if seen[e.Phone] {
			continue
		}
		seen[e.Phone] = true
		rows = append(rows, []any{unit, e.Phone, e.FullName, e.Position, nullID(by)})
	}
	if _, err := tx.CopyFrom(ctx, pgx.Identifier{"staff_list_entries"}, []string{"unit_code", "phone", "full_name", "position", "uploaded_by"},
		pgx.CopyFromRows(rows)); err != nil {
		return StaffListResult{}, mapErr(err)
	}
	tag, err := tx.Exec(ctx, `UPDATE workplaces w SET status = 'confirmed', source = 'staff_list', decided_at = now(), decided_by = NULLIF($2, 0)
		FROM users u, staff_list_entries s
		WHERE w.unit_code = $1 AND w.status = 'pending' AND u.id = w.user_id AND s.unit_code = w.unit_code AND s.phone = u.phone`, unit, by)
	if err != nil {
		return StaffListResult{}, mapErr(err)
	}
	return StaffListResult{Entries: len(rows), Confirmed: int(tag.RowsAffected())}, mapErr(tx.Commit(ctx))
}

func nullID(id int64) *int64 {
	if id == 0 {
		return nil
	}
	return &id
}

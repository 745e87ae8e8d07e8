package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
)

// CategorySetting is a feedback category as the provincial admin edits it:
// the category, whether it is offered, its place in the list and the agency
// that receives its cases in any commune (the '*' row of feedback_routes;
// empty: the province coordinator triages them).
type CategorySetting struct {
	FeedbackCategory
	Sort       int       `json:"sort"`
	Active     bool      `json:"active"`
	AgencyCode string    `json:"agency_code"`
	Overrides  int       `json:"commune_overrides"` // commune-specific routing rows (kept as they are)
	UpdatedAt  time.Time `json:"updated_at"`
}

const categorySettingCols = `k.code, k.name_vi, k.name_en, k.dup_radius_m, k.accept_hours, k.answer_hours, k.urgent_accept_hours,
	k.urgent_answer_hours, k.level, k.reminder_pct, k.info_days, k.info_grace_days, k.complaint_days, k.clock_from,
	k.sort, k.active, COALESCE(r.agency_code, ''),
	(SELECT count(*) FROM feedback_routes o WHERE o.category_code = k.code AND o.commune_code <> '*'), k.updated_at`

const categorySettingFrom = ` FROM feedback_categories k LEFT JOIN feedback_routes r ON r.category_code = k.code AND r.commune_code = '*'`

func scanCategorySetting(r pgx.Row) (CategorySetting, error) {
	var c CategorySetting
	err := r.Scan(&c.Code, &c.NameVI, &c.NameEN, &c.DupRadiusM, &c.AcceptHours, &c.AnswerHours, &c.UrgentAcceptHours,
		&c.UrgentAnswerHours, &c.Level, &c.ReminderPct, &c.InfoDays, &c.InfoGraceDays, &c.ComplaintDays, &c.ClockFrom, &c.Sort, &c.Active, &c.AgencyCode, &c.Overrides, &c.UpdatedAt)
	return c, err
}

// CategorySettings lists every category, offered or not, in display order.
func (db *DB) CategorySettings(ctx context.Context) ([]CategorySetting, error) {
	rows, err := db.Pool.Query(ctx, `SELECT `+categorySettingCols+categorySettingFrom+` ORDER BY k.sort, k.code`)
	if err != nil {
		return nil, mapErr(err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (CategorySetting, error) { return scanCategorySetting(r) })
	return out, mapErr(err)
}

// CategorySettingByCode returns one category, offered or not.
func (db *DB) CategorySettingByCode(ctx context.Context, code string) (CategorySetting, error) {
	c, err := scanCategorySetting(db.Pool.QueryRow(ctx, `SELECT `+categorySettingCols+categorySettingFrom+` WHERE k.code = $1`, code))
	return c, mapErr(err)
}

// AuditEntry is the audit line written in the same transaction as a change.
type AuditEntry struct {
	ActorID         int64
	Action, ObjType string
	ObjID           string
	Detail          any
}

func auditTx(ctx context.Context, tx pgx.Tx, e AuditEntry) error {
	d := e.Detail
	if d == nil {
		d = map[string]any{}
	}
	_, err := tx.Exec(ctx, `INSERT INTO audit_log (actor_id, action, object_type, object_id, detail) VALUES (NULLIF($1, 0), $2, $3, $4, $5)`,
		e.ActorID, e.Action, e.ObjType, e.ObjID, d)
	return mapErr(err)
}

// SaveCategorySetting creates (create true; an existing code is ECONFLICT)
// or updates the category, sets its any-commune route and writes the audit
// line, in one transaction: nothing is written unless all of it is.
func (db *DB) SaveCategorySetting(ctx context.Context, c CategorySetting, create bool, audit AuditEntry) error {
	tx, err := db.Pool.Begin(ctx)
	if err != nil {
		return mapErr(err)
	}
	defer tx.Rollback(ctx) //nolint:errcheck
	if create {
		_, err = tx.Exec(ctx, `INSERT INTO feedback_categories (code, name_vi, name_en, sort, dup_radius_m, accept_hours, answer_hours,
			urgent_accept_hours, urgent_answer_hours, level, reminder_pct, active, info_days, info_grace_days, complaint_days, clock_from)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)`,
			c.Code, c.NameVI, c.NameEN, c.Sort, c.DupRadiusM, c.AcceptHours, c.AnswerHours, c.UrgentAcceptHours, c.UrgentAnswerHours,
			c.Level, c.ReminderPct, c.Active, c.InfoDays, c.InfoGraceDays, c.ComplaintDays, c.ClockFrom)
	} else {
		var tag interface{ RowsAffected() int64 }
		tag, err = tx.Exec(ctx, `UPDATE feedback_categories SET name_vi = $2, name_en = $3, sort = $4, dup_radius_m = $5, accept_hours = $6,
			answer_hours = $7, urgent_accept_hours = $8, urgent_answer_hours = $9, level = $10, reminder_pct = $11, active = $12,
			info_days = $13, info_grace_days = $14, complaint_days = $15, clock_from = $16, updated_at = now()
			WHERE code = $1`,
			c.Code, c.NameVI, c.NameEN, c.Sort, c.DupRadiusM, c.AcceptHours, c.AnswerHours, c.UrgentAcceptHours, c.UrgentAnswerHours,
			c.Level, c.ReminderPct, c.Active, c.InfoDays, c.InfoGraceDays, c.ComplaintDays, c.ClockFrom)
		if err == nil && tag.RowsAffected() == 0 {
			return mapErr(pgx.ErrNoRows)
		}
	}
	if err != nil {
		return mapErr(err)
	}
	if c.AgencyCode == "" {
		_, err = tx.Exec(ctx, `DELETE FROM feedback_routes WHERE category_code = $1 AND commune_code = '*'`, c.Code)
	} else {
		_, err = tx.Exec(ctx, `INSERT INTO feedback_routes (category_code, commune_code, agency_code) VALUES ($1, '*', $2)
			ON CONFLICT (category_code, commune_code) DO UPDATE SET agency_code = EXCLUDED.agency_code`, c.Code, c.AgencyCode)
	}
	if err != nil {
		return mapErr(err)
	}
	if err := auditTx(ctx, tx, audit); err != nil {
		return err
	}
	return mapErr(tx.Commit(ctx))
}

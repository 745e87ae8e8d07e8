package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	cds "github.com/caobang/congdanso"
)

// Consent purposes. PurposeTerms is the processing the service needs;
// PurposeNotifications is optional and may be withdrawn (docs/personal-data.md).
const (
	PurposeTerms         = "terms"
	PurposeNotifications = "notifications"
)

// Consent is a user's latest decision for one purpose.
type Consent struct {
	Purpose     string     `json:"purpose"`
	Version     string     `json:"version"`
	GrantedAt   time.Time  `json:"granted_at"`
	WithdrawnAt *time.Time `json:"withdrawn_at,omitempty"`
	Granted     bool       `json:"granted"`
}

// ConsentEvent is one recorded decision (the evidence trail).
type ConsentEvent struct {
	Purpose string    `json:"purpose"`
	Version string    `json:"version"`
	Granted bool      `json:"granted"`
	At      time.Time `json:"at"`
}

// ConsentDecision is a decision to record.
type ConsentDecision struct {
	Purpose string
	Version string
	Granted bool
}

func recordConsent(ctx context.Context, tx pgx.Tx, userID int64, d ConsentDecision) error {
	_, err := tx.Exec(ctx, `INSERT INTO consents (user_id, purpose, version, granted_at, withdrawn_at)
		VALUES ($1, $2, $3, now(), CASE WHEN $4 THEN NULL ELSE now() END)
		ON CONFLICT (user_id, purpose) DO UPDATE SET version = EXCLUDED.version,
			granted_at = CASE WHEN $4 THEN now() ELSE consents.granted_at END,
			withdrawn_at = CASE WHEN $4 THEN NULL ELSE now() END`, userID, d.Purpose, d.Version, d.Granted)
	if err != nil {
		return err
	}
	_, err = tx.Exec(ctx, `INSERT INTO consent_events (user_id, purpose, version, granted) VALUES ($1, $2, $3, $4)`,
		userID, d.Purpose, d.Version, d.Granted)
	return err
}

// RecordConsents stores decisions with their evidence rows in one transaction.
func (db *DB) RecordConsents(ctx context.Context, userID int64, ds ...ConsentDecision) error {
	return mapErr(pgx.BeginFunc(ctx, db.Pool, func(tx pgx.Tx) error {
		for _, d := range ds {
			if err := recordConsent(ctx, tx, userID, d); err != nil {
				return err
			}
		}
		return nil
	}))
}

// Consents lists a user's current decisions and their history.
func (db *DB) Consents(ctx context.Context, userID int64) ([]Consent, []ConsentEvent, error) {
	rows, err := db.Pool.Query(ctx, `SELECT purpose, version, granted_at, withdrawn_at FROM consents WHERE user_id = $1 ORDER BY purpose`, userID)
	if err != nil {
		return nil, nil, mapErr(err)
	}
	cur, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Consent, error) {
		var c Consent
		err := r.Scan(&c.Purpose, &c.Version, &c.GrantedAt, &c.WithdrawnAt)
		c.Granted = c.WithdrawnAt == nil
		return c, err
	})
	if err != nil {
		return nil, nil, mapErr(err)
	}
	rows, err = db.Pool.Query(ctx, `SELECT purpose, version, granted, at FROM consent_events WHERE user_id = $1 ORDER BY id`, userID)
	if err != nil {
		return nil, nil, mapErr(err)
	}
	evs, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (ConsentEvent, error) {
		var e ConsentEvent
		err := r.Scan(&e.Purpose, &e.Version, &e.Granted, &e.At)
		return e, err
	})
	return cur, evs, mapErr(err)
}

// CreateCitizenWithConsent creates a citizen account and records the
// consents given at registration in the same transaction: no account
// without its recorded consent, no consent without its account.
func (db *DB) CreateCitizenWithConsent(ctx context.Context, name, phone, passwordHash string, ds ...ConsentDecision) (User, error) {
	var id int64
	err := pgx.BeginFunc(ctx, db.Pool, func(tx pgx.Tx) error {
		if err := tx.QueryRow(ctx, `INSERT INTO users (kind, phone, full_name, password_hash, password_changed_at)
			VALUES ('citizen', NULLIF($1, ''), $2, $3, now()) RETURNING id`, phone, name, passwordHash).Scan(&id); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO user_roles (user_id, role, agency_code) VALUES ($1, 'citizen', '*')`, id); err != nil {
			return err
		}
		for _, d := range ds {
			if err := recordConsent(ctx, tx, id, d); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		if cds.ErrorCode(mapErr(err)) == cds.ECONFLICT {
			return User{}, cds.Errorf(cds.ECONFLICT, "Số điện thoại này đã được đăng ký.", "This phone number is already registered.").WithField("phone", "Số điện thoại đã được đăng ký.")
		}
		return User{}, mapErr(err)
	}
	return db.UserByID(ctx, id)
}

// AuditPersonalRead records that a staff member read a citizen's ID number
// or phone number (fields names the fields shown; values are never logged).
func (db *DB) AuditPersonalRead(ctx context.Context, actorID int64, objType, objID string, citizenID int64, fields []string) error {
	return db.Audit(ctx, actorID, "personal-data-read", objType, objID, map[string]any{"citizen_id": citizenID, "fields": fields})
}

// PersonalFormFields lists the fields of an application's form, by the
// procedure version it was submitted under, that hold an ID number or a
// phone number.
func (db *DB) PersonalFormFields(ctx context.Context, workflowID string) ([]string, error) {
	rows, err := db.Pool.Query(ctx, `SELECT f->>'name' FROM applications a
		JOIN procedure_versions v ON v.procedure_code = a.procedure_code AND v.version = a.submitted_version,
		jsonb_array_elements(v.spec->'fields') f
		WHERE a.workflow_id = $1 AND f->>'type' IN ('id_number', 'phone') AND a.form ? (f->>'name') ORDER BY 1`, workflowID)
	if err != nil {
		return nil, mapErr(err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowTo[string])
	return out, mapErr(err)
}

// MediaWithheld reports whether a file was withheld (its owner deleted the account).
func (db *DB) MediaWithheld(ctx context.Context, id string) (bool, error) {
	var w bool
	err := db.Pool.QueryRow(ctx, `SELECT withheld_at IS NOT NULL FROM media WHERE id = $1`, id).Scan(&w)
	return w, mapErr(err)
}

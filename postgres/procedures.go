package postgres

import (
	"context"
	"encoding/json"
	"time"

	"github.com/jackc/pgx/v5"

	cds "github.com/caobang/congdanso"
)

func scanProcedure(r pgx.Row) (cds.Procedure, error) {
	var p cds.Procedure
	var spec []byte
	var code string
	var version int
	var eff time.Time
	if err := r.Scan(&code, &version, &eff, &spec); err != nil {
		return p, mapErr(err)
	}
	if err := json.Unmarshal(spec, &p); err != nil {
		return p, err
	}
	// The columns are authoritative over the copy inside spec.
	p.Code, p.Version, p.EffectiveFrom = code, version, eff.In(cds.VietnamTZ)
	return p, nil
}

// ProcedureAt returns the version of a procedure in force at t: the latest
// effective_from not after t (the highest version number among equals).
func (db *DB) ProcedureAt(ctx context.Context, code string, t time.Time) (cds.Procedure, error) {
	p, err := scanProcedure(db.Pool.QueryRow(ctx, `SELECT v.procedure_code, v.version, v.effective_from, v.spec
		FROM procedure_versions v JOIN procedures p ON p.code = v.procedure_code
		WHERE v.procedure_code = $1 AND v.effective_from <= $2 AND p.active
		ORDER BY v.effective_from DESC, v.version DESC LIMIT 1`, code, t))
	if cds.ErrorCode(err) == cds.ENOTFOUND {
		return p, cds.Errorf(cds.ENOTFOUND, "Không tìm thấy thủ tục %s.", "No procedure %s.", code)
	}
	return p, err
}

// ProcedureVersion returns one exact version.
func (db *DB) ProcedureVersion(ctx context.Context, code string, version int) (cds.Procedure, error) {
	return scanProcedure(db.Pool.QueryRow(ctx, `SELECT procedure_code, version, effective_from, spec
		FROM procedure_versions WHERE procedure_code = $1 AND version = $2`, code, version))
}

// Procedures returns every active procedure in the version in force at t.
func (db *DB) Procedures(ctx context.Context, t time.Time) ([]cds.Procedure, error) {
	rows, err := db.Pool.Query(ctx, `SELECT DISTINCT ON (v.procedure_code) v.procedure_code, v.version, v.effective_from, v.spec
		FROM procedure_versions v JOIN procedures p ON p.code = v.procedure_code
		WHERE p.active AND v.effective_from <= $1
		ORDER BY v.procedure_code, v.effective_from DESC, v.version DESC`, t)
	if err != nil {
		return nil, mapErr(err)
	}
	defer rows.Close()
	var out []cds.Procedure
	for rows.Next() {
		p, err := scanProcedure(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, mapErr(rows.Err())
}

// ProcedureVersionInfo is a row of a procedure's version history.
type ProcedureVersionInfo struct {
	Version       int       `json:"version"`
	EffectiveFrom time.Time `json:"effective_from"`
	CreatedAt     time.Time `json:"created_at"`
}

// ProcedureVersions lists the versions of a procedure, newest first.
func (db *DB) ProcedureVersions(ctx context.Context, code string) ([]ProcedureVersionInfo, error) {
	rows, err := db.Pool.Query(ctx, `SELECT version, effective_from, created_at FROM procedure_versions
		WHERE procedure_code = $1 ORDER BY version DESC`, code)
	if err != nil {
		return nil, mapErr(err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (ProcedureVersionInfo, error) {
		var v ProcedureVersionInfo
		err := r.Scan(&v.Version, &v.EffectiveFrom, &v.CreatedAt)
		v.EffectiveFrom, v.CreatedAt = v.EffectiveFrom.In(cds.VietnamTZ), v.CreatedAt.In(cds.VietnamTZ)
		return v, err
	})
}

// PublishProcedureVersion stores p as the next version of its procedure
// (creating the procedure if new) and returns the version number. Versions
// already published are never changed, so accepted dossiers keep theirs.
// The audit line (actor by) is written in the same transaction.
func (db *DB) PublishProcedureVersion(ctx context.Context, p cds.Procedure, by int64) (int, error) {
	tx, err := db.Pool.Begin(ctx)
	if err != nil {
		return 0, mapErr(err)
	}
	defer tx.Rollback(ctx) //nolint:errcheck
	if _, err := tx.Exec(ctx, `INSERT INTO procedures (code, name, field, level) VALUES ($1, $2, $3, $4)
		ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name, field = EXCLUDED.field, level = EXCLUDED.level`,
		p.Code, p.Name, p.Field, p.Level); err != nil {
		return 0, mapErr(err)
	}
	// Serialise publishers of the same procedure.
	if _, err := tx.Exec(ctx, `SELECT 1 FROM procedures WHERE code = $1 FOR UPDATE`, p.Code); err != nil {
		return 0, mapErr(err)
	}
	var v int
	if err := tx.QueryRow(ctx, `SELECT COALESCE(max(version), 0) + 1 FROM procedure_versions WHERE procedure_code = $1`, p.Code).Scan(&v); err != nil {
		return 0, mapErr(err)
	}
	p.Version = v
	spec, err := json.Marshal(p)
	if err != nil {
		return 0, err
	}
	if _, err := tx.Exec(ctx, `INSERT INTO procedure_versions (procedure_code, version, effective_from, spec, published_by)
		VALUES ($1, $2, $3, $4, NULLIF($5, 0))`, p.Code, v, p.EffectiveFrom, spec, by); err != nil {
		return 0, mapErr(err)
	}
	if err := auditTx(ctx, tx, AuditEntry{ActorID: by, Action: "procedure.publish", ObjType: "procedure", ObjID: p.Code,
		Detail: map[string]any{"version": v}}); err != nil {
		return 0, err
	}
	return v, mapErr(tx.Commit(ctx))
}

package postgres

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	cds "github.com/caobang/congdanso"
)

// Contact is one named phone number (a switchboard, a police post).
type Contact struct {
	Name  string `json:"name"`
	Phone string `json:"phone"`
}

// Leader is a leader's public title (and name, when published).
type Leader struct {
	Title string `json:"title"`
	Name  string `json:"name,omitempty"`
	Phone string `json:"phone,omitempty"`
}

// DirectoryEntry is an agency as the public directory (Chính quyền) shows it.
type DirectoryEntry struct {
	Code         string            `json:"code"`
	Name         string            `json:"name"`
	Type         cds.AgencyType    `json:"type"`
	ParentCode   string            `json:"parent_code,omitempty"`
	Address      string            `json:"address"`
	Phones       map[string]string `json:"phones"` // switchboard, hotline, fax…
	Email        string            `json:"email"`
	Website      string            `json:"website"`
	WorkingHours string            `json:"working_hours"`
	Lat          *float64          `json:"lat"`
	Lng          *float64          `json:"lng"`
	Leaders      []Leader          `json:"leaders"`
	PolicePhones []Contact         `json:"police_phones"`
	UpdatedAt    time.Time         `json:"updated_at"`
	// Reference data (docs/reference-data.md): the official administrative
	// code, the last day in force of a unit that ceased, and whether the
	// name and parent are confirmed by a cited source.
	AdminCode string `json:"admin_code,omitempty"`
	InForceTo string `json:"in_force_to,omitempty"`
	Verified  bool   `json:"verified"`
	RefNote   string `json:"ref_note,omitempty"`
}

const directoryCols = `code, name, type, COALESCE(parent_code, ''), address, phones, email, website, working_hours, lat, lng, leaders, police_phones, updated_at,
	COALESCE(admin_code, ''), COALESCE(in_force_to::text, ''), verified, ref_note`

func scanDirectory(r pgx.Row) (DirectoryEntry, error) {
	var e DirectoryEntry
	var phones, leaders, police []byte
	if err := r.Scan(&e.Code, &e.Name, &e.Type, &e.ParentCode, &e.Address, &phones, &e.Email, &e.Website, &e.WorkingHours,
		&e.Lat, &e.Lng, &leaders, &police, &e.UpdatedAt, &e.AdminCode, &e.InForceTo, &e.Verified, &e.RefNote); err != nil {
		return e, err
	}
	e.Phones, e.Leaders, e.PolicePhones = map[string]string{}, []Leader{}, []Contact{}
	_ = json.Unmarshal(phones, &e.Phones)
	_ = json.Unmarshal(leaders, &e.Leaders)
	_ = json.Unmarshal(police, &e.PolicePhones)
	return e, nil
}

// DirectoryFilter selects directory entries.
type DirectoryFilter struct {
	Type  string // province, department, commune, central, association
	Query string // part of the name, diacritics optional
	// All includes units no longer in force (the districts abolished on
	// 1 July 2025); the public directory lists only the units in force.
	All bool
}

// Directory lists agencies with their contact details, ordered for display:
// by type, then name.
func (db *DB) Directory(ctx context.Context, f DirectoryFilter) ([]DirectoryEntry, error) {
	var where []string
	var args []any
	if !f.All {
		where = append(where, "(in_force_to IS NULL OR in_force_to >= (now() AT TIME ZONE 'Asia/Ho_Chi_Minh')::date)")
	}
	if f.Type != "" {
		args = append(args, f.Type)
		where = append(where, "type = $"+strconv.Itoa(len(args)))
	}
	if q := strings.TrimSpace(f.Query); q != "" {
		// Escape LIKE metacharacters so "%" in a query matches itself.
		q = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(q)
		args = append(args, q)
		where = append(where, "lower(cds_unaccent(name)) LIKE '%' || lower(cds_unaccent($"+strconv.Itoa(len(args))+")) || '%'")
	}
	sql := `SELECT ` + directoryCols + ` FROM agencies`
	if len(where) > 0 {
		sql += " WHERE " + strings.Join(where, " AND ")
	}
	sql += ` ORDER BY array_position(ARRAY['province','department','central','association','commune','district'], type), name`
	rows, err := db.Pool.Query(ctx, sql, args...)
	if err != nil {
		return nil, mapErr(err)
	}
	list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (DirectoryEntry, error) { return scanDirectory(r) })
	return list, mapErr(err)
}

// DirectoryEntryByCode returns one agency.
func (db *DB) DirectoryEntryByCode(ctx context.Context, code string) (DirectoryEntry, error) {
	e, err := scanDirectory(db.Pool.QueryRow(ctx, `SELECT `+directoryCols+` FROM agencies WHERE code = $1`, code))
	return e, mapErr(err)
}

// nilIfEmpty keeps JSON columns non-null.
func jsonOr(v any, empty string) []byte {
	b, err := json.Marshal(v)
	if err != nil || string(b) == "null" {
		return []byte(empty)
	}
	return b
}

// CreateDirectoryEntry adds an agency with its directory fields.
func (db *DB) CreateDirectoryEntry(ctx context.Context, e DirectoryEntry) (DirectoryEntry, error) {
	_, err := db.Pool.Exec(ctx, `INSERT INTO agencies (code, name, type, parent_code, address, phones, email, website, working_hours, lat, lng, leaders, police_phones)
		VALUES ($1, $2, $3, NULLIF($4, ''), $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
		e.Code, e.Name, e.Type, e.ParentCode, e.Address, jsonOr(e.Phones, "{}"), e.Email, e.Website, e.WorkingHours, e.Lat, e.Lng,
		jsonOr(e.Leaders, "[]"), jsonOr(e.PolicePhones, "[]"))
	if err != nil {
		return DirectoryEntry{}, mapErr(err)
	}
	return db.DirectoryEntryByCode(ctx, e.Code)
}

// UpdateDirectoryEntry replaces everything but the code.
func (db *DB) UpdateDirectoryEntry(ctx context.Context, e DirectoryEntry) (DirectoryEntry, error) {
	tag, err := db.Pool.Exec(ctx, `UPDATE agencies SET name=$2, type=$3, parent_code=NULLIF($4, ''), address=$5, phones=$6, email=$7,
		website=$8, working_hours=$9, lat=$10, lng=$11, leaders=$12, police_phones=$13, updated_at=now() WHERE code=$1`,
		e.Code, e.Name, e.Type, e.ParentCode, e.Address, jsonOr(e.Phones, "{}"), e.Email, e.Website, e.WorkingHours, e.Lat, e.Lng,
		jsonOr(e.Leaders, "[]"), jsonOr(e.PolicePhones, "[]"))
	if err != nil {
		return DirectoryEntry{}, mapErr(err)
	}
	if tag.RowsAffected() == 0 {
		return DirectoryEntry{}, mapErr(pgx.ErrNoRows)
	}
	return db.DirectoryEntryByCode(ctx, e.Code)
}

// FillDirectory writes contact details into agencies whose address is still
// empty, so it never overwrites what an admin has edited. Idempotent.
func (db *DB) FillDirectory(ctx context.Context, entries []DirectoryEntry) error {
	for _, e := range entries {
		_, err := db.Pool.Exec(ctx, `UPDATE agencies SET address=$2, phones=$3, email=$4, website=$5, working_hours=$6,
			lat=$7, lng=$8, leaders=$9, police_phones=$10, updated_at=now() WHERE code=$1 AND address = ''`,
			e.Code, e.Address, jsonOr(e.Phones, "{}"), e.Email, e.Website, e.WorkingHours, e.Lat, e.Lng,
			jsonOr(e.Leaders, "[]"), jsonOr(e.PolicePhones, "[]"))
		if err != nil {
			return mapErr(err)
		}
	}
	return nil
}

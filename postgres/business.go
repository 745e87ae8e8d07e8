package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	cds "github.com/caobang/congdanso"
)

// Business is a business account: a validated, unique tax code linked to the
// person who registered it and counted in its commune.
type Business struct {
	TaxCode      string    `json:"tax_code"`
	Name         string    `json:"name"`
	CommuneCode  string    `json:"commune_code"`
	CommuneName  string    `json:"commune_name"`
	OwnerID      int64     `json:"owner_id"`
	Status       string    `json:"status"`
	RegisteredAt time.Time `json:"registered_at"`
}

const businessCols = `b.tax_code, b.name, COALESCE(b.commune_code, ''), COALESCE(a.name, ''), b.owner_id, b.status, b.registered_at`

func scanBusiness(r pgx.Row) (Business, error) {
	var b Business
	err := r.Scan(&b.TaxCode, &b.Name, &b.CommuneCode, &b.CommuneName, &b.OwnerID, &b.Status, &b.RegisteredAt)
	b.RegisteredAt = b.RegisteredAt.In(cds.VietnamTZ)
	return b, err
}

// RegisterBusiness links a tax code (already normalised by
// cds.NormalizeTaxCode) to owner. The same owner registering the same code
// again gets the existing account back (created = false), so a retry is
// harmless; a code held by another account is ECONFLICT.
func (db *DB) RegisterBusiness(ctx context.Context, owner int64, taxCode, name, commune string) (Business, bool, error) {
	tx, err := db.Pool.Begin(ctx)
	if err != nil {
		return Business{}, false, mapErr(err)
	}
	defer tx.Rollback(ctx) //nolint:errcheck
	if ok, err := unitInForce(ctx, tx, commune, string(cds.AgencyCommune)); err != nil {
		return Business{}, false, err
	} else if !ok {
		return Business{}, false, cds.Errorf(cds.EINVALID, "Xã, phường không hợp lệ.", "Unknown ward or commune.").
			WithField("commune_code", "Chọn xã, phường nơi doanh nghiệp hoạt động / Choose the ward or commune of the business")
	}
	tag, err := tx.Exec(ctx, `INSERT INTO businesses (tax_code, name, commune_code, owner_id) VALUES ($1, $2, $3, $4)
		ON CONFLICT (tax_code) DO NOTHING`, taxCode, name, commune, owner)
	if err != nil {
		return Business{}, false, mapErr(err)
	}
	b, err := scanBusiness(tx.QueryRow(ctx, `SELECT `+businessCols+` FROM businesses b LEFT JOIN agencies a ON a.code = b.commune_code
		WHERE b.tax_code = $1`, taxCode))
	if err != nil {
		return Business{}, false, mapErr(err)
	}
	if tag.RowsAffected() == 0 && b.OwnerID != owner {
		return Business{}, false, cds.Errorf(cds.ECONFLICT, "Mã số thuế này đã được một tài khoản khác đăng ký.",
			"This tax code is already registered by another account.").WithField("tax_code", "Mã số thuế đã được đăng ký / Tax code already registered")
	}
	return b, tag.RowsAffected() == 1, mapErr(tx.Commit(ctx))
}

// BusinessesOf lists the business accounts a person registered.
func (db *DB) BusinessesOf(ctx context.Context, owner int64) ([]Business, error) {
	rows, err := db.Pool.Query(ctx, `SELECT `+businessCols+` FROM businesses b LEFT JOIN agencies a ON a.code = b.commune_code
		WHERE b.owner_id = $1 ORDER BY b.registered_at, b.tax_code`, owner)
	if err != nil {
		return nil, mapErr(err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Business, error) { return scanBusiness(r) })
	return out, mapErr(err)
}

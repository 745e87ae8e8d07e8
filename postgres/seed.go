package postgres

import (
	"context"

	"github.com/caobang/congdanso/worktime"
)

// ProvinceCode is the root of the agency hierarchy.
const ProvinceCode = "UBND-CB"

// SeedBase loads the official calendar. It is idempotent and runs at every
// start, so tests and fresh installs share one baseline. The units themselves
// are product data loaded by migration 00110_reference_units.sql.
func (db *DB) SeedBase(ctx context.Context) error {
	for _, d := range worktime.DefaultDays() {
		if _, err := db.Pool.Exec(ctx, `INSERT INTO work_calendar_days (day, kind, name) VALUES ($1, $2, $3) ON CONFLICT (day) DO NOTHING`, d.Date, d.Kind, d.Name); err != nil {
			return mapErr(err)
		}
	}
	return nil
}

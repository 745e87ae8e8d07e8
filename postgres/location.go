package postgres

import "context"

// CommuneNames maps every commune and ward code to its name (public views
// show a report's commune instead of its full address).
func (db *DB) CommuneNames(ctx context.Context) (map[string]string, error) {
	rows, err := db.Pool.Query(ctx, `SELECT code, name FROM agencies WHERE type = 'commune'`)
	if err != nil {
		return nil, mapErr(err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var code, name string
		if err := rows.Scan(&code, &name); err != nil {
			return nil, mapErr(err)
		}
		out[code] = name
	}
	return out, mapErr(rows.Err())
}

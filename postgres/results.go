package postgres

import "context"

// PDFsUploadedBy reports whether every id is a PDF the user uploaded (the
// files a result is issued with).
func (db *DB) PDFsUploadedBy(ctx context.Context, userID int64, ids []string) (bool, error) {
	var n int
	err := db.Pool.QueryRow(ctx, `SELECT count(*) FROM media WHERE id = ANY($1) AND owner_id = $2 AND content_type = 'application/pdf'`,
		ids, userID).Scan(&n)
	return n == len(ids), mapErr(err)
}

// RecordResultDownload keeps one row per download of a result file.
func (db *DB) RecordResultDownload(ctx context.Context, workflowID, mediaID string, userID int64, byOwner bool) error {
	_, err := db.Pool.Exec(ctx, `INSERT INTO application_downloads (workflow_id, media_id, user_id, by_owner) VALUES ($1, $2, $3, $4)`,
		workflowID, mediaID, userID, byOwner)
	return mapErr(err)
}

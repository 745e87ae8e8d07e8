package postgres

import (
	"context"
	"time"
)

// Media is an uploaded file's row; the bytes live in the blob store under ID.
type Media struct {
	ID          string    `json:"id"`
	OwnerID     int64     `json:"owner_id"`
	ContentType string    `json:"content_type"`
	Size        int64     `json:"size"`
	SHA256      string    `json:"sha256"`
	CreatedAt   time.Time `json:"created_at"`
}

// InsertMedia records an upload.
func (db *DB) InsertMedia(ctx context.Context, m Media) error {
	_, err := db.Pool.Exec(ctx, `INSERT INTO media (id, owner_id, content_type, size, sha256) VALUES ($1, NULLIF($2, 0), $3, $4, $5)`,
		m.ID, m.OwnerID, m.ContentType, m.Size, m.SHA256)
	return mapErr(err)
}

// MediaByID returns one upload.
func (db *DB) MediaByID(ctx context.Context, id string) (Media, error) {
	var m Media
	err := db.Pool.QueryRow(ctx, `SELECT id, COALESCE(owner_id, 0), content_type, size, sha256, created_at FROM media WHERE id = $1`, id).
		Scan(&m.ID, &m.OwnerID, &m.ContentType, &m.Size, &m.SHA256, &m.CreatedAt)
	return m, mapErr(err)
}

// CountOwnedMedia counts how many of ids exist and belong to owner, and how
// many of those are images. Feedback takes photos only; the one upload
// route also takes the PDFs of dossier documents and results, so the kind
// is checked where a file is attached.
func (db *DB) CountOwnedMedia(ctx context.Context, ids []string, owner int64) (owned, images int, err error) {
	err = db.Pool.QueryRow(ctx, `SELECT count(*), count(*) FILTER (WHERE content_type LIKE 'image/%')
		FROM media WHERE id = ANY($1) AND owner_id = $2`, ids, owner).Scan(&owned, &images)
	return owned, images, mapErr(err)
}

// MediaIsPublic reports whether a file is shown in the public view: a photo
// of a published report that staff did not redact, or an answer attachment.
func (db *DB) MediaIsPublic(ctx context.Context, id string) (bool, error) {
	var ok bool
	err := db.Pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM feedback_media fm JOIN feedback_reports r ON r.workflow_id = fm.workflow_id
		WHERE fm.media_id = $1 AND r.published_at IS NOT NULL AND r.hidden_at IS NULL AND NOT fm.redacted)`, id).Scan(&ok)
	return ok, mapErr(err)
}

// MediaCaseAgencies lists the agencies of the feedback cases a file belongs to
// (staff of those agencies may see it).
func (db *DB) MediaCaseAgencies(ctx context.Context, id string) ([]string, error) {
	rows, err := db.Pool.Query(ctx, `SELECT DISTINCT c.agency_code FROM feedback_media fm JOIN cases c ON c.workflow_id = fm.workflow_id
		WHERE fm.media_id = $1 AND c.agency_code IS NOT NULL`, id)
	if err != nil {
		return nil, mapErr(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

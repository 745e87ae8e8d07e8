package postgres

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	cds "github.com/caobang/congdanso"
)

// News statuses. Stored: draft, published, unpublished. "scheduled" is
// derived: published with a publish_at still in the future.
const (
	NewsDraft       = "draft"
	NewsPublished   = "published"
	NewsUnpublished = "unpublished"
	NewsScheduled   = "scheduled"
)

// NewsArticle is one article of the Tin tức section.
type NewsArticle struct {
	ID           int64      `json:"id"`
	Slug         string     `json:"slug"`
	Title        string     `json:"title"`
	Summary      string     `json:"summary"`
	BodyMarkdown string     `json:"body_markdown,omitempty"`
	BodyHTML     string     `json:"body_html,omitempty"`
	CoverMediaID *string    `json:"cover_media_id"`
	Category     string     `json:"category"`
	Tags         []string   `json:"tags"`
	AgencyCode   string     `json:"agency_code"`
	AgencyName   string     `json:"agency_name"`
	Status       string     `json:"status"`
	PublishAt    *time.Time `json:"publish_at"`
	CreatedAt    time.Time  `json:"created_at"`
	UpdatedAt    time.Time  `json:"updated_at"`
}

// NewsInput is what an editor writes. BodyHTML is the sanitised rendering of
// BodyMarkdown, made by the caller.
type NewsInput struct {
	Slug         string
	Title        string
	Summary      string
	BodyMarkdown string
	BodyHTML     string
	CoverMediaID string // "" = none
	Category     string
	Tags         []string
	AgencyCode   string
}

const newsCols = `n.id, n.slug, n.title, n.summary, n.body_md, n.body_html, n.cover_media_id, n.category, n.tags,
	n.agency_code, a.name, CASE WHEN n.status = 'published' AND n.publish_at > now() THEN 'scheduled' ELSE n.status END,
	n.publish_at, n.created_at, n.updated_at`

func scanNews(r pgx.Row) (NewsArticle, error) {
	var n NewsArticle
	err := r.Scan(&n.ID, &n.Slug, &n.Title, &n.Summary, &n.BodyMarkdown, &n.BodyHTML, &n.CoverMediaID, &n.Category, &n.Tags,
		&n.AgencyCode, &n.AgencyName, &n.Status, &n.PublishAt, &n.CreatedAt, &n.UpdatedAt)
	if n.Tags == nil {
		n.Tags = []string{}
	}
	return n, err
}

func nullStr(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// isSlugConflict reports a unique violation on the slug.
func isSlugConflict(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && pgErr.Code == "23505" && strings.Contains(pgErr.ConstraintName, "slug")
}

// CreateNews inserts a draft. When in.Slug is taken, "-2", "-3", … is
// appended, so two articles with the same title both get a readable slug.
func (db *DB) CreateNews(ctx context.Context, in NewsInput, actorID int64) (NewsArticle, error) {
	base := in.Slug
	for i := 1; i <= 50; i++ {
		slug := base
		if i > 1 {
			slug = fmt.Sprintf("%s-%d", base, i)
		}
		var id int64
		err := db.Pool.QueryRow(ctx, `INSERT INTO news_articles
			(slug, title, summary, body_md, body_html, cover_media_id, category, tags, agency_code, created_by, updated_by)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, NULLIF($10, 0), NULLIF($10, 0)) RETURNING id`,
			slug, in.Title, in.Summary, in.BodyMarkdown, in.BodyHTML, nullStr(in.CoverMediaID), in.Category, in.Tags, in.AgencyCode, actorID).Scan(&id)
		if isSlugConflict(err) {
			continue
		}
		if err != nil {
			return NewsArticle{}, mapErr(err)
		}
		return db.NewsByID(ctx, id)
	}
	return NewsArticle{}, cds.Errorf(cds.ECONFLICT, "Đường dẫn (slug) đã tồn tại.", "The slug is already taken.")
}

// UpdateNews replaces the editable fields of an article.
func (db *DB) UpdateNews(ctx context.Context, id int64, in NewsInput, actorID int64) (NewsArticle, error) {
	tag, err := db.Pool.Exec(ctx, `UPDATE news_articles SET slug=$2, title=$3, summary=$4, body_md=$5, body_html=$6,
		cover_media_id=$7, category=$8, tags=$9, agency_code=$10, updated_by=NULLIF($11, 0), updated_at=now() WHERE id=$1`,
		id, in.Slug, in.Title, in.Summary, in.BodyMarkdown, in.BodyHTML, nullStr(in.CoverMediaID), in.Category, in.Tags, in.AgencyCode, actorID)
	if isSlugConflict(err) {
		return NewsArticle{}, cds.Errorf(cds.ECONFLICT, "Đường dẫn (slug) đã được bài khác sử dụng.", "Another article uses this slug.").WithField("slug", "đã tồn tại / taken")
	}
	if err != nil {
		return NewsArticle{}, mapErr(err)
	}
	if tag.RowsAffected() == 0 {
		return NewsArticle{}, mapErr(pgx.ErrNoRows)
	}
	return db.NewsByID(ctx, id)
}

// PublishNews publishes an article at publishAt (now or in the future: scheduled).
func (db *DB) PublishNews(ctx context.Context, id int64, publishAt time.Time, actorID int64) (NewsArticle, error) {
	return db.setNewsStatus(ctx, id, NewsPublished, &publishAt, actorID)
}

// UnpublishNews hides a published or scheduled article.
func (db *DB) UnpublishNews(ctx context.Context, id int64, actorID int64) (NewsArticle, error) {
	return db.setNewsStatus(ctx, id, NewsUnpublished, nil, actorID)
}

func (db *DB) setNewsStatus(ctx context.Context, id int64, status string, publishAt *time.Time, actorID int64) (NewsArticle, error) {
	tag, err := db.Pool.Exec(ctx, `UPDATE news_articles SET status=$2, publish_at=COALESCE($3, publish_at),
		updated_by=NULLIF($4, 0), updated_at=now() WHERE id=$1`, id, status, publishAt, actorID)
	if err != nil {
		return NewsArticle{}, mapErr(err)
	}
	if tag.RowsAffected() == 0 {
		return NewsArticle{}, mapErr(pgx.ErrNoRows)
	}
	return db.NewsByID(ctx, id)
}

// NewsByID returns an article in any status (callers hide non-public ones).
func (db *DB) NewsByID(ctx context.Context, id int64) (NewsArticle, error) {
	n, err := scanNews(db.Pool.QueryRow(ctx, `SELECT `+newsCols+` FROM news_articles n JOIN agencies a ON a.code = n.agency_code WHERE n.id = $1`, id))
	return n, mapErr(err)
}

// NewsBySlug returns an article by slug, in any status.
func (db *DB) NewsBySlug(ctx context.Context, slug string) (NewsArticle, error) {
	n, err := scanNews(db.Pool.QueryRow(ctx, `SELECT `+newsCols+` FROM news_articles n JOIN agencies a ON a.code = n.agency_code WHERE n.slug = $1`, slug))
	return n, mapErr(err)
}

// NewsFilter selects articles. The zero value lists what the public sees.
type NewsFilter struct {
	Category string
	Query    string // full-text, diacritics optional
	// Status "" lists only public (published, publish_at passed) articles;
	// "all", "draft", "scheduled", "published", "unpublished" are for editors.
	Status string
	Limit  int
	Cursor string // opaque, from a previous page
}

// ListNews returns one page and the cursor of the next ("" at the end).
// The public list pages by keyset (publish_at, id), which stays stable while
// new articles appear; search results and editor lists page by offset.
func (db *DB) ListNews(ctx context.Context, f NewsFilter) ([]NewsArticle, string, error) {
	if f.Limit <= 0 || f.Limit > 100 {
		f.Limit = 20
	}
	var where []string
	var args []any
	arg := func(v any) string { args = append(args, v); return "$" + strconv.Itoa(len(args)) }
	switch f.Status {
	case "":
		where = append(where, "n.status = 'published' AND n.publish_at <= now()")
	case "all":
	case NewsScheduled:
		where = append(where, "n.status = 'published' AND n.publish_at > now()")
	case NewsPublished:
		where = append(where, "n.status = 'published' AND n.publish_at <= now()")
	case NewsDraft, NewsUnpublished:
		where = append(where, "n.status = "+arg(f.Status))
	default:
		return nil, "", cds.Errorf(cds.EINVALID, "Trạng thái không hợp lệ.", "Invalid status.").WithField("status", "draft|scheduled|published|unpublished|all")
	}
	if f.Category != "" {
		where = append(where, "n.category = "+arg(f.Category))
	}
	keyset := f.Status == "" && f.Query == ""
	order := "n.updated_at DESC, n.id DESC"
	offset := 0
	if f.Query != "" {
		q := arg(f.Query)
		where = append(where, "n.search @@ websearch_to_tsquery('simple', cds_unaccent("+q+"))")
		order = "ts_rank(n.search, websearch_to_tsquery('simple', cds_unaccent(" + q + "))) DESC, n.publish_at DESC NULLS LAST, n.id DESC"
	} else if keyset {
		order = "n.publish_at DESC, n.id DESC"
	}
	if f.Cursor != "" {
		kind, rest, _ := strings.Cut(f.Cursor, ":")
		bad := cds.Errorf(cds.EINVALID, "Con trỏ trang không hợp lệ.", "Invalid cursor.").WithField("cursor", "invalid")
		switch {
		case kind == "k" && keyset:
			ts, idS, ok := strings.Cut(rest, ":")
			nano, err1 := strconv.ParseInt(ts, 10, 64)
			id, err2 := strconv.ParseInt(idS, 10, 64)
			if !ok || err1 != nil || err2 != nil {
				return nil, "", bad
			}
			where = append(where, "(n.publish_at, n.id) < ("+arg(time.Unix(0, nano))+", "+arg(id)+")")
		case kind == "o" && !keyset:
			n, err := strconv.Atoi(rest)
			if err != nil || n < 0 {
				return nil, "", bad
			}
			offset = n
		default:
			return nil, "", bad
		}
	}
	sql := `SELECT ` + newsCols + ` FROM news_articles n JOIN agencies a ON a.code = n.agency_code`
	if len(where) > 0 {
		sql += " WHERE " + strings.Join(where, " AND ")
	}
	sql += " ORDER BY " + order + " LIMIT " + strconv.Itoa(f.Limit+1) + " OFFSET " + strconv.Itoa(offset)
	rows, err := db.Pool.Query(ctx, sql, args...)
	if err != nil {
		return nil, "", mapErr(err)
	}
	list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (NewsArticle, error) { return scanNews(r) })
	if err != nil {
		return nil, "", mapErr(err)
	}
	next := ""
	if len(list) > f.Limit {
		list = list[:f.Limit]
		last := list[len(list)-1]
		if keyset {
			next = fmt.Sprintf("k:%d:%d", last.PublishAt.UnixNano(), last.ID)
		} else {
			next = fmt.Sprintf("o:%d", offset+f.Limit)
		}
	}
	return list, next, nil
}

// NewsLastModified is the latest change that can alter what the public sees:
// an edit, publication, unpublication, or a scheduled article going live.
// Drafts are left out: editing one changes nothing public.
func (db *DB) NewsLastModified(ctx context.Context) (time.Time, error) {
	var t *time.Time
	err := db.Pool.QueryRow(ctx, `SELECT max(GREATEST(updated_at, CASE WHEN publish_at <= now() THEN publish_at END))
		FROM news_articles WHERE status <> 'draft'`).Scan(&t)
	if err != nil || t == nil {
		return time.Unix(0, 0), mapErr(err)
	}
	return *t, nil
}

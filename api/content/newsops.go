package content

import (
	"context"
	"strconv"
	"time"

	cds "github.com/caobang/congdanso"
	"github.com/caobang/congdanso/api"
	"github.com/caobang/congdanso/postgres"
)

// The news operations: one implementation each, called by the JSON routes
// (/api/v1/news…) and the staff console. Each checks news/write in the
// article's agency itself, so no caller can grant more than the policy.

// mayWriteNews checks news/write in agency.
func (s *Handler) mayWriteNews(ctx context.Context, a cds.Actor, agency string) error {
	return api.Require(ctx, s.Authz, a, agency, "news", "write")
}

// CreateNews validates and stores a draft article, audited; a retry with
// the same Idempotency-Key returns the first article.
func (s *Handler) CreateNews(ctx context.Context, a cds.Actor, req NewsRequest, key string) (postgres.NewsArticle, error) {
	in, err := req.validate(a)
	if err != nil {
		return postgres.NewsArticle{}, err
	}
	if err := s.mayWriteNews(ctx, a, in.AgencyCode); err != nil {
		return postgres.NewsArticle{}, err
	}
	return postgres.Once(ctx, s.DB, "news.create", a.UserID, key, func() (postgres.NewsArticle, error) {
		n, err := s.DB.CreateNews(ctx, in, a.UserID)
		if err != nil {
			return n, err
		}
		return n, s.DB.Audit(ctx, a.UserID, "news.create", "news", strconv.FormatInt(n.ID, 10), map[string]any{"slug": n.Slug, "agency": n.AgencyCode})
	})
}

// EditableNews loads article id for an editor allowed to change it.
func (s *Handler) EditableNews(ctx context.Context, a cds.Actor, id int64) (postgres.NewsArticle, error) {
	n, err := s.DB.NewsByID(ctx, id)
	if err != nil {
		return n, err
	}
	return n, s.mayWriteNews(ctx, a, n.AgencyCode)
}

// UpdateNews replaces an article's content. An empty slug or agency keeps
// the current one (links already shared keep working); moving an article
// needs news/write in the new agency too.
func (s *Handler) UpdateNews(ctx context.Context, a cds.Actor, id int64, req NewsRequest) (postgres.NewsArticle, error) {
	cur, err := s.EditableNews(ctx, a, id)
	if err != nil {
		return cur, err
	}
	if req.Slug == "" {
		req.Slug = cur.Slug
	}
	if req.AgencyCode == "" {
		req.AgencyCode = cur.AgencyCode
	}
	in, err := req.validate(a)
	if err != nil {
		return cur, err
	}
	if in.AgencyCode != cur.AgencyCode {
		if err := s.mayWriteNews(ctx, a, in.AgencyCode); err != nil {
			return cur, err
		}
	}
	n, err := s.DB.UpdateNews(ctx, cur.ID, in, a.UserID)
	if err != nil {
		return n, err
	}
	_ = s.DB.Audit(ctx, a.UserID, "news.update", "news", strconv.FormatInt(n.ID, 10), map[string]any{"slug": n.Slug})
	return n, nil
}

// PublishNews publishes an article now, or at publishAt (scheduled) when
// that is later; a time more than five minutes past is refused.
func (s *Handler) PublishNews(ctx context.Context, a cds.Actor, id int64, publishAt *time.Time) (postgres.NewsArticle, error) {
	cur, err := s.EditableNews(ctx, a, id)
	if err != nil {
		return cur, err
	}
	at := time.Now()
	if publishAt != nil {
		// A little slack for clock skew; publishing far in the past would
		// reorder the feed behind readers' backs.
		if publishAt.Before(at.Add(-5 * time.Minute)) {
			return cur, cds.Errorf(cds.EINVALID, "Thời điểm đăng không được ở quá khứ.", "publish_at must not be in the past.").WithField("publish_at", "past")
		}
		if publishAt.After(at) {
			at = *publishAt
		}
	}
	n, err := s.DB.PublishNews(ctx, cur.ID, at, a.UserID)
	if err != nil {
		return n, err
	}
	_ = s.DB.Audit(ctx, a.UserID, "news.publish", "news", strconv.FormatInt(n.ID, 10), map[string]any{"publish_at": at})
	return n, nil
}

// UnpublishNews takes a published or scheduled article back to draft.
func (s *Handler) UnpublishNews(ctx context.Context, a cds.Actor, id int64) (postgres.NewsArticle, error) {
	cur, err := s.EditableNews(ctx, a, id)
	if err != nil {
		return cur, err
	}
	if cur.Status != postgres.NewsPublished && cur.Status != postgres.NewsScheduled {
		return cur, cds.Errorf(cds.ECONFLICT, "Bài viết chưa được đăng.", "The article is not published.")
	}
	n, err := s.DB.UnpublishNews(ctx, cur.ID, a.UserID)
	if err != nil {
		return n, err
	}
	_ = s.DB.Audit(ctx, a.UserID, "news.unpublish", "news", strconv.FormatInt(n.ID, 10), nil)
	return n, nil
}

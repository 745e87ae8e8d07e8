package content

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	cds "github.com/caobang/congdanso"
	"github.com/caobang/congdanso/api"
	"github.com/caobang/congdanso/postgres"
)

// NewsCategory is a section of the Tin tức page.
type NewsCategory struct {
	Code   string `json:"code"`
	Name   string `json:"name"`
	NameEN string `json:"name_en"`
}

// NewsCategories are the fixed sections of the news page.
var NewsCategories = []NewsCategory{
	{"thoi-su", "Thời sự", "Current affairs"},
	{"chuyen-doi-so", "Chuyển đổi số", "Digital transformation"},
	{"thong-bao", "Thông báo", "Announcements"},
	{"kinh-te", "Kinh tế", "Economy"},
	{"van-hoa-du-lich", "Văn hóa – Du lịch", "Culture and tourism"},
	{"y-te-giao-duc", "Y tế – Giáo dục", "Health and education"},
}

func isNewsCategory(code string) bool {
	for _, c := range NewsCategories {
		if c.Code == code {
			return true
		}
	}
	return false
}

func (s *Handler) registerNews(r *api.Server) {
	r.Handle(http.MethodGet, "/api/v1/news", api.Public, s.listNews)
	r.Handle(http.MethodGet, "/api/v1/news/categories", api.Public, func(c *gin.Context) {
		c.JSON(http.StatusOK, gin.H{"items": NewsCategories})
	})
	r.Handle(http.MethodGet, "/api/v1/news/:id", api.Public, s.getNews)
	r.Handle(http.MethodPost, "/api/v1/news", api.Can("news", "write"), s.createNews)
	r.Handle(http.MethodPut, "/api/v1/news/:id", api.Can("news", "write"), s.updateNews)
	r.Handle(http.MethodPost, "/api/v1/news/:id/publish", api.Can("news", "write"), s.publishNews)
	r.Handle(http.MethodPost, "/api/v1/news/:id/unpublish", api.Can("news", "write"), s.unpublishNews)
}

// NewsRequest is the body of create and update (JSON API and console form).
type NewsRequest struct {
	Title        string   `json:"title"`
	Slug         string   `json:"slug"`
	Summary      string   `json:"summary"`
	Body         string   `json:"body"` // Markdown
	CoverMediaID string   `json:"cover_media_id"`
	Category     string   `json:"category"`
	Tags         []string `json:"tags"`
	AgencyCode   string   `json:"agency_code"`
}

// validate checks the request and builds the store input (rendering the body).
func (r NewsRequest) validate(a cds.Actor) (postgres.NewsInput, error) {
	e := cds.Errorf(cds.EINVALID, "Dữ liệu bài viết chưa hợp lệ.", "The article is not valid.")
	r.Title = strings.TrimSpace(r.Title)
	if r.Title == "" || utf8.RuneCountInString(r.Title) > 300 {
		e.WithField("title", "Bắt buộc, tối đa 300 ký tự / required, at most 300 characters")
	}
	if utf8.RuneCountInString(r.Summary) > 1000 {
		e.WithField("summary", "Tối đa 1000 ký tự / at most 1000 characters")
	}
	if len(r.Body) > 200_000 {
		e.WithField("body", "Nội dung quá dài / too long")
	}
	if !isNewsCategory(r.Category) {
		e.WithField("category", "Chuyên mục không hợp lệ / unknown category")
	}
	if r.Slug != "" && (!slugRE.MatchString(r.Slug) || len(r.Slug) > 100) {
		e.WithField("slug", "Chỉ chữ thường không dấu, số và dấu gạch ngang / lowercase letters, digits and hyphens")
	}
	tags := []string{}
	for _, t := range r.Tags {
		t = strings.TrimSpace(t)
		if t == "" {
			continue
		}
		if utf8.RuneCountInString(t) > 50 {
			e.WithField("tags", "Mỗi thẻ tối đa 50 ký tự / at most 50 characters per tag")
		}
		tags = append(tags, t)
	}
	if len(tags) > 10 {
		e.WithField("tags", "Tối đa 10 thẻ / at most 10 tags")
	}
	if r.AgencyCode == "" {
		r.AgencyCode = a.AgencyCode
	}
	if r.AgencyCode == "" {
		e.WithField("agency_code", "Bắt buộc / required")
	}
	if len(e.Fields) > 0 {
		return postgres.NewsInput{}, e
	}
	html, err := RenderMarkdown(r.Body)
	if err != nil {
		return postgres.NewsInput{}, e.WithField("body", "Không đọc được Markdown / unreadable Markdown")
	}
	slug := r.Slug
	if slug == "" {
		slug = Slugify(r.Title)
	}
	return postgres.NewsInput{Slug: slug, Title: r.Title, Summary: strings.TrimSpace(r.Summary), BodyMarkdown: r.Body, BodyHTML: html,
		CoverMediaID: r.CoverMediaID, Category: r.Category, Tags: tags, AgencyCode: r.AgencyCode}, nil
}

// canEditNews reports, without writing a response, whether the caller may
// edit articles of agency (editors: their own agency; admins: their reach).
func (s *Handler) canEditNews(c *gin.Context, agency string) bool {
	a, ok := api.SignedInActor(c)
	if !ok {
		return false
	}
	allowed, err := s.Authz.Allowed(c.Request.Context(), a, agency, "news", "write")
	return err == nil && allowed
}

// isPublicNews reports whether the public may see n now.
func isPublicNews(n postgres.NewsArticle) bool { return n.Status == postgres.NewsPublished }

// newsLookup finds an article by numeric id or slug.
func (s *Handler) newsLookup(c *gin.Context) (postgres.NewsArticle, error) {
	key := c.Param("id")
	if id, err := strconv.ParseInt(key, 10, 64); err == nil && id > 0 {
		return s.DB.NewsByID(c.Request.Context(), id)
	}
	if !slugRE.MatchString(key) {
		return postgres.NewsArticle{}, cds.Errorf(cds.ENOTFOUND, "Không tìm thấy bài viết.", "Article not found.")
	}
	return s.DB.NewsBySlug(c.Request.Context(), key)
}

func (s *Handler) listNews(c *gin.Context) {
	limit, _ := strconv.Atoi(c.DefaultQuery("limit", "20"))
	f := postgres.NewsFilter{Category: c.Query("category"), Query: strings.TrimSpace(c.Query("q")), Status: c.Query("status"),
		Limit: limit, Cursor: c.Query("cursor")}
	if f.Category != "" && !isNewsCategory(f.Category) {
		api.WriteError(c, cds.Errorf(cds.EINVALID, "Chuyên mục không hợp lệ.", "Unknown category.").WithField("category", "unknown"))
		return
	}
	if utf8.RuneCountInString(f.Query) > 200 {
		api.WriteError(c, cds.Errorf(cds.EINVALID, "Từ khóa quá dài.", "Query too long.").WithField("q", "≤ 200"))
		return
	}
	// Drafts and scheduled articles are listed to editors only.
	if f.Status != "" && !s.canEditNews(c, "") {
		api.WriteError(c, api.Forbidden())
		return
	}
	items, next, err := s.DB.ListNews(c.Request.Context(), f)
	if err != nil {
		api.WriteError(c, err)
		return
	}
	for i := range items {
		items[i].BodyMarkdown, items[i].BodyHTML = "", ""
	}
	var nextCursor *string
	if next != "" {
		nextCursor = &next
	}
	body, err := json.Marshal(gin.H{"items": items, "next_cursor": nextCursor})
	if err != nil {
		api.WriteError(c, err)
		return
	}
	if f.Status != "" {
		c.Header("Cache-Control", "private, no-store")
		c.Data(http.StatusOK, "application/json; charset=utf-8", body)
		return
	}
	lm, err := s.DB.NewsLastModified(c.Request.Context())
	if err != nil {
		api.WriteError(c, err)
		return
	}
	writeCached(c, lm, "application/json; charset=utf-8", body)
}

func (s *Handler) getNews(c *gin.Context) {
	n, err := s.newsLookup(c)
	if err != nil {
		api.WriteError(c, err)
		return
	}
	// Editors of the article's agency get the full record (with the Markdown
	// source) in any status; others see published articles only (404 otherwise).
	if s.canEditNews(c, n.AgencyCode) {
		c.Header("Cache-Control", "private, no-store")
		c.JSON(http.StatusOK, n)
		return
	}
	if !isPublicNews(n) {
		api.WriteError(c, cds.Errorf(cds.ENOTFOUND, "Không tìm thấy bài viết.", "Article not found."))
		return
	}
	n.BodyMarkdown = ""
	body, err := json.Marshal(n)
	if err != nil {
		api.WriteError(c, err)
		return
	}
	lm := n.UpdatedAt
	if n.PublishAt != nil && n.PublishAt.After(lm) {
		lm = *n.PublishAt
	}
	writeCached(c, lm, "application/json; charset=utf-8", body)
}

func (s *Handler) createNews(c *gin.Context) {
	var req NewsRequest
	if !api.BindJSON(c, &req) {
		return
	}
	n, err := s.CreateNews(c.Request.Context(), api.Actor(c), req, c.GetHeader("Idempotency-Key"))
	if err != nil {
		api.WriteError(c, err)
		return
	}
	c.JSON(http.StatusCreated, n)
}

func (s *Handler) updateNews(c *gin.Context) {
	id, ok := api.PathID(c, "id")
	if !ok {
		return
	}
	var req NewsRequest
	if !api.BindJSON(c, &req) {
		return
	}
	n, err := s.UpdateNews(c.Request.Context(), api.Actor(c), id, req)
	if err != nil {
		api.WriteError(c, err)
		return
	}
	c.JSON(http.StatusOK, n)
}

func (s *Handler) publishNews(c *gin.Context) {
	id, ok := api.PathID(c, "id")
	if !ok {
		return
	}
	var req struct {
		PublishAt *time.Time `json:"publish_at"`
	}
	if c.Request.ContentLength != 0 && !api.BindJSON(c, &req) {
		return
	}
	n, err := s.PublishNews(c.Request.Context(), api.Actor(c), id, req.PublishAt)
	if err != nil {
		api.WriteError(c, err)
		return
	}
	c.JSON(http.StatusOK, n)
}

func (s *Handler) unpublishNews(c *gin.Context) {
	id, ok := api.PathID(c, "id")
	if !ok {
		return
	}
	n, err := s.UnpublishNews(c.Request.Context(), api.Actor(c), id)
	if err != nil {
		api.WriteError(c, err)
		return
	}
	c.JSON(http.StatusOK, n)
}

// writeCached answers with ETag and Last-Modified, or 304 when the client's
// copy is current. If-None-Match wins over If-Modified-Since (RFC 9110 13.2.2).
func writeCached(c *gin.Context, lastMod time.Time, ctype string, body []byte) {
	sum := sha256.Sum256(body)
	etag := `"` + hex.EncodeToString(sum[:16]) + `"`
	lastMod = lastMod.UTC().Truncate(time.Second)
	h := c.Writer.Header()
	h.Set("ETag", etag)
	h.Set("Last-Modified", lastMod.Format(http.TimeFormat))
	h.Set("Cache-Control", "public, max-age=60")
	if inm := c.GetHeader("If-None-Match"); inm != "" {
		for _, t := range strings.Split(inm, ",") {
			t = strings.TrimPrefix(strings.TrimSpace(t), "W/")
			if t == etag || t == "*" {
				c.Status(http.StatusNotModified)
				return
			}
		}
	} else if ims := c.GetHeader("If-Modified-Since"); ims != "" {
		if t, err := http.ParseTime(ims); err == nil && !lastMod.After(t) {
			c.Status(http.StatusNotModified)
			return
		}
	}
	c.Data(http.StatusOK, ctype, body)
}

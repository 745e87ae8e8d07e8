package console

import (
	"html/template"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	cds "github.com/caobang/congdanso"
	"github.com/caobang/congdanso/api"
	"github.com/caobang/congdanso/api/content"
	"github.com/caobang/congdanso/postgres"
)

// News for editors: list, write with a preview, publish and unpublish,
// through the content package's operations (the same as /api/v1/news…).
// The preview is rendered on the server by content.RenderMarkdown, the
// renderer the public article uses, so no script is needed.

type newsListView struct {
	Items  []postgres.NewsArticle
	Status string
	Next   string
}

type newsFormView struct {
	Article    postgres.NewsArticle // ID 0: a new article
	Tags       string
	Categories []content.NewsCategory
	Preview    template.HTML
	Previewed  bool
}

// newsStatusLabel names an article's status for editors.
func newsStatusLabel(st string) string {
	switch st {
	case postgres.NewsDraft:
		return "Bản nháp"
	case postgres.NewsPublished:
		return "Đã đăng"
	case postgres.NewsScheduled:
		return "Hẹn giờ đăng"
	case postgres.NewsUnpublished:
		return "Đã gỡ"
	}
	return st
}

func (s contentPages) consoleNewsList(c *gin.Context) {
	v := newsListView{Status: c.DefaultQuery("status", "all")}
	switch v.Status {
	case "all", postgres.NewsDraft, postgres.NewsPublished, postgres.NewsScheduled, postgres.NewsUnpublished:
	default:
		v.Status = "all"
	}
	items, next, err := s.DB.ListNews(c.Request.Context(), postgres.NewsFilter{Status: v.Status, Limit: 50, Cursor: c.Query("cursor")})
	if err != nil {
		s.consoleError(c, err)
		return
	}
	v.Items = items
	if next != "" {
		v.Next = "status=" + v.Status + "&cursor=" + next
	}
	s.renderConsole(c, http.StatusOK, "news", consolePage{Title: "Tin tức", Nav: "news", Data: v})
}

func (s contentPages) consoleNewsNew(c *gin.Context) {
	v := newsFormView{Categories: content.NewsCategories, Article: postgres.NewsArticle{Category: content.NewsCategories[0].Code, AgencyCode: api.Actor(c).AgencyCode}}
	s.renderConsole(c, http.StatusOK, "news_form", consolePage{Title: "Viết bài mới", Nav: "news", Data: v})
}

func (s contentPages) consoleNewsEdit(c *gin.Context) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil {
		s.notFound(c, "Không tìm thấy bài viết")
		return
	}
	n, err := s.Content.EditableNews(c.Request.Context(), api.Actor(c), id)
	if err != nil {
		s.consoleError(c, err)
		return
	}
	v := newsFormView{Article: n, Tags: strings.Join(n.Tags, ", "), Categories: content.NewsCategories}
	s.renderConsole(c, http.StatusOK, "news_form", consolePage{Title: "Sửa bài: " + n.Title, Nav: "news", Data: v})
}

// consoleNewsSave creates (no :id) or updates an article, or, with
// op=preview, shows the form again with the rendered body and saves nothing.
func (s contentPages) consoleNewsSave(c *gin.Context) {
	var id int64
	if p := c.Param("id"); p != "" {
		n, err := strconv.ParseInt(p, 10, 64)
		if err != nil {
			s.notFound(c, "Không tìm thấy bài viết")
			return
		}
		id = n
	}
	req := content.NewsRequest{Title: c.PostForm("title"), Summary: c.PostForm("summary"), Body: c.PostForm("body"),
		Category: c.PostForm("category"), Slug: strings.TrimSpace(c.PostForm("slug"))}
	for _, t := range strings.Split(c.PostForm("tags"), ",") {
		if t = strings.TrimSpace(t); t != "" {
			req.Tags = append(req.Tags, t)
		}
	}
	v := newsFormView{Categories: content.NewsCategories, Tags: c.PostForm("tags"),
		Article: postgres.NewsArticle{ID: id, Title: req.Title, Summary: req.Summary, BodyMarkdown: req.Body, Category: req.Category, Slug: req.Slug}}
	a, ctx := api.Actor(c), c.Request.Context()
	if id != 0 {
		cur, err := s.Content.EditableNews(ctx, a, id)
		if err != nil {
			s.consoleError(c, err)
			return
		}
		v.Article.Status, v.Article.AgencyCode, v.Article.AgencyName = cur.Status, cur.AgencyCode, cur.AgencyName
	}
	title := "Viết bài mới"
	if id != 0 {
		title = "Sửa bài: " + v.Article.Title
	}
	if c.PostForm("op") == "preview" {
		html, err := content.RenderMarkdown(req.Body)
		if err != nil {
			s.renderConsole(c, http.StatusBadRequest, "news_form", consolePage{Title: title, Nav: "news", Data: v,
				Errors: []fieldError{{"body", "Không đọc được Markdown. / Unreadable Markdown."}}})
			return
		}
		// Sanitised by the renderer (bluemonday UGC policy).
		v.Preview, v.Previewed = template.HTML(html), true
		s.renderConsole(c, http.StatusOK, "news_form", consolePage{Title: title, Nav: "news", Data: v})
		return
	}
	var n postgres.NewsArticle
	var err error
	if id == 0 {
		n, err = s.Content.CreateNews(ctx, a, req, c.PostForm(idemField))
	} else {
		n, err = s.Content.UpdateNews(ctx, a, id, req)
	}
	if err != nil {
		s.formError(c, err, "title", func(errs []fieldError) {
			s.renderConsole(c, http.StatusBadRequest, "news_form", consolePage{Title: title, Nav: "news", Data: v, Errors: errs})
		})
		return
	}
	setFlash(c, "Đã lưu bài viết \""+n.Title+"\". / Article saved.")
	c.Redirect(http.StatusSeeOther, "/console/news/"+strconv.FormatInt(n.ID, 10))
}

// consoleNewsStatus publishes or unpublishes an article.
func (s contentPages) consoleNewsStatus(c *gin.Context) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil {
		s.notFound(c, "Không tìm thấy bài viết")
		return
	}
	back := "/console/news/" + strconv.FormatInt(id, 10)
	a, ctx := api.Actor(c), c.Request.Context()
	msg := "Đã đăng bài viết. / Published."
	if strings.HasSuffix(c.Request.URL.Path, "/unpublish") {
		_, err = s.Content.UnpublishNews(ctx, a, id)
		msg = "Đã gỡ bài viết khỏi trang công khai. / Unpublished."
	} else {
		_, err = s.Content.PublishNews(ctx, a, id, nil)
	}
	if err != nil {
		if e := api.ErrorOf(c, err); e.Code == cds.ENOTFOUND {
			s.consoleError(c, err)
			return
		}
		setFlash(c, "Không thực hiện được: "+api.ErrorOf(c, err).Message)
		c.Redirect(http.StatusSeeOther, back)
		return
	}
	setFlash(c, msg)
	c.Redirect(http.StatusSeeOther, back)
}

// registerContent adds the editors' news and camera screens.
func (s *Handler) registerContent(r *api.Server) {
	cp, news, cams := contentPages{s}, api.Can("news", "write"), api.Can("cameras", "manage")
	r.Handle(http.MethodGet, "/console/news", news, cp.consoleNewsList)
	r.Handle(http.MethodGet, "/console/news/new", news, cp.consoleNewsNew)
	r.Handle(http.MethodPost, "/console/news", news, cp.consoleNewsSave)
	r.Handle(http.MethodGet, "/console/news/:id", news, cp.consoleNewsEdit)
	r.Handle(http.MethodPost, "/console/news/:id", news, cp.consoleNewsSave)
	r.Handle(http.MethodPost, "/console/news/:id/publish", news, cp.consoleNewsStatus)
	r.Handle(http.MethodPost, "/console/news/:id/unpublish", news, cp.consoleNewsStatus)
	r.Handle(http.MethodGet, "/console/cameras", cams, cp.consoleCameras)
	r.Handle(http.MethodGet, "/console/cameras/new", cams, cp.consoleCameraNew)
	r.Handle(http.MethodPost, "/console/cameras", cams, cp.consoleCameraSave)
	r.Handle(http.MethodGet, "/console/cameras/:id", cams, cp.consoleCameraEdit)
	r.Handle(http.MethodPost, "/console/cameras/:id", cams, cp.consoleCameraSave)
}

// moderationLabel names a moderation decision.
func moderationLabel(action string) string {
	switch action {
	case postgres.ModHide:
		return "Ẩn khỏi trang công khai"
	case postgres.ModUnhide:
		return "Hiện lại trên trang công khai"
	case postgres.ModEditText:
		return "Sửa nội dung công khai"
	}
	return action
}

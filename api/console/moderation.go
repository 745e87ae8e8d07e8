package console

import (
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/caobang/congdanso/api"
	"github.com/caobang/congdanso/cases"
	"github.com/caobang/congdanso/postgres"
)

// Moderation of a feedback report on its case page: hide one of its photos
// from the public view or show it again (cases.RedactFeedbackMedia); hide
// the whole report or show it again, and edit its public title and text
// (cases.ModerateFeedback: required reason, before and after kept). Both
// operations check feedback/moderate in the report's agency and write the
// audit line; the JSON API calls the same ones.

type mediaItem struct {
	ID, URL  string
	Redacted bool
}

// publicText is the report as the public view shows it.
type publicText struct {
	Hidden         bool
	Title, Content string
	Edited         bool // the public title or text differs from what the citizen wrote
}

func (s *Handler) consoleRedact(c *gin.Context) {
	v, ok := s.loadCase(c)
	if !ok {
		return
	}
	f, err := s.DB.FeedbackByCode(c.Request.Context(), v.Case.Code)
	if err != nil || v.Case.Kind != "feedback" {
		s.renderConsole(c, http.StatusNotFound, "error", consolePage{Title: "Không tìm thấy phản ánh"})
		return
	}
	found := false
	for _, m := range v.Media {
		found = found || m.ID == c.Param("media_id")
	}
	if !found {
		s.renderConsole(c, http.StatusNotFound, "error", consolePage{Title: "Không tìm thấy ảnh"})
		return
	}
	hide := c.PostForm("redacted") == "1"
	if err := s.Cases.RedactFeedbackMedia(c.Request.Context(), api.Actor(c), f, c.Param("media_id"), hide); err != nil {
		setFlash(c, "Không thực hiện được: "+api.ErrorOf(c, err).Message)
	} else if hide {
		setFlash(c, "Đã ẩn ảnh khỏi trang công khai.")
	} else {
		setFlash(c, "Đã hiện lại ảnh trên trang công khai.")
	}
	c.Redirect(http.StatusSeeOther, v.Back)
}

// consoleModerate hides or shows the report, or edits its public text. A
// refused form (no reason, text too short) shows the case page again with
// the error summary and what was typed.
func (s *Handler) consoleModerate(c *gin.Context) {
	v, ok := s.loadCase(c)
	if !ok {
		return
	}
	if v.Case.Kind != "feedback" {
		s.notFound(c, "Không tìm thấy phản ánh")
		return
	}
	action := c.PostForm("action")
	form := "mod-edit"
	if action == postgres.ModHide || action == postgres.ModUnhide {
		form = "mod-hide"
	}
	m := cases.Moderation{Actor: api.Actor(c), Code: v.Case.Code, Action: action, Reason: c.PostForm("reason"),
		Title: c.PostForm("title"), Content: c.PostForm("content"), Key: c.PostForm(idemField)}
	_, err := s.Cases.ModerateFeedback(c.Request.Context(), m)
	if err == nil {
		switch action {
		case postgres.ModHide:
			setFlash(c, "Đã ẩn phản ánh khỏi trang công khai. / The report is hidden from the public.")
		case postgres.ModUnhide:
			setFlash(c, "Đã hiện lại phản ánh trên trang công khai. / The report is public again.")
		default:
			setFlash(c, "Đã sửa nội dung công khai. / The public text was changed.")
		}
		c.Redirect(http.StatusSeeOther, v.Back)
		return
	}
	s.formError(c, err, "reason", func(errs []fieldError) {
		for i := range errs {
			errs[i].Field = form + "-" + strings.ToLower(errs[i].Field)
		}
		s.allowedActions(c, &v)
		s.canModerate(c, &v)
		v.ModForm = map[string]string{"form": form, "reason": m.Reason, "title": m.Title, "content": m.Content}
		s.renderConsole(c, http.StatusBadRequest, "case", consolePage{Title: v.Case.Code + " — " + v.Case.Title, Errors: errs, Data: v})
	})
}

// canModerate: may the user moderate this report? Then its moderation log
// is shown too.
func (s *Handler) canModerate(c *gin.Context, v *caseView) {
	if v.Case.Kind != "feedback" {
		return
	}
	ok, err := s.Authz.Allowed(c.Request.Context(), api.Actor(c), v.Case.AgencyCode, "feedback", "moderate")
	v.Moderate = err == nil && ok
	if v.Moderate {
		v.ModLog, _ = s.Cases.FeedbackModerationLog(c.Request.Context(), api.Actor(c), v.Case.Code)
	}
}

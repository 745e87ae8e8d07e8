package console

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/caobang/congdanso/api"
)

// Moderation of a feedback report's photos: hide one from the public view,
// or show it again (cases.RedactFeedbackMedia: permission, audit line).

type mediaItem struct {
	ID, URL  string
	Redacted bool
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

// canModerate: may the user moderate this report's photos?
func (s *Handler) canModerate(c *gin.Context, v *caseView) {
	ok, err := s.Authz.Allowed(c.Request.Context(), api.Actor(c), v.Case.AgencyCode, "feedback", "moderate")
	v.Moderate = err == nil && ok && len(v.Media) > 0
}

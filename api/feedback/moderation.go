package feedback

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/caobang/congdanso/api"
	"github.com/caobang/congdanso/cases"
	"github.com/caobang/congdanso/postgres"
)

func (s *Handler) registerModeration(r *api.Server) {
	r.Handle(http.MethodPost, "/api/v1/feedback/:id/moderation", api.Can("feedback", "act"), s.moderateFeedback)
	r.Handle(http.MethodGet, "/api/v1/feedback/:id/moderation", api.Can("feedback", "act"), s.moderationLog)
}

type moderationReq struct {
	Action  string `json:"action"`
	Reason  string `json:"reason"`
	Title   string `json:"title"`
	Content string `json:"content"`
}

// moderateFeedback hides a report, shows it again, or edits its public text
// (cases.ModerateFeedback); the reason is kept.
func (s *Handler) moderateFeedback(c *gin.Context) {
	var req moderationReq
	if !api.BindJSON(c, &req) {
		return
	}
	e, err := s.Cases.ModerateFeedback(c.Request.Context(), cases.Moderation{Actor: api.Actor(c), Code: c.Param("id"), Action: req.Action,
		Reason: req.Reason, Title: req.Title, Content: req.Content, Key: c.GetHeader("Idempotency-Key")})
	if err != nil {
		api.WriteError(c, err)
		return
	}
	c.JSON(http.StatusOK, e)
}

func (s *Handler) moderationLog(c *gin.Context) {
	list, err := s.Cases.FeedbackModerationLog(c.Request.Context(), api.Actor(c), c.Param("id"))
	if err != nil {
		api.WriteError(c, err)
		return
	}
	if list == nil {
		list = []postgres.ModerationEntry{}
	}
	c.JSON(http.StatusOK, gin.H{"items": list})
}

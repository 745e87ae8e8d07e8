package feedback

import (
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	cds "github.com/caobang/congdanso"
	"github.com/caobang/congdanso/api"
	"github.com/caobang/congdanso/cases"
	"github.com/caobang/congdanso/workflows"
)

type feedbackActionReq struct {
	Note         string   `json:"note"`
	Comment      string   `json:"comment"`
	AgencyCode   string   `json:"agency_code"`
	AssigneeID   int64    `json:"assignee_id"`
	Answer       string   `json:"answer"`
	MediaIDs     []string `json:"media_ids"`
	OriginalCode string   `json:"original_code"`
	Score        int      `json:"score"`
}

func (s *Handler) citizenAction(name string) gin.HandlerFunc {
	return func(c *gin.Context) {
		var req feedbackActionReq
		if !api.BindJSON(c, &req) {
			return
		}
		f, err := s.DB.FeedbackByCode(c.Request.Context(), c.Param("id"))
		if err != nil || f.CitizenID != api.ActorID(c) {
			api.WriteError(c, cases.NotFoundFeedback())
			return
		}
		note := req.Note
		if name == workflows.FBActRate {
			note = req.Comment
			if req.Score < 1 || req.Score > 5 {
				api.WriteError(c, api.InvalidInput().WithField("score", "1..5"))
				return
			}
		}
		if name == workflows.FBActReplyInfo && strings.TrimSpace(note) == "" {
			api.WriteError(c, api.InvalidInput().WithField("note", "Vui lòng nhập nội dung / required"))
			return
		}
		v, err := s.Cases.UpdateFeedback(c.Request.Context(), f.Code, name, workflows.FeedbackAction{Actor: api.Actor(c), Note: note, Score: req.Score},
			c.GetHeader("Idempotency-Key"))
		if err != nil {
			api.WriteError(c, err)
			return
		}
		c.JSON(http.StatusOK, gin.H{"id": f.Code, "status": v.Status, "due_at": v.DueAt})
	}
}

// complain reopens a published case the reporter does not accept (issue 21).
func (s *Handler) complain(c *gin.Context) {
	var req struct {
		Reason string `json:"reason"`
	}
	if !api.BindJSON(c, &req) {
		return
	}
	if strings.TrimSpace(req.Reason) == "" || len([]rune(req.Reason)) > 2000 {
		api.WriteError(c, api.InvalidInput().WithField("reason", "Vui lòng nêu lý do (tối đa 2000 ký tự) / a reason of at most 2000 characters"))
		return
	}
	v, err := s.Cases.ComplainAboutFeedback(c.Request.Context(), cases.FeedbackComplaint{Actor: api.Actor(c), Code: c.Param("id"),
		Reason: req.Reason, Key: c.GetHeader("Idempotency-Key")})
	if err != nil {
		api.WriteError(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"id": v.Code, "status": v.Status, "due_at": v.DueAt, "reopened": v.Reopened})
}

func (s *Handler) feedbackAction(c *gin.Context) {
	action := c.Param("action")
	if !cases.IsFeedbackStaffAction(action) {
		api.WriteError(c, cds.Errorf(cds.ENOTFOUND, "Không có thao tác %q.", "No action %q.", action))
		return
	}
	var req feedbackActionReq
	if !api.BindJSON(c, &req) {
		return
	}
	v, err := s.Cases.ActOnFeedback(c.Request.Context(), cases.FeedbackStaffAction{Actor: api.Actor(c), Code: c.Param("id"),
		Action: action, Key: c.GetHeader("Idempotency-Key"), Note: req.Note, AgencyCode: req.AgencyCode,
		AssigneeID: req.AssigneeID, Answer: req.Answer, MediaIDs: req.MediaIDs, OriginalCode: req.OriginalCode})
	if err != nil {
		api.WriteError(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"id": v.Code, "status": v.Status, "agency_code": v.AgencyCode, "due_at": v.DueAt, "live": v})
}

// redactFeedbackMedia hides a photo from the public view (moderation), or
// shows it again with {"redacted": false}.
func (s *Handler) redactFeedbackMedia(c *gin.Context) {
	var req struct {
		Redacted *bool `json:"redacted"`
	}
	if !api.BindJSON(c, &req) {
		return
	}
	f, staff, ok := s.loadFeedback(c)
	if !ok {
		return
	}
	if !staff {
		api.WriteError(c, cases.NotFoundFeedback())
		return
	}
	red := req.Redacted == nil || *req.Redacted
	if err := s.Cases.RedactFeedbackMedia(c.Request.Context(), api.Actor(c), f, c.Param("media_id"), red); err != nil {
		api.WriteError(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"id": c.Param("media_id"), "redacted": red})
}

package feedback

import (
	"context"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	cds "github.com/caobang/congdanso"
	"github.com/caobang/congdanso/api"
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
			api.WriteError(c, notFoundCase())
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
		v, err := s.Cases.UpdateFeedback(c.Request.Context(), f.Code, name, workflows.FeedbackAction{Actor: api.Actor(c), Note: note, Score: req.Score})
		if err != nil {
			api.WriteError(c, err)
			return
		}
		c.JSON(http.StatusOK, gin.H{"id": f.Code, "status": v.Status, "due_at": v.DueAt})
	}
}

func isStaffAction(a string) bool {
	for _, x := range workflows.FeedbackStaffActions {
		if x == a {
			return true
		}
	}
	return false
}

func (s *Handler) feedbackAction(c *gin.Context) {
	action := c.Param("action")
	if !isStaffAction(action) {
		api.WriteError(c, cds.Errorf(cds.ENOTFOUND, "Không có thao tác %q.", "No action %q.", action))
		return
	}
	var req feedbackActionReq
	if !api.BindJSON(c, &req) {
		return
	}
	f, staff, ok := s.loadFeedback(c)
	if !ok {
		return
	}
	if !staff {
		api.WriteError(c, notFoundCase())
		return
	}
	if !s.AllowedOn(c, f.AgencyCode, "feedback", action) {
		return
	}
	ctx := c.Request.Context()
	a := workflows.FeedbackAction{Actor: api.Actor(c), Note: req.Note, AgencyCode: req.AgencyCode, Answer: req.Answer,
		MediaIDs: req.MediaIDs, OriginalCode: req.OriginalCode}
	switch action {
	case workflows.FBActAssign:
		ok, name, err := s.DB.HasRoleIn(ctx, req.AssigneeID, string(cds.RoleOfficer), f.AgencyCode)
		if err != nil {
			api.WriteError(c, err)
			return
		}
		if !ok {
			api.WriteError(c, api.InvalidInput().WithField("assignee_id", "Không phải chuyên viên của cơ quan / not an officer of the agency"))
			return
		}
		a.AssigneeID, a.AssigneeName, a.AssigneeAgency = req.AssigneeID, name, f.AgencyCode
	case workflows.FBActTransfer:
		if _, err := s.DB.FeedbackCategoryByCode(ctx, f.Category); err != nil {
			api.WriteError(c, err)
			return
		}
		if !s.agencyExists(ctx, req.AgencyCode) {
			api.WriteError(c, api.InvalidInput().WithField("agency_code", "Cơ quan không tồn tại / unknown agency"))
			return
		}
	case workflows.FBActMarkDuplicate:
		o, err := s.DB.FeedbackByCode(ctx, req.OriginalCode)
		if err != nil || o.Code == f.Code {
			api.WriteError(c, api.InvalidInput().WithField("original_code", "Phản ánh gốc không tồn tại / unknown original"))
			return
		}
	case workflows.FBActDraftAnswer:
		if len(req.MediaIDs) > 5 {
			api.WriteError(c, api.InvalidInput().WithField("media_ids", "Tối đa 5 tệp / at most 5"))
			return
		}
		if len(req.MediaIDs) > 0 {
			n, err := s.DB.CountOwnedMedia(ctx, req.MediaIDs, api.ActorID(c))
			if err != nil || n != len(req.MediaIDs) {
				api.WriteError(c, api.InvalidInput().WithField("media_ids", "Tệp không tồn tại / unknown media"))
				return
			}
		}
	}
	v, err := s.Cases.UpdateFeedback(ctx, f.Code, action, a)
	if err != nil {
		api.WriteError(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"id": f.Code, "status": v.Status, "agency_code": v.AgencyCode, "due_at": v.DueAt, "live": v})
}

func (s *Handler) agencyExists(ctx context.Context, code string) bool {
	ags, err := s.DB.Agencies(ctx)
	if err != nil {
		return false
	}
	for _, a := range ags {
		if a.Code == code {
			return true
		}
	}
	return false
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
		api.WriteError(c, notFoundCase())
		return
	}
	if !s.AllowedOn(c, f.AgencyCode, "feedback", "moderate") {
		return
	}
	red := req.Redacted == nil || *req.Redacted
	if err := s.DB.SetMediaRedacted(c.Request.Context(), f.WorkflowID, c.Param("media_id"), red); err != nil {
		api.WriteError(c, err)
		return
	}
	_ = s.DB.Audit(c.Request.Context(), api.ActorID(c), "feedback.redact", "media", c.Param("media_id"), map[string]any{"case": f.Code, "redacted": red})
	c.JSON(http.StatusOK, gin.H{"id": c.Param("media_id"), "redacted": red})
}

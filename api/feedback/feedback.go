package feedback

import (
	"context"
	"math"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	cds "github.com/caobang/congdanso"
	"github.com/caobang/congdanso/activities"
	"github.com/caobang/congdanso/api"
	"github.com/caobang/congdanso/cases"
	"github.com/caobang/congdanso/postgres"
	"github.com/caobang/congdanso/workflows"
)

func (s *Handler) registerFeedback(r *api.Server) {
	r.Handle(http.MethodGet, "/api/v1/feedback/categories", api.Public, s.feedbackCategories)
	r.Handle(http.MethodGet, "/api/v1/feedback/nearby", api.SignedIn, s.feedbackNearby)
	r.Handle(http.MethodPost, "/api/v1/feedback", api.Can("feedback", "submit"), s.submitFeedback)
	r.Handle(http.MethodGet, "/api/v1/me/feedback", api.SignedIn, s.myFeedback)
	r.Handle(http.MethodGet, "/api/v1/feedback/:id", api.SignedIn, s.getFeedback)
	r.Handle(http.MethodPost, "/api/v1/feedback/:id/info", api.Can("feedback", "own"), s.citizenAction(workflows.FBActReplyInfo))
	r.Handle(http.MethodPost, "/api/v1/feedback/:id/rating", api.Can("feedback", "own"), s.citizenAction(workflows.FBActRate))
	r.Handle(http.MethodPost, "/api/v1/feedback/:id/withdraw", api.Can("feedback", "own"), s.citizenAction(workflows.FBActWithdraw))
	r.Handle(http.MethodPost, "/api/v1/feedback/:id/complaint", api.Can("feedback", "own"), s.complain)
	r.Handle(http.MethodPost, "/api/v1/feedback/:id/follow", api.Can("feedback", "submit"), s.followFeedback)
	r.Handle(http.MethodPost, "/api/v1/feedback/:id/actions/:action", api.Can("feedback", "act"), s.feedbackAction)
	r.Handle(http.MethodPost, "/api/v1/feedback/:id/media/:media_id/redaction", api.Can("feedback", "act"), s.redactFeedbackMedia)
	r.Handle(http.MethodGet, "/api/v1/public/feedback", api.Public, s.publicFeedback)
}

func (s *Handler) feedbackCategories(c *gin.Context) {
	cats, err := s.DB.FeedbackCategories(c.Request.Context())
	if err != nil {
		api.WriteError(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"items": cats})
}

type feedbackLocation struct {
	Lat         *float64 `json:"lat"`
	Lng         *float64 `json:"lng"`
	Address     string   `json:"address"`
	CommuneCode string   `json:"commune_code"`
}

type submitFeedbackReq struct {
	Title        string           `json:"title"`
	Content      string           `json:"content"`
	CategoryCode string           `json:"category_code"`
	Location     feedbackLocation `json:"location"`
	MediaIDs     []string         `json:"media_ids"`
	HideName     bool             `json:"hide_name"`
	Urgent       bool             `json:"urgent"`
}

// validateFeedback checks everything before anything is written.
func (s *Handler) validateFeedback(ctx context.Context, uid int64, r *submitFeedbackReq) (postgres.FeedbackCategory, error) {
	e := api.InvalidInput()
	r.Title, r.Content = strings.TrimSpace(r.Title), strings.TrimSpace(r.Content)
	if n := utf8.RuneCountInString(r.Title); n < 5 || n > 200 {
		e.WithField("title", "Tiêu đề từ 5 đến 200 ký tự / 5 to 200 characters")
	}
	if n := utf8.RuneCountInString(r.Content); n < 10 || n > 5000 {
		e.WithField("content", "Nội dung từ 10 đến 5000 ký tự / 10 to 5000 characters")
	}
	var cat postgres.FeedbackCategory
	if r.CategoryCode == "" {
		e.WithField("category_code", "Vui lòng chọn lĩnh vực / required")
	} else if c, err := s.DB.FeedbackCategoryByCode(ctx, r.CategoryCode); err != nil {
		if cds.ErrorCode(err) != cds.ENOTFOUND {
			return cat, err
		}
		e.WithField("category_code", "Lĩnh vực không tồn tại / unknown category")
	} else {
		cat = c
	}
	l := r.Location
	if l.Lat == nil || *l.Lat < -90 || *l.Lat > 90 || math.IsNaN(*l.Lat) {
		e.WithField("location.lat", "Vĩ độ từ -90 đến 90 / latitude -90..90")
	}
	if l.Lng == nil || *l.Lng < -180 || *l.Lng > 180 || math.IsNaN(*l.Lng) {
		e.WithField("location.lng", "Kinh độ từ -180 đến 180 / longitude -180..180")
	}
	if utf8.RuneCountInString(l.Address) > 300 {
		e.WithField("location.address", "Địa chỉ tối đa 300 ký tự / at most 300 characters")
	}
	if ok, err := s.DB.IsCommune(ctx, l.CommuneCode); err != nil {
		return cat, err
	} else if !ok {
		e.WithField("location.commune_code", "Mã xã, phường không hợp lệ / unknown commune")
	}
	if len(r.MediaIDs) > 5 {
		e.WithField("media_ids", "Tối đa 5 ảnh / at most 5 photos")
	} else if len(r.MediaIDs) > 0 {
		seen := map[string]bool{}
		for _, id := range r.MediaIDs {
			seen[id] = true
		}
		n, images, err := s.DB.CountOwnedMedia(ctx, r.MediaIDs, uid)
		if err != nil {
			return cat, err
		}
		switch {
		case n != len(seen) || len(seen) != len(r.MediaIDs):
			e.WithField("media_ids", "Ảnh không tồn tại hoặc không phải của bạn / unknown media or not yours")
		case images != n:
			e.WithField("media_ids", "Phản ánh chỉ nhận ảnh JPEG, PNG hoặc WebP / feedback takes JPEG, PNG or WebP photos only")
		}
	}
	if len(e.Fields) > 0 {
		return cat, e
	}
	return cat, nil
}

func (s *Handler) submitFeedback(c *gin.Context) {
	var req submitFeedbackReq
	if !api.BindJSON(c, &req) {
		return
	}
	ctx := c.Request.Context()
	a := api.Actor(c)
	cat, err := s.validateFeedback(ctx, a.UserID, &req)
	if err != nil {
		api.WriteError(c, err)
		return
	}
	status, body, err := s.Cases.SubmitFeedback(ctx, cases.FeedbackSubmission{
		Scope: cases.ScopeFeedback, KeyOwner: a.UserID, Key: c.GetHeader("Idempotency-Key"), Category: cat,
		Input: workflows.FeedbackInput{CitizenName: a.Name, FeedbackReport: activities.FeedbackReport{CitizenID: a.UserID, Title: req.Title, Content: req.Content,
			Category: cat.Code, MediaIDs: req.MediaIDs, HideName: req.HideName, Urgent: req.Urgent,
			Location: cds.Location{Lat: *req.Location.Lat, Lng: *req.Location.Lng, Address: req.Location.Address, CommuneCode: req.Location.CommuneCode}}},
		Answer: func(_ context.Context, o cases.FeedbackOutcome) (int, any) {
			v := o.View
			return http.StatusCreated, gin.H{"id": o.Code, "code": o.Code, "status": v.Status, "due_at": v.DueAt.In(cds.VietnamTZ),
				"agency_code": v.AgencyCode}
		},
	})
	if err != nil {
		api.WriteError(c, err)
		return
	}
	c.Data(status, "application/json; charset=utf-8", body)
}

// loadFeedback returns the case if the caller may see it: its reporter, a
// follower for the public part, or staff with access. Others get 404.
func (s *Handler) loadFeedback(c *gin.Context) (postgres.Feedback, bool, bool) {
	f, err := s.DB.FeedbackByCode(c.Request.Context(), c.Param("id"))
	if err != nil {
		if cds.ErrorCode(err) == cds.ENOTFOUND {
			err = cases.NotFoundFeedback()
		}
		api.WriteError(c, err)
		return f, false, false
	}
	a := api.Actor(c)
	if a.UserID == f.CitizenID {
		return f, false, true
	}
	if s.Cases.StaffCanReadFeedback(c.Request.Context(), a, f.AgencyCode) {
		return f, true, true
	}
	api.WriteError(c, cases.NotFoundFeedback())
	return f, false, false
}

func (s *Handler) getFeedback(c *gin.Context) {
	f, staff, ok := s.loadFeedback(c)
	if !ok {
		return
	}
	ctx := c.Request.Context()
	events, err := s.DB.CaseEvents(ctx, f.WorkflowID, staff)
	if err != nil {
		api.WriteError(c, err)
		return
	}
	media, err := s.DB.FeedbackMediaOf(ctx, f.WorkflowID)
	if err != nil {
		api.WriteError(c, err)
		return
	}
	followers, err := s.DB.FollowerCount(ctx, f.WorkflowID)
	if err != nil {
		api.WriteError(c, err)
		return
	}
	out := gin.H{"id": f.Code, "case": f, "timeline": events, "media": mediaLinks(media, true), "followers": followers}
	if !staff {
		// An answer is the citizen's to see once published; drafts stay internal.
		if f.PublishedAt == nil {
			f.Answer, f.AnswerBy = "", ""
			out["case"] = f
		}
	}
	if staff {
		// The reports staff marked as duplicates of this one (issue 21).
		dups, err := s.DB.DuplicatesOf(ctx, f.Code)
		if err != nil {
			api.WriteError(c, err)
			return
		}
		if dups == nil {
			dups = []postgres.FeedbackDuplicate{}
		}
		out["duplicates"] = dups
		// The live state comes from the workflow (query), not the read model.
		if v, err := s.Temporal.QueryWorkflow(ctx, workflows.FeedbackWorkflowID(f.Code), "", workflows.FeedbackQueryState); err == nil {
			var live workflows.FeedbackView
			if v.Get(&live) == nil {
				out["live"] = live
			}
		}
	}
	c.JSON(http.StatusOK, out)
}

func mediaLinks(ms []postgres.FeedbackMedia, includeRedacted bool) []gin.H {
	out := []gin.H{}
	for _, m := range ms {
		if m.Redacted && !includeRedacted {
			continue
		}
		out = append(out, gin.H{"id": m.MediaID, "role": m.Role, "redacted": m.Redacted, "url": mediaPath + "/" + m.MediaID})
	}
	return out
}

func (s *Handler) myFeedback(c *gin.Context) {
	cursor, limit := api.PageParams(c)
	items, err := s.DB.MyFeedback(c.Request.Context(), api.ActorID(c), cursor, limit+1)
	if err != nil {
		api.WriteError(c, err)
		return
	}
	var next any
	if len(items) > limit {
		items = items[:limit]
		next = items[limit-1].Code
	}
	out := make([]gin.H, 0, len(items))
	for _, f := range items {
		out = append(out, gin.H{"id": f.Code, "code": f.Code, "title": f.Title, "category_code": f.Category, "status": f.Status,
			"agency_name": f.AgencyName, "received_at": f.ReceivedAt, "due_at": f.DueAt, "closed": f.Closed, "rating": f.Rating,
			"following": f.CitizenID != api.ActorID(c)})
	}
	c.JSON(http.StatusOK, gin.H{"items": out, "next_cursor": next})
}

func (s *Handler) publicFeedback(c *gin.Context) {
	cursor, limit := api.PageParams(c)
	ctx := c.Request.Context()
	items, err := s.DB.PublishedFeedback(ctx, cursor, limit+1)
	if err != nil {
		api.WriteError(c, err)
		return
	}
	var next any
	if len(items) > limit {
		items = items[:limit]
		next = items[limit-1].Code
	}
	communes, err := s.DB.CommuneNames(ctx)
	if err != nil {
		api.WriteError(c, err)
		return
	}
	out := make([]gin.H, 0, len(items))
	for _, f := range items {
		media, err := s.DB.FeedbackMediaOf(ctx, f.WorkflowID)
		if err != nil {
			api.WriteError(c, err)
			return
		}
		name := "Ẩn danh"
		if !f.HideName {
			name = cds.MaskName(f.CitizenName)
		}
		title, content := f.Title, f.Content
		if f.PublicTitle != nil {
			title = *f.PublicTitle // edited by a moderator (feedback_moderation keeps why)
		}
		if f.PublicContent != nil {
			content = *f.PublicContent
		}
		out = append(out, gin.H{"code": f.Code, "title": api.MaskText(title), "content": api.MaskText(content), "category_code": f.Category,
			"status": f.Status, "agency_name": f.AgencyName, "reporter": name, "address": api.PublicPlace(f.Address, communes[f.CommuneCode]),
			"lat": api.PublicCoord(f.Lat), "lng": api.PublicCoord(f.Lng),
			"received_at": f.ReceivedAt, "published_at": f.PublishedAt, "answer": api.MaskText(f.Answer), "rating": f.Rating,
			"timeliness": f.Timeliness, "media": mediaLinks(media, false)})
	}
	c.JSON(http.StatusOK, gin.H{"items": out, "next_cursor": next})
}

func (s *Handler) feedbackNearby(c *gin.Context) {
	lat, err1 := strconv.ParseFloat(c.Query("lat"), 64)
	lng, err2 := strconv.ParseFloat(c.Query("lng"), 64)
	e := api.InvalidInput()
	if err1 != nil || lat < -90 || lat > 90 {
		e.WithField("lat", "-90..90")
	}
	if err2 != nil || lng < -180 || lng > 180 {
		e.WithField("lng", "-180..180")
	}
	if c.Query("category_code") == "" {
		e.WithField("category_code", "required")
	}
	if len(e.Fields) > 0 {
		api.WriteError(c, e)
		return
	}
	items, dists, err := s.DB.NearbyFeedback(c.Request.Context(), c.Query("category_code"), lat, lng, 20)
	if err != nil {
		api.WriteError(c, err)
		return
	}
	out := make([]gin.H, 0, len(items))
	for i, f := range items {
		out = append(out, gin.H{"id": f.Code, "code": f.Code, "title": api.MaskText(f.Title), "status": f.Status, "received_at": f.ReceivedAt,
			"distance_m": math.Round(dists[i]), "lat": api.PublicCoord(f.Lat), "lng": api.PublicCoord(f.Lng)})
	}
	c.JSON(http.StatusOK, gin.H{"items": out})
}

func (s *Handler) followFeedback(c *gin.Context) {
	f, err := s.DB.FeedbackByCode(c.Request.Context(), c.Param("id"))
	if err != nil || f.Closed {
		api.WriteError(c, cases.NotFoundFeedback())
		return
	}
	if f.CitizenID == api.ActorID(c) {
		api.WriteError(c, cds.Errorf(cds.ECONFLICT, "Bạn là người gửi phản ánh này.", "You filed this report."))
		return
	}
	if err := s.DB.FollowFeedback(c.Request.Context(), f.WorkflowID, api.ActorID(c)); err != nil {
		api.WriteError(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"id": f.Code, "following": true})
}

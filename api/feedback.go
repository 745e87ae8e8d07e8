package api

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gin-gonic/gin"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	cds "github.com/caobang/congdanso"
	"github.com/caobang/congdanso/postgres"
	"github.com/caobang/congdanso/workflows"
)

func init() {
	register(func(s *Server) {
		s.handle(http.MethodGet, "/api/v1/feedback/categories", Public, s.feedbackCategories)
		s.handle(http.MethodGet, "/api/v1/feedback/nearby", SignedIn, s.feedbackNearby)
		s.handle(http.MethodPost, "/api/v1/feedback", Can("feedback", "submit"), s.submitFeedback)
		s.handle(http.MethodGet, "/api/v1/me/feedback", SignedIn, s.myFeedback)
		s.handle(http.MethodGet, "/api/v1/feedback/:id", SignedIn, s.getFeedback)
		s.handle(http.MethodPost, "/api/v1/feedback/:id/info", Can("feedback", "own"), s.citizenAction(workflows.FBActReplyInfo))
		s.handle(http.MethodPost, "/api/v1/feedback/:id/rating", Can("feedback", "own"), s.citizenAction(workflows.FBActRate))
		s.handle(http.MethodPost, "/api/v1/feedback/:id/withdraw", Can("feedback", "own"), s.citizenAction(workflows.FBActWithdraw))
		s.handle(http.MethodPost, "/api/v1/feedback/:id/follow", Can("feedback", "submit"), s.followFeedback)
		s.handle(http.MethodPost, "/api/v1/feedback/:id/actions/:action", Can("feedback", "act"), s.feedbackAction)
		s.handle(http.MethodPost, "/api/v1/feedback/:id/media/:media_id/redaction", Can("feedback", "act"), s.redactFeedbackMedia)
		s.handle(http.MethodGet, "/api/v1/public/feedback", Public, s.publicFeedback)
	})
}

func (s *Server) feedbackCategories(c *gin.Context) {
	cats, err := s.DB.FeedbackCategories(c.Request.Context())
	if err != nil {
		writeError(c, err)
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

func invalidInput() *cds.Error {
	return cds.Errorf(cds.EINVALID, "Dữ liệu không hợp lệ, vui lòng kiểm tra các trường.", "Invalid input; check the fields.")
}

// validateFeedback checks everything before anything is written.
func (s *Server) validateFeedback(ctx context.Context, uid int64, r *submitFeedbackReq) (postgres.FeedbackCategory, error) {
	e := invalidInput()
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
		n, err := s.DB.CountOwnedMedia(ctx, r.MediaIDs, uid)
		if err != nil {
			return cat, err
		}
		if n != len(seen) || len(seen) != len(r.MediaIDs) {
			e.WithField("media_ids", "Ảnh không tồn tại hoặc không phải của bạn / unknown media or not yours")
		}
	}
	if len(e.Fields) > 0 {
		return cat, e
	}
	return cat, nil
}

// slaScale reads the test-only SLA divisor from the config.
func (s *Server) slaScale() float64 {
	f, err := strconv.ParseFloat(s.Config.Extra["sla_scale"], 64)
	if err != nil || f <= 1 {
		return 0
	}
	return f
}

func (s *Server) submitFeedback(c *gin.Context) {
	var req submitFeedbackReq
	if !bindJSON(c, &req) {
		return
	}
	ctx := c.Request.Context()
	a := actor(c)
	cat, err := s.validateFeedback(ctx, a.UserID, &req)
	if err != nil {
		writeError(c, err)
		return
	}
	idemKey := c.GetHeader("Idempotency-Key")
	status, body, _, err := s.DB.IdempotentResumable(ctx, "feedback", a.UserID, idemKey, func() (int, any, error) {
		// The code is kept with the key: a retry that takes over after the
		// instance handling the first attempt died reuses it, and the start
		// below then joins the workflow that attempt may have started.
		code, err := s.DB.IdempotencyReserve(ctx, "feedback", a.UserID, idemKey, "code", func() (string, error) {
			year := time.Now().In(cds.VietnamTZ).Year()
			n, err := s.DB.NextCode(ctx, fmt.Sprintf("PA-%d", year))
			return fmt.Sprintf("PA-%d-%06d", year, n), err
		})
		if err != nil {
			return 0, nil, err
		}
		sla := workflows.FeedbackSLA{AcceptHours: cat.AcceptHours, AnswerHours: cat.AnswerHours, Scale: s.slaScale()}
		if req.Urgent {
			sla.AcceptHours, sla.AnswerHours = cat.UrgentAcceptHours, cat.UrgentAnswerHours
		}
		in := workflows.FeedbackInput{Code: code, CitizenID: a.UserID, CitizenName: a.Name, Title: req.Title, Content: req.Content,
			Category: cat.Code, MediaIDs: req.MediaIDs, HideName: req.HideName, Urgent: req.Urgent, SLA: sla,
			Location: cds.Location{Lat: *req.Location.Lat, Lng: *req.Location.Lng, Address: req.Location.Address, CommuneCode: req.Location.CommuneCode}}
		op := s.Temporal.NewWithStartWorkflowOperation(client.StartWorkflowOptions{
			ID: workflows.FeedbackWorkflowID(code), TaskQueue: s.taskQueue(),
			WorkflowIDReusePolicy: enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
			// Codes are never reused, so a running workflow with this ID
			// can only come from an earlier attempt of this same request.
			WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
		}, workflows.FeedbackWorkflowName, in)
		// Update-with-start: the answer waits until the case is routed and
		// its row is in the read model, so the 201 carries the due time.
		h, err := s.Temporal.UpdateWithStartWorkflow(ctx, client.UpdateWithStartWorkflowOptions{
			StartWorkflowOperation: op,
			UpdateOptions:          client.UpdateWorkflowOptions{UpdateName: workflows.FeedbackUpdateSubmitted, WaitForStage: client.WorkflowUpdateStageCompleted},
		})
		if err != nil {
			return 0, nil, err
		}
		var v workflows.FeedbackView
		if err := h.Get(ctx, &v); err != nil {
			return 0, nil, err
		}
		return http.StatusCreated, gin.H{"id": code, "code": code, "status": v.Status, "due_at": v.DueAt.In(cds.VietnamTZ),
			"agency_code": v.AgencyCode}, nil
	})
	if err != nil {
		writeError(c, err)
		return
	}
	c.Data(status, "application/json; charset=utf-8", body)
}

func (s *Server) taskQueue() string {
	if s.Config.TaskQueue != "" {
		return s.Config.TaskQueue
	}
	return workflows.TaskQueue
}

func notFoundCase() *cds.Error {
	return cds.Errorf(cds.ENOTFOUND, "Không tìm thấy phản ánh.", "Feedback report not found.")
}

// staffCanRead: staff of the case's agency (or above it), or a province-wide reader.
func (s *Server) staffCanRead(c *gin.Context, agency string) bool {
	a := actor(c)
	if !a.IsStaff() {
		return false
	}
	if ok, err := s.Authz.Allowed(c.Request.Context(), a, agency, "feedback", "read"); err == nil && ok {
		return true
	}
	ok, err := s.Authz.Allowed(c.Request.Context(), a, "", "feedback", "read_all")
	return err == nil && ok
}

// loadFeedback returns the case if the caller may see it: its reporter, a
// follower for the public part, or staff with access. Others get 404.
func (s *Server) loadFeedback(c *gin.Context) (postgres.Feedback, bool, bool) {
	f, err := s.DB.FeedbackByCode(c.Request.Context(), c.Param("id"))
	if err != nil {
		if cds.ErrorCode(err) == cds.ENOTFOUND {
			err = notFoundCase()
		}
		writeError(c, err)
		return f, false, false
	}
	a := actor(c)
	if a.UserID == f.CitizenID {
		return f, false, true
	}
	if s.staffCanRead(c, f.AgencyCode) {
		return f, true, true
	}
	writeError(c, notFoundCase())
	return f, false, false
}

func (s *Server) getFeedback(c *gin.Context) {
	f, staff, ok := s.loadFeedback(c)
	if !ok {
		return
	}
	ctx := c.Request.Context()
	events, err := s.DB.CaseEvents(ctx, f.WorkflowID, staff)
	if err != nil {
		writeError(c, err)
		return
	}
	media, err := s.DB.FeedbackMediaOf(ctx, f.WorkflowID)
	if err != nil {
		writeError(c, err)
		return
	}
	followers, err := s.DB.FollowerCount(ctx, f.WorkflowID)
	if err != nil {
		writeError(c, err)
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

func pageParams(c *gin.Context) (string, int) {
	limit, _ := strconv.Atoi(c.Query("limit"))
	if limit <= 0 || limit > 100 {
		limit = 20
	}
	return c.Query("cursor"), limit
}

func (s *Server) myFeedback(c *gin.Context) {
	cursor, limit := pageParams(c)
	items, err := s.DB.MyFeedback(c.Request.Context(), actorID(c), cursor, limit+1)
	if err != nil {
		writeError(c, err)
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
			"following": f.CitizenID != actorID(c)})
	}
	c.JSON(http.StatusOK, gin.H{"items": out, "next_cursor": next})
}

var phoneRe = regexp.MustCompile(`(\+?84|0)[0-9][0-9 .\-]{7,12}[0-9]`)

// maskText hides phone numbers a citizen typed into the text.
func maskText(s string) string {
	return phoneRe.ReplaceAllStringFunc(s, func(p string) string {
		return cds.MaskPhone(strings.NewReplacer(" ", "", ".", "", "-", "").Replace(p))
	})
}

func (s *Server) publicFeedback(c *gin.Context) {
	cursor, limit := pageParams(c)
	ctx := c.Request.Context()
	items, err := s.DB.PublishedFeedback(ctx, cursor, limit+1)
	if err != nil {
		writeError(c, err)
		return
	}
	var next any
	if len(items) > limit {
		items = items[:limit]
		next = items[limit-1].Code
	}
	out := make([]gin.H, 0, len(items))
	for _, f := range items {
		media, err := s.DB.FeedbackMediaOf(ctx, f.WorkflowID)
		if err != nil {
			writeError(c, err)
			return
		}
		name := "Ẩn danh"
		if !f.HideName {
			name = cds.MaskName(f.CitizenName)
		}
		out = append(out, gin.H{"code": f.Code, "title": maskText(f.Title), "content": maskText(f.Content), "category_code": f.Category,
			"status": f.Status, "agency_name": f.AgencyName, "reporter": name, "address": f.Address, "lat": f.Lat, "lng": f.Lng,
			"received_at": f.ReceivedAt, "published_at": f.PublishedAt, "answer": maskText(f.Answer), "rating": f.Rating,
			"timeliness": f.Timeliness, "media": mediaLinks(media, false)})
	}
	c.JSON(http.StatusOK, gin.H{"items": out, "next_cursor": next})
}

func (s *Server) feedbackNearby(c *gin.Context) {
	lat, err1 := strconv.ParseFloat(c.Query("lat"), 64)
	lng, err2 := strconv.ParseFloat(c.Query("lng"), 64)
	e := invalidInput()
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
		writeError(c, e)
		return
	}
	items, dists, err := s.DB.NearbyFeedback(c.Request.Context(), c.Query("category_code"), lat, lng, 20)
	if err != nil {
		writeError(c, err)
		return
	}
	out := make([]gin.H, 0, len(items))
	for i, f := range items {
		out = append(out, gin.H{"id": f.Code, "code": f.Code, "title": maskText(f.Title), "status": f.Status, "received_at": f.ReceivedAt,
			"distance_m": math.Round(dists[i]), "lat": f.Lat, "lng": f.Lng})
	}
	c.JSON(http.StatusOK, gin.H{"items": out})
}

func (s *Server) followFeedback(c *gin.Context) {
	f, err := s.DB.FeedbackByCode(c.Request.Context(), c.Param("id"))
	if err != nil || f.Closed {
		writeError(c, notFoundCase())
		return
	}
	if f.CitizenID == actorID(c) {
		writeError(c, cds.Errorf(cds.ECONFLICT, "Bạn là người gửi phản ánh này.", "You filed this report."))
		return
	}
	if err := s.DB.FollowFeedback(c.Request.Context(), f.WorkflowID, actorID(c)); err != nil {
		writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"id": f.Code, "following": true})
}

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

// sendFeedbackUpdate runs an action update and waits for its result, so the
// read model is written when the HTTP answer goes out.
func (s *Server) sendFeedbackUpdate(ctx context.Context, code, name string, a workflows.FeedbackAction) (workflows.FeedbackView, error) {
	var v workflows.FeedbackView
	h, err := s.Temporal.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
		WorkflowID: workflows.FeedbackWorkflowID(code), UpdateName: name, Args: []any{a},
		WaitForStage: client.WorkflowUpdateStageCompleted,
	})
	if err == nil {
		err = h.Get(ctx, &v)
	}
	return v, updateError(err)
}

// updateError maps a refused update to 409 (state) or 400 (data).
func updateError(err error) error {
	if err == nil {
		return nil
	}
	var ae *temporal.ApplicationError
	if errors.As(err, &ae) && (ae.Type() == workflows.ConflictError || ae.Type() == cds.EINVALID) {
		vi := ae.Message()
		if ae.HasDetails() {
			_ = ae.Details(&vi)
		}
		return &cds.Error{Code: ae.Type(), Message: vi, MessageEN: ae.Message()}
	}
	var nf *serviceerror.NotFound
	if errors.As(err, &nf) || strings.Contains(err.Error(), "workflow execution already completed") {
		return cds.Errorf(cds.ECONFLICT, "Phản ánh đã kết thúc.", "The case is already closed.")
	}
	return err
}

func (s *Server) citizenAction(name string) gin.HandlerFunc {
	return func(c *gin.Context) {
		var req feedbackActionReq
		if !bindJSON(c, &req) {
			return
		}
		f, err := s.DB.FeedbackByCode(c.Request.Context(), c.Param("id"))
		if err != nil || f.CitizenID != actorID(c) {
			writeError(c, notFoundCase())
			return
		}
		note := req.Note
		if name == workflows.FBActRate {
			note = req.Comment
			if req.Score < 1 || req.Score > 5 {
				writeError(c, invalidInput().WithField("score", "1..5"))
				return
			}
		}
		if name == workflows.FBActReplyInfo && strings.TrimSpace(note) == "" {
			writeError(c, invalidInput().WithField("note", "Vui lòng nhập nội dung / required"))
			return
		}
		v, err := s.sendFeedbackUpdate(c.Request.Context(), f.Code, name, workflows.FeedbackAction{Actor: actor(c), Note: note, Score: req.Score})
		if err != nil {
			writeError(c, err)
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

func (s *Server) feedbackAction(c *gin.Context) {
	action := c.Param("action")
	if !isStaffAction(action) {
		writeError(c, cds.Errorf(cds.ENOTFOUND, "Không có thao tác %q.", "No action %q.", action))
		return
	}
	var req feedbackActionReq
	if !bindJSON(c, &req) {
		return
	}
	f, staff, ok := s.loadFeedback(c)
	if !ok {
		return
	}
	if !staff {
		writeError(c, notFoundCase())
		return
	}
	if !s.allowedOn(c, f.AgencyCode, "feedback", action) {
		return
	}
	ctx := c.Request.Context()
	a := workflows.FeedbackAction{Actor: actor(c), Note: req.Note, AgencyCode: req.AgencyCode, Answer: req.Answer,
		MediaIDs: req.MediaIDs, OriginalCode: req.OriginalCode}
	switch action {
	case workflows.FBActAssign:
		ok, name, err := s.DB.HasRoleIn(ctx, req.AssigneeID, string(cds.RoleOfficer), f.AgencyCode)
		if err != nil {
			writeError(c, err)
			return
		}
		if !ok {
			writeError(c, invalidInput().WithField("assignee_id", "Không phải chuyên viên của cơ quan / not an officer of the agency"))
			return
		}
		a.AssigneeID, a.AssigneeName, a.AssigneeAgency = req.AssigneeID, name, f.AgencyCode
	case workflows.FBActTransfer:
		if _, err := s.DB.FeedbackCategoryByCode(ctx, f.Category); err != nil {
			writeError(c, err)
			return
		}
		if !s.agencyExists(ctx, req.AgencyCode) {
			writeError(c, invalidInput().WithField("agency_code", "Cơ quan không tồn tại / unknown agency"))
			return
		}
	case workflows.FBActMarkDuplicate:
		o, err := s.DB.FeedbackByCode(ctx, req.OriginalCode)
		if err != nil || o.Code == f.Code {
			writeError(c, invalidInput().WithField("original_code", "Phản ánh gốc không tồn tại / unknown original"))
			return
		}
	case workflows.FBActDraftAnswer:
		if len(req.MediaIDs) > 5 {
			writeError(c, invalidInput().WithField("media_ids", "Tối đa 5 tệp / at most 5"))
			return
		}
		if len(req.MediaIDs) > 0 {
			n, err := s.DB.CountOwnedMedia(ctx, req.MediaIDs, actorID(c))
			if err != nil || n != len(req.MediaIDs) {
				writeError(c, invalidInput().WithField("media_ids", "Tệp không tồn tại / unknown media"))
				return
			}
		}
	}
	v, err := s.sendFeedbackUpdate(ctx, f.Code, action, a)
	if err != nil {
		writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"id": f.Code, "status": v.Status, "agency_code": v.AgencyCode, "due_at": v.DueAt, "live": v})
}

func (s *Server) agencyExists(ctx context.Context, code string) bool {
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
func (s *Server) redactFeedbackMedia(c *gin.Context) {
	var req struct {
		Redacted *bool `json:"redacted"`
	}
	if !bindJSON(c, &req) {
		return
	}
	f, staff, ok := s.loadFeedback(c)
	if !ok {
		return
	}
	if !staff {
		writeError(c, notFoundCase())
		return
	}
	if !s.allowedOn(c, f.AgencyCode, "feedback", "moderate") {
		return
	}
	red := req.Redacted == nil || *req.Redacted
	if err := s.DB.SetMediaRedacted(c.Request.Context(), f.WorkflowID, c.Param("media_id"), red); err != nil {
		writeError(c, err)
		return
	}
	_ = s.DB.Audit(c.Request.Context(), actorID(c), "feedback.redact", "media", c.Param("media_id"), map[string]any{"case": f.Code, "redacted": red})
	c.JSON(http.StatusOK, gin.H{"id": c.Param("media_id"), "redacted": red})
}

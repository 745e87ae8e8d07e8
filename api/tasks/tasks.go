package tasks

import (
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	cds "github.com/caobang/congdanso"
	"github.com/caobang/congdanso/api"
	"github.com/caobang/congdanso/cases"
	"github.com/caobang/congdanso/postgres"
)

// Staff work queues. Every open step of a case that waits on a person is a row
// in tasks, written and closed by the workflows' activities; these routes only
// read the queues and move who holds a task (claim, release, assign).
func (s *Handler) registerTasks(r *api.Server) {
	r.Handle(http.MethodGet, "/api/v1/tasks", api.Can("tasks", "read"), s.listTasks)
	r.Handle(http.MethodGet, "/api/v1/tasks/counts", api.Can("tasks", "read"), s.taskCounts)
	r.Handle(http.MethodGet, "/api/v1/tasks/overview", api.Can("tasks", "overview"), s.taskOverview)
	r.Handle(http.MethodGet, "/api/v1/tasks/:id", api.Can("tasks", "read"), s.getTask)
	r.Handle(http.MethodPost, "/api/v1/tasks/:id/claim", api.Can("tasks", "claim"), s.claimTask)
	r.Handle(http.MethodPost, "/api/v1/tasks/:id/release", api.Can("tasks", "claim"), s.releaseTask)
	r.Handle(http.MethodPost, "/api/v1/tasks/:id/assign", api.Can("tasks", "assign"), s.assignTask)
}

// soonWindow is how far ahead "due soon" looks (badges and the leader's view).
const soonWindow = 48 * time.Hour

// taskQueryFrom parses the queue filters of GET /api/v1/tasks (the console uses it too).
func (s *Handler) taskQueryFrom(c *gin.Context, a cds.Actor, agencies []string) (postgres.TaskQuery, error) {
	q := postgres.TaskQuery{
		Kind: c.Query("kind"), Category: c.Query("category"), Action: c.Query("action"), Role: c.Query("role"),
		Status: c.Query("status"), Cursor: c.Query("cursor"),
	}
	bad := cds.Errorf(cds.EINVALID, "Tham số lọc không hợp lệ.", "Invalid filter.")
	switch c.DefaultQuery("queue", "agency") {
	case "mine":
		q.AssigneeID = a.UserID
	case "agency":
		q.Agencies = agencies
	default:
		return q, bad.WithField("queue", "mine | agency")
	}
	switch q.Status {
	case "", "open", "closed":
	default:
		return q, bad.WithField("status", "open | closed")
	}
	if v := c.Query("overdue"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return q, bad.WithField("overdue", "true | false")
		}
		q.Overdue = &b
	}
	if v := c.Query("unassigned"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return q, bad.WithField("unassigned", "true | false")
		}
		q.Unassigned = b
	}
	if v := c.Query("due_before"); v != "" {
		t, err := time.Parse(time.RFC3339, v)
		if err != nil {
			if d, err2 := time.ParseInLocation("2006-01-02", v, cds.VietnamTZ); err2 == nil {
				t = d
			} else {
				return q, bad.WithField("due_before", "RFC 3339 or YYYY-MM-DD")
			}
		}
		q.DueBefore = &t
	}
	if v := c.Query("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 200 {
			return q, bad.WithField("limit", "1..200")
		}
		q.Limit = n
	}
	return q, nil
}

func (s *Handler) listTasks(c *gin.Context) {
	a := api.Actor(c)
	agencies, err := s.Cases.VisibleAgencies(c.Request.Context(), a)
	if err != nil {
		api.WriteError(c, err)
		return
	}
	q, err := s.taskQueryFrom(c, a, agencies)
	if err != nil {
		api.WriteError(c, err)
		return
	}
	items, next, err := s.DB.TaskQueue(c.Request.Context(), q)
	if err != nil {
		api.WriteError(c, err)
		return
	}
	if items == nil {
		items = []postgres.Task{}
	}
	var nextCursor any
	if next != "" {
		nextCursor = next
	}
	c.JSON(http.StatusOK, gin.H{"items": items, "next_cursor": nextCursor})
}

func (s *Handler) taskCounts(c *gin.Context) {
	a := api.Actor(c)
	agencies, err := s.Cases.VisibleAgencies(c.Request.Context(), a)
	if err != nil {
		api.WriteError(c, err)
		return
	}
	now := time.Now()
	counts, err := s.DB.CountTasks(c.Request.Context(), a.UserID, agencies, now, now.Add(soonWindow))
	if err != nil {
		api.WriteError(c, err)
		return
	}
	c.JSON(http.StatusOK, counts)
}

func (s *Handler) taskOverview(c *gin.Context) {
	a := api.Actor(c)
	agencies, err := s.Cases.VisibleAgencies(c.Request.Context(), a)
	if err != nil {
		api.WriteError(c, err)
		return
	}
	window := soonWindow
	if v := c.Query("soon_hours"); v != "" {
		h, err := strconv.Atoi(v)
		if err != nil || h < 1 || h > 24*30 {
			api.WriteError(c, cds.Errorf(cds.EINVALID, "Tham số không hợp lệ.", "Invalid parameter.").WithField("soon_hours", "1..720"))
			return
		}
		window = time.Duration(h) * time.Hour
	}
	now := time.Now()
	ov, err := s.DB.Overview(c.Request.Context(), agencies, now, now.Add(window), 100)
	if err != nil {
		api.WriteError(c, err)
		return
	}
	c.JSON(http.StatusOK, ov)
}

// visibleTask loads a task the actor may see (404 otherwise, leaking nothing).
func (s *Handler) visibleTask(c *gin.Context) (postgres.Task, []string, bool) {
	id, ok := api.PathID(c, "id")
	if !ok {
		return postgres.Task{}, nil, false
	}
	agencies, err := s.Cases.VisibleAgencies(c.Request.Context(), api.Actor(c))
	if err != nil {
		api.WriteError(c, err)
		return postgres.Task{}, nil, false
	}
	t, err := s.DB.GetTask(c.Request.Context(), id)
	if err != nil || !slices.Contains(agencies, t.AgencyCode) {
		api.WriteError(c, cds.Errorf(cds.ENOTFOUND, "Không tìm thấy công việc.", "Task not found."))
		return postgres.Task{}, nil, false
	}
	return t, agencies, true
}

func (s *Handler) getTask(c *gin.Context) {
	if t, _, ok := s.visibleTask(c); ok {
		c.JSON(http.StatusOK, t)
	}
}

func (s *Handler) claimTask(c *gin.Context) {
	id, ok := api.PathID(c, "id")
	if !ok {
		return
	}
	a := api.Actor(c)
	agencies, err := s.Cases.VisibleAgencies(c.Request.Context(), a)
	if err != nil {
		api.WriteError(c, err)
		return
	}
	t, err := s.DB.ClaimTask(c.Request.Context(), id, a.UserID, agencies, cases.RoleNames(a))
	if err != nil {
		api.WriteError(c, err)
		return
	}
	c.JSON(http.StatusOK, t)
}

func (s *Handler) releaseTask(c *gin.Context) {
	t, agencies, ok := s.visibleTask(c)
	if !ok {
		return
	}
	a := api.Actor(c)
	asLeader, err := s.Authz.Allowed(c.Request.Context(), a, t.AgencyCode, "tasks", "assign")
	if err != nil {
		api.WriteError(c, err)
		return
	}
	t, err = s.DB.ReleaseTask(c.Request.Context(), t.ID, a.UserID, agencies, asLeader)
	if err != nil {
		api.WriteError(c, err)
		return
	}
	c.JSON(http.StatusOK, t)
}

type assignRequest struct {
	UserID int64 `json:"user_id"`
}

func (s *Handler) assignTask(c *gin.Context) {
	t, agencies, ok := s.visibleTask(c)
	if !ok {
		return
	}
	if !s.AllowedOn(c, t.AgencyCode, "tasks", "assign") {
		return
	}
	var req assignRequest
	if !api.BindJSON(c, &req) {
		return
	}
	if req.UserID <= 0 {
		api.WriteError(c, cds.Errorf(cds.EINVALID, "Vui lòng chọn người được giao.", "Choose the assignee.").WithField("user_id", "required"))
		return
	}
	t, err := s.DB.AssignTask(c.Request.Context(), t.ID, req.UserID, agencies)
	if err != nil {
		api.WriteError(c, err)
		return
	}
	c.JSON(http.StatusOK, t)
}

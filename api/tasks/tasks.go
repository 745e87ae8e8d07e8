package tasks

import (
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	cds "github.com/caobang/congdanso"
	"github.com/caobang/congdanso/api"
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

func (s *Handler) listTasks(c *gin.Context) {
	items, next, err := s.Cases.ListTasks(c.Request.Context(), api.Actor(c), c.Request.URL.Query())
	if err != nil {
		api.WriteError(c, err)
		return
	}
	var nextCursor any
	if next != "" {
		nextCursor = next
	}
	c.JSON(http.StatusOK, gin.H{"items": items, "next_cursor": nextCursor})
}

func (s *Handler) taskCounts(c *gin.Context) {
	counts, err := s.Cases.TaskCounts(c.Request.Context(), api.Actor(c))
	if err != nil {
		api.WriteError(c, err)
		return
	}
	c.JSON(http.StatusOK, counts)
}

func (s *Handler) taskOverview(c *gin.Context) {
	a := api.Actor(c)
	if _, err := s.Cases.VisibleAgencies(c.Request.Context(), a); err != nil {
		api.WriteError(c, err)
		return
	}
	var window time.Duration
	if v := c.Query("soon_hours"); v != "" {
		h, err := strconv.Atoi(v)
		if err != nil || h < 1 || h > 24*30 {
			api.WriteError(c, cds.Errorf(cds.EINVALID, "Tham số không hợp lệ.", "Invalid parameter.").WithField("soon_hours", "1..720"))
			return
		}
		window = time.Duration(h) * time.Hour
	}
	ov, err := s.Cases.TaskOverview(c.Request.Context(), a, window)
	if err != nil {
		api.WriteError(c, err)
		return
	}
	c.JSON(http.StatusOK, ov)
}

// visibleTask loads a task the actor may see (404 otherwise, leaking nothing).
func (s *Handler) visibleTask(c *gin.Context) (postgres.Task, bool) {
	id, ok := api.PathID(c, "id")
	if !ok {
		return postgres.Task{}, false
	}
	t, _, err := s.Cases.VisibleTask(c.Request.Context(), api.Actor(c), id)
	if err != nil {
		api.WriteError(c, err)
		return t, false
	}
	return t, true
}

func (s *Handler) getTask(c *gin.Context) {
	if t, ok := s.visibleTask(c); ok {
		c.JSON(http.StatusOK, t)
	}
}

func (s *Handler) claimTask(c *gin.Context) {
	id, ok := api.PathID(c, "id")
	if !ok {
		return
	}
	t, err := s.Cases.ClaimTask(c.Request.Context(), api.Actor(c), id, c.GetHeader("Idempotency-Key"))
	if err != nil {
		api.WriteError(c, err)
		return
	}
	c.JSON(http.StatusOK, t)
}

func (s *Handler) releaseTask(c *gin.Context) {
	id, ok := api.PathID(c, "id")
	if !ok {
		return
	}
	t, err := s.Cases.ReleaseTask(c.Request.Context(), api.Actor(c), id, c.GetHeader("Idempotency-Key"))
	if err != nil {
		api.WriteError(c, err)
		return
	}
	c.JSON(http.StatusOK, t)
}

type assignRequest struct {
	UserID int64 `json:"user_id"`
}

// assignTask: a task the caller cannot see is 404 and one they may not
// assign is 403, before the body is read; the operation checks both again.
func (s *Handler) assignTask(c *gin.Context) {
	t, ok := s.visibleTask(c)
	if !ok || !s.AllowedOn(c, t.AgencyCode, "tasks", "assign") {
		return
	}
	var req assignRequest
	if !api.BindJSON(c, &req) {
		return
	}
	t, err := s.Cases.AssignTask(c.Request.Context(), api.Actor(c), t.ID, req.UserID, c.GetHeader("Idempotency-Key"))
	if err != nil {
		api.WriteError(c, err)
		return
	}
	c.JSON(http.StatusOK, t)
}

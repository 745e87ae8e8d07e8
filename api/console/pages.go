package console

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/caobang/congdanso/api"
	"github.com/caobang/congdanso/postgres"
)

// --- labels (Vietnamese interface text) ---

// --- queues ---

type queueView struct {
	Queue   string
	Items   []postgres.Task
	Next    string
	Filters url.Values
	Me      int64
	Kinds   []option
	Overdue []option
}

type option struct{ Value, Label string }

func (s *Handler) consoleQueue(c *gin.Context) {
	queue := c.Param("queue")
	if queue != "mine" && queue != "agency" {
		s.renderConsole(c, http.StatusNotFound, "error", consolePage{Title: "Không tìm thấy trang", Message: "Không có hàng đợi này. / No such queue."})
		return
	}
	q := url.Values{"queue": {queue}, "limit": {"25"}}
	keep := url.Values{}
	for _, k := range []string{"kind", "category", "overdue", "due_before", "status", "cursor", "unassigned"} {
		if v := strings.TrimSpace(c.Query(k)); v != "" {
			q.Set(k, v)
			if k != "cursor" {
				keep.Set(k, v)
			}
		}
	}
	var errs []fieldError
	if v := q.Get("due_before"); v != "" {
		d, ok := parseVNDate(v)
		if !ok {
			errs = append(errs, badDate("due_before"))
			q.Del("due_before")
		} else {
			q.Set("due_before", isoDate(d))
		}
	}
	items, next, err := s.listTasks(c, q)
	if err != nil {
		e := api.ErrorOf(c, err)
		for f, m := range e.Fields {
			errs = append(errs, fieldError{f, e.Message + " (" + m + ")"})
		}
		if len(errs) == 0 {
			errs = append(errs, fieldError{"kind", e.Message})
		}
	}
	v := queueView{Queue: queue, Items: items, Filters: keep, Me: api.Actor(c).UserID,
		Kinds:   []option{{"", "Tất cả"}, {"feedback", "Phản ánh kiến nghị"}, {"application", "Hồ sơ dịch vụ công"}},
		Overdue: []option{{"", "Tất cả"}, {"true", "Chỉ việc quá hạn"}, {"false", "Chưa quá hạn"}}}
	if next != "" {
		nq := url.Values{}
		for k, vs := range keep {
			nq[k] = vs
		}
		nq.Set("cursor", next)
		v.Next = nq.Encode()
	}
	title, nav := "Việc của tôi", "mine"
	if queue == "agency" {
		title, nav = "Việc của đơn vị", "agency"
	}
	status := http.StatusOK
	if len(errs) > 0 {
		status = http.StatusBadRequest
	}
	s.renderConsole(c, status, "queue", consolePage{Title: title, Nav: nav, Errors: errs, Data: v})
}

// consoleTaskOp claims or releases a task (the operation of the JSON API),
// then redirects back (post/redirect/get) with a flash message.
func (s *Handler) consoleTaskOp(c *gin.Context) {
	op := c.Param("op")
	if op != "claim" && op != "release" {
		s.renderConsole(c, http.StatusNotFound, "error", consolePage{Title: "Không tìm thấy trang"})
		return
	}
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		s.renderConsole(c, http.StatusNotFound, "error", consolePage{Title: "Không tìm thấy công việc"})
		return
	}
	a, ctx, key := api.Actor(c), c.Request.Context(), c.PostForm(idemField)
	var t postgres.Task
	err = s.allowed(c, "tasks", "claim")
	if err == nil && op == "claim" {
		t, err = s.Cases.ClaimTask(ctx, a, id, key)
	} else if err == nil {
		t, err = s.Cases.ReleaseTask(ctx, a, id, key)
	}
	back := safeNext(c.PostForm("back"))
	if err != nil {
		setFlash(c, "Không thực hiện được: "+api.ErrorOf(c, err).Message)
	} else if op == "claim" {
		setFlash(c, "Bạn đã nhận xử lý công việc.")
		if t.CaseCode != "" && c.PostForm("open") == "1" {
			back = "/console/cases/" + url.PathEscape(t.CaseKind) + "/" + url.PathEscape(t.CaseCode)
		}
	} else {
		setFlash(c, "Đã trả công việc về hàng đợi của đơn vị.")
	}
	c.Redirect(http.StatusSeeOther, back)
}

// --- case page ---

// --- approvals (leaders) and reports ---

type approvalsView struct {
	Items      []postgres.Task
	Overview   *postgres.TaskOverview
	Me         int64
	CanOversee bool
}

func (s *Handler) consoleApprovals(c *gin.Context) {
	v := approvalsView{Me: api.Actor(c).UserID}
	v.Items, _, _ = s.listTasks(c, url.Values{"queue": {"agency"}, "role": {"leader"}, "limit": {"100"}})
	if s.allowed(c, "tasks", "overview") == nil {
		if ov, err := s.Cases.TaskOverview(c.Request.Context(), api.Actor(c), 0); err == nil {
			v.Overview, v.CanOversee = &ov, true
		}
	}
	s.renderConsole(c, http.StatusOK, "approvals", consolePage{Title: "Phê duyệt và theo dõi hạn", Nav: "approvals", Data: v})
}

// listTasks is the task queue as GET /api/v1/tasks serves it (with its
// permission).
func (s *Handler) listTasks(c *gin.Context, filters url.Values) ([]postgres.Task, string, error) {
	if err := s.allowed(c, "tasks", "read"); err != nil {
		return nil, "", err
	}
	return s.Cases.ListTasks(c.Request.Context(), api.Actor(c), filters)
}

// allowed checks the permission the JSON API's route for the same
// operation requires, so the console grants nothing more.
func (s *Handler) allowed(c *gin.Context, obj, act string) error {
	return api.Require(c.Request.Context(), s.Authz, api.Actor(c), "", obj, act)
}

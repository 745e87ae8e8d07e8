package postgres

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	cds "github.com/caobang/congdanso"
)

// Task is one human step of a case waiting in a work queue.
type Task struct {
	ID            int64      `json:"id"`
	WorkflowID    string     `json:"workflow_id"`
	StepKey       string     `json:"step_key"`
	CaseKind      string     `json:"case_kind"`
	CaseCode      string     `json:"case_code"`
	CaseTitle     string     `json:"case_title"`
	Category      string     `json:"category"`
	Action        string     `json:"action"`
	AgencyCode    string     `json:"agency_code"`
	CandidateRole string     `json:"candidate_role"`
	AssigneeID    *int64     `json:"assignee_id"`
	AssigneeName  string     `json:"assignee_name,omitempty"`
	Status        string     `json:"status"`
	Priority      int        `json:"priority"`
	Overdue       bool       `json:"overdue"`
	DueAt         *time.Time `json:"due_at"`
	CreatedAt     time.Time  `json:"created_at"`
	ClosedAt      *time.Time `json:"closed_at,omitempty"`
}

// TaskQuery selects a work queue page. Exactly one of Agencies (the agency
// queue) or AssigneeID (my queue) scopes the rows.
type TaskQuery struct {
	Agencies   []string // agency queue: the caller's agency (and sub-units for leaders)
	AssigneeID int64    // my queue
	Kind       string   // case_kind
	Category   string
	Action     string
	Role       string // candidate_role
	Status     string // open (default) or closed
	Overdue    *bool
	Unassigned bool
	DueBefore  *time.Time
	Cursor     string
	Limit      int
	Now        time.Time // "overdue" is judged against this (default: now)
}

// taskCursor is the keyset position: the last row's sort key.
type taskCursor struct {
	Due time.Time `json:"d"`
	P   int       `json:"p"`
	ID  int64     `json:"i"`
}

// infinity stands for "no due time" in the sort key; it matches the index
// expression coalesce(due_at, 'infinity').
var infinity = time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC)

// EncodeTaskCursor returns the opaque cursor after t.
func EncodeTaskCursor(t Task) string {
	c := taskCursor{Due: infinity, P: t.Priority, ID: t.ID}
	if t.DueAt != nil {
		c.Due = *t.DueAt
	}
	b, _ := json.Marshal(c)
	return base64.RawURLEncoding.EncodeToString(b)
}

func decodeTaskCursor(s string) (taskCursor, error) {
	var c taskCursor
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err == nil {
		err = json.Unmarshal(b, &c)
	}
	if err != nil || c.ID <= 0 {
		return c, cds.Errorf(cds.EINVALID, "Con trỏ phân trang không hợp lệ.", "Invalid cursor.").WithField("cursor", "invalid")
	}
	return c, nil
}

// taskSortKey is the ORDER BY that the tasks_*_order indexes serve.
const taskSortKey = `coalesce(t.due_at, 'infinity'::timestamptz), (-t.priority), t.id`

const taskColumns = `t.id, t.workflow_id, t.step_key, t.case_kind, t.case_code, t.case_title, t.category, t.action,
	t.agency_code, t.candidate_role, t.assignee_id, COALESCE(u.full_name, ''), t.status, t.priority,
	(t.status = 'open' AND t.due_at IS NOT NULL AND t.due_at < $1), t.due_at, t.created_at, t.closed_at`

func scanTask(r pgx.Row) (Task, error) {
	var t Task
	err := r.Scan(&t.ID, &t.WorkflowID, &t.StepKey, &t.CaseKind, &t.CaseCode, &t.CaseTitle, &t.Category, &t.Action,
		&t.AgencyCode, &t.CandidateRole, &t.AssigneeID, &t.AssigneeName, &t.Status, &t.Priority,
		&t.Overdue, &t.DueAt, &t.CreatedAt, &t.ClosedAt)
	return t, err
}

// TaskQueueSQL builds the queue query and its arguments (exported for the
// EXPLAIN test, which proves the plan is an ordered index scan).
func TaskQueueSQL(q TaskQuery) (string, []any, error) {
	if q.Now.IsZero() {
		q.Now = time.Now()
	}
	if q.Limit <= 0 || q.Limit > 200 {
		q.Limit = 50
	}
	if q.Status == "" {
		q.Status = "open"
	}
	args := []any{q.Now}
	arg := func(v any) string { args = append(args, v); return fmt.Sprintf("$%d", len(args)) }
	var where []string
	switch {
	case q.AssigneeID > 0:
		where = append(where, "t.assignee_id = "+arg(q.AssigneeID))
	case len(q.Agencies) == 1:
		// A plain equality (not = ANY) keeps the scan ordered on the index.
		where = append(where, "t.agency_code = "+arg(q.Agencies[0]))
	case len(q.Agencies) > 1:
		where = append(where, "t.agency_code = ANY("+arg(q.Agencies)+")")
	default:
		return "", nil, cds.Errorf(cds.EINVALID, "Thiếu hàng đợi.", "No queue scope.")
	}
	where = append(where, "t.status = "+arg(q.Status))
	if q.Kind != "" {
		where = append(where, "t.case_kind = "+arg(q.Kind))
	}
	if q.Category != "" {
		where = append(where, "t.category = "+arg(q.Category))
	}
	if q.Action != "" {
		where = append(where, "t.action = "+arg(q.Action))
	}
	if q.Role != "" {
		where = append(where, "t.candidate_role = "+arg(q.Role))
	}
	if q.Unassigned {
		where = append(where, "t.assignee_id IS NULL")
	}
	if q.Overdue != nil {
		if *q.Overdue {
			where = append(where, "coalesce(t.due_at, 'infinity'::timestamptz) < $1")
		} else {
			where = append(where, "coalesce(t.due_at, 'infinity'::timestamptz) >= $1")
		}
	}
	if q.DueBefore != nil {
		where = append(where, "coalesce(t.due_at, 'infinity'::timestamptz) < "+arg(*q.DueBefore))
	}
	if q.Cursor != "" {
		c, err := decodeTaskCursor(q.Cursor)
		if err != nil {
			return "", nil, err
		}
		where = append(where, fmt.Sprintf("(%s) > (%s, %s, %s)", taskSortKey, arg(c.Due), arg(-c.P), arg(c.ID)))
	}
	sql := `SELECT ` + taskColumns + ` FROM tasks t LEFT JOIN users u ON u.id = t.assignee_id
		WHERE ` + strings.Join(where, " AND ") + `
		ORDER BY ` + taskSortKey + ` LIMIT ` + arg(q.Limit+1)
	return sql, args, nil
}

// TaskQueue returns one page of a queue and the cursor of the next page ("" at the end).
func (db *DB) TaskQueue(ctx context.Context, q TaskQuery) ([]Task, string, error) {
	sql, args, err := TaskQueueSQL(q)
	if err != nil {
		return nil, "", err
	}
	limit := args[len(args)-1].(int) - 1
	rows, err := db.Pool.Query(ctx, sql, args...)
	if err != nil {
		return nil, "", mapErr(err)
	}
	items, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Task, error) { return scanTask(r) })
	if err != nil {
		return nil, "", mapErr(err)
	}
	next := ""
	if len(items) > limit {
		items = items[:limit]
		next = EncodeTaskCursor(items[len(items)-1])
	}
	return items, next, nil
}

// GetTask returns one task.
func (db *DB) GetTask(ctx context.Context, id int64) (Task, error) {
	t, err := scanTask(db.Pool.QueryRow(ctx, `SELECT `+taskColumns+` FROM tasks t LEFT JOIN users u ON u.id = t.assignee_id WHERE t.id = $2`, time.Now(), id))
	return t, mapErr(err)
}

// OpenTasksOfCase lists the open tasks of one workflow (the case page).
func (db *DB) OpenTasksOfCase(ctx context.Context, workflowID string) ([]Task, error) {
	rows, err := db.Pool.Query(ctx, `SELECT `+taskColumns+` FROM tasks t LEFT JOIN users u ON u.id = t.assignee_id
		WHERE t.workflow_id = $2 AND t.status = 'open' ORDER BY t.id`, time.Now(), workflowID)
	if err != nil {
		return nil, mapErr(err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Task, error) { return scanTask(r) })
	return out, mapErr(err)
}

// ClaimTask gives an open, unheld task to userID in one conditional UPDATE, so
// of two officers claiming at once exactly one wins; a held task is never
// taken over. agencies are the caller's visible agencies and roles the roles
// the caller holds (the task's candidate role must be one of them).
func (db *DB) ClaimTask(ctx context.Context, id, userID int64, agencies, roles []string) (Task, error) {
	var got int64
	err := db.Pool.QueryRow(ctx, `UPDATE tasks SET assignee_id = $2
		WHERE id = $1 AND status = 'open' AND assignee_id IS NULL AND agency_code = ANY($3) AND candidate_role = ANY($4)
		RETURNING id`, id, userID, agencies, roles).Scan(&got)
	if err == pgx.ErrNoRows {
		return Task{}, db.whyNot(ctx, id, userID, agencies, roles)
	}
	if err != nil {
		return Task{}, mapErr(err)
	}
	return db.GetTask(ctx, id)
}

// whyNot explains a failed conditional update: 404 when the task is not the
// caller's to see, 409 when it is closed or held.
func (db *DB) whyNot(ctx context.Context, id, userID int64, agencies, roles []string) error {
	t, err := db.GetTask(ctx, id)
	if err != nil || !contains(agencies, t.AgencyCode) {
		return cds.Errorf(cds.ENOTFOUND, "Không tìm thấy công việc.", "Task not found.")
	}
	switch {
	case t.Status != "open":
		return cds.Errorf(cds.ECONFLICT, "Công việc đã được xử lý xong.", "The task is already closed.")
	case t.AssigneeID != nil && *t.AssigneeID == userID:
		return cds.Errorf(cds.ECONFLICT, "Bạn đang giữ công việc này.", "You already hold this task.")
	case t.AssigneeID != nil:
		return cds.Errorf(cds.ECONFLICT, "Công việc đã được %s nhận xử lý.", "The task is already held by %s.", t.AssigneeName)
	case roles != nil && !contains(roles, t.CandidateRole):
		return cds.Errorf(cds.EFORBIDDEN, "Công việc này dành cho vai trò %s.", "This task is for the %s role.", t.CandidateRole)
	}
	return cds.Errorf(cds.ECONFLICT, "Không thể nhận công việc lúc này.", "The task cannot be claimed now.")
}

// ReleaseTask returns a held task to the agency queue. Only the holder may
// release it, or a leader (asLeader) of a visible agency.
func (db *DB) ReleaseTask(ctx context.Context, id, userID int64, agencies []string, asLeader bool) (Task, error) {
	tag, err := db.Pool.Exec(ctx, `UPDATE tasks SET assignee_id = NULL
		WHERE id = $1 AND status = 'open' AND assignee_id IS NOT NULL AND agency_code = ANY($2) AND (assignee_id = $3 OR $4)`,
		id, agencies, userID, asLeader)
	if err != nil {
		return Task{}, mapErr(err)
	}
	if tag.RowsAffected() == 0 {
		t, err := db.GetTask(ctx, id)
		switch {
		case err != nil || !contains(agencies, t.AgencyCode):
			return Task{}, cds.Errorf(cds.ENOTFOUND, "Không tìm thấy công việc.", "Task not found.")
		case t.Status != "open":
			return Task{}, cds.Errorf(cds.ECONFLICT, "Công việc đã được xử lý xong.", "The task is already closed.")
		case t.AssigneeID == nil:
			return Task{}, cds.Errorf(cds.ECONFLICT, "Công việc chưa có người nhận.", "Nobody holds the task.")
		}
		return Task{}, cds.Errorf(cds.EFORBIDDEN, "Chỉ người đang giữ hoặc lãnh đạo mới trả lại được công việc.", "Only the holder or a leader can release the task.")
	}
	return db.GetTask(ctx, id)
}

// AssignTask gives an open task to assigneeID (a leader's reassignment). The
// assignee must be an active staff account of the task's agency.
func (db *DB) AssignTask(ctx context.Context, id, assigneeID int64, agencies []string) (Task, error) {
	t, err := db.GetTask(ctx, id)
	if err != nil || !contains(agencies, t.AgencyCode) {
		return Task{}, cds.Errorf(cds.ENOTFOUND, "Không tìm thấy công việc.", "Task not found.")
	}
	var ok bool
	if err := db.Pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM users WHERE id = $1 AND kind = 'staff' AND status = 'active' AND agency_code = $2)`,
		assigneeID, t.AgencyCode).Scan(&ok); err != nil {
		return Task{}, mapErr(err)
	}
	if !ok {
		return Task{}, cds.Errorf(cds.EINVALID, "Người được giao phải là cán bộ của %s.", "The assignee must be staff of %s.", t.AgencyCode).
			WithField("user_id", "not staff of the agency")
	}
	tag, err := db.Pool.Exec(ctx, `UPDATE tasks SET assignee_id = $2 WHERE id = $1 AND status = 'open'`, id, assigneeID)
	if err != nil {
		return Task{}, mapErr(err)
	}
	if tag.RowsAffected() == 0 {
		return Task{}, cds.Errorf(cds.ECONFLICT, "Công việc đã được xử lý xong.", "The task is already closed.")
	}
	return db.GetTask(ctx, id)
}

// TaskCounts are the console badges.
type TaskCounts struct {
	Mine        int `json:"mine"`
	MineOverdue int `json:"mine_overdue"`
	Agency      int `json:"agency"`
	Unassigned  int `json:"unassigned"`
	Overdue     int `json:"overdue"`
	DueSoon     int `json:"due_soon"`
	Approvals   int `json:"approvals"`
}

// CountTasks computes every badge in one statement: the actor's own open
// tasks through tasks_mine_queue, and the open tasks of the agencies through
// tasks_agency_badges, each an index-only scan (migration 00190).
func (db *DB) CountTasks(ctx context.Context, userID int64, agencies []string, now, soon time.Time) (TaskCounts, error) {
	var c TaskCounts
	err := db.Pool.QueryRow(ctx, `SELECT m.mine, m.overdue, g.agency, g.unassigned, g.overdue, g.soon, g.approvals
		FROM (SELECT count(*) AS mine, count(*) FILTER (WHERE due_at < $3) AS overdue
			FROM tasks WHERE status = 'open' AND assignee_id = $1) m,
		(SELECT count(*) AS agency,
			count(*) FILTER (WHERE assignee_id IS NULL) AS unassigned,
			count(*) FILTER (WHERE due_at < $3) AS overdue,
			count(*) FILTER (WHERE due_at >= $3 AND due_at < $4) AS soon,
			count(*) FILTER (WHERE candidate_role = 'leader') AS approvals
			FROM tasks WHERE status = 'open' AND agency_code = ANY($2)) g`,
		userID, agencies, now, soon).Scan(&c.Mine, &c.MineOverdue, &c.Agency, &c.Unassigned, &c.Overdue, &c.DueSoon, &c.Approvals)
	return c, mapErr(err)
}

// Holder is one staff member's open load (the leader's view).
type Holder struct {
	UserID  int64  `json:"user_id"`
	Name    string `json:"name"`
	Open    int    `json:"open"`
	Overdue int    `json:"overdue"`
}

// TaskOverview is the leader's view of an agency's deadlines.
type TaskOverview struct {
	Overdue []Task   `json:"overdue"`
	DueSoon []Task   `json:"due_soon"`
	Holders []Holder `json:"holders"`
}

// Overview lists the overdue and soon-due open tasks of agencies (with their
// holders) and each holder's load.
func (db *DB) Overview(ctx context.Context, agencies []string, now, soon time.Time, limit int) (TaskOverview, error) {
	var ov TaskOverview
	var err error
	over := true
	if ov.Overdue, _, err = db.TaskQueue(ctx, TaskQuery{Agencies: agencies, Overdue: &over, Limit: limit, Now: now}); err != nil {
		return ov, err
	}
	notOver := false
	if ov.DueSoon, _, err = db.TaskQueue(ctx, TaskQuery{Agencies: agencies, Overdue: &notOver, DueBefore: &soon, Limit: limit, Now: now}); err != nil {
		return ov, err
	}
	rows, err := db.Pool.Query(ctx, `SELECT t.assignee_id, COALESCE(u.full_name, ''), count(*), count(*) FILTER (WHERE t.due_at < $2)
		FROM tasks t JOIN users u ON u.id = t.assignee_id
		WHERE t.status = 'open' AND t.agency_code = ANY($1) AND t.assignee_id IS NOT NULL
		GROUP BY t.assignee_id, u.full_name ORDER BY 4 DESC, 3 DESC, 2`, agencies, now)
	if err != nil {
		return ov, mapErr(err)
	}
	ov.Holders, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (Holder, error) {
		var h Holder
		err := r.Scan(&h.UserID, &h.Name, &h.Open, &h.Overdue)
		return h, err
	})
	if ov.Overdue == nil {
		ov.Overdue = []Task{}
	}
	if ov.DueSoon == nil {
		ov.DueSoon = []Task{}
	}
	if ov.Holders == nil {
		ov.Holders = []Holder{}
	}
	return ov, mapErr(err)
}

// AgencyAndDescendants returns code and every unit below it in the hierarchy.
func (db *DB) AgencyAndDescendants(ctx context.Context, code string) ([]string, error) {
	rows, err := db.Pool.Query(ctx, `WITH RECURSIVE sub(code) AS (
		SELECT code FROM agencies WHERE code = $1
		UNION SELECT a.code FROM agencies a JOIN sub ON a.parent_code = sub.code)
		SELECT code FROM sub ORDER BY code`, code)
	if err != nil {
		return nil, mapErr(err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowTo[string])
	return out, mapErr(err)
}

func contains(xs []string, x string) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}

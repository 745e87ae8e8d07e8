package cases

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"time"

	cds "github.com/caobang/congdanso"
	"github.com/caobang/congdanso/activities"
	"github.com/caobang/congdanso/postgres"
)

// reachesSubUnits are the roles whose queues include the agency's sub-units.
var reachesSubUnits = []cds.Role{cds.RoleLeader, cds.RoleCoordinator, cds.RoleAdmin}

// VisibleAgencies are the agencies whose tasks the actor may see: their own,
// plus its sub-units for leaders and coordinators.
func (s *Service) VisibleAgencies(ctx context.Context, a cds.Actor) ([]string, error) {
	if a.AgencyCode == "" || !a.IsStaff() {
		return nil, forbidden()
	}
	for _, r := range reachesSubUnits {
		if a.Has(r) {
			return s.DB.AgencyAndDescendants(ctx, a.AgencyCode)
		}
	}
	return []string{a.AgencyCode}, nil
}

// RoleNames are the actor's roles as strings (task candidate roles).
func RoleNames(a cds.Actor) []string {
	out := make([]string, len(a.Roles))
	for i, r := range a.Roles {
		out[i] = string(r)
	}
	return out
}

// soonWindow is how far ahead "due soon" looks (badges and the leader's view).
const soonWindow = 48 * time.Hour

func taskNotFound() *cds.Error {
	return cds.Errorf(cds.ENOTFOUND, "Không tìm thấy công việc.", "Task not found.")
}

// VisibleTask loads a task the actor may see (404 otherwise, leaking nothing).
func (s *Service) VisibleTask(ctx context.Context, a cds.Actor, id int64) (postgres.Task, []string, error) {
	agencies, err := s.VisibleAgencies(ctx, a)
	if err != nil {
		return postgres.Task{}, nil, err
	}
	t, err := s.DB.GetTask(ctx, id)
	if err != nil || !slices.Contains(agencies, t.AgencyCode) {
		return postgres.Task{}, nil, taskNotFound()
	}
	return t, agencies, nil
}

// ListTasks is a page of the actor's task queue, filtered as GET
// /api/v1/tasks documents (queue, kind, status, overdue, …) and scoped to
// the agencies the actor sees.
func (s *Service) ListTasks(ctx context.Context, a cds.Actor, filters url.Values) ([]postgres.Task, string, error) {
	agencies, err := s.VisibleAgencies(ctx, a)
	if err != nil {
		return nil, "", err
	}
	q, err := taskQuery(filters, a, agencies)
	if err != nil {
		return nil, "", err
	}
	items, next, err := s.DB.TaskQueue(ctx, q)
	if items == nil {
		items = []postgres.Task{}
	}
	return items, next, err
}

// TaskCounts are the navigation badges of the actor's queues.
func (s *Service) TaskCounts(ctx context.Context, a cds.Actor) (postgres.TaskCounts, error) {
	agencies, err := s.VisibleAgencies(ctx, a)
	if err != nil {
		return postgres.TaskCounts{}, err
	}
	now := time.Now()
	return s.DB.CountTasks(ctx, a.UserID, agencies, now, now.Add(soonWindow))
}

// TaskOverview is the leader's view of deadlines over the agencies the
// actor sees (window 0: the default 48 hours).
func (s *Service) TaskOverview(ctx context.Context, a cds.Actor, window time.Duration) (postgres.TaskOverview, error) {
	agencies, err := s.VisibleAgencies(ctx, a)
	if err != nil {
		return postgres.TaskOverview{}, err
	}
	if window <= 0 {
		window = soonWindow
	}
	now := time.Now()
	return s.DB.Overview(ctx, agencies, now, now.Add(window), 100)
}

// Task hand-offs answer with the task. With an Idempotency-Key the first
// answer is kept, so a retried claim whose first attempt landed gets that
// answer again, not "you already hold this task".
func (s *Service) taskOp(ctx context.Context, scope string, a cds.Actor, key string, op func() (postgres.Task, error)) (postgres.Task, error) {
	_, body, _, err := s.DB.Idempotent(ctx, scope, a.UserID, key, func() (int, any, error) {
		t, err := op()
		return http.StatusOK, t, err
	})
	var t postgres.Task
	if err != nil {
		return t, err
	}
	return t, json.Unmarshal(body, &t)
}

// ClaimTask gives an open task to the actor (one conditional UPDATE: 409
// when someone holds it).
func (s *Service) ClaimTask(ctx context.Context, a cds.Actor, id int64, key string) (postgres.Task, error) {
	return s.taskOp(ctx, "tasks.claim", a, key, func() (postgres.Task, error) {
		agencies, err := s.VisibleAgencies(ctx, a)
		if err != nil {
			return postgres.Task{}, err
		}
		return s.DB.ClaimTask(ctx, id, a.UserID, agencies, RoleNames(a))
	})
}

// ReleaseTask puts a held task back in the agency's queue: its holder, or a
// leader who may assign tasks in its agency.
func (s *Service) ReleaseTask(ctx context.Context, a cds.Actor, id int64, key string) (postgres.Task, error) {
	return s.taskOp(ctx, "tasks.release", a, key, func() (postgres.Task, error) {
		t, agencies, err := s.VisibleTask(ctx, a, id)
		if err != nil {
			return t, err
		}
		asLeader, err := s.Authz.Allowed(ctx, a, t.AgencyCode, "tasks", "assign")
		if err != nil {
			return t, err
		}
		return s.DB.ReleaseTask(ctx, t.ID, a.UserID, agencies, asLeader)
	})
}

// AssignTask gives a task to a staff member; the actor must be allowed to
// assign tasks in the task's agency.
func (s *Service) AssignTask(ctx context.Context, a cds.Actor, id, userID int64, key string) (postgres.Task, error) {
	return s.taskOp(ctx, "tasks.assign", a, key, func() (postgres.Task, error) {
		t, agencies, err := s.VisibleTask(ctx, a, id)
		if err != nil {
			return t, err
		}
		if err := s.allowed(ctx, a, t.AgencyCode, "tasks", "assign"); err != nil {
			return t, err
		}
		if userID <= 0 {
			return t, cds.Errorf(cds.EINVALID, "Vui lòng chọn người được giao.", "Choose the assignee.").WithField("user_id", "required")
		}
		t, err = s.DB.AssignTask(ctx, t.ID, userID, agencies)
		if err != nil || s.Notify == nil || userID == a.UserID {
			return t, err
		}
		// Issue 20: the assignee hears of it. Inside the idempotent
		// operation, so a retried request with the same key tells nobody twice.
		return t, s.Notify(ctx, activities.NotifyInput{DedupeKey: fmt.Sprintf("task/%d/assigned/%d/%d", t.ID, userID, time.Now().UnixNano()),
			UserID: userID, Kind: t.CaseKind + ".assigned",
			Title:   fmt.Sprintf("Bạn được giao xử lý %s %s.", map[string]string{"application": "hồ sơ", "feedback": "phản ánh"}[t.CaseKind], t.CaseCode),
			Payload: map[string]any{"code": t.CaseCode, "task_id": t.ID, "due_at": t.DueAt}})
	})
}

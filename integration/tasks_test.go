package integration

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"sync"
	"testing"
	"time"

	cds "github.com/caobang/congdanso"
	"github.com/caobang/congdanso/cmd/app/apptest"
	"github.com/caobang/congdanso/postgres"
)

// insertTask writes an open task row the way a workflow activity would.
func insertTask(t *testing.T, env *apptest.Env, agency, kind, role string, due *time.Time, priority int) int64 {
	t.Helper()
	var id int64
	n := time.Now().UnixNano()
	err := env.DB.Pool.QueryRow(context.Background(), `INSERT INTO tasks (workflow_id, step_key, case_kind, case_code, case_title,
		category, action, agency_code, candidate_role, priority, due_at)
		VALUES ($1, 'accept', $2, $3, 'Đường hỏng', 'giao-thong', 'accept', $4, $5, $6, $7) RETURNING id`,
		fmt.Sprintf("%s/T-%d", kind, n), kind, fmt.Sprintf("T-%d", n), agency, role, priority, due).Scan(&id)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

type taskPage struct {
	Items      []postgres.Task `json:"items"`
	NextCursor *string         `json:"next_cursor"`
}

func at(d time.Duration) *time.Time { v := time.Now().Add(d); return &v }

// TestTaskClaimRace: two officers, many concurrent claims of the same task:
// exactly one 200, every other answer 409, and the holder never changes.
func TestTaskClaimRace(t *testing.T) {
	env := apptest.New(t)
	a, tokA := env.Staff("Cán bộ A", "SXD", cds.RoleOfficer)
	b, tokB := env.Staff("Cán bộ B", "SXD", cds.RoleOfficer)
	for round := 0; round < 3; round++ {
		id := insertTask(t, env, "SXD", "feedback", "officer", at(24*time.Hour), 0)
		var mu sync.Mutex
		statuses := map[int]int{}
		var winners []string
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i := 0; i < 24; i++ {
			tok, who := tokA, "A"
			if i%2 == 1 {
				tok, who = tokB, "B"
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				r := env.Do(http.MethodPost, fmt.Sprintf("/api/v1/tasks/%d/claim", id), tok, nil)
				mu.Lock()
				defer mu.Unlock()
				statuses[r.Status]++
				if r.Status == http.StatusOK {
					winners = append(winners, who)
				} else if r.Status == http.StatusConflict {
					e := r.Map(t)["error"].(map[string]any)
					if e["message"] == "" || e["message_en"] == "" {
						t.Errorf("409 without both messages: %s", r.Body)
					}
				}
			}()
		}
		close(start)
		wg.Wait()
		if statuses[http.StatusOK] != 1 || statuses[http.StatusConflict] != 23 {
			t.Fatalf("round %d: statuses %v, want one 200 and 23 409", round, statuses)
		}
		var holder int64
		if err := env.DB.Pool.QueryRow(context.Background(), `SELECT assignee_id FROM tasks WHERE id = $1`, id).Scan(&holder); err != nil {
			t.Fatal(err)
		}
		want := a.UserID
		if winners[0] == "B" {
			want = b.UserID
		}
		if holder != want {
			t.Fatalf("holder %d, winner %s", holder, winners[0])
		}
	}
}

func TestTaskQueueFiltersScopeAndPaging(t *testing.T) {
	env := apptest.New(t)
	_, tok := env.Staff("Cán bộ Sở Xây dựng", "SXD", cds.RoleOfficer)
	_, citizen := env.Citizen("Nguyễn Văn An")
	overdue := insertTask(t, env, "SXD", "feedback", "officer", at(-3*time.Hour), 0)
	soonHigh := insertTask(t, env, "SXD", "feedback", "officer", at(5*time.Hour), 2)
	soonLow := insertTask(t, env, "SXD", "feedback", "officer", at(5*time.Hour), 0)
	app := insertTask(t, env, "SXD", "application", "officer", at(72*time.Hour), 0)
	noDue := insertTask(t, env, "SXD", "feedback", "officer", nil, 0)
	other := insertTask(t, env, "SYT", "feedback", "officer", at(time.Hour), 0)

	// Paging by 2 walks the whole queue in order: due time, priority, id; no due time last.
	var got []int64
	cursor := ""
	for pages := 0; ; pages++ {
		if pages > 5 {
			t.Fatal("paging does not end")
		}
		path := "/api/v1/tasks?queue=agency&limit=2"
		if cursor != "" {
			path += "&cursor=" + url.QueryEscape(cursor)
		}
		r := env.Do(http.MethodGet, path, tok, nil)
		if r.Status != http.StatusOK {
			t.Fatalf("queue: %d %s", r.Status, r.Body)
		}
		var p taskPage
		r.JSON(t, &p)
		for _, it := range p.Items {
			got = append(got, it.ID)
			if it.ID == overdue && !it.Overdue {
				t.Errorf("task %d should be overdue", it.ID)
			}
			if it.ID != overdue && it.Overdue {
				t.Errorf("task %d should not be overdue", it.ID)
			}
		}
		if p.NextCursor == nil {
			break
		}
		cursor = *p.NextCursor
	}
	want := []int64{overdue, soonHigh, soonLow, app, noDue}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("queue order %v, want %v (other agency's %d must not appear)", got, want, other)
	}

	filters := map[string][]int64{
		"kind=application": {app},
		"overdue=true":     {overdue},
		"overdue=false":    {soonHigh, soonLow, app, noDue},
		"due_before=" + url.QueryEscape(time.Now().Add(24*time.Hour).Format(time.RFC3339)): {overdue, soonHigh, soonLow},
		"category=giao-thong&kind=feedback":                                                {overdue, soonHigh, soonLow, noDue},
		"status=closed":                                                                    {},
	}
	for f, want := range filters {
		r := env.Do(http.MethodGet, "/api/v1/tasks?queue=agency&"+f, tok, nil)
		var p taskPage
		r.JSON(t, &p)
		ids := []int64{}
		for _, it := range p.Items {
			ids = append(ids, it.ID)
		}
		if r.Status != http.StatusOK || fmt.Sprint(ids) != fmt.Sprint(want) {
			t.Errorf("filter %s: %d %v, want %v", f, r.Status, ids, want)
		}
	}
	if r := env.Do(http.MethodGet, "/api/v1/tasks?queue=agency&overdue=maybe", tok, nil); r.Status != http.StatusBadRequest {
		t.Errorf("bad filter: %d", r.Status)
	}
	if r := env.Do(http.MethodGet, "/api/v1/tasks?queue=agency&cursor=garbage", tok, nil); r.Status != http.StatusBadRequest {
		t.Errorf("bad cursor: %d", r.Status)
	}

	// Another agency's task is invisible: 404 on read and claim.
	if r := env.Do(http.MethodGet, fmt.Sprintf("/api/v1/tasks/%d", other), tok, nil); r.Status != http.StatusNotFound {
		t.Errorf("other agency's task: %d", r.Status)
	}
	if r := env.Do(http.MethodPost, fmt.Sprintf("/api/v1/tasks/%d/claim", other), tok, nil); r.Status != http.StatusNotFound {
		t.Errorf("claim other agency's task: %d", r.Status)
	}
	// Citizens have no queue.
	for _, p := range []string{"/api/v1/tasks", "/api/v1/tasks/counts", fmt.Sprintf("/api/v1/tasks/%d", overdue)} {
		if r := env.Do(http.MethodGet, p, citizen, nil); r.Status != http.StatusForbidden {
			t.Errorf("citizen %s: %d", p, r.Status)
		}
	}
	if r := env.Do(http.MethodGet, "/api/v1/tasks", "", nil); r.Status != http.StatusUnauthorized {
		t.Errorf("anonymous: %d", r.Status)
	}

	// My queue holds what I claimed.
	if r := env.Do(http.MethodPost, fmt.Sprintf("/api/v1/tasks/%d/claim", app), tok, nil); r.Status != http.StatusOK {
		t.Fatalf("claim: %d %s", r.Status, r.Body)
	}
	var mine taskPage
	env.Do(http.MethodGet, "/api/v1/tasks?queue=mine", tok, nil).JSON(t, &mine)
	if len(mine.Items) != 1 || mine.Items[0].ID != app || mine.Items[0].AssigneeName != "Cán bộ Sở Xây dựng" {
		t.Fatalf("mine = %+v", mine.Items)
	}
	var unassigned taskPage
	env.Do(http.MethodGet, "/api/v1/tasks?queue=agency&unassigned=true", tok, nil).JSON(t, &unassigned)
	if len(unassigned.Items) != 4 {
		t.Fatalf("unassigned = %d", len(unassigned.Items))
	}
}

func TestTaskReleaseAssignCountsOverview(t *testing.T) {
	env := apptest.New(t)
	a, tokA := env.Staff("Cán bộ A", "SXD", cds.RoleOfficer)
	b, tokB := env.Staff("Cán bộ B", "SXD", cds.RoleOfficer)
	_, tokL := env.Staff("Lãnh đạo Sở", "SXD", cds.RoleLeader)
	outsider, _ := env.Staff("Cán bộ Sở Y tế", "SYT", cds.RoleOfficer)
	id := insertTask(t, env, "SXD", "feedback", "officer", at(-time.Hour), 1)
	soon := insertTask(t, env, "SXD", "feedback", "officer", at(10*time.Hour), 0)
	approval := insertTask(t, env, "SXD", "feedback", "leader", at(100*time.Hour), 0)
	path := func(id int64, act string) string { return fmt.Sprintf("/api/v1/tasks/%d/%s", id, act) }

	if r := env.Do(http.MethodPost, path(id, "claim"), tokA, nil); r.Status != http.StatusOK {
		t.Fatalf("claim A: %d %s", r.Status, r.Body)
	}
	// Never steals: B's claim and B's release fail while A holds it.
	if r := env.Do(http.MethodPost, path(id, "claim"), tokB, nil); r.Status != http.StatusConflict {
		t.Fatalf("claim B: %d", r.Status)
	}
	if r := env.Do(http.MethodPost, path(id, "release"), tokB, nil); r.Status != http.StatusForbidden {
		t.Fatalf("release by B: %d %s", r.Status, r.Body)
	}
	// An officer cannot claim a leader's step, nor assign.
	if r := env.Do(http.MethodPost, path(approval, "claim"), tokB, nil); r.Status != http.StatusForbidden {
		t.Fatalf("officer claims approval: %d %s", r.Status, r.Body)
	}
	if r := env.Do(http.MethodPost, path(id, "assign"), tokB, map[string]any{"user_id": b.UserID}); r.Status != http.StatusForbidden {
		t.Fatalf("officer assigns: %d", r.Status)
	}

	// Counters in one query.
	var counts postgres.TaskCounts
	env.Do(http.MethodGet, "/api/v1/tasks/counts", tokA, nil).JSON(t, &counts)
	if counts != (postgres.TaskCounts{Mine: 1, MineOverdue: 1, Agency: 3, Unassigned: 2, Overdue: 1, DueSoon: 1, Approvals: 1}) {
		t.Fatalf("counts = %+v", counts)
	}
	// A's own tasks count wherever they are, an agency's only its own, and a
	// closed task nowhere: A holds an overdue task of another agency, and SXD
	// has a closed overdue task.
	elsewhere := insertTask(t, env, "SYT", "feedback", "officer", at(-2*time.Hour), 0)
	closed := insertTask(t, env, "SXD", "feedback", "leader", at(-3*time.Hour), 0)
	if _, err := env.DB.Pool.Exec(context.Background(), `UPDATE tasks SET assignee_id = $2 WHERE id = $1`, elsewhere, a.UserID); err != nil {
		t.Fatal(err)
	}
	if _, err := env.DB.Pool.Exec(context.Background(), `UPDATE tasks SET status = 'closed', closed_at = now() WHERE id = $1`, closed); err != nil {
		t.Fatal(err)
	}
	counts = postgres.TaskCounts{}
	env.Do(http.MethodGet, "/api/v1/tasks/counts", tokA, nil).JSON(t, &counts)
	if counts != (postgres.TaskCounts{Mine: 2, MineOverdue: 2, Agency: 3, Unassigned: 2, Overdue: 1, DueSoon: 1, Approvals: 1}) {
		t.Fatalf("counts with a task elsewhere and a closed one = %+v", counts)
	}
	if _, err := env.DB.Pool.Exec(context.Background(), `DELETE FROM tasks WHERE id = ANY($1)`, []int64{elsewhere, closed}); err != nil {
		t.Fatal(err)
	}

	// The leader sees overdue and soon-due tasks with their holders.
	r := env.Do(http.MethodGet, "/api/v1/tasks/overview", tokL, nil)
	var ov postgres.TaskOverview
	r.JSON(t, &ov)
	if r.Status != http.StatusOK || len(ov.Overdue) != 1 || ov.Overdue[0].ID != id || ov.Overdue[0].AssigneeName != "Cán bộ A" ||
		len(ov.DueSoon) != 1 || ov.DueSoon[0].ID != soon || len(ov.Holders) != 1 || ov.Holders[0].UserID != a.UserID || ov.Holders[0].Overdue != 1 {
		t.Fatalf("overview: %d %s", r.Status, r.Body)
	}
	if r := env.Do(http.MethodGet, "/api/v1/tasks/overview", tokA, nil); r.Status != http.StatusForbidden {
		t.Fatalf("officer overview: %d", r.Status)
	}

	// The leader reassigns to B; not to staff of another agency.
	if r := env.Do(http.MethodPost, path(id, "assign"), tokL, map[string]any{"user_id": outsider.UserID}); r.Status != http.StatusBadRequest {
		t.Fatalf("assign outsider: %d %s", r.Status, r.Body)
	}
	if r := env.Do(http.MethodPost, path(id, "assign"), tokL, map[string]any{"user_id": b.UserID}); r.Status != http.StatusOK {
		t.Fatalf("assign B: %d %s", r.Status, r.Body)
	}
	var tk postgres.Task
	env.Do(http.MethodGet, fmt.Sprintf("/api/v1/tasks/%d", id), tokB, nil).JSON(t, &tk)
	if tk.AssigneeID == nil || *tk.AssigneeID != b.UserID {
		t.Fatalf("after assign: %+v", tk)
	}
	// The holder releases; releasing again is a conflict; then A may claim it.
	if r := env.Do(http.MethodPost, path(id, "release"), tokB, nil); r.Status != http.StatusOK {
		t.Fatalf("release by holder: %d %s", r.Status, r.Body)
	}
	if r := env.Do(http.MethodPost, path(id, "release"), tokB, nil); r.Status != http.StatusConflict {
		t.Fatalf("release twice: %d", r.Status)
	}
	if r := env.Do(http.MethodPost, path(id, "claim"), tokA, nil); r.Status != http.StatusOK {
		t.Fatalf("claim after release: %d", r.Status)
	}
	// A leader may release someone else's task.
	if r := env.Do(http.MethodPost, path(id, "release"), tokL, nil); r.Status != http.StatusOK {
		t.Fatalf("release by leader: %d %s", r.Status, r.Body)
	}
	// A closed task cannot be claimed.
	if _, err := env.DB.Pool.Exec(context.Background(), `UPDATE tasks SET status = 'closed', closed_at = now() WHERE id = $1`, id); err != nil {
		t.Fatal(err)
	}
	if r := env.Do(http.MethodPost, path(id, "claim"), tokA, nil); r.Status != http.StatusConflict {
		t.Fatalf("claim closed: %d", r.Status)
	}
}

package integration

import (
	"net/http"
	"strings"
	"testing"
	"time"

	cds "github.com/caobang/congdanso"
	"github.com/caobang/congdanso/activities"
	"github.com/caobang/congdanso/cmd/app/apptest"
	"github.com/caobang/congdanso/workflows"
)

// dossierEnv starts the app with the dossier's working time scaled to one
// working hour = hour of real time.
func dossierEnv(t *testing.T, hour time.Duration) *apptest.Env {
	return apptest.New(t, swapWith(func(a *activities.Activities) any { return &dossierClock{Activities: a, hour: hour} }))
}

func dossierSubmit(t *testing.T, env *apptest.Env, ctok string, docs ...string) (int64, string) {
	t.Helper()
	r := env.Do(http.MethodPost, "/api/v1/applications", ctok, map[string]any{"procedure_code": "HT-KS", "form": appBirthForm(), "document_ids": docs})
	if r.Status != http.StatusCreated {
		t.Fatalf("submit %d %s", r.Status, r.Body)
	}
	m := r.Map(t)
	return int64(m["id"].(float64)), m["code"].(string)
}

func dossierTimeline(t *testing.T, env *apptest.Env, id int64, staffTok string) string {
	t.Helper()
	var a []string
	for _, e := range appGet(t, env, id, staffTok).Timeline {
		a = append(a, e.Action)
	}
	return strings.Join(a, ",")
}

// TestDossierRemindersAndTaskNotices: on the real stack, with one working
// hour = 3 s. HT-KS takes 8 working hours; its step "Thẩm định, xử lý hồ sơ"
// has 60 % of them (4.8 h), so from acceptance the step reminder comes at
// 75 % of 4.8 h = 3.6 h, the step is late at 4.8 h, the dossier reminder at
// 75 % of 8 h = 6 h (issue 21). Staff hear of a task opened for their role
// in their agency and of a task assigned to them (issue 20); the reminders
// go to the officer holding the task only.
func TestDossierRemindersAndTaskNotices(t *testing.T) {
	env := dossierEnv(t, 3*time.Second)
	citizen, ctok := env.Citizen("Hoàng Thị Lan")
	desk, deskTok := env.Staff("Cán bộ Một cửa", "P-THUCPHAN", cds.RoleOfficer)
	expert, expertTok := env.Staff("Chuyên viên Hộ tịch", "P-THUCPHAN", cds.RoleOfficer)
	leader, leaderTok := env.Staff("Chủ tịch phường", "P-THUCPHAN", cds.RoleLeader)
	appAddMedia(t, env, "rm-1", citizen.UserID)
	appAddMedia(t, env, "rm-2", citizen.UserID)
	id, code := dossierSubmit(t, env, ctok, "rm-1", "rm-2")
	appAct(t, env, id, deskTok, "actions/accept", map[string]any{}, http.StatusOK)

	notes := func(kind string, user int64) int {
		return appCount(t, env, `SELECT count(*) FROM notifications WHERE kind = $1 AND payload->>'code' = $2 AND user_id = $3`, kind, code, user)
	}
	// The specialist step's task opened for the ward's officers: both hear of it, the leader not.
	apptest.Eventually(t, 20*time.Second, "task notices", func() bool {
		return notes("application.task", desk.UserID) == 1 && notes("application.task", expert.UserID) == 1
	})
	if n := notes("application.task", leader.UserID); n != 0 {
		t.Fatalf("the leader was told of an officer's task (%d)", n)
	}
	// The leader assigns it to the specialist, who is told.
	var taskID int64
	if err := env.DB.Pool.QueryRow(t.Context(), `SELECT id FROM tasks WHERE case_code = $1 AND status = 'open' AND step_key LIKE 'specialist#%'`, code).Scan(&taskID); err != nil {
		t.Fatal(err)
	}
	if r := env.Do(http.MethodPost, "/api/v1/tasks/"+itoa(taskID)+"/assign", leaderTok, map[string]any{"user_id": expert.UserID}); r.Status != http.StatusOK {
		t.Fatalf("assign %d %s", r.Status, r.Body)
	}
	apptest.Eventually(t, 20*time.Second, "assignment notice", func() bool { return notes("staff.task_assigned", expert.UserID) == 1 })

	// 75 % of the step, then 75 % of the dossier: the holder only, once each.
	apptest.Eventually(t, 60*time.Second, "dossier reminder", func() bool { return notes("application.reminder", expert.UserID) == 1 })
	if a, b, c := notes("application.step_reminder", expert.UserID), notes("application.step_reminder", desk.UserID), notes("application.reminder", desk.UserID); a != 1 || b != 0 || c != 0 {
		t.Fatalf("step reminders: holder %d, other officer %d; dossier reminder to the other officer %d (want 1, 0, 0)", a, b, c)
	}
	if got, want := dossierTimeline(t, env, id, expertTok), "submit,accept,step_reminder,step_overdue,reminder"; !strings.HasPrefix(got, want) {
		t.Fatalf("timeline %s, want it to start %s", got, want)
	}
	// Forwarded to the approval step: the leader hears of it.
	appAct(t, env, id, expertTok, "actions/forward", map[string]any{}, http.StatusOK)
	apptest.Eventually(t, 20*time.Second, "leader task notice", func() bool { return notes("application.task", leader.UserID) == 1 })
	appAct(t, env, id, leaderTok, "actions/approve", map[string]any{}, http.StatusOK)
	appAct(t, env, id, deskTok, "actions/issue_result", map[string]any{"document_ids": []string{}}, http.StatusOK)
	appAct(t, env, id, deskTok, "actions/return_result", map[string]any{"method": "in_person"}, http.StatusOK)
	appAct(t, env, id, ctok, "rating", map[string]any{"score": 5}, http.StatusOK)
	if n := notes("application.reminder", expert.UserID); n != 1 {
		t.Fatalf("%d dossier reminders, want 1 (once)", n)
	}
	waitClosed(t, env, workflows.ApplicationWorkflowID(code))
	appRecordHistory(t, env, workflows.ApplicationWorkflowID(code), "application_reminders"+appHistoryVersion)
}

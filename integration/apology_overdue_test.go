package integration

import (
	"net/http"
	"strings"
	"testing"
	"time"

	cds "github.com/caobang/congdanso"
	"github.com/caobang/congdanso/cmd/app/apptest"
	"github.com/caobang/congdanso/workflows"
)

// TestApplicationApologyWhenOverdue: on the real stack, a dossier's due timer
// fires (overdue), the officer drafts the apology then — allowed from
// application-apology-when-overdue — the leader approves it, the new date
// replaces the due time and the overdue flag clears (the overdue dossier
// notified the leader and the coordinator); the dossier is then
// resolved and rated. Its history is recorded for the replay tests
// (CDS_RECORD_HISTORY=1).
func TestApplicationApologyWhenOverdue(t *testing.T) {
	env := fastEnv(t)
	citizen, ctok := env.Citizen("Nông Văn Bình")
	_, wardTok := env.Staff("Cán bộ Một cửa", "P-THUCPHAN", cds.RoleOfficer)
	leader, leaderTok := env.Staff("Chủ tịch phường", "P-THUCPHAN", cds.RoleLeader)
	coord, _ := env.Staff("Điều phối viên", "TTPVHCC", cds.RoleCoordinator)
	appAddMedia(t, env, "ap-1", citizen.UserID)
	appAddMedia(t, env, "ap-2", citizen.UserID)
	r := env.Do(http.MethodPost, "/api/v1/applications", ctok, map[string]any{"procedure_code": "HT-KS", "form": appBirthForm(), "document_ids": []string{"ap-1", "ap-2"}})
	if r.Status != http.StatusCreated {
		t.Fatalf("submit %d %s", r.Status, r.Body)
	}
	id, code := int64(r.Map(t)["id"].(float64)), r.Map(t)["code"].(string)
	appAct(t, env, id, wardTok, "actions/accept", map[string]any{}, http.StatusOK)
	apptest.Eventually(t, 30*time.Second, "application overdue", func() bool {
		return appCount(t, env, `SELECT count(*) FROM cases WHERE code = $1 AND overdue`, code) == 1
	})
	// Overdue: the leader of the agency and the one-stop coordinator are told.
	apptest.Eventually(t, 20*time.Second, "overdue notices", func() bool {
		return appCount(t, env, `SELECT count(DISTINCT user_id) FROM notifications WHERE kind = 'application.overdue' AND payload->>'code' = $1
			AND user_id IN ($2, $3)`, code, leader.UserID, coord.UserID) == 2
	})
	past := time.Now().Add(-time.Minute)
	appAct(t, env, id, wardTok, "actions/draft_apology", map[string]any{"reason": "Chờ xác minh", "new_due": past}, http.StatusBadRequest)
	newDue := time.Now().Add(2 * time.Hour).Truncate(time.Second)
	appAct(t, env, id, wardTok, "actions/draft_apology", map[string]any{"reason": "Chờ xác minh nơi sinh", "new_due": newDue}, http.StatusOK)
	appAct(t, env, id, leaderTok, "actions/approve_apology", map[string]any{}, http.StatusOK)
	if n := appCount(t, env, `SELECT count(*) FROM cases WHERE code = $1 AND NOT overdue AND due_at = $2`, code, newDue); n != 1 {
		t.Fatal("the approved apology did not move the due time and clear the overdue flag")
	}
	d := appGet(t, env, id, ctok)
	if d.Application.Forms["form04"] == nil {
		t.Fatalf("no apology letter (form 04) for the citizen: %v", d.Application.Forms)
	}
	appAct(t, env, id, wardTok, "actions/forward", map[string]any{}, http.StatusOK)
	appAct(t, env, id, leaderTok, "actions/approve", map[string]any{}, http.StatusOK)
	appAct(t, env, id, wardTok, "actions/issue_result", map[string]any{"document_ids": []string{}}, http.StatusOK)
	appAct(t, env, id, wardTok, "actions/return_result", map[string]any{"method": "in_person"}, http.StatusOK)
	appAct(t, env, id, ctok, "rating", map[string]any{"score": 4}, http.StatusOK)
	var actions []string
	for _, e := range appGet(t, env, id, wardTok).Timeline {
		actions = append(actions, e.Action)
	}
	if got := strings.Join(actions, ","); !strings.Contains(got, "overdue,draft_apology,approve_apology,forward") {
		t.Fatalf("timeline %s", got)
	}
	waitClosed(t, env, workflows.ApplicationWorkflowID(code))
	appRecordHistory(t, env, workflows.ApplicationWorkflowID(code), "application_overdue_notices_apology"+appHistoryVersion)
}

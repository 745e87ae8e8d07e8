package integration

import (
	"bytes"
	"fmt"
	"net/http"
	"strings"
	"testing"

	cds "github.com/caobang/congdanso"
	"github.com/caobang/congdanso/cmd/app/apptest"
)

// TestStaffActionRetryIsIdempotent: a staff action retried with its
// Idempotency-Key (the client lost the first answer) is applied once and
// answered with the first outcome — not 409, and no second timeline line.
// A new key is a new action.
func TestStaffActionRetryIsIdempotent(t *testing.T) {
	env := apptest.New(t)
	_, ctok := env.Citizen("Nguyễn Văn An")
	officer, otok := env.Staff("Cán bộ Xây dựng", "SXD", cds.RoleOfficer)
	_, ltok := env.Staff("Lãnh đạo Sở Xây dựng", "SXD", cds.RoleLeader)
	sub := env.Do(http.MethodPost, "/api/v1/feedback", ctok, submitBody("traffic", "P-THUCPHAN", nil), "Idempotency-Key", "s-1")
	if sub.Status != http.StatusCreated {
		t.Fatalf("submit %d %s", sub.Status, sub.Body)
	}
	code := sub.Map(t)["code"].(string)
	twice := func(what string, send func() apptest.Response) apptest.Response {
		t.Helper()
		first, retry := send(), send()
		if first.Status != http.StatusOK || retry.Status != http.StatusOK || !bytes.Equal(first.Body, retry.Body) {
			t.Fatalf("%s: first %d %s, retry %d %s", what, first.Status, first.Body, retry.Status, retry.Body)
		}
		return first
	}

	// Claiming the accept task: the retry is not "you already hold this task".
	var tasks struct {
		Items []struct {
			ID       int64  `json:"id"`
			CaseCode string `json:"case_code"`
		} `json:"items"`
	}
	env.Do(http.MethodGet, "/api/v1/tasks?queue=agency", otok, nil).JSON(t, &tasks)
	var taskID int64
	for _, it := range tasks.Items {
		if it.CaseCode == code {
			taskID = it.ID
		}
	}
	if taskID == 0 {
		t.Fatalf("no open task for %s: %+v", code, tasks)
	}
	claimPath := fmt.Sprintf("/api/v1/tasks/%d/claim", taskID)
	twice("claim", func() apptest.Response {
		return env.Do(http.MethodPost, claimPath, otok, map[string]any{}, "Idempotency-Key", "claim-1")
	})

	twice("accept", func() apptest.Response {
		return env.Do(http.MethodPost, "/api/v1/feedback/"+code+"/actions/accept", otok, map[string]any{}, "Idempotency-Key", "acc-1")
	})
	assign := map[string]any{"assignee_id": officer.UserID}
	twice("assign", func() apptest.Response {
		return env.Do(http.MethodPost, "/api/v1/feedback/"+code+"/actions/assign", ltok, assign, "Idempotency-Key", "as-1")
	})
	if got := timelineActions(t, env, code); got != "submit,route,accept,assign" {
		t.Fatalf("timeline after retried accept and assign: %s", got)
	}

	// Another key is another action: a re-assignment is allowed from "assigned".
	if r := env.Do(http.MethodPost, "/api/v1/feedback/"+code+"/actions/assign", ltok, assign, "Idempotency-Key", "as-2"); r.Status != http.StatusOK {
		t.Fatalf("second assign %d %s", r.Status, r.Body)
	}
	if got := timelineActions(t, env, code); strings.Count(got, "assign") != 2 {
		t.Fatalf("timeline after a second assign: %s", got)
	}
}

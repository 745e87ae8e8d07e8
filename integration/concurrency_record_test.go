package integration

import (
	"fmt"
	"net/http"
	"sort"
	"sync"
	"testing"

	cds "github.com/caobang/congdanso"
	"github.com/caobang/congdanso/cmd/app/apptest"
	"github.com/caobang/congdanso/workflows"
)

// Two staff (or a staff member and the citizen) act on one case in the same
// instant, on the real stack: exactly one action wins, the other is refused
// (by the Update validator, or after it validates again under the case's
// mutex), and the timeline has one line. The histories, recorded with
// CONGDANSO_RECORD_HISTORY=1 / CDS_RECORD_HISTORY=1, carry the
// feedback-handler-lock version for the replay tests.

// both sends two requests at once and returns their statuses, sorted.
func both(a, b func() apptest.Response) []int {
	var wg sync.WaitGroup
	out := make([]int, 2)
	for i, f := range []func() apptest.Response{a, b} {
		wg.Add(1)
		go func(i int, f func() apptest.Response) {
			defer wg.Done()
			out[i] = f().Status
		}(i, f)
	}
	wg.Wait()
	sort.Ints(out)
	return out
}

// wantOneWins: one request succeeded and the other was refused with one of
// refused (sorted statuses, so the 200 comes first).
func wantOneWins(t *testing.T, what string, got []int, refused ...int) {
	t.Helper()
	for _, r := range refused {
		if fmt.Sprint(got) == fmt.Sprint([]int{http.StatusOK, r}) {
			return
		}
	}
	t.Fatalf("%s: statuses %v, want one %d and one of %v", what, got, http.StatusOK, refused)
}

func TestFeedbackConcurrentStaffActions(t *testing.T) {
	env := apptest.New(t)
	_, ctok := env.Citizen("Nguyễn Văn An")
	_, co1 := env.Staff("Điều phối viên 1", workflows.CoordinatorAgency, cds.RoleCoordinator)
	_, co2 := env.Staff("Điều phối viên 2", workflows.CoordinatorAgency, cds.RoleCoordinator)
	_, ltok := env.Staff("Lãnh đạo Sở Y tế", "SYT", cds.RoleLeader)
	// "other" has no route: the coordinators get it.
	sub := env.Do(http.MethodPost, "/api/v1/feedback", ctok, submitBody("other", "X-HOAAN", nil))
	if sub.Status != http.StatusCreated || sub.Map(t)["agency_code"] != workflows.CoordinatorAgency {
		t.Fatalf("submit %d %s", sub.Status, sub.Body)
	}
	code := sub.Map(t)["code"].(string)

	// The same transfer from two coordinators: the second finds the case there
	// already. If both reach the workflow, its validator refuses the second
	// (400); if the first has finished before the second is authorized, the
	// case is no longer the coordinators' and the API refuses it (403).
	transfer := func(tok string) func() apptest.Response {
		return func() apptest.Response {
			return act(env, code, "transfer", tok, map[string]any{"agency_code": "SYT", "note": "Thuộc ngành y tế"})
		}
	}
	wantOneWins(t, "transfer twice", both(transfer(co1), transfer(co2)), http.StatusBadRequest, http.StatusForbidden)
	// Two closing actions: whichever lands first, the other finds the case closed.
	reject := func() apptest.Response {
		return act(env, code, "reject", ltok, map[string]any{"note": "Không thuộc phạm vi"})
	}
	withdraw := func() apptest.Response {
		return env.Do(http.MethodPost, "/api/v1/feedback/"+code+"/withdraw", ctok, map[string]any{"note": "Đã tự khắc phục"})
	}
	wantOneWins(t, "reject and withdraw", both(reject, withdraw), http.StatusConflict)

	got := timelineActions(t, env, code)
	if got != "submit,route,transfer,reject" && got != "submit,route,transfer,withdraw" {
		t.Fatalf("timeline %s", got)
	}
	waitClosed(t, env, workflows.FeedbackWorkflowID(code))
	recordHistory(t, env.Temporal, code, "concurrent_handler_lock"+fbHistoryVersion)
}

func TestApplicationConcurrentStaffActions(t *testing.T) {
	env := apptest.New(t)
	citizen, ctok := env.Citizen("Nông Thị Hoa")
	_, otok := env.Staff("Cán bộ Một cửa", "P-THUCPHAN", cds.RoleOfficer)
	_, o2tok := env.Staff("Cán bộ Một cửa 2", "P-THUCPHAN", cds.RoleOfficer)
	_, ltok := env.Staff("Chủ tịch phường", "P-THUCPHAN", cds.RoleLeader)
	appAddMedia(t, env, "doc-1", citizen.UserID)
	appAddMedia(t, env, "doc-2", citizen.UserID)
	r := env.Do(http.MethodPost, "/api/v1/applications", ctok, map[string]any{"procedure_code": "HT-KS", "form": appBirthForm(), "document_ids": []string{"doc-1", "doc-2"}})
	if r.Status != http.StatusCreated {
		t.Fatalf("submit %d %s", r.Status, r.Body)
	}
	m := r.Map(t)
	id, code := int64(m["id"].(float64)), m["code"].(string)
	post := func(tok, path string, body any) func() apptest.Response {
		return func() apptest.Response {
			return env.Do(http.MethodPost, fmt.Sprintf("/api/v1/applications/%d/%s", id, path), tok, body)
		}
	}
	// Two officers accept the same dossier.
	wantOneWins(t, "accept twice", both(post(otok, "actions/accept", map[string]any{}), post(o2tok, "actions/accept", map[string]any{})), http.StatusConflict)
	// The leader stops it while the citizen withdraws it.
	wantOneWins(t, "stop and withdraw", both(post(ltok, "actions/stop", map[string]any{"reason": "Hồ sơ giả mạo"}),
		post(ctok, "withdraw", map[string]any{"reason": "Không cần nữa"})), http.StatusConflict)

	var got string
	for _, e := range appGet(t, env, id, otok).Timeline {
		got += e.Action + ","
	}
	if got != "submit,accept,stop," && got != "submit,accept,withdraw," {
		t.Fatalf("timeline %s", got)
	}
	waitClosed(t, env, workflows.ApplicationWorkflowID(code))
	appRecordHistory(t, env, workflows.ApplicationWorkflowID(code), "application_concurrent_handler_lock"+appHistoryVersion)
}

package integration

import (
	"context"
	"net/http"
	"testing"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/worker"

	cds "github.com/caobang/congdanso"
	"github.com/caobang/congdanso/activities"
	"github.com/caobang/congdanso/cmd/app"
	"github.com/caobang/congdanso/cmd/app/apptest"
	"github.com/caobang/congdanso/workflows"
	"github.com/caobang/congdanso/worktime"
)

// These flows take the transitions no other integration test takes, on the
// real stack, and record their histories for the replay tests
// (CONGDANSO_RECORD_HISTORY=1 for feedback, CDS_RECORD_HISTORY=1 for
// applications; workflows/replay_coverage_test.go lists what must be covered).

// waitClosed waits until the workflow has completed.
func waitClosed(t *testing.T, env *apptest.Env, wfID string) {
	t.Helper()
	apptest.Eventually(t, 30*time.Second, "workflow "+wfID+" closed", func() bool {
		d, err := env.Temporal.DescribeWorkflowExecution(context.Background(), wfID, "")
		return err == nil && d.WorkflowExecutionInfo.CloseTime != nil
	})
}

func fbSubmit(t *testing.T, env *apptest.Env, tok string) string {
	t.Helper()
	r := env.Do(http.MethodPost, "/api/v1/feedback", tok, submitBody("traffic", "P-THUCPHAN", nil))
	if r.Status != http.StatusCreated {
		t.Fatalf("submit %d %s", r.Status, r.Body)
	}
	code, _ := r.Map(t)["code"].(string)
	apptest.Eventually(t, 20*time.Second, "routed", func() bool { return readCase(t, env, code).Status == "routed" })
	return code
}

func fbStep(t *testing.T, env *apptest.Env, code, action, tok string, body map[string]any, want string) {
	t.Helper()
	if r := act(env, code, action, tok, body); r.Status != http.StatusOK {
		t.Fatalf("%s %s: %d %s", code, action, r.Status, r.Body)
	}
	if st := readCase(t, env, code).Status; st != want {
		t.Fatalf("%s after %s: %s, want %s", code, action, st, want)
	}
}

// TestFeedbackRejectReturnDraftClose: a report rejected at once; another
// whose draft the leader returns, then approves, and closes after publication.
func TestFeedbackRejectReturnDraftClose(t *testing.T) {
	env := apptest.New(t)
	_, ctok := env.Citizen("Nguyễn Văn An")
	officer, otok := env.Staff("Cán bộ Xây dựng", "SXD", cds.RoleOfficer)
	_, ltok := env.Staff("Lãnh đạo Sở Xây dựng", "SXD", cds.RoleLeader)

	rej := fbSubmit(t, env, ctok)
	fbStep(t, env, rej, "reject", ltok, map[string]any{"note": "Không thuộc phạm vi tiếp nhận"}, "rejected")

	code := fbSubmit(t, env, ctok)
	fbStep(t, env, code, "accept", otok, nil, "accepted")
	fbStep(t, env, code, "assign", ltok, map[string]any{"assignee_id": officer.UserID}, "assigned")
	fbStep(t, env, code, "start", otok, nil, "in_progress")
	fbStep(t, env, code, "draft_answer", otok, map[string]any{"answer": "Sẽ vá trong tuần."}, "answer_drafted")
	fbStep(t, env, code, "return_draft", ltok, map[string]any{"note": "Ghi rõ ngày vá"}, "in_progress")
	if id, _ := openTask(t, env, code, "draft"); id == 0 {
		t.Fatal("no draft task after the draft was returned")
	}
	fbStep(t, env, code, "draft_answer", otok, map[string]any{"answer": "Đã vá ổ gà ngày 05/3."}, "answer_drafted")
	fbStep(t, env, code, "approve_answer", ltok, nil, "published")
	fbStep(t, env, code, "close", ltok, nil, "closed")
	if got, want := timelineActions(t, env, code), "submit,route,accept,assign,start,draft_answer,return_draft,draft_answer,approve_answer,publish,close"; got != want {
		t.Fatalf("timeline\n got %s\nwant %s", got, want)
	}
	waitClosed(t, env, workflows.FeedbackWorkflowID(rej))
	waitClosed(t, env, workflows.FeedbackWorkflowID(code))
	recordHistory(t, env.Temporal, rej, "reject"+fbHistoryVersion)
	recordHistory(t, env.Temporal, code, "return_draft_close"+fbHistoryVersion)
}

// TestApplicationRefuseReturnFeeApology: a dossier refused at reception;
// another sent back by the leader, paid at the desk, whose apology the leader
// rejects, then resolved and rated.
func TestApplicationRefuseReturnFeeApology(t *testing.T) {
	env := apptest.New(t)
	citizen, ctok := env.Citizen("Nông Thị Hoa")
	_, otok := env.Staff("Cán bộ Một cửa", "P-THUCPHAN", cds.RoleOfficer)
	_, ltok := env.Staff("Chủ tịch phường", "P-THUCPHAN", cds.RoleLeader)
	appAddMedia(t, env, "doc-1", citizen.UserID)
	appAddMedia(t, env, "doc-2", citizen.UserID)
	submit := func() (int64, string) {
		r := env.Do(http.MethodPost, "/api/v1/applications", ctok, map[string]any{"procedure_code": "HT-KS", "form": appBirthForm(), "document_ids": []string{"doc-1", "doc-2"}})
		if r.Status != http.StatusCreated {
			t.Fatalf("submit %d %s", r.Status, r.Body)
		}
		m := r.Map(t)
		return int64(m["id"].(float64)), m["code"].(string)
	}
	status := func(id int64, want string) {
		t.Helper()
		if got := appGet(t, env, id, ctok).Application.Status; got != want {
			t.Fatalf("status %s, want %s", got, want)
		}
	}

	refused, refusedCode := submit()
	appAct(t, env, refused, otok, "actions/refuse", map[string]any{"reason": "Thiếu giấy chứng sinh bản chính"}, http.StatusOK)
	status(refused, "denied")

	id, code := submit()
	appAct(t, env, id, otok, "actions/accept", map[string]any{}, http.StatusOK)
	appAct(t, env, id, otok, "actions/forward", map[string]any{}, http.StatusOK)
	appAct(t, env, id, ltok, "actions/return", map[string]any{"reason": "Thẩm định lại tên cha"}, http.StatusOK)
	if v := appAct(t, env, id, otok, "actions/forward", map[string]any{}, http.StatusOK); v["step"] != "leader" {
		t.Fatalf("forward after return: %v", v)
	}
	appAct(t, env, id, ltok, "actions/approve", map[string]any{}, http.StatusOK)
	appAct(t, env, id, otok, "actions/request_fee", map[string]any{"amount": 8000}, http.StatusOK)
	status(id, "paying")
	appAct(t, env, id, otok, "actions/mark_paid", map[string]any{"payment_id": "BL-0001"}, http.StatusOK)
	status(id, "processing")
	appointment := *appGet(t, env, id, ctok).Application.AppointmentAt
	newDue := appointment.Add(48 * time.Hour)
	appAct(t, env, id, otok, "actions/draft_apology", map[string]any{"reason": "Chờ xác minh", "new_due": newDue}, http.StatusOK)
	appAct(t, env, id, ltok, "actions/reject_apology", map[string]any{"reason": "Không đủ căn cứ gia hạn"}, http.StatusOK)
	if d := appGet(t, env, id, ctok); !d.Application.AppointmentAt.Equal(appointment) || d.Application.Forms["form04"] != nil {
		t.Fatalf("a rejected apology changed the dossier: %+v", d.Application)
	}
	appAct(t, env, id, otok, "actions/issue_result", map[string]any{"document_ids": []string{}}, http.StatusOK)
	appAct(t, env, id, otok, "actions/return_result", map[string]any{"method": "in_person"}, http.StatusOK)
	appAct(t, env, id, ctok, "rating", map[string]any{"score": 4}, http.StatusOK)
	status(id, "done")
	waitClosed(t, env, workflows.ApplicationWorkflowID(refusedCode))
	waitClosed(t, env, workflows.ApplicationWorkflowID(code))
	appRecordHistory(t, env, workflows.ApplicationWorkflowID(refusedCode), "application_refuse"+appHistoryVersion)
	appRecordHistory(t, env, workflows.ApplicationWorkflowID(code), "application_return_fee_apology"+appHistoryVersion)
}

// fastHour is one working hour in the deadline test: deadlines that take
// days in production fire within seconds.
const fastHour = 500 * time.Millisecond

// fastDeadlines is the worker's Activities with the calendar arithmetic
// shortened; every other activity is the real one.
type fastDeadlines struct{ *activities.Activities }

func (fastDeadlines) ComputeDue(_ context.Context, in activities.DueInput) (time.Time, error) {
	h := in.Amount
	if in.Unit != worktime.UnitWorkingHours {
		h *= 8
	}
	return in.From.Add(time.Duration(h * float64(fastHour))), nil
}

func (fastDeadlines) WorkingHoursBetween(_ context.Context, from, to time.Time) (float64, error) {
	return float64(to.Sub(from)) / float64(fastHour), nil
}

func (f fastDeadlines) StepPlan(ctx context.Context, in activities.StepPlanInput) (activities.StepPlan, error) {
	return scaledStepPlan(ctx, f, in)
}

func (f fastDeadlines) AcceptPlan(ctx context.Context, in activities.AcceptPlanInput) (activities.AcceptPlan, error) {
	return scaledAcceptPlan(ctx, f, f.Activities, in)
}

// RecordApplicationStep plans with this arithmetic; the clock pauses on the
// real calendar, as PauseClock does here.
func (f fastDeadlines) RecordApplicationStep(ctx context.Context, in activities.RecordStepInput) (activities.RecordStepResult, error) {
	return scaledRecordStep(ctx, f, f.Activities, func(k activities.ClockInput) (activities.ClockState, error) { return f.PauseClock(ctx, k) }, in)
}

// fastEnv starts the app with the SLAs divided by 86400 and the working
// time of fastDeadlines (one working hour = fastHour).
func fastEnv(t *testing.T) *apptest.Env {
	t.Helper()
	return apptest.New(t, func(o *app.Options) {
		o.API.SLAScale = 86400
		swapWith(func(a *activities.Activities) any { return &fastDeadlines{a} })(o)
	})
}

// swapWith is an app option: the worker registers wrap(the real
// activities) in place of the Activities struct.
func swapWith(wrap func(*activities.Activities) any) func(*app.Options) {
	return func(o *app.Options) {
		o.Register = func(r worker.Registry, a *activities.Activities) {
			workflows.Register(swapActivities{Registry: r, acts: wrap(a)}, a)
		}
	}
}

// swapActivities registers fastDeadlines instead of the Activities struct.
type swapActivities struct {
	worker.Registry
	acts any
}

func (s swapActivities) RegisterActivityWithOptions(a any, o activity.RegisterOptions) {
	if _, ok := a.(*activities.Activities); ok {
		a = s.acts
	}
	s.Registry.RegisterActivityWithOptions(a, o)
}

// TestDeadlinesFire runs the timers of both case kinds to their end on the
// real stack: feedback (SLAs divided by 86400: accept 8 h → 0.3 s, answer
// 120 h → 5 s, auto-close 168 h → 7 s) is escalated for acceptance, reminded
// at 75 %, overdue at 100 % and closed automatically after publication; an
// application (one working hour = 0.5 s) misses its step deadline and its
// appointment, another misses the supplementation deadline and is refused.
func TestDeadlinesFire(t *testing.T) {
	env := fastEnv(t)
	citizen, ctok := env.Citizen("Nguyễn Văn An")
	officer, otok := env.Staff("Cán bộ Xây dựng", "SXD", cds.RoleOfficer)
	_, ltok := env.Staff("Lãnh đạo Sở Xây dựng", "SXD", cds.RoleLeader)
	_, wardTok := env.Staff("Cán bộ Một cửa", "P-THUCPHAN", cds.RoleOfficer)

	code := fbSubmit(t, env, ctok)
	apptest.Eventually(t, 30*time.Second, "feedback overdue", func() bool { return readCase(t, env, code).Overdue })
	fbStep(t, env, code, "accept", otok, nil, "accepted")
	fbStep(t, env, code, "assign", ltok, map[string]any{"assignee_id": officer.UserID}, "assigned")
	fbStep(t, env, code, "draft_answer", otok, map[string]any{"answer": "Đã vá ổ gà."}, "answer_drafted")
	fbStep(t, env, code, "approve_answer", ltok, nil, "published")
	apptest.Eventually(t, 30*time.Second, "auto close", func() bool { return readCase(t, env, code).Status == "closed" })
	if got, want := timelineActions(t, env, code), "submit,route,accept_overdue,reminder,overdue,accept,assign,draft_answer,approve_answer,publish,auto_close"; got != want {
		t.Fatalf("feedback timeline\n got %s\nwant %s", got, want)
	}

	appAddMedia(t, env, "doc-1", citizen.UserID)
	appAddMedia(t, env, "doc-2", citizen.UserID)
	submit := func() (int64, string) {
		r := env.Do(http.MethodPost, "/api/v1/applications", ctok, map[string]any{"procedure_code": "HT-KS", "form": appBirthForm(), "document_ids": []string{"doc-1", "doc-2"}})
		if r.Status != http.StatusCreated {
			t.Fatalf("submit %d %s", r.Status, r.Body)
		}
		m := r.Map(t)
		return int64(m["id"].(float64)), m["code"].(string)
	}
	late, lateCode := submit()
	appAct(t, env, late, wardTok, "actions/accept", map[string]any{}, http.StatusOK)
	exp, expCode := submit()
	appAct(t, env, exp, wardTok, "actions/accept", map[string]any{}, http.StatusOK)
	appAct(t, env, exp, wardTok, "actions/request_supplement", map[string]any{"reason": "Giấy chứng sinh mờ", "items": []string{"Giấy chứng sinh bản rõ"}, "deadline_days": 1}, http.StatusOK)
	actions := func(id int64) string {
		var s string
		for _, e := range appGet(t, env, id, wardTok).Timeline { // staff see the internal events
			s += e.Action + ","
		}
		return s
	}
	apptest.Eventually(t, 30*time.Second, "application overdue", func() bool {
		return appCount(t, env, `SELECT count(*) FROM cases WHERE code = $1 AND overdue`, lateCode) == 1
	})
	if got, want := actions(late), "submit,accept,step_reminder,step_overdue,reminder,overdue,"; got != want {
		t.Fatalf("late application timeline %s, want %s", got, want)
	}
	appAct(t, env, late, ctok, "withdraw", map[string]any{"reason": "Không cần nữa"}, http.StatusOK)
	apptest.Eventually(t, 30*time.Second, "supplement expired", func() bool {
		return appCount(t, env, `SELECT count(*) FROM tasks WHERE case_code = $1 AND status = 'open' AND step_key LIKE 'supplement_expired#%'`, expCode) == 1
	})
	appAct(t, env, exp, wardTok, "actions/refuse", map[string]any{"reason": "Không bổ sung đúng hạn"}, http.StatusOK)

	waitClosed(t, env, workflows.FeedbackWorkflowID(code))
	waitClosed(t, env, workflows.ApplicationWorkflowID(lateCode))
	waitClosed(t, env, workflows.ApplicationWorkflowID(expCode))
	recordHistory(t, env.Temporal, code, "deadlines"+fbHistoryVersion)
	appRecordHistory(t, env, workflows.ApplicationWorkflowID(lateCode), "application_deadlines"+appHistoryVersion)
	appRecordHistory(t, env, workflows.ApplicationWorkflowID(expCode), "application_supplement_expired"+appHistoryVersion)
}

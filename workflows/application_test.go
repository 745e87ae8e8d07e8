package workflows

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"

	cds "github.com/caobang/congdanso"
	"github.com/caobang/congdanso/activities"
	"github.com/caobang/congdanso/worktime"
)

var appVN = cds.VietnamTZ

func appTestProcedure(version int, days float64) cds.Procedure {
	return cds.Procedure{
		Code: "HT-TEST", Version: version, Name: "Thủ tục thử", Field: "Hộ tịch", Level: "commune", AgencyType: cds.AgencyCommune,
		Duration: days, Unit: string(worktime.UnitWorkingDays), Fee: 0,
		Fields: []cds.FormField{{Name: "full_name", Label: "Họ tên", Type: cds.FieldText, Required: true}, {Name: "commune_code", Label: "Xã", Type: cds.FieldAgency, Required: true}},
		Steps: []cds.ProcStep{
			{Key: "reception", Kind: cds.StepReception, Role: cds.RoleOfficer, Share: 0.1},
			{Key: "specialist", Kind: cds.StepProcess, Role: cds.RoleOfficer, Share: 0.6},
			{Key: "leader", Kind: cds.StepApprove, Role: cds.RoleLeader, Share: 0.2},
			{Key: "result", Kind: cds.StepResult, Role: cds.RoleOfficer, Share: 0.1},
		},
	}
}

var (
	appCitizen = cds.Actor{UserID: 7, Name: "Nông Văn Dân", Roles: []cds.Role{cds.RoleCitizen}}
	appOfficer = cds.Actor{UserID: 20, Name: "Cán bộ Một cửa", AgencyCode: "P-THUCPHAN", Roles: []cds.Role{cds.RoleOfficer}}
	appLeader  = cds.Actor{UserID: 21, Name: "Lãnh đạo phường", AgencyCode: "P-THUCPHAN", Roles: []cds.Role{cds.RoleLeader}}
	appOther   = cds.Actor{UserID: 8, Name: "Người khác", Roles: []cds.Role{cds.RoleCitizen}}
)

// appHarness runs one dossier in the test environment with the real
// working-time calendar behind the mocked local activities.
type appHarness struct {
	t       *testing.T
	suite   testsuite.WorkflowTestSuite
	env     *testsuite.TestWorkflowEnvironment
	cal     *worktime.Calendar
	start   time.Time
	records []activities.ApplicationRecord
	results map[string]error
	proc    cds.Procedure
	procErr error // returned by ApplicationProcedureAt when set
	staff   []activities.StaffNotice
	holders []activities.TaskNotice // reminders to the task holder
	notes   []activities.NotifyInput
	sink    noticeSink
}

func newAppHarness(t *testing.T, start time.Time) *appHarness {
	h := &appHarness{t: t, cal: worktime.MustDefault(), start: start, results: map[string]error{}, proc: appTestProcedure(1, 5)}
	h.env = h.suite.NewTestWorkflowEnvironment()
	h.env.SetStartTime(start)
	h.env.RegisterWorkflowWithOptions(ServiceApplication, workflow.RegisterOptions{Name: ApplicationWorkflowName})
	h.env.RegisterActivityWithOptions(&activities.Activities{}, activity.RegisterOptions{SkipInvalidStructFunctions: true})
	h.env.OnActivity(acts.RecordApplication, mock.Anything, mock.Anything).Return(func(_ context.Context, r activities.ApplicationRecord) error {
		h.records = append(h.records, r)
		return nil
	})
	h.sink = noticeSink{citizen: func(n activities.NotifyInput) { h.notes = append(h.notes, n) },
		staff:  func(n activities.StaffNotice) { h.staff = append(h.staff, n) },
		holder: func(n activities.TaskNotice) { h.holders = append(h.holders, n) }}
	h.sink.mock(h.env)
	h.env.OnActivity(acts.ApplicationProcedureAt, mock.Anything, mock.Anything).Return(func(_ context.Context, in activities.ProcedureAtInput) (cds.Procedure, error) {
		return h.proc, h.procErr
	})
	h.env.OnActivity(acts.ComputeDue, mock.Anything, mock.Anything).Return(func(_ context.Context, in activities.DueInput) (time.Time, error) {
		return h.cal.Add(in.From, in.Amount, in.Unit)
	})
	h.env.OnActivity(acts.WorkingHoursBetween, mock.Anything, mock.Anything, mock.Anything).Return(func(_ context.Context, a, b time.Time) (float64, error) {
		return h.cal.WorkingHoursBetween(a, b), nil
	})
	due := func(in activities.DueInput) (time.Time, error) { return h.cal.Add(in.From, in.Amount, in.Unit) }
	hours := func(a, b time.Time) (float64, error) { return h.cal.WorkingHoursBetween(a, b), nil }
	h.env.OnActivity(acts.StepPlan, mock.Anything, mock.Anything).Return(func(_ context.Context, in activities.StepPlanInput) (activities.StepPlan, error) {
		return activities.PlanStep(due, in)
	})
	h.env.OnActivity(acts.AcceptPlan, mock.Anything, mock.Anything).Return(func(_ context.Context, in activities.AcceptPlanInput) (activities.AcceptPlan, error) {
		p := h.proc
		var ae *temporal.ApplicationError
		if errors.As(h.procErr, &ae) && ae.Type() == cds.ENOTFOUND {
			p = in.Submitted // as the activity does with a withdrawn procedure
		} else if h.procErr != nil {
			return activities.AcceptPlan{}, h.procErr
		}
		return activities.PlanAcceptance(due, hours, p, in)
	})
	pause := func(in activities.ClockInput) (activities.ClockState, error) {
		k := in.Clock.Pause(h.cal, in.At)
		return activities.ClockState{Clock: k, Due: k.Due(h.cal, in.At)}, nil
	}
	h.env.OnActivity(acts.PauseClock, mock.Anything, mock.Anything).Return(func(_ context.Context, in activities.ClockInput) (activities.ClockState, error) {
		return pause(in)
	})
	h.env.OnActivity(acts.RecordApplicationStep, mock.Anything, mock.Anything).Return(func(_ context.Context, in activities.RecordStepInput) (activities.RecordStepResult, error) {
		var out activities.RecordStepResult
		r, err := activities.FillStepRecord(due, pause, in, &out)
		if err == nil {
			h.records = append(h.records, r)
		}
		return out, err
	})
	h.env.OnActivity(acts.ResumeClock, mock.Anything, mock.Anything).Return(func(_ context.Context, in activities.ClockInput) (activities.ClockState, error) {
		k := in.Clock.Resume(in.At)
		return activities.ClockState{Clock: k, Due: k.Due(h.cal, in.At)}, nil
	})
	return h
}

// do sends action a at instant at (an absolute time after start).
func (h *appHarness) do(appAt time.Time, id string, a ApplicationAction) {
	h.env.RegisterDelayedCallback(func() {
		h.env.UpdateWorkflow(UpdateApplicationAction, id, &testsuite.TestUpdateCallback{
			OnAccept: func() {},
			OnReject: func(err error) { h.results[id] = err },
			OnComplete: func(v any, err error) {
				if av, ok := v.(ApplicationView); ok {
					h.sink.answered(av.Notices)
				}
				h.results[id] = err
			},
		}, a)
	}, appAt.Sub(h.start))
}

func (h *appHarness) run() ApplicationView {
	in := ApplicationInput{Code: "P-THUCPHAN-260302-0001", Title: "Thủ tục thử — Nông Văn Dân", Procedure: h.proc, AgencyCode: "P-THUCPHAN",
		Citizen: appCitizen, Channel: "online", Form: map[string]any{"full_name": "Nông Văn Dân", "commune_code": "P-THUCPHAN"},
		DocumentIDs: []string{"m1"}, SubmittedAt: h.start, ReceptionDue: h.cal.AddWorkingHours(h.start, 4)}
	h.env.ExecuteWorkflow(ServiceApplication, in)
	if !h.env.IsWorkflowCompleted() {
		h.t.Fatal("workflow did not complete")
	}
	if err := h.env.GetWorkflowError(); err != nil {
		h.t.Fatalf("workflow error: %v", err)
	}
	var v ApplicationView
	if err := h.env.GetWorkflowResult(&v); err != nil {
		h.t.Fatal(err)
	}
	return v
}

func (h *appHarness) ok(ids ...string) {
	h.t.Helper()
	for _, id := range ids {
		err, seen := h.results[id]
		if !seen {
			h.t.Errorf("%s: update never completed", id)
		} else if err != nil {
			h.t.Errorf("%s: unexpected error %v", id, err)
		}
	}
}

func (h *appHarness) fails(id, code string) {
	h.t.Helper()
	var ae *temporal.ApplicationError
	err := h.results[id]
	if !errors.As(err, &ae) || ae.Type() != code {
		h.t.Errorf("%s: want %s, got %v", id, code, err)
	}
}

// statuses is the to_status of each record.
func (h *appHarness) statuses() []cds.AppStatus {
	out := make([]cds.AppStatus, 0, len(h.records))
	for _, r := range h.records {
		out = append(out, r.ToStatus)
	}
	return out
}

func (h *appHarness) record(action string) activities.ApplicationRecord {
	h.t.Helper()
	for _, r := range h.records {
		if r.Action == action {
			return r
		}
	}
	h.t.Fatalf("no %s record in %v", action, h.actions())
	return activities.ApplicationRecord{}
}

func (h *appHarness) actions() []string {
	var out []string
	for _, r := range h.records {
		out = append(out, r.Action)
	}
	return out
}

// checkTasks asserts every opened task is closed by a later record (or is
// among stillOpen) and that seqs increase by one.
func (h *appHarness) checkTasks(stillOpen ...string) {
	h.t.Helper()
	open := map[string]bool{}
	for i, r := range h.records {
		if r.Seq != i+1 {
			h.t.Errorf("record %d has seq %d", i, r.Seq)
		}
		for _, k := range r.CloseTasks {
			delete(open, k)
		}
		for _, t := range r.OpenTasks {
			open[t.StepKey] = true
		}
	}
	for _, k := range stillOpen {
		delete(open, k)
	}
	if len(open) > 0 {
		h.t.Errorf("tasks left open: %v (actions %v)", open, h.actions())
	}
}

func appAt(y int, m time.Month, d, hh, mm int) time.Time {
	return time.Date(y, m, d, hh, mm, 0, 0, appVN)
}

func appEqStatuses(t *testing.T, got []cds.AppStatus, want ...cds.AppStatus) {
	t.Helper()
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("statuses = %v, want %v", got, want)
	}
}

func TestApplicationHappyPathToRating(t *testing.T) {
	start := appAt(2026, 3, 2, 8, 0) // Monday
	h := newAppHarness(t, start)
	h.do(start.Add(-time.Minute+time.Hour), "forward-too-early", ApplicationAction{Action: ActForward, Actor: appOfficer})
	h.do(start.Add(time.Hour), "accept", ApplicationAction{Action: ActAccept, Actor: appOfficer})
	h.do(start.Add(2*time.Hour), "citizen-forward", ApplicationAction{Action: ActForward, Actor: appCitizen})
	h.do(start.Add(3*time.Hour), "forward", ApplicationAction{Action: ActForward, Actor: appOfficer})
	h.do(start.Add(4*time.Hour), "approve-by-officer", ApplicationAction{Action: ActApprove, Actor: appOfficer})
	h.do(start.Add(5*time.Hour), "approve", ApplicationAction{Action: ActApprove, Actor: appLeader})
	h.do(start.Add(6*time.Hour), "issue", ApplicationAction{Action: ActIssueResult, Actor: appOfficer, DocumentIDs: []string{"r1"}})
	h.do(start.Add(7*time.Hour), "rate-early", ApplicationAction{Action: ActRate, Actor: appCitizen, Score: 5})
	h.do(start.Add(24*time.Hour), "return", ApplicationAction{Action: ActReturnResult, Actor: appOfficer, Method: "in_person"})
	h.do(start.Add(25*time.Hour), "rate-other", ApplicationAction{Action: ActRate, Actor: appOther, Score: 1})
	h.do(start.Add(26*time.Hour), "rate", ApplicationAction{Action: ActRate, Actor: appCitizen, Score: 5, Comment: "Nhanh"})
	v := h.run()
	h.ok("accept", "forward", "approve", "issue", "return", "rate")
	h.fails("forward-too-early", cds.ECONFLICT)
	h.fails("citizen-forward", cds.EFORBIDDEN)
	h.fails("approve-by-officer", cds.EFORBIDDEN)
	h.fails("rate-early", cds.ECONFLICT)
	h.fails("rate-other", cds.EFORBIDDEN)
	appEqStatuses(t, h.statuses(), cds.AppReceiving, cds.AppNew, cds.AppProcessing, cds.AppProcessing, cds.AppReleasing, cds.AppDone, cds.AppDone)
	if v.Status != cds.AppDone || v.Rating != 5 || v.Timeliness != "early" {
		t.Errorf("final view %+v", v)
	}
	acc := h.record(ActAccept)
	wantDue := appAt(2026, 3, 9, 9, 0) // 5 working days from Mon 09:00
	if f01, _ := acc.Forms["form01"].(map[string]any); f01 == nil || !appTime(f01["appointment_at"]).Equal(wantDue) {
		t.Errorf("form01 = %v, want appointment %v", acc.Forms["form01"], wantDue)
	}
	if acc.Case.ProcedureVersion != 1 || !acc.Case.DueAt.Equal(wantDue) {
		t.Errorf("accepted snapshot %+v", acc.Case)
	}
	// Control sheet: reception→specialist→leader→result→citizen, each with a mark.
	var sheet []string
	for _, r := range h.records {
		if fs, ok := r.Detail["from_step"]; ok {
			sheet = append(sheet, fmt.Sprintf("%s>%s:%s", fs, r.Detail["to_step"], r.Detail["timeliness"]))
		}
	}
	// Reception was due Mon 14:00 and accepted 09:00 the same day (on time);
	// the other steps finished on earlier days than their deadlines.
	want := "[reception>specialist:on_time specialist>leader:early leader>result:early result>citizen:early]"
	if fmt.Sprint(sheet) != want {
		t.Errorf("control sheet %v, want %s", sheet, want)
	}
	h.checkTasks()
}

func TestApplicationRefusedAtIntake(t *testing.T) {
	start := appAt(2026, 3, 2, 8, 0)
	h := newAppHarness(t, start)
	h.do(start.Add(time.Hour), "no-reason", ApplicationAction{Action: ActRefuse, Actor: appOfficer})
	h.do(start.Add(2*time.Hour), "refuse", ApplicationAction{Action: ActRefuse, Actor: appOfficer, Reason: "Không thuộc thẩm quyền"})
	v := h.run()
	h.fails("no-reason", cds.EINVALID)
	h.ok("refuse")
	appEqStatuses(t, h.statuses(), cds.AppReceiving, cds.AppDenied)
	if v.Status != cds.AppDenied || h.record(ActRefuse).Forms["form03"] == nil {
		t.Errorf("view %+v forms %v", v, h.record(ActRefuse).Forms)
	}
	h.checkTasks()
}

// The supplementation request on Friday 24/4/2026 09:00 is answered on
// Tuesday 28/4 09:00: Saturday, Sunday and Monday 27/4 (Hùng Kings' Day in
// lieu) are not counted, so the clock was paused for 8 working hours and the
// appointment moves by exactly one working day.
func TestApplicationSupplementPausesAcrossWeekendAndHoliday(t *testing.T) {
	start := appAt(2026, 4, 23, 8, 0) // Thursday
	h := newAppHarness(t, start)
	h.do(appAt(2026, 4, 23, 9, 0), "accept", ApplicationAction{Action: ActAccept, Actor: appOfficer})
	h.do(appAt(2026, 4, 24, 9, 0), "request", ApplicationAction{Action: ActRequestSupplement, Actor: appOfficer, Reason: "Thiếu giấy tờ", Items: []string{"Bản sao giấy chứng sinh"}})
	h.do(appAt(2026, 4, 24, 10, 0), "forward-while-waiting", ApplicationAction{Action: ActForward, Actor: appOfficer})
	h.do(appAt(2026, 4, 27, 10, 0), "supplement-by-other", ApplicationAction{Action: ActSupplement, Actor: appOther, Note: "x"})
	h.do(appAt(2026, 4, 28, 9, 0), "supplement", ApplicationAction{Action: ActSupplement, Actor: appCitizen, DocumentIDs: []string{"m2"}})
	h.do(appAt(2026, 4, 28, 10, 0), "second-request", ApplicationAction{Action: ActRequestSupplement, Actor: appOfficer, Reason: "Lại thiếu", Items: []string{"x"}})
	h.do(appAt(2026, 4, 28, 11, 0), "withdraw", ApplicationAction{Action: ActWithdraw, Actor: appCitizen, Reason: "Không cần nữa"})
	h.run()
	h.ok("accept", "request", "supplement", "withdraw")
	h.fails("forward-while-waiting", cds.ECONFLICT)
	h.fails("supplement-by-other", cds.EFORBIDDEN)
	h.fails("second-request", cds.ECONFLICT)
	appEqStatuses(t, h.statuses(), cds.AppReceiving, cds.AppNew, cds.AppWaiting, cds.AppNew, cds.AppCancelled)
	oldDue := appAt(2026, 5, 5, 9, 0) // Thu 23/4 09:00 + 40 working hours (30/4, 1/5 are holidays)
	if d := h.record(ActAccept).Case.DueAt; !d.Equal(oldDue) {
		t.Fatalf("appointment %v, want %v", d, oldDue)
	}
	sup := h.record(ActSupplement)
	if p := sup.Detail["paused_working_hours"].(float64); p != 8 {
		t.Errorf("paused %v working hours, want 8", p)
	}
	newDue := appAt(2026, 5, 6, 9, 0)
	if !sup.Case.DueAt.Equal(newDue) || !appTime(sup.Detail["new_due"]).Equal(newDue) {
		t.Errorf("new due %v, want %v", sup.Case.DueAt, newDue)
	}
	oldStep, newStep := appTime(sup.Detail["old_step_due"]), appTime(sup.Detail["new_step_due"])
	if want := h.cal.AddWorkingHours(oldStep, 8); !newStep.Equal(want) {
		t.Errorf("step due moved to %v, want %v", newStep, want)
	}
	if f := h.record(ActRequestSupplement).Forms["form02"]; f == nil {
		t.Error("no form 02")
	}
	if cancelled := h.records[len(h.records)-1]; cancelled.Case.FinishedAt == nil {
		t.Error("withdrawal must set finished_at")
	}
	h.checkTasks()
}

func TestApplicationSupplementExpiredThenRefused(t *testing.T) {
	start := appAt(2026, 3, 2, 8, 0)
	h := newAppHarness(t, start)
	h.do(start.Add(time.Hour), "accept", ApplicationAction{Action: ActAccept, Actor: appOfficer})
	h.do(start.Add(2*time.Hour), "request", ApplicationAction{Action: ActRequestSupplement, Actor: appOfficer, Reason: "Thiếu", Items: []string{"Tờ khai"}, DeadlineDays: 2})
	h.do(start.Add(3*time.Hour), "refuse-too-early", ApplicationAction{Action: ActRefuse, Actor: appOfficer, Reason: "Quá hạn"})
	h.do(start.Add(10*24*time.Hour), "refuse", ApplicationAction{Action: ActRefuse, Actor: appOfficer, Reason: "Quá hạn bổ sung"})
	v := h.run()
	h.ok("accept", "request", "refuse")
	h.fails("refuse-too-early", cds.ECONFLICT)
	exp := h.record("supplement_expired")
	if !exp.At.Equal(appAt(2026, 3, 4, 10, 0)) { // 2 working days after Mon 10:00
		t.Errorf("expired at %v", exp.At)
	}
	if v.Status != cds.AppDenied {
		t.Errorf("status %s", v.Status)
	}
	h.checkTasks()
}

// Transfer (liên thông, application-interagency-handoff): the dossier goes
// to another agency for its part, in its own status, with its own step; the
// ward's step waits (its clock stopped) until the part is handed back; the
// dossier's clock keeps running, so the appointment does not change.
func TestApplicationTransferKeepsClock(t *testing.T) {
	start := appAt(2026, 3, 2, 8, 0)
	h := newAppHarness(t, start)
	h.do(start.Add(time.Hour), "accept", ApplicationAction{Action: ActAccept, Actor: appOfficer})
	h.do(start.Add(26*time.Hour), "transfer-same", ApplicationAction{Action: ActTransfer, Actor: appOfficer, ToAgency: "P-THUCPHAN", Reason: "x"})
	h.do(start.Add(26*time.Hour), "transfer", ApplicationAction{Action: ActTransfer, Actor: appOfficer, ToAgency: "X-HOAAN", Reason: "Liên thông giải quyết", DeadlineDays: 2})
	h.do(start.Add(26*time.Hour+30*time.Minute), "forward-early", ApplicationAction{Action: ActForward, Actor: appOfficer})
	h.do(start.Add(27*time.Hour), "back", ApplicationAction{Action: ActCompleteTransfer, Actor: appOfficer})
	h.do(start.Add(27*time.Hour+30*time.Minute), "forward", ApplicationAction{Action: ActForward, Actor: appOfficer})
	h.do(start.Add(28*time.Hour), "stop", ApplicationAction{Action: ActStop, Actor: appLeader, Reason: "Cơ quan có thẩm quyền dừng"})
	v := h.run()
	h.ok("accept", "transfer", "back", "forward", "stop")
	h.fails("transfer-same", cds.EINVALID)
	h.fails("forward-early", cds.ECONFLICT)
	tr := h.record(ActTransfer)
	if tr.ToStatus != cds.AppTransferred || tr.Case.AgencyCode != "X-HOAAN" || tr.Case.LeadAgencyCode != "P-THUCPHAN" ||
		tr.Detail["from_agency"] != "P-THUCPHAN" || tr.Detail["receiver_agency"] != "X-HOAAN" || tr.Detail["to_step"] != InterAgencyStep {
		t.Errorf("transfer record %+v", tr)
	}
	if tr.Detail["interagency_budget_hours"] != 16.0 { // 2 working days of 8 hours
		t.Errorf("the receiving agency's budget: %v hours, want 16", tr.Detail["interagency_budget_hours"])
	}
	if !tr.Case.DueAt.Equal(*h.record(ActAccept).Case.DueAt) {
		t.Errorf("transfer changed the due time: %v", tr.Case.DueAt)
	}
	if len(tr.OpenTasks) != 1 || tr.OpenTasks[0].AgencyCode != "X-HOAAN" || tr.OpenTasks[0].Action != ActCompleteTransfer {
		t.Errorf("task not handed over: %+v", tr.OpenTasks)
	}
	back := h.record(ActCompleteTransfer)
	if back.ToStatus != cds.AppNew || back.Case.AgencyCode != "P-THUCPHAN" || back.Case.LeadAgencyCode != "" ||
		len(back.OpenTasks) != 1 || back.OpenTasks[0].AgencyCode != "P-THUCPHAN" || back.OpenTasks[0].Action != ActForward {
		t.Errorf("hand-back record %+v", back)
	}
	// The ward's step waited one working hour (Tuesday 10:00 to 11:00): its due time moves by that hour.
	oldDue := *h.record(ActAccept).OpenTasks[0].DueAt
	if want, _ := h.cal.Add(oldDue, 1, worktime.UnitWorkingHours); !back.OpenTasks[0].DueAt.Equal(want) {
		t.Errorf("the ward's step is due %v, want %v (one working hour later than %v)", back.OpenTasks[0].DueAt, want, oldDue)
	}
	if fw := h.record(ActForward); fw.OpenTasks[0].AgencyCode != "P-THUCPHAN" {
		t.Errorf("next step at %s", fw.OpenTasks[0].AgencyCode)
	}
	if v.Status != cds.AppUnresolved || h.record(ActStop).Forms["form05"] == nil {
		t.Errorf("view %+v", v)
	}
	h.checkTasks()
}

// Apology (form 04): drafted by staff before the due time and approved by a
// leader, it moves the appointment; passing the old date is then not overdue.
func TestApplicationApologyNewDate(t *testing.T) {
	start := appAt(2026, 3, 2, 8, 0)
	h := newAppHarness(t, start)
	oldDue := appAt(2026, 3, 9, 9, 0)
	newDue := appAt(2026, 3, 12, 17, 0)
	h.do(start.Add(time.Hour), "accept", ApplicationAction{Action: ActAccept, Actor: appOfficer})
	h.do(appAt(2026, 3, 6, 9, 0), "draft-bad-date", ApplicationAction{Action: ActDraftApology, Actor: appOfficer, Reason: "x", NewDue: &oldDue})
	h.do(appAt(2026, 3, 6, 10, 0), "draft", ApplicationAction{Action: ActDraftApology, Actor: appOfficer, Reason: "Cần xác minh thêm", NewDue: &newDue})
	h.do(appAt(2026, 3, 6, 11, 0), "approve-by-officer", ApplicationAction{Action: ActApproveApology, Actor: appOfficer})
	h.do(appAt(2026, 3, 6, 14, 0), "approve-apology", ApplicationAction{Action: ActApproveApology, Actor: appLeader})
	h.do(appAt(2026, 3, 10, 9, 0), "forward", ApplicationAction{Action: ActForward, Actor: appOfficer})
	h.do(appAt(2026, 3, 10, 10, 0), "approve", ApplicationAction{Action: ActApprove, Actor: appLeader})
	h.do(appAt(2026, 3, 11, 9, 0), "issue", ApplicationAction{Action: ActIssueResult, Actor: appOfficer})
	h.do(appAt(2026, 3, 11, 10, 0), "return", ApplicationAction{Action: ActReturnResult, Actor: appOfficer, Method: "online"})
	v := h.run() // no rating: ends after the rating window
	h.ok("accept", "draft", "approve-apology", "forward", "approve", "issue", "return")
	h.fails("draft-bad-date", cds.EINVALID)
	h.fails("approve-by-officer", cds.EFORBIDDEN)
	for _, r := range h.records {
		if r.Action == "overdue" {
			t.Errorf("flagged overdue despite the apology at %v", r.At)
		}
	}
	ap := h.record(ActApproveApology)
	if !ap.Case.DueAt.Equal(newDue) || ap.Forms["form04"] == nil {
		t.Errorf("apology record %+v", ap)
	}
	if v.Timeliness != "early" || v.Overdue || v.Status != cds.AppDone {
		t.Errorf("view %+v", v)
	}
	h.checkTasks()
}

// Past the due time without an apology the dossier is flagged overdue (case
// and tasks), and a late result counts late. In dossiers started before
// application-apology-when-overdue an apology can no longer be drafted then.
func TestApplicationOverdueWithoutApology(t *testing.T) {
	start := appAt(2026, 3, 2, 8, 0)
	h := newAppHarness(t, start)
	h.env.OnGetVersion(appLocalWritesChange, workflow.DefaultVersion, appStepRecords).Return(appAnswerNotices)
	h.env.OnGetVersion(appApologyOverdueChange, workflow.DefaultVersion, appApologyOverdue).Return(workflow.DefaultVersion)
	h.do(start.Add(time.Hour), "accept", ApplicationAction{Action: ActAccept, Actor: appOfficer})
	h.do(appAt(2026, 3, 10, 9, 0), "draft-late", ApplicationAction{Action: ActDraftApology, Actor: appOfficer, Reason: "Muộn", NewDue: appPtr(appAt(2026, 3, 20, 9, 0))})
	h.do(appAt(2026, 3, 10, 10, 0), "forward", ApplicationAction{Action: ActForward, Actor: appOfficer})
	h.do(appAt(2026, 3, 10, 11, 0), "approve", ApplicationAction{Action: ActApprove, Actor: appLeader})
	h.do(appAt(2026, 3, 10, 14, 0), "issue", ApplicationAction{Action: ActIssueResult, Actor: appOfficer})
	h.do(appAt(2026, 3, 10, 15, 0), "return", ApplicationAction{Action: ActReturnResult, Actor: appOfficer, Method: "in_person"})
	h.do(appAt(2026, 3, 10, 16, 0), "rate", ApplicationAction{Action: ActRate, Actor: appCitizen, Score: 2})
	v := h.run()
	h.ok("accept", "forward", "approve", "issue", "return", "rate")
	h.fails("draft-late", cds.ECONFLICT)
	od := h.record("overdue")
	if !od.At.Equal(appAt(2026, 3, 9, 9, 0)) || !od.Case.Overdue || len(od.OverdueTasks) != 1 || od.OverdueTasks[0] != "*" {
		t.Errorf("overdue record %+v", od)
	}
	st := h.record("step_overdue")
	if st.OverdueTasks[0] == "*" || st.Detail["step"] != "specialist" {
		t.Errorf("step overdue record %+v", st)
	}
	if fw := h.record(ActForward); fw.Detail["timeliness"] != "late" || fw.Detail["from_step"] != "specialist" {
		t.Errorf("late step not marked late: %v", fw.Detail)
	}
	if v.Timeliness != "late" || !v.Overdue {
		t.Errorf("view %+v", v)
	}
	h.checkTasks()
}

// From application-apology-when-overdue the apology is allowed once the
// dossier is overdue (with a new date in the future); its approval moves the
// due time and clears the overdue flag, so the new date is watched again.
func TestApplicationApologyWhenOverdue(t *testing.T) {
	start := appAt(2026, 3, 2, 8, 0)
	h := newAppHarness(t, start)
	h.do(start.Add(time.Hour), "accept", ApplicationAction{Action: ActAccept, Actor: appOfficer})
	h.do(appAt(2026, 3, 10, 8, 30), "past-date", ApplicationAction{Action: ActDraftApology, Actor: appOfficer, Reason: "Muộn", NewDue: appPtr(appAt(2026, 3, 9, 12, 0))})
	h.do(appAt(2026, 3, 10, 9, 0), "draft", ApplicationAction{Action: ActDraftApology, Actor: appOfficer, Reason: "Chờ xác minh liên thông", NewDue: appPtr(appAt(2026, 3, 20, 9, 0))})
	h.do(appAt(2026, 3, 10, 9, 30), "approve-by-officer", ApplicationAction{Action: ActApproveApology, Actor: appOfficer})
	h.do(appAt(2026, 3, 10, 10, 0), "approve-apology", ApplicationAction{Action: ActApproveApology, Actor: appLeader})
	h.do(appAt(2026, 3, 10, 11, 0), "forward", ApplicationAction{Action: ActForward, Actor: appOfficer})
	h.do(appAt(2026, 3, 10, 12, 0), "approve", ApplicationAction{Action: ActApprove, Actor: appLeader})
	h.do(appAt(2026, 3, 10, 14, 0), "issue", ApplicationAction{Action: ActIssueResult, Actor: appOfficer})
	h.do(appAt(2026, 3, 10, 15, 0), "return", ApplicationAction{Action: ActReturnResult, Actor: appOfficer, Method: "in_person"})
	v := h.run()
	h.ok("accept", "draft", "approve-apology", "forward", "approve", "issue", "return")
	h.fails("past-date", cds.EINVALID)
	h.fails("approve-by-officer", cds.EFORBIDDEN)
	if od := h.record("overdue"); !od.At.Equal(appAt(2026, 3, 9, 9, 0)) {
		t.Errorf("overdue record %+v", od)
	}
	ap := h.record(ActApproveApology)
	if ap.Case.Overdue || ap.Case.DueAt == nil || !ap.Case.DueAt.Equal(appAt(2026, 3, 20, 9, 0)) || ap.Forms["form04"] == nil {
		t.Errorf("approved apology record %+v", ap)
	}
	if v.Overdue || v.Timeliness == "late" {
		t.Errorf("view after an approved apology %+v", v)
	}
	// From application-overdue-notices the overdue dossier tells the agency's
	// leaders and the one-stop coordinator (TTPVHCC).
	var got []string
	for _, n := range h.staff {
		got = append(got, n.Kind+"@"+n.Agency+"/"+strings.Join(n.Roles, "+"))
	}
	if strings.Join(got, ",") != "application.overdue@P-THUCPHAN/leader,application.overdue@TTPVHCC/coordinator" {
		t.Errorf("overdue notices %v", got)
	}
	h.checkTasks()
}

func TestApplicationFeeWaitsForSignal(t *testing.T) {
	start := appAt(2026, 3, 2, 8, 0)
	h := newAppHarness(t, start)
	h.do(start.Add(time.Hour), "accept", ApplicationAction{Action: ActAccept, Actor: appOfficer})
	h.do(start.Add(2*time.Hour), "fee-zero", ApplicationAction{Action: ActRequestFee, Actor: appOfficer, Amount: 0})
	h.do(start.Add(2*time.Hour), "fee", ApplicationAction{Action: ActRequestFee, Actor: appOfficer, Amount: 100000})
	h.do(start.Add(3*time.Hour), "forward-unpaid", ApplicationAction{Action: ActForward, Actor: appOfficer})
	h.env.RegisterDelayedCallback(func() {
		h.env.SignalWorkflow(SignalFeePaid, FeePaid{PaymentID: "PAY-1", Amount: 100000, PaidAt: start.Add(4 * time.Hour)})
	}, 4*time.Hour)
	h.do(start.Add(5*time.Hour), "forward", ApplicationAction{Action: ActForward, Actor: appOfficer})
	h.do(start.Add(6*time.Hour), "withdraw", ApplicationAction{Action: ActWithdraw, Actor: appCitizen, Reason: "Thôi"})
	h.run()
	h.ok("accept", "fee", "forward", "withdraw")
	h.fails("fee-zero", cds.EINVALID)
	h.fails("forward-unpaid", cds.ECONFLICT)
	appEqStatuses(t, h.statuses(), cds.AppReceiving, cds.AppNew, cds.AppPaying, cds.AppNew, cds.AppProcessing, cds.AppCancelled)
	if fee := h.record(ActRequestFee); fee.Case.FeeDue != 100000 {
		t.Errorf("fee_due %d", fee.Case.FeeDue)
	}
	paid := h.record("fee_paid")
	if paid.Case.FeeDue != 0 || paid.Case.PaymentID != "PAY-1" || paid.Case.FeePaidAt == nil {
		t.Errorf("paid record %+v", paid.Case)
	}
	h.checkTasks()
}

func TestApplicationFeeMarkPaidByStaff(t *testing.T) {
	start := appAt(2026, 3, 2, 8, 0)
	h := newAppHarness(t, start)
	h.do(start.Add(time.Hour), "accept", ApplicationAction{Action: ActAccept, Actor: appOfficer})
	h.do(start.Add(2*time.Hour), "forward", ApplicationAction{Action: ActForward, Actor: appOfficer})
	h.do(start.Add(3*time.Hour), "fee", ApplicationAction{Action: ActRequestFee, Actor: appOfficer, Amount: 75000})
	h.do(start.Add(4*time.Hour), "paid-by-citizen", ApplicationAction{Action: ActMarkPaid, Actor: appCitizen})
	h.do(start.Add(5*time.Hour), "paid", ApplicationAction{Action: ActMarkPaid, Actor: appOfficer, PaymentID: "BIEN-LAI-01"})
	h.do(start.Add(6*time.Hour), "paid-again", ApplicationAction{Action: ActMarkPaid, Actor: appOfficer})
	h.do(start.Add(7*time.Hour), "withdraw", ApplicationAction{Action: ActWithdraw, Actor: appCitizen, Reason: "Thôi"})
	h.run()
	h.ok("accept", "forward", "fee", "paid", "withdraw")
	h.fails("paid-by-citizen", cds.EFORBIDDEN)
	h.fails("paid-again", cds.ECONFLICT)
	appEqStatuses(t, h.statuses(), cds.AppReceiving, cds.AppNew, cds.AppProcessing, cds.AppPaying, cds.AppProcessing, cds.AppCancelled)
	h.checkTasks()
}

func TestApplicationReturnToPreviousStep(t *testing.T) {
	start := appAt(2026, 3, 2, 8, 0)
	h := newAppHarness(t, start)
	h.do(start.Add(time.Hour), "accept", ApplicationAction{Action: ActAccept, Actor: appOfficer})
	h.do(start.Add(2*time.Hour), "return-from-first", ApplicationAction{Action: ActReturn, Actor: appOfficer, Reason: "x"})
	h.do(start.Add(3*time.Hour), "forward", ApplicationAction{Action: ActForward, Actor: appOfficer})
	h.do(start.Add(4*time.Hour), "return", ApplicationAction{Action: ActReturn, Actor: appLeader, Reason: "Cần thẩm định lại"})
	h.do(start.Add(5*time.Hour), "forward-again", ApplicationAction{Action: ActForward, Actor: appOfficer})
	h.do(start.Add(6*time.Hour), "stop-by-officer", ApplicationAction{Action: ActStop, Actor: appOfficer, Reason: "x"})
	h.do(start.Add(7*time.Hour), "stop", ApplicationAction{Action: ActStop, Actor: appLeader, Reason: "Dừng theo đề nghị"})
	h.run()
	h.ok("accept", "forward", "return", "forward-again", "stop")
	h.fails("return-from-first", cds.ECONFLICT)
	h.fails("stop-by-officer", cds.EFORBIDDEN)
	ret := h.record(ActReturn)
	if ret.Detail["from_step"] != "leader" || ret.Detail["to_step"] != "specialist" || ret.Detail["result"] != "returned" {
		t.Errorf("return record %+v", ret.Detail)
	}
	h.checkTasks()
}

func appPtr[T any](v T) *T { return &v }

// appTime reads a time from a record detail (times arrive as RFC 3339 strings
// after the activity payload round trip).
func appTime(v any) time.Time {
	switch x := v.(type) {
	case time.Time:
		return x
	case string:
		t, _ := time.Parse(time.RFC3339Nano, x)
		return t
	}
	return time.Time{}
}

// A procedure withdrawn from the catalogue between submission and intake:
// the dossier keeps the version it was submitted under.
func TestApplicationAcceptKeepsSubmittedVersionWhenWithdrawn(t *testing.T) {
	start := appAt(2026, 3, 2, 8, 0)
	h := newAppHarness(t, start)
	h.procErr = temporal.NewNonRetryableApplicationError("gone", cds.ENOTFOUND, nil)
	h.do(start.Add(time.Hour), "accept", ApplicationAction{Action: ActAccept, Actor: appOfficer})
	h.do(start.Add(2*time.Hour), "withdraw", ApplicationAction{Action: ActWithdraw, Actor: appCitizen, Reason: "x"})
	h.run()
	h.ok("accept", "withdraw")
	if acc := h.record(ActAccept); acc.Case.ProcedureVersion != 1 || !acc.Case.DueAt.Equal(appAt(2026, 3, 9, 9, 0)) {
		t.Errorf("accepted %+v", acc.Case)
	}
}

// Dossiers started before "application-local-writes" (DefaultVersion) keep
// their read-model writes, procedure lookup and outbox enqueues as regular
// activities; at version 1 they all run as local activities; from version 2
// (appDurableNotices) the notices are regular activities again, scheduled
// from the durable history (outbox.go), and the writes stay local. Every
// version writes the same records.
func TestApplicationLocalWritesVersions(t *testing.T) {
	// where each activity runs, by version: a hand-written table
	type kinds struct {
		record, lookup, notify string
		notifies, batches      int // Notify runs; EnqueueNotices runs (as regular)
	}
	for _, c := range []struct {
		v    workflow.Version
		want kinds
	}{
		{workflow.DefaultVersion, kinds{"regular", "regular", "regular", 2, 0}},
		{appLocalWrites, kinds{"local", "local", "local", 2, 0}},
		{appDurableNotices, kinds{"local", "local", "regular", 2, 0}},
		// The answers of accept and stop carry their notices (the harness
		// takes them as cases does); the closing workflow queues what it
		// held in one regular EnqueueNotices.
		{appAnswerNotices, kinds{"local", "local", "regular", 0, 1}},
	} {
		t.Run(fmt.Sprintf("v%d", c.v), func(t *testing.T) {
			start := appAt(2026, 3, 2, 8, 0)
			h := newAppHarness(t, start)
			h.env.OnGetVersion(appLocalWritesChange, workflow.DefaultVersion, appStepRecords).Return(c.v)
			h.env.OnGetVersion(appHandoffChange, workflow.DefaultVersion, appStepPlans).Return(appHandoff) // the lookups one by one
			ran := ranAs(h.env)
			h.do(start.Add(time.Hour), "accept", ApplicationAction{Action: ActAccept, Actor: appOfficer})
			h.do(start.Add(2*time.Hour), "stop", ApplicationAction{Action: ActStop, Actor: appLeader, Reason: "Dừng thử"})
			h.run()
			h.ok("accept", "stop")
			appEqStatuses(t, h.statuses(), cds.AppReceiving, cds.AppNew, cds.AppUnresolved)
			// submit, accept, stop: three records; accept and stop notify.
			checkRanAs(t, c.v, ran, []ranWant{{"RecordApplication", c.want.record, 3}, {"ApplicationProcedureAt", c.want.lookup, 1},
				{"Notify", c.want.notify, c.want.notifies}, {"EnqueueNotices", "regular", c.want.batches}})
			var got []string
			for _, n := range h.notes {
				got = append(got, n.Kind)
			}
			if fmt.Sprint(got) != "[application.accepted application.stopped]" {
				t.Errorf("v%d: citizen notices %v", c.v, got)
			}
		})
	}
}

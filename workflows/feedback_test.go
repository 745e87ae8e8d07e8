package workflows

import (
	"context"
	"errors"
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

var vn = cds.VietnamTZ

type fbResult struct {
	name string
	err  error
	view FeedbackView
}

// fbHarness runs one FeedbackCase in the test environment with the read
// model, routing and notifications mocked and the real calendar activities.
type fbHarness struct {
	t       *testing.T
	env     *testsuite.TestWorkflowEnvironment
	events  []activities.FeedbackEvent
	notes   []activities.NotifyInput
	staff   []activities.StaffNotice
	results []fbResult
	route   string
	sink    noticeSink
	// dropAnswers: the notices of the answers are lost (the API died
	// holding them).
	dropAnswers bool
	// planFails, when set, may fail the intake plan (a database outage).
	planFails func(try int) error
	planTries int
}

const citizenID = 100

var (
	citizen   = cds.Actor{UserID: citizenID, Name: "Nguyễn Văn An", Roles: []cds.Role{cds.RoleCitizen}}
	officer   = cds.Actor{UserID: 201, Name: "Cán bộ A", AgencyCode: "SXD", Roles: []cds.Role{cds.RoleOfficer}}
	leader    = cds.Actor{UserID: 202, Name: "Lãnh đạo B", AgencyCode: "SXD", Roles: []cds.Role{cds.RoleLeader}}
	coord     = cds.Actor{UserID: 203, Name: "Điều phối C", AgencyCode: "TTPVHCC", Roles: []cds.Role{cds.RoleCoordinator}}
	assignSXD = FeedbackAction{Actor: leader, AssigneeID: 201, AssigneeName: "Cán bộ A", AssigneeAgency: "SXD"}
)

func newFB(t *testing.T, start time.Time) *fbHarness {
	var s testsuite.WorkflowTestSuite
	h := &fbHarness{t: t, env: s.NewTestWorkflowEnvironment(), route: "SXD"}
	h.env.SetStartTime(start)
	h.env.SetTestTimeout(30 * time.Second)
	a := &activities.Activities{}
	a.UseCalendar(worktime.MustDefault())
	h.env.RegisterActivityWithOptions(a, activity.RegisterOptions{SkipInvalidStructFunctions: true})
	h.env.RegisterWorkflowWithOptions(FeedbackCase, workflow.RegisterOptions{Name: FeedbackWorkflowName})
	h.env.OnActivity(acts.RecordFeedback, mock.Anything, mock.Anything).Return(func(_ context.Context, ev activities.FeedbackEvent) error {
		h.events = append(h.events, ev)
		return nil
	})
	h.sink = noticeSink{citizen: func(n activities.NotifyInput) { h.notes = append(h.notes, n) },
		staff: func(n activities.StaffNotice) { h.staff = append(h.staff, n) }}
	h.sink.mock(h.env)
	h.env.OnActivity(acts.RouteFeedback, mock.Anything, mock.Anything).Return(func(_ context.Context, in activities.RouteInput) (string, error) {
		return h.route, nil // cases started before fbIntakePlan
	})
	h.env.OnActivity(acts.PlanFeedbackIntake, mock.Anything, mock.Anything).Return(func(ctx context.Context, in activities.FeedbackIntakeInput) (activities.FeedbackIntakePlan, error) {
		h.planTries++
		if h.planFails != nil {
			if err := h.planFails(h.planTries); err != nil {
				return activities.FeedbackIntakePlan{}, err
			}
		}
		return a.PlanFeedbackTimes(ctx, in, h.route)
	})
	h.env.OnActivity(acts.RecordFeedbackEvents, mock.Anything, mock.Anything).Return(func(_ context.Context, evs []activities.FeedbackEvent) error {
		h.events = append(h.events, evs...)
		return nil
	})
	return h
}

// at sends update name with payload a, d after the start.
func (h *fbHarness) at(d time.Duration, name string, a FeedbackAction) {
	h.env.RegisterDelayedCallback(func() {
		h.env.UpdateWorkflow(name, "", &testsuite.TestUpdateCallback{
			OnAccept: func() {},
			OnReject: func(err error) { h.results = append(h.results, fbResult{name: name, err: err}) },
			OnComplete: func(v any, err error) {
				r := fbResult{name: name, err: err}
				if fv, ok := v.(FeedbackView); ok {
					if !h.dropAnswers {
						h.sink.answered(fv.Notices)
					}
					fv.Notices = nil
					r.view = fv
				}
				h.results = append(h.results, r)
			},
		}, a)
	}, d)
}

func (h *fbHarness) run(in FeedbackInput) FeedbackView {
	h.t.Helper()
	h.env.ExecuteWorkflow(FeedbackWorkflowName, in)
	if !h.env.IsWorkflowCompleted() {
		h.t.Fatal("workflow did not complete")
	}
	if err := h.env.GetWorkflowError(); err != nil {
		h.t.Fatalf("workflow error: %v", err)
	}
	var v FeedbackView
	if err := h.env.GetWorkflowResult(&v); err != nil {
		h.t.Fatal(err)
	}
	return v
}

func (h *fbHarness) statuses() string {
	var out []string
	for _, e := range h.events {
		if e.From != e.To {
			out = append(out, e.To)
		}
	}
	return strings.Join(out, ",")
}

func (h *fbHarness) event(action string) activities.FeedbackEvent {
	h.t.Helper()
	for _, e := range h.events {
		if e.Action == action {
			return e
		}
	}
	h.t.Fatalf("no %q event in %s", action, h.statuses())
	return activities.FeedbackEvent{}
}

func (h *fbHarness) wantOK() {
	h.t.Helper()
	for _, r := range h.results {
		if r.err != nil {
			h.t.Errorf("update %s failed: %v", r.name, r.err)
		}
	}
}

func input(urgent bool) FeedbackInput {
	return FeedbackInput{CitizenName: citizen.Name, FeedbackReport: activities.FeedbackReport{Code: "PA-2026-000001", CitizenID: citizenID, Title: "Ổ gà trên đường",
		Content: "Ổ gà lớn trước số 12", Category: "traffic", Urgent: urgent,
		Location: cds.Location{Lat: 22.66, Lng: 106.26, CommuneCode: "P-THUCPHAN"}},
		SLA: FeedbackSLA{AcceptHours: 8, AnswerHours: 120}}
}

func TestFeedbackFullPathEveryTransition(t *testing.T) {
	start := time.Date(2026, 3, 2, 8, 0, 0, 0, vn) // Monday
	h := newFB(t, start)
	h.at(0, FeedbackUpdateSubmitted, FeedbackAction{})
	h.at(1*time.Hour, FBActAccept, FeedbackAction{Actor: officer})
	h.at(2*time.Hour, FBActAssign, assignSXD)
	h.at(3*time.Hour, FBActStart, FeedbackAction{Actor: officer})
	h.at(4*time.Hour, FBActRequestInfo, FeedbackAction{Actor: officer, Note: "Xin vị trí chính xác"})
	h.at(28*time.Hour, FBActReplyInfo, FeedbackAction{Actor: citizen, Note: "Trước số 12 Hoàng Đình Giong"})
	h.at(29*time.Hour, FBActDraftAnswer, FeedbackAction{Actor: officer, Answer: "Sẽ vá trong tuần"})
	h.at(30*time.Hour, FBActReturnDraft, FeedbackAction{Actor: leader, Note: "Ghi rõ ngày"})
	h.at(31*time.Hour, FBActDraftAnswer, FeedbackAction{Actor: officer, Answer: "Đã vá ngày 05/3"})
	h.at(32*time.Hour, FBActApproveAnswer, FeedbackAction{Actor: leader})
	h.at(33*time.Hour, FBActRate, FeedbackAction{Actor: citizen, Score: 5, Note: "Cảm ơn"})
	v := h.run(input(false))
	h.wantOK()
	want := "submitted,routed,accepted,assigned,in_progress,awaiting_info,in_progress,answer_drafted,in_progress,answer_drafted,answer_approved,published,rated,closed"
	if got := h.statuses(); got != want {
		t.Fatalf("statuses\n got %s\nwant %s", got, want)
	}
	if v.Status != FBClosed || v.AgencyCode != "SXD" || v.AssigneeID != 201 {
		t.Fatalf("final view %+v", v)
	}
	if h.results[0].name != FeedbackUpdateSubmitted || h.results[0].view.Status != FBRouted || h.results[0].view.DueAt.IsZero() {
		t.Fatalf("submitted update returned %+v", h.results[0])
	}
	// Seqs are dense, tasks are closed by the step that opens the next.
	open := ""
	for i, e := range h.events {
		if e.Seq != i+1 {
			t.Fatalf("event %d has seq %d", i, e.Seq)
		}
		if e.From != e.To && e.CloseTask != open {
			t.Fatalf("event %s closes %q, open task was %q", e.Action, e.CloseTask, open)
		}
		if e.From != e.To {
			open = ""
			if e.OpenTask != nil {
				open = e.OpenTask.StepKey
			}
		}
	}
	if tk := h.event("route").OpenTask; tk == nil || tk.Action != "accept" || tk.Agency != "SXD" || !tk.DueAt.Equal(time.Date(2026, 3, 3, 8, 0, 0, 0, vn)) {
		t.Fatalf("accept task %+v (8 working hours from Mon 08:00 is Tue 08:00)", tk)
	}
	if h.event("request_info").InfoRequest == nil || *h.event("reply_info").InfoReply == "" || h.event("approve_answer").AnswerBy != leader.Name {
		t.Fatal("detail fields missing")
	}
	if !h.event("publish").Finished || !h.event("publish").Published || h.event("rate").Rating != 5 || !h.event("close").Closed {
		t.Fatal("publish/rate/close flags missing")
	}
	// The citizen hears of every public step once, with dedupe key wf/seq/user.
	var kinds []string
	seen := map[string]bool{}
	for _, n := range h.notes {
		if seen[n.DedupeKey] {
			t.Fatalf("duplicate notification %s", n.DedupeKey)
		}
		seen[n.DedupeKey] = true
		if n.UserID != citizenID {
			t.Fatalf("notification to %d", n.UserID)
		}
		kinds = append(kinds, strings.TrimPrefix(n.Kind, "feedback."))
	}
	if got := strings.Join(kinds, ","); got != "routed,accepted,in_progress,awaiting_info,published,closed" {
		t.Fatalf("citizen notifications: %s", got)
	}
}

func TestFeedbackInvalidTransitionsAreRejected(t *testing.T) {
	h := newFB(t, time.Date(2026, 3, 2, 8, 0, 0, 0, vn))
	// In state routed only accept, transfer, not_ours, reject, mark_duplicate and withdraw fit.
	bad := []string{FBActAssign, FBActStart, FBActRequestInfo, FBActReplyInfo, FBActDraftAnswer, FBActApproveAnswer, FBActReturnDraft, FBActClose, FBActRate}
	for i, a := range bad {
		h.at(time.Duration(i+1)*time.Minute, a, FeedbackAction{Actor: citizen, Note: "x", Answer: "x", Score: 3, AssigneeID: 1, AssigneeAgency: "SXD"})
	}
	// Data checks: a transfer to the same agency, a reject without a note,
	// a withdraw by someone else, a duplicate of itself.
	h.at(20*time.Minute, FBActTransfer, FeedbackAction{Actor: coord, AgencyCode: "SXD"})
	h.at(21*time.Minute, FBActReject, FeedbackAction{Actor: leader})
	h.at(22*time.Minute, FBActWithdraw, FeedbackAction{Actor: officer})
	h.at(23*time.Minute, FBActMarkDuplicate, FeedbackAction{Actor: leader, OriginalCode: "PA-2026-000001"})
	h.at(30*time.Minute, FBActAccept, FeedbackAction{Actor: officer})
	h.at(31*time.Minute, FBActAccept, FeedbackAction{Actor: officer})                                        // twice: now accepted
	h.at(32*time.Minute, FBActAssign, FeedbackAction{Actor: leader, AssigneeID: 9, AssigneeAgency: "SNNMT"}) // wrong agency
	h.at(40*time.Minute, FBActWithdraw, FeedbackAction{Actor: citizen, Note: "Đã tự khắc phục"})             // ok
	h.at(41*time.Minute, FBActAccept, FeedbackAction{Actor: officer})                                        // terminal
	v := h.run(input(false))
	if v.Status != FBWithdrawn {
		t.Fatalf("final %s", v.Status)
	}
	wantErr := map[int]string{}
	for i := range bad {
		wantErr[i] = ConflictError
	}
	wantErr[len(bad)], wantErr[len(bad)+1], wantErr[len(bad)+2], wantErr[len(bad)+3] = "EINVALID", "EINVALID", ConflictError, "EINVALID"
	wantErr[len(bad)+4] = ""
	wantErr[len(bad)+5] = ConflictError
	wantErr[len(bad)+6] = "EINVALID"
	wantErr[len(bad)+7] = ""
	if len(h.results) < len(wantErr) {
		t.Fatalf("%d results, want %d", len(h.results), len(wantErr))
	}
	for i := 0; i < len(wantErr); i++ {
		r := h.results[i]
		var ae *temporal.ApplicationError
		got := ""
		if errors.As(r.err, &ae) {
			got = ae.Type()
		} else if r.err != nil {
			got = r.err.Error()
		}
		if got != wantErr[i] {
			t.Errorf("result %d (%s): error %q, want %q", i, r.name, got, wantErr[i])
		}
	}
	if got := h.statuses(); got != "submitted,routed,accepted,withdrawn" {
		t.Fatalf("rejected updates must leave no trace: %s", got)
	}
}

func TestFeedbackInvalidAfterPublication(t *testing.T) {
	h := newFB(t, time.Date(2026, 3, 2, 8, 0, 0, 0, vn))
	h.at(time.Minute, FBActAccept, FeedbackAction{Actor: officer})
	h.at(2*time.Minute, FBActAssign, assignSXD)
	h.at(3*time.Minute, FBActDraftAnswer, FeedbackAction{Actor: officer, Answer: "Đã xử lý"})
	h.at(4*time.Minute, FBActApproveAnswer, FeedbackAction{Actor: leader})
	for i, a := range []string{FBActAccept, FBActTransfer, FBActReject, FBActWithdraw, FBActRequestInfo, FBActApproveAnswer} {
		h.at(time.Duration(10+i)*time.Minute, a, FeedbackAction{Actor: citizen, Note: "x", AgencyCode: "SYT"})
	}
	h.at(20*time.Minute, FBActRate, FeedbackAction{Actor: officer, Score: 4}) // not the reporter
	h.at(21*time.Minute, FBActRate, FeedbackAction{Actor: citizen, Score: 9}) // out of range
	h.at(22*time.Minute, FBActClose, FeedbackAction{Actor: leader})
	v := h.run(input(false))
	if v.Status != FBClosed {
		t.Fatalf("final %s", v.Status)
	}
	errs := 0
	for _, r := range h.results[4:] {
		if r.err != nil {
			errs++
		}
	}
	if errs != 8 || h.results[len(h.results)-1].err != nil {
		t.Fatalf("want 8 refusals then a close; results %+v", h.results[4:])
	}
	if got := h.statuses(); got != "submitted,routed,accepted,assigned,answer_drafted,answer_approved,published,closed" {
		t.Fatal(got)
	}
}

func TestFeedbackClockPausesWhileAwaitingInfo(t *testing.T) {
	start := time.Date(2026, 3, 2, 8, 0, 0, 0, vn) // Mon; no holiday in March 2026
	h := newFB(t, start)
	h.at(30*time.Minute, FBActAccept, FeedbackAction{Actor: officer})
	h.at(time.Hour, FBActAssign, assignSXD)
	h.at(2*time.Hour, FBActRequestInfo, FeedbackAction{Actor: officer, Note: "Ảnh rõ hơn"}) // Mon 10:00: 2h used
	h.at(50*time.Hour, FBActReplyInfo, FeedbackAction{Actor: citizen, Note: "Đã gửi"})      // Wed 10:00
	h.at(51*time.Hour, FBActWithdraw, FeedbackAction{Actor: citizen})
	h.run(input(false))
	h.wantOK()
	due0 := h.event("route").DueAt
	if want := time.Date(2026, 3, 23, 8, 0, 0, 0, vn); !due0.Equal(want) {
		t.Fatalf("initial due %s, want %s (15 working days)", due0, want)
	}
	due1 := h.event("reply_info").DueAt
	if want := time.Date(2026, 3, 25, 8, 0, 0, 0, vn); !due1.Equal(want) {
		t.Fatalf("due after the pause %s, want %s (moved by the 2 paused working days)", due1, want)
	}
	for _, e := range h.events {
		if e.Action == "overdue" || e.Action == "reminder" {
			t.Fatalf("unexpected %s", e.Action)
		}
	}
}

// An urgent report filed on the Friday before Tết 2026 (holidays 16–20/2):
// the 4 working hours run 1h on Friday and 3h on Monday 23/2.
func TestFeedbackReminderAndOverdueAcrossTet(t *testing.T) {
	start := time.Date(2026, 2, 13, 16, 0, 0, 0, vn)
	h := newFB(t, start)
	h.at(10*time.Minute, FBActAccept, FeedbackAction{Actor: officer})
	h.at(20*time.Minute, FBActAssign, assignSXD)
	due := time.Date(2026, 2, 23, 10, 0, 0, 0, vn)
	h.at(due.Sub(start)+time.Hour, FBActDraftAnswer, FeedbackAction{Actor: officer, Answer: "Đã khắc phục"})
	h.at(due.Sub(start)+2*time.Hour, FBActApproveAnswer, FeedbackAction{Actor: leader})
	h.at(due.Sub(start)+3*time.Hour, FBActRate, FeedbackAction{Actor: citizen, Score: 3})
	in := input(true)
	in.SLA = FeedbackSLA{AcceptHours: 2, AnswerHours: 4}
	h.run(in)
	h.wantOK()
	if got := h.event("route").DueAt; !got.Equal(due) {
		t.Fatalf("due %s, want %s", got, due)
	}
	rem := h.event("reminder")
	if want := time.Date(2026, 2, 23, 9, 0, 0, 0, vn); !rem.At.Equal(want) {
		t.Fatalf("reminder at %s, want %s (75%% of 4h)", rem.At, want)
	}
	var toAssignee bool
	for _, n := range h.notes {
		if n.UserID == 201 && n.Kind == "feedback.reminder" {
			toAssignee = true
		}
	}
	if !toAssignee {
		t.Fatal("no reminder to the assignee")
	}
	od := h.event("overdue")
	if !od.At.Equal(due) || !od.Overdue || od.Public {
		t.Fatalf("overdue event %+v", od)
	}
	var leaderN, coordN bool
	for _, s := range h.staff {
		if s.Kind == "feedback.overdue" && s.Agency == "SXD" && s.Roles[0] == "leader" {
			leaderN = true
		}
		if s.Kind == "feedback.overdue" && s.Agency == CoordinatorAgency && s.Roles[0] == "coordinator" {
			coordN = true
		}
	}
	if !leaderN || !coordN {
		t.Fatalf("escalation notices %+v", h.staff)
	}
	// Later events carry the flag; the task opened after it is overdue too.
	if ev := h.event("draft_answer"); !ev.Overdue || ev.OpenTask == nil || !ev.OpenTask.Overdue {
		t.Fatalf("draft after overdue %+v", ev)
	}
	if ev := h.event("publish"); !ev.Finished || !ev.Overdue {
		t.Fatalf("publish must be finished and late: %+v", ev)
	}
}

func TestFeedbackAcceptDeadlineEscalates(t *testing.T) {
	start := time.Date(2026, 4, 29, 15, 0, 0, 0, vn) // Wed before 30/4–1/5
	h := newFB(t, start)
	acceptDue := time.Date(2026, 5, 4, 15, 0, 0, 0, vn) // 2h Wed + 4.5h + 1.5h on Mon 4/5
	h.at(acceptDue.Sub(start)+time.Hour, FBActAccept, FeedbackAction{Actor: officer})
	h.at(acceptDue.Sub(start)+2*time.Hour, FBActWithdraw, FeedbackAction{Actor: citizen})
	h.run(input(false))
	h.wantOK()
	ev := h.event("accept_overdue")
	if !ev.At.Equal(acceptDue) {
		t.Fatalf("accept escalation at %s, want %s", ev.At, acceptDue)
	}
	if len(h.staff) == 0 || h.staff[0].Kind != "feedback.accept_overdue" {
		t.Fatalf("staff notices %+v", h.staff)
	}
}

func TestFeedbackNotOursTransferAndDuplicate(t *testing.T) {
	h := newFB(t, time.Date(2026, 3, 2, 8, 0, 0, 0, vn))
	h.at(time.Minute, FBActAccept, FeedbackAction{Actor: officer})
	h.at(2*time.Minute, FBActNotOurs, FeedbackAction{Actor: leader, Note: "Thuộc ngành môi trường"})
	h.at(3*time.Minute, FBActTransfer, FeedbackAction{Actor: coord, AgencyCode: "SNNMT", Note: "Chuyển Sở NN&MT"})
	h.at(4*time.Minute, FBActAssign, FeedbackAction{Actor: leader, AssigneeID: 201, AssigneeAgency: "SXD"}) // not accepted yet
	h.at(5*time.Minute, FBActMarkDuplicate, FeedbackAction{Actor: leader, OriginalCode: "PA-2026-000000"})
	v := h.run(input(false))
	if got := h.statuses(); got != "submitted,routed,accepted,transferred,routed,duplicate" {
		t.Fatal(got)
	}
	if v.Status != FBDuplicate || v.DuplicateOf != "PA-2026-000000" || v.AgencyCode != "SNNMT" {
		t.Fatalf("view %+v", v)
	}
	no := h.event(FBActNotOurs)
	if no.AgencyCode != CoordinatorAgency || no.OpenTask == nil || no.OpenTask.Action != "route" || no.OpenTask.Role != "coordinator" {
		t.Fatalf("not_ours %+v", no)
	}
	tr := h.event(FBActTransfer)
	if tr.AgencyCode != "SNNMT" || tr.OpenTask == nil || tr.OpenTask.Agency != "SNNMT" || tr.Detail["from_agency"] != CoordinatorAgency {
		t.Fatalf("transfer %+v", tr)
	}
	if d := h.event(FBActMarkDuplicate); d.DuplicateOf != "PA-2026-000000" || !d.Closed || d.OpenTask != nil || d.CloseTask == "" {
		t.Fatalf("duplicate %+v", d)
	}
	if h.results[3].err == nil {
		t.Fatal("assign before accept must be refused")
	}
}

func TestFeedbackRejectAndAutoClose(t *testing.T) {
	h := newFB(t, time.Date(2026, 3, 2, 8, 0, 0, 0, vn))
	h.at(time.Minute, FBActReject, FeedbackAction{Actor: leader, Note: "Nội dung không phải phản ánh"})
	v := h.run(input(false))
	if v.Status != FBRejected || !h.event(FBActReject).Finished {
		t.Fatalf("reject: %+v", v)
	}

	h = newFB(t, time.Date(2026, 3, 2, 8, 0, 0, 0, vn))
	h.at(time.Minute, FBActAccept, FeedbackAction{Actor: officer})
	h.at(2*time.Minute, FBActAssign, assignSXD)
	h.at(3*time.Minute, FBActDraftAnswer, FeedbackAction{Actor: officer, Answer: "Xong"})
	h.at(4*time.Minute, FBActApproveAnswer, FeedbackAction{Actor: leader})
	in := input(false)
	in.SLA.AutoCloseHours = 48
	in.SLA.ComplaintDays = 1 // the case stays open while a complaint is possible; here 1 day < 48 h
	v = h.run(in)
	h.wantOK()
	ac := h.event("auto_close")
	if v.Status != FBClosed || ac.At.Sub(h.event("publish").At) != 48*time.Hour {
		t.Fatalf("auto close %+v at %s", v, ac.At)
	}
}

func TestFeedbackScaledSLAUsesWallClock(t *testing.T) {
	start := time.Date(2026, 3, 7, 22, 0, 0, 0, vn) // Saturday night: no working time at all
	h := newFB(t, start)
	h.at(time.Minute, FBActAccept, FeedbackAction{Actor: officer})
	h.at(time.Hour, FBActWithdraw, FeedbackAction{Actor: citizen})
	in := input(false)
	in.SLA.Scale = 3600 // 120 working hours → 120 s
	h.run(in)
	h.wantOK()
	if due := h.event("route").DueAt; due.Sub(start) != 120*time.Second {
		t.Fatalf("scaled due %s after start", due.Sub(start))
	}
	if od := h.event("overdue"); od.At.Sub(start) != 120*time.Second {
		t.Fatalf("overdue at %s", od.At.Sub(start))
	}
}

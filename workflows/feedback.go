package workflows

import (
	"fmt"
	"time"

	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	cds "github.com/caobang/congdanso"
	"github.com/caobang/congdanso/activities"
	"github.com/caobang/congdanso/worktime"
)

func init() {
	register(func(w worker.Registry) {
		w.RegisterWorkflowWithOptions(FeedbackCase, workflow.RegisterOptions{Name: FeedbackWorkflowName})
	})
}

// feedbackCase is the state of one running case; FeedbackCase hands the work
// to it (setup registers the handlers, run drives the deadlines).
type feedbackCase struct {
	in       FeedbackInput
	wfID     string
	received time.Time
	status   string
	agency   string
	assignee int64
	seq      int
	task     string // step key of the open task, "" when none

	clock     worktime.Clock
	due       time.Time
	mark      time.Time
	acceptDue time.Time
	closeAt   time.Time
	acceptEsc bool
	reminded  bool
	overdue   bool
	dupOf     string

	// fbInfoDeadline: the citizen's deadline, whether they were reminded, and
	// when the waiting case closes.
	infoV        workflow.Version
	infoDue      time.Time
	infoReminded bool
	infoCloseAt  time.Time
	// fbComplaint: who approved the last answer, until when the citizen may
	// complain, times reopened.
	complaintV     workflow.Version
	approver       int64
	complaintUntil time.Time
	reopened       int
	// fbClockStart: the answer clock waits for acceptance.
	clockV       workflow.Version
	clockWaiting bool

	ready   bool             // the routed step is in the read model (the 201 may go out)
	v       workflow.Version // fbLocalWrites and later: writes run as local activities
	out     outbox           // fbDurableNotices and later: the notices (outbox.go)
	version int              // bumped by each transition; wakes the deadline loop
	timer   deadlineTimer    // fbKeepTimer: the next deadline's timer, kept while it stands
	pending int              // handlers between their state change and their last write (before fbHandlerLock)
	lockV   workflow.Version // fbHandlerLock and later: transitions run one at a time under ser
	ser     serial
}

// FeedbackCase is one feedback report from submission to closure.
func FeedbackCase(ctx workflow.Context, in FeedbackInput) (FeedbackView, error) {
	w := &feedbackCase{in: in, wfID: workflow.GetInfo(ctx).WorkflowExecution.ID}
	if err := w.setup(ctx); err != nil {
		return FeedbackView{}, err
	}
	// Histories recorded before the change ran the writes as regular
	// activities and replay as DefaultVersion.
	w.v = workflow.GetVersion(ctx, fbLocalWritesChange, workflow.DefaultVersion, fbKeepTimer)
	if w.v >= fbDurableNotices {
		w.out.start(ctx)
	}
	if w.v >= fbAnswerNotices {
		w.out.hold(ctx)
	}
	if w.v >= fbIntakePlan {
		// One version marker per case: the older change ids are implied.
		w.lockV, w.infoV, w.complaintV, w.clockV = fbHandlerLock, fbInfoDeadline, fbComplaint, fbClockStart
		return w.run(ctx)
	}
	// Cases started before fbHandlerLock keep the pending counter.
	w.lockV = workflow.GetVersion(ctx, fbHandlerLockChange, workflow.DefaultVersion, fbHandlerLock)
	w.infoV = workflow.GetVersion(ctx, fbInfoDeadlineChange, workflow.DefaultVersion, fbInfoDeadline)
	w.complaintV = workflow.GetVersion(ctx, fbComplaintChange, workflow.DefaultVersion, fbComplaint)
	w.clockV = workflow.GetVersion(ctx, fbClockStartChange, workflow.DefaultVersion, fbClockStart)
	return w.run(ctx)
}

func (w *feedbackCase) view() FeedbackView {
	return FeedbackView{Code: w.in.Code, Status: w.status, AgencyCode: w.agency, AssigneeID: w.assignee, DueAt: w.due,
		AcceptDueAt: w.acceptDue, RemindAt: w.mark, ClockPaused: w.clock.Paused(), Overdue: w.overdue,
		Reminded: w.reminded, Seq: w.seq, DuplicateOf: w.dupOf, InfoDueAt: w.infoDueShown(), Reopened: w.reopened}
}

func (w *feedbackCase) setup(ctx workflow.Context) error {
	w.ser = newSerial(ctx)
	if err := workflow.SetQueryHandler(ctx, FeedbackQueryState, func() (FeedbackView, error) { return w.view(), nil }); err != nil {
		return err
	}
	// The submission waits on this update (update-with-start) so the 201
	// carries the routed agency and the due time.
	// From fbAnswerNotices the answers carry the notices (outbox.go); the
	// intake's are held while a submission waits for it.
	if err := workflow.SetUpdateHandler(ctx, FeedbackUpdateSubmitted, func(ctx workflow.Context) (FeedbackView, error) {
		w.out.waiting++
		err := workflow.Await(ctx, func() bool { return w.ready })
		w.out.waiting--
		return w.answer(w.view(), err)
	}); err != nil {
		return err
	}
	for _, name := range sortedKeys(feedbackTransitions) {
		name := name
		err := workflow.SetUpdateHandlerWithOptions(ctx, name,
			func(ctx workflow.Context, a FeedbackAction) (FeedbackView, error) {
				return w.answer(w.act(answering(ctx), name, a))
			},
			workflow.UpdateHandlerOptions{Validator: func(a FeedbackAction) error { return w.validate(name, a) }})
		if err != nil {
			return err
		}
	}
	return nil
}

// answer is an Update's answer: the view and, from fbAnswerNotices, the
// notices held for it.
func (w *feedbackCase) answer(v FeedbackView, err error) (FeedbackView, error) {
	if err == nil {
		v.Notices = w.out.handOut()
	}
	return v, err
}

func sortedKeys(m map[string][]string) []string {
	keys := make([]string, 0, len(m))
	// The keys are sorted below, so the map's random order never reaches
	// workflow logic.
	//workflowcheck:ignore
	for k := range m {
		keys = append(keys, k)
	}
	// insertion sort keeps workflow code free of the sort package's reflection.
	for i := 1; i < len(keys); i++ {
		for j := i; j > 0 && keys[j] < keys[j-1]; j-- {
			keys[j], keys[j-1] = keys[j-1], keys[j]
		}
	}
	return keys
}

// transition is one recorded step: the state change plus the read-model write.
type transition struct {
	actor   cds.Actor
	action  string
	to      string
	note    string
	public  bool
	detail  map[string]any
	mutate  func(ev *activities.FeedbackEvent)
	notify  bool // tell the citizen
	finish  bool // the answer is out (or the case ends without one)
	closeIt bool
	reopen  bool // a new task even if the status stays (re-routing)
}

// apply changes the state synchronously (so a second update sees it) and
// returns the event to write.
func (w *feedbackCase) apply(ctx workflow.Context, t transition) activities.FeedbackEvent {
	from := w.status
	if t.to != "" {
		w.status = t.to
	}
	w.seq++
	w.version++
	ev := activities.FeedbackEvent{
		WorkflowID: w.wfID, Seq: w.seq, At: workflow.Now(ctx), Actor: t.actor, Action: t.action,
		From: from, To: w.status, Note: t.note, Public: t.public, Detail: t.detail,
		Status: w.status, AgencyCode: w.agency, Overdue: w.overdue, Finished: t.finish, Closed: t.closeIt,
		CaseCode: w.in.Code, CaseTitle: w.in.Title, Category: w.in.Category,
	}
	if t.to != "" && (t.to != from || t.reopen) {
		ev.CloseTask = w.task
		w.task = ""
		if tk := w.taskFor(w.status); tk != nil {
			tk.StepKey = fmt.Sprintf("%s-%d", tk.Action, w.seq)
			tk.Overdue = w.overdue
			w.task = tk.StepKey
			ev.OpenTask = tk
		}
	}
	if t.mutate != nil {
		t.mutate(&ev)
	}
	return ev
}

// taskFor is the human task a state waits on (nil when it waits on the
// citizen or nobody), from FeedbackStates.
func (w *feedbackCase) taskFor(status string) *activities.FeedbackTask {
	st, _ := FeedbackStateOf(status)
	if st.Task == "" {
		return nil
	}
	prio := 0
	if w.in.Urgent {
		prio = 1
	}
	t := &activities.FeedbackTask{Agency: w.agency, Priority: prio, DueAt: w.due, Action: st.Task, Role: string(st.TaskRole)}
	if status == FBRouted {
		t.DueAt = w.acceptDue // accepting has its own, shorter deadline
	}
	if st.Held {
		t.AssigneeID = w.assignee
	}
	if status == FBReopened {
		t.AssigneeID = w.approver // back to the leader who approved the answer
	}
	return t
}

// write records ev in the read model (same transaction as the task changes)
// and notifies the citizen when the step is public.
func (w *feedbackCase) write(ctx workflow.Context, ev activities.FeedbackEvent, notify bool) error {
	ev.DueAt = w.due
	if err := w.exec(ctx, acts.RecordFeedback, ev, nil); err != nil {
		return err
	}
	if !notify {
		return nil
	}
	return w.tell(ctx, ev)
}

// tell notifies the citizen of ev when its state has a notice.
func (w *feedbackCase) tell(ctx workflow.Context, ev activities.FeedbackEvent) error {
	st, _ := FeedbackStateOf(ev.To)
	msg := st.Notice
	if msg == "" {
		return nil
	}
	return w.send(ctx, acts.Notify, activities.NotifyInput{
		DedupeKey: fmt.Sprintf("%s/%d/%d", w.wfID, ev.Seq, w.in.CitizenID),
		UserID:    w.in.CitizenID, Kind: "feedback." + ev.To,
		Title: fmt.Sprintf(msg, w.in.Code), Body: ev.Note,
		Payload: map[string]any{"code": w.in.Code, "status": ev.To, "seq": ev.Seq},
	})
}

func (w *feedbackCase) step(ctx workflow.Context, t transition) error {
	ev := w.apply(ctx, t)
	return w.write(ctx, ev, t.notify)
}

func terminal(s string) bool {
	st, _ := FeedbackStateOf(s)
	return st.Terminal
}

func (w *feedbackCase) run(ctx workflow.Context) (FeedbackView, error) {
	log := workflow.GetLogger(ctx)
	w.received = workflow.Now(ctx)
	sla := w.in.SLA
	if sla.Reminder <= 0 || sla.Reminder >= 1 {
		sla.Reminder = 0.75
	}
	if sla.AutoCloseHours <= 0 {
		sla.AutoCloseHours = 7 * 24
	}
	w.in.SLA = sla
	w.clock = worktime.NewClock(w.scaled(sla.AnswerHours), w.received)
	if w.clockV >= fbClockStart && sla.ClockFrom == ClockFromAcceptance {
		// The clock stands still until an agency accepts the case.
		w.clock, w.clockWaiting = worktime.Clock{Budget: w.scaled(sla.AnswerHours)}, true
	}
	if err := w.serially(ctx, func() error { return w.start(ctx) }); err != nil {
		return w.view(), err
	}
	w.ready = true
	log.Info("feedback routed", "caseID", w.in.Code, "agencyID", w.agency)

	for !terminal(w.status) {
		seen := w.version
		changed := func() bool { return w.version != seen }
		next := w.nextDeadline()
		if woke, err := w.waitDeadline(ctx, next, changed); err != nil {
			return w.view(), err
		} else if woke {
			continue
		}
		if w.lockV < fbHandlerLock {
			// Let in-flight handlers finish their writes before a deadline step.
			if err := workflow.Await(ctx, func() bool { return w.pending == 0 }); err != nil {
				return w.view(), err
			}
		}
		if err := w.serially(ctx, func() error { return w.fireDeadlines(ctx) }); err != nil {
			return w.view(), err
		}
	}
	if err := drainHandlers(ctx); err != nil {
		return w.view(), err
	}
	if err := w.out.drain(ctx); err != nil {
		return w.view(), err
	}
	return w.view(), nil
}

// waitDeadline waits for a change or the deadline next (deadline_timer.go):
// with the kept timer from fbKeepTimer, a new timer at every wait before it.
func (w *feedbackCase) waitDeadline(ctx workflow.Context, next time.Time, changed func() bool) (bool, error) {
	if w.v >= fbKeepTimer {
		return w.timer.wait(ctx, next, changed)
	}
	return awaitDeadline(ctx, next, changed)
}

// start records the submission and routes the case.
func (w *feedbackCase) start(ctx workflow.Context) error {
	if w.v >= fbIntakePlan {
		return w.startPlanned(ctx)
	}
	if !w.clockWaiting {
		if err := w.refreshClock(ctx); err != nil {
			return err
		}
	}
	in := w.in
	citizen := cds.Actor{UserID: in.CitizenID, Name: in.CitizenName, Roles: []cds.Role{cds.RoleCitizen}}
	if err := w.step(ctx, transition{actor: citizen, action: "submit", to: FBSubmitted, public: true, mutate: func(ev *activities.FeedbackEvent) {
		ev.Create = &activities.FeedbackCreate{FeedbackReport: in.FeedbackReport, ReceivedAt: w.received}
	}}); err != nil {
		return err
	}
	var agency string
	if err := w.exec(ctx, acts.RouteFeedback, activities.RouteInput{
		Category: in.Category, CommuneCode: in.Location.CommuneCode, Fallback: CoordinatorAgency}, &agency); err != nil {
		return err
	}
	return w.routeTo(ctx, agency, cds.Actor{Name: "Hệ thống định tuyến"}, "route", "")
}

// routeTo sends the case to agency with a fresh accept deadline.
func (w *feedbackCase) routeTo(ctx workflow.Context, agency string, by cds.Actor, action, note string) error {
	now := workflow.Now(ctx)
	if w.wallClock() {
		w.acceptDue = now.Add(w.scaled(w.acceptHours()))
	} else if err := workflow.ExecuteLocalActivity(localOpts(ctx), acts.ComputeDue, activities.DueInput{
		From: now, Amount: w.acceptHours(), Unit: worktime.UnitWorkingHours}).Get(ctx, &w.acceptDue); err != nil {
		return err
	}
	if w.clockWaiting {
		if err := w.provisionalDue(ctx); err != nil {
			return err
		}
	}
	return w.step(ctx, w.routed(agency, by, action, note))
}

func (w *feedbackCase) acceptHours() float64 {
	if h := w.in.SLA.AcceptHours; h > 0 {
		return h
	}
	return 8
}

// routed hands the case to agency (w.acceptDue set) and is the transition
// that records it.
func (w *feedbackCase) routed(agency string, by cds.Actor, action, note string) transition {
	from := w.agency
	w.agency, w.assignee, w.acceptEsc = agency, 0, false
	return transition{actor: by, action: action, to: FBRouted, note: note, public: true, notify: true, reopen: true,
		detail: map[string]any{"from_agency": from, "to_agency": agency, "accept_due_at": w.acceptDue},
		mutate: func(ev *activities.FeedbackEvent) { ev.ClearAssignee = true }}
}

package workflows

import (
	"errors"
	"fmt"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	cds "github.com/caobang/congdanso"
	"github.com/caobang/congdanso/activities"
	"github.com/caobang/congdanso/worktime"
)

// FeedbackWorkflowName is the pinned registered name of the feedback workflow.
const FeedbackWorkflowName = "FeedbackCase"

// CoordinatorAgency is the province coordinator: routing falls back to it and
// "not ours" sends a case back to it for re-routing.
const CoordinatorAgency = "TTPVHCC"

// Feedback statuses (FixMyStreet-like, plus the Vietnamese PAKN steps).
const (
	FBSubmitted      = "submitted"
	FBRouted         = "routed"
	FBAccepted       = "accepted"
	FBAssigned       = "assigned"
	FBInProgress     = "in_progress"
	FBAwaitingInfo   = "awaiting_info"
	FBAnswerDrafted  = "answer_drafted"
	FBAnswerApproved = "answer_approved"
	FBPublished      = "published"
	FBRated          = "rated"
	FBClosed         = "closed"
	FBRejected       = "rejected"
	FBDuplicate      = "duplicate"
	FBTransferred    = "transferred"
	FBWithdrawn      = "withdrawn"
)

// Message names of FeedbackCase. Every action is an Update with a validator,
// so an action that does not fit the state is refused synchronously (HTTP 409)
// and never enters history; the citizen's reply is an Update too so that the
// app learns at once whether the case was still waiting for it.
const (
	FeedbackQueryState      = "state"
	FeedbackUpdateSubmitted = "submitted" // update-with-start: returns once routed

	FBActAccept        = "accept"
	FBActAssign        = "assign"
	FBActStart         = "start"
	FBActRequestInfo   = "request_info"
	FBActReplyInfo     = "reply_info" // citizen
	FBActDraftAnswer   = "draft_answer"
	FBActApproveAnswer = "approve_answer"
	FBActReturnDraft   = "return_draft"
	FBActTransfer      = "transfer"
	FBActNotOurs       = "not_ours"
	FBActReject        = "reject"
	FBActMarkDuplicate = "mark_duplicate"
	FBActClose         = "close"
	FBActRate          = "rate"     // citizen
	FBActWithdraw      = "withdraw" // citizen
)

// FeedbackStaffActions are the actions staff call through
// POST /api/v1/feedback/{id}/actions/{action} (from FeedbackStates).
var FeedbackStaffActions = func() []string {
	var out []string
	seen := map[string]bool{}
	for _, st := range FeedbackStates {
		for _, m := range st.Moves {
			if m.By == ByStaff && !seen[m.Action] {
				seen[m.Action] = true
				out = append(out, m.Action)
			}
		}
	}
	return out
}()

// FeedbackSLA are the deadlines of one case, set from its category and priority.
type FeedbackSLA struct {
	AcceptHours    float64 `json:"accept_hours"`     // working hours to accept
	AnswerHours    float64 `json:"answer_hours"`     // working hours to publish an answer
	Reminder       float64 `json:"reminder"`         // share of the answer budget at which the assignee is reminded
	AutoCloseHours float64 `json:"auto_close_hours"` // calendar hours after publication without rating
	// Scale > 1 divides every SLA and counts it in wall-clock time instead of
	// working time (process-level tests only: working time stands still at night).
	Scale float64 `json:"scale,omitempty"`
}

// FeedbackInput starts a FeedbackCase.
type FeedbackInput struct {
	Code        string       `json:"code"`
	CitizenID   int64        `json:"citizen_id"`
	CitizenName string       `json:"citizen_name"`
	Title       string       `json:"title"`
	Content     string       `json:"content"`
	Category    string       `json:"category"`
	Location    cds.Location `json:"location"`
	MediaIDs    []string     `json:"media_ids,omitempty"`
	HideName    bool         `json:"hide_name,omitempty"`
	Urgent      bool         `json:"urgent,omitempty"`
	Channel     string       `json:"channel,omitempty"`
	SLA         FeedbackSLA  `json:"sla"`
}

// FeedbackAction is the payload of every action update. Actor is resolved at
// the API edge (after Casbin) and recorded for the audit trail.
type FeedbackAction struct {
	Actor          cds.Actor `json:"actor"`
	Note           string    `json:"note,omitempty"`
	AgencyCode     string    `json:"agency_code,omitempty"`     // transfer target
	AssigneeID     int64     `json:"assignee_id,omitempty"`     // assign
	AssigneeName   string    `json:"assignee_name,omitempty"`   // assign
	AssigneeAgency string    `json:"assignee_agency,omitempty"` // assign: checked against the case's agency
	Answer         string    `json:"answer,omitempty"`          // draft_answer
	MediaIDs       []string  `json:"media_ids,omitempty"`       // answer attachments
	OriginalCode   string    `json:"original_code,omitempty"`   // mark_duplicate
	Score          int       `json:"score,omitempty"`           // rate
}

// FeedbackView is the live state returned by the query and by every update.
type FeedbackView struct {
	Code        string    `json:"code"`
	Status      string    `json:"status"`
	AgencyCode  string    `json:"agency_code"`
	AssigneeID  int64     `json:"assignee_id,omitempty"`
	DueAt       time.Time `json:"due_at"`
	AcceptDueAt time.Time `json:"accept_due_at"`
	RemindAt    time.Time `json:"remind_at"`
	ClockPaused bool      `json:"clock_paused"`
	Overdue     bool      `json:"overdue"`
	Reminded    bool      `json:"reminded"`
	Seq         int       `json:"seq"`
	DuplicateOf string    `json:"duplicate_of,omitempty"`
}

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

	ready   bool             // the routed step is in the read model (the 201 may go out)
	v       workflow.Version // fbLocalWrites and later: writes run as local activities
	version int              // bumped by each transition; wakes the deadline loop
	pending int              // handlers between their state change and their last write
}

// FeedbackCase is one feedback report from submission to closure.
func FeedbackCase(ctx workflow.Context, in FeedbackInput) (FeedbackView, error) {
	w := &feedbackCase{in: in, wfID: workflow.GetInfo(ctx).WorkflowExecution.ID}
	if err := w.setup(ctx); err != nil {
		return FeedbackView{}, err
	}
	// Histories recorded before the change ran the writes as regular
	// activities and replay as DefaultVersion.
	w.v = workflow.GetVersion(ctx, fbLocalWritesChange, workflow.DefaultVersion, fbLocalWrites)
	return w.run(ctx)
}

func (w *feedbackCase) view() FeedbackView {
	return FeedbackView{Code: w.in.Code, Status: w.status, AgencyCode: w.agency, AssigneeID: w.assignee, DueAt: w.due,
		AcceptDueAt: w.acceptDue, RemindAt: w.mark, ClockPaused: w.clock.Paused(), Overdue: w.overdue,
		Reminded: w.reminded, Seq: w.seq, DuplicateOf: w.dupOf}
}

func (w *feedbackCase) setup(ctx workflow.Context) error {
	if err := workflow.SetQueryHandler(ctx, FeedbackQueryState, func() (FeedbackView, error) { return w.view(), nil }); err != nil {
		return err
	}
	// The submission waits on this update (update-with-start) so the 201
	// carries the routed agency and the due time.
	if err := workflow.SetUpdateHandler(ctx, FeedbackUpdateSubmitted, func(ctx workflow.Context) (FeedbackView, error) {
		err := workflow.Await(ctx, func() bool { return w.ready })
		return w.view(), err
	}); err != nil {
		return err
	}
	for _, name := range sortedKeys(feedbackTransitions) {
		name := name
		err := workflow.SetUpdateHandlerWithOptions(ctx, name,
			func(ctx workflow.Context, a FeedbackAction) (FeedbackView, error) { return w.act(ctx, name, a) },
			workflow.UpdateHandlerOptions{Validator: func(a FeedbackAction) error { return w.validate(name, a) }})
		if err != nil {
			return err
		}
	}
	return nil
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

// ConflictError is the error type of a refused action (HTTP 409). Its message
// is English; the Vietnamese text travels as the first detail.
const ConflictError = "ECONFLICT"

// validate refuses an action that does not fit the state or lacks its data.
func (w *feedbackCase) validate(action string, a FeedbackAction) error {
	ok := false
	for _, s := range feedbackTransitions[action] {
		if s == w.status {
			ok = true
		}
	}
	if !ok {
		return conflict("Không thể thực hiện thao tác %q khi phản ánh đang ở trạng thái %q.",
			"Action %q is not allowed while the case is %q.", action, w.status)
	}
	switch action {
	case FBActReplyInfo, FBActRate, FBActWithdraw:
		if a.Actor.UserID != w.in.CitizenID {
			return conflict("Chỉ người gửi phản ánh mới được thực hiện thao tác này.", "Only the reporter may do this.")
		}
	}
	switch action {
	case FBActAssign:
		if a.AssigneeID == 0 || a.AssigneeAgency != w.agency {
			return invalid("Người được phân công phải là cán bộ của cơ quan xử lý.", "The assignee must be an officer of the handling agency.")
		}
	case FBActRequestInfo, FBActReject, FBActNotOurs:
		if a.Note == "" {
			return invalid("Vui lòng nhập nội dung.", "A note is required.")
		}
	case FBActReplyInfo:
		if a.Note == "" {
			return invalid("Vui lòng nhập nội dung bổ sung.", "The reply is required.")
		}
	case FBActDraftAnswer:
		if a.Answer == "" {
			return invalid("Vui lòng nhập nội dung trả lời.", "The answer is required.")
		}
	case FBActTransfer:
		if a.AgencyCode == "" || (a.AgencyCode == w.agency && w.status != FBTransferred) {
			return invalid("Vui lòng chọn cơ quan khác để chuyển.", "Choose another agency to transfer to.")
		}
	case FBActMarkDuplicate:
		if a.OriginalCode == "" || a.OriginalCode == w.in.Code {
			return invalid("Vui lòng chọn phản ánh gốc khác phản ánh này.", "Choose an original report other than this one.")
		}
	case FBActRate:
		if a.Score < 1 || a.Score > 5 {
			return invalid("Điểm đánh giá từ 1 đến 5.", "The score must be 1 to 5.")
		}
	}
	return nil
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
	st, _ := FeedbackStateOf(ev.To)
	msg := st.Notice
	if msg == "" {
		return nil
	}
	return w.exec(ctx, acts.Notify, activities.NotifyInput{
		DedupeKey: fmt.Sprintf("%s/%d/%d", w.wfID, ev.Seq, w.in.CitizenID),
		UserID:    w.in.CitizenID, Kind: "feedback." + ev.To,
		Title: fmt.Sprintf(msg, w.in.Code), Body: ev.Note,
		Payload: map[string]any{"code": w.in.Code, "status": ev.To, "seq": ev.Seq},
	}, nil)
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
	if err := w.refreshClock(ctx); err != nil {
		return w.view(), err
	}
	in := w.in
	citizen := cds.Actor{UserID: in.CitizenID, Name: in.CitizenName, Roles: []cds.Role{cds.RoleCitizen}}
	if err := w.step(ctx, transition{actor: citizen, action: "submit", to: FBSubmitted, public: true, mutate: func(ev *activities.FeedbackEvent) {
		ev.Create = &activities.FeedbackCreate{Code: in.Code, CitizenID: in.CitizenID, Title: in.Title, Content: in.Content,
			Category: in.Category, Location: in.Location, MediaIDs: in.MediaIDs, HideName: in.HideName, Urgent: in.Urgent,
			Channel: in.Channel, ReceivedAt: w.received}
	}}); err != nil {
		return w.view(), err
	}
	var agency string
	if err := w.exec(ctx, acts.RouteFeedback, activities.RouteInput{
		Category: in.Category, CommuneCode: in.Location.CommuneCode, Fallback: CoordinatorAgency}, &agency); err != nil {
		return w.view(), err
	}
	if err := w.routeTo(ctx, agency, cds.Actor{Name: "Hệ thống định tuyến"}, "route", ""); err != nil {
		return w.view(), err
	}
	w.ready = true
	log.Info("feedback routed", "caseID", in.Code, "agencyID", agency)

	for !terminal(w.status) {
		seen := w.version
		changed := func() bool { return w.version != seen }
		next := w.nextDeadline()
		if next.IsZero() {
			if err := workflow.Await(ctx, changed); err != nil {
				return w.view(), err
			}
			continue
		}
		if d := next.Sub(workflow.Now(ctx)); d > 0 {
			fired, err := workflow.AwaitWithTimeout(ctx, d, changed)
			if err != nil {
				return w.view(), err
			}
			if fired {
				continue
			}
		}
		// Let in-flight handlers finish their writes before a deadline step.
		if err := workflow.Await(ctx, func() bool { return w.pending == 0 }); err != nil {
			return w.view(), err
		}
		if err := w.fireDeadlines(ctx); err != nil {
			return w.view(), err
		}
	}
	if err := workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) }); err != nil {
		return w.view(), err
	}
	return w.view(), nil
}

// scaled turns working hours of an SLA into a clock budget.
func (w *feedbackCase) scaled(hours float64) time.Duration {
	d := time.Duration(hours * float64(time.Hour))
	if w.in.SLA.Scale > 1 {
		d = time.Duration(float64(d) / w.in.SLA.Scale)
	}
	return d
}

func (w *feedbackCase) wallClock() bool { return w.in.SLA.Scale > 1 }

// refreshClock recomputes the due time and the reminder mark of the answer
// clock (a local activity: the calendar lives in PostgreSQL).
func (w *feedbackCase) refreshClock(ctx workflow.Context) error {
	now := workflow.Now(ctx)
	if w.wallClock() {
		from := now
		if w.clock.RunningSince != nil {
			from = *w.clock.RunningSince
		}
		w.due = from.Add(w.clock.Budget - w.clock.Used)
		w.mark = from.Add(time.Duration(float64(w.clock.Budget)*w.in.SLA.Reminder) - w.clock.Used)
		return nil
	}
	var st activities.ClockState
	if err := workflow.ExecuteLocalActivity(localOpts(ctx), acts.ResumeClock, activities.ClockInput{
		Clock: w.clock, At: now, Fraction: w.in.SLA.Reminder}).Get(ctx, &st); err != nil {
		return err
	}
	w.clock, w.due, w.mark = st.Clock, st.Due, st.Mark
	return nil
}

func (w *feedbackCase) pauseClock(ctx workflow.Context) error {
	now := workflow.Now(ctx)
	if w.wallClock() {
		if w.clock.RunningSince != nil {
			w.clock.Used += now.Sub(*w.clock.RunningSince)
			w.clock.RunningSince = nil
		}
		return nil
	}
	var st activities.ClockState
	if err := workflow.ExecuteLocalActivity(localOpts(ctx), acts.PauseClock, activities.ClockInput{Clock: w.clock, At: now}).Get(ctx, &st); err != nil {
		return err
	}
	w.clock = st.Clock
	return nil
}

func (w *feedbackCase) resumeClock(ctx workflow.Context) error {
	if w.clock.RunningSince == nil {
		now := workflow.Now(ctx)
		w.clock.RunningSince = &now
	}
	return w.refreshClock(ctx)
}

// routeTo sends the case to agency with a fresh accept deadline.
func (w *feedbackCase) routeTo(ctx workflow.Context, agency string, by cds.Actor, action, note string) error {
	now := workflow.Now(ctx)
	hours := w.in.SLA.AcceptHours
	if hours <= 0 {
		hours = 8
	}
	if w.wallClock() {
		w.acceptDue = now.Add(w.scaled(hours))
	} else if err := workflow.ExecuteLocalActivity(localOpts(ctx), acts.ComputeDue, activities.DueInput{
		From: now, Amount: hours, Unit: worktime.UnitWorkingHours}).Get(ctx, &w.acceptDue); err != nil {
		return err
	}
	from := w.agency
	w.agency, w.assignee, w.acceptEsc = agency, 0, false
	return w.step(ctx, transition{actor: by, action: action, to: FBRouted, note: note, public: true, notify: true, reopen: true,
		detail: map[string]any{"from_agency": from, "to_agency": agency, "accept_due_at": w.acceptDue},
		mutate: func(ev *activities.FeedbackEvent) { ev.ClearAssignee = true }})
}

// nextDeadline is the earliest pending deadline (zero when none).
func (w *feedbackCase) nextDeadline() time.Time {
	var next time.Time
	add := func(t time.Time) {
		if !t.IsZero() && (next.IsZero() || t.Before(next)) {
			next = t
		}
	}
	if w.status == FBRouted && !w.acceptEsc {
		add(w.acceptDue)
	}
	if w.clockRunning() {
		if !w.reminded {
			add(w.mark)
		}
		if !w.overdue {
			add(w.due)
		}
	}
	if w.status == FBPublished {
		add(w.closeAt)
	}
	return next
}

// clockRunning: the answer clock runs from receipt to publication and stands
// still while the citizen is asked for more.
func (w *feedbackCase) clockRunning() bool {
	st, _ := FeedbackStateOf(w.status)
	return st.Clock && !w.clock.Paused()
}

var system = cds.Actor{Name: "Hệ thống"}

func (w *feedbackCase) fireDeadlines(ctx workflow.Context) error {
	now := workflow.Now(ctx)
	if w.status == FBRouted && !w.acceptEsc && !now.Before(w.acceptDue) {
		w.acceptEsc = true
		ev := w.apply(ctx, transition{actor: system, action: "accept_overdue", note: "Quá hạn tiếp nhận / accept deadline passed"})
		if err := w.write(ctx, ev, false); err != nil {
			return err
		}
		if err := w.notifyStaff(ctx, ev.Seq, "feedback.accept_overdue", "Phản ánh %s quá hạn tiếp nhận.", []string{"leader", "officer"}, w.agency); err != nil {
			return err
		}
	}
	if w.clockRunning() && !w.reminded && !w.mark.IsZero() && !now.Before(w.mark) {
		w.reminded = true
		ev := w.apply(ctx, transition{actor: system, action: "reminder", note: "Đã dùng 75% thời hạn / 75% of the time used"})
		if err := w.write(ctx, ev, false); err != nil {
			return err
		}
		if w.assignee != 0 {
			if err := w.exec(ctx, acts.Notify, activities.NotifyInput{
				DedupeKey: fmt.Sprintf("%s/%d/%d", w.wfID, ev.Seq, w.assignee), UserID: w.assignee, Kind: "feedback.reminder",
				Title:   fmt.Sprintf("Phản ánh %s sắp đến hạn trả lời (hạn %s).", w.in.Code, w.due.In(cds.VietnamTZ).Format("15:04 02/01/2006")),
				Payload: map[string]any{"code": w.in.Code, "due_at": w.due},
			}, nil); err != nil {
				return err
			}
		} else if err := w.notifyStaff(ctx, ev.Seq, "feedback.reminder", "Phản ánh %s sắp đến hạn trả lời.", []string{"leader"}, w.agency); err != nil {
			return err
		}
	}
	if w.clockRunning() && !w.overdue && !now.Before(w.due) {
		w.overdue = true
		ev := w.apply(ctx, transition{actor: system, action: "overdue", note: "Quá hạn trả lời / answer overdue"})
		if err := w.write(ctx, ev, false); err != nil {
			return err
		}
		if err := w.notifyStaff(ctx, ev.Seq, "feedback.overdue", "Phản ánh %s đã quá hạn trả lời.", []string{"leader"}, w.agency); err != nil {
			return err
		}
		if err := w.notifyStaff(ctx, ev.Seq, "feedback.overdue", "Phản ánh %s đã quá hạn trả lời.", []string{"coordinator"}, CoordinatorAgency); err != nil {
			return err
		}
	}
	if w.status == FBPublished && !w.closeAt.IsZero() && !now.Before(w.closeAt) {
		return w.step(ctx, transition{actor: system, action: "auto_close", to: FBClosed, public: true, notify: true, closeIt: true})
	}
	return nil
}

func (w *feedbackCase) notifyStaff(ctx workflow.Context, seq int, kind, title string, roles []string, agency string) error {
	return w.exec(ctx, acts.NotifyAgencyStaff, activities.StaffNotice{
		DedupePrefix: fmt.Sprintf("%s/%d", w.wfID, seq), Agency: agency, Roles: roles, Kind: kind,
		Title: fmt.Sprintf(title, w.in.Code), Payload: map[string]any{"code": w.in.Code, "due_at": w.due},
	}, nil)
}

// act runs one validated action. The state changes before the first write
// (workflow code is cooperative), so a concurrent update is validated against
// the new state; handlers re-check because validation happened earlier.
func (w *feedbackCase) act(ctx workflow.Context, action string, a FeedbackAction) (FeedbackView, error) {
	if err := w.validate(action, a); err != nil {
		return w.view(), err
	}
	w.pending++
	defer func() { w.pending-- }()
	t := transition{actor: a.Actor, action: action, to: feedbackTarget(action), note: a.Note, public: true, notify: true}
	var before, after func() error // around the write, after the state change
	switch action {
	case FBActAccept:
	case FBActAssign:
		w.assignee = a.AssigneeID
		t.public, t.notify = false, false
		t.detail = map[string]any{"assignee_id": a.AssigneeID, "assignee_name": a.AssigneeName}
		t.mutate = func(ev *activities.FeedbackEvent) { ev.AssigneeID = a.AssigneeID }
	case FBActStart:
	case FBActRequestInfo:
		t.mutate = func(ev *activities.FeedbackEvent) { ev.InfoRequest = &a.Note }
		before = func() error { return w.pauseClock(ctx) }
	case FBActReplyInfo:
		t.notify = false
		t.mutate = func(ev *activities.FeedbackEvent) { ev.InfoReply = &a.Note }
		before = func() error { return w.resumeClock(ctx) }
	case FBActDraftAnswer:
		t.public, t.notify = false, false
		t.mutate = func(ev *activities.FeedbackEvent) { ev.Answer = &a.Answer; ev.AnswerMedia = a.MediaIDs }
	case FBActReturnDraft:
		t.public, t.notify = false, false
	case FBActApproveAnswer:
		t.public, t.notify = false, false
		t.mutate = func(ev *activities.FeedbackEvent) { ev.AnswerBy = a.Actor.Name }
		after = func() error {
			w.closeAt = workflow.Now(ctx).Add(w.scaledCalendar(w.in.SLA.AutoCloseHours))
			return w.step(ctx, transition{actor: a.Actor, action: "publish", to: FBPublished, public: true, notify: true, finish: true,
				mutate: func(ev *activities.FeedbackEvent) { ev.Published = true }})
		}
	case FBActTransfer:
		return w.locked(func() error { return w.routeTo(ctx, a.AgencyCode, a.Actor, FBActTransfer, a.Note) })
	case FBActNotOurs:
		w.agency, w.assignee = CoordinatorAgency, 0
		t.mutate = func(ev *activities.FeedbackEvent) { ev.ClearAssignee = true }
	case FBActReject:
		t.finish, t.closeIt = true, true
	case FBActMarkDuplicate:
		w.dupOf = a.OriginalCode
		t.finish, t.closeIt = true, true
		t.detail = map[string]any{"original_code": a.OriginalCode}
		t.mutate = func(ev *activities.FeedbackEvent) { ev.DuplicateOf = a.OriginalCode }
	case FBActClose:
		t.closeIt = true
	case FBActRate:
		t.notify = false
		t.detail = map[string]any{"score": a.Score}
		t.mutate = func(ev *activities.FeedbackEvent) { ev.Rating = a.Score; ev.RatingComment = a.Note }
		after = func() error {
			return w.step(ctx, transition{actor: system, action: "close", to: FBClosed, public: true, notify: true, closeIt: true})
		}
	case FBActWithdraw:
		t.finish, t.closeIt = true, true
	default:
		return w.view(), errors.New("unknown action " + action)
	}
	ev := w.apply(ctx, t)
	if before != nil {
		if err := before(); err != nil {
			return w.view(), err
		}
		w.version++ // the clock moved: recompute the deadlines
	}
	if err := w.write(ctx, ev, t.notify); err != nil {
		return w.view(), err
	}
	if after != nil {
		if err := after(); err != nil {
			return w.view(), err
		}
	}
	return w.view(), nil
}

func (w *feedbackCase) locked(f func() error) (FeedbackView, error) {
	err := f()
	return w.view(), err
}

// scaledCalendar is a calendar-hour span, shortened by the test scale.
func (w *feedbackCase) scaledCalendar(hours float64) time.Duration {
	d := time.Duration(hours * float64(time.Hour))
	if w.in.SLA.Scale > 1 {
		d = time.Duration(float64(d) / w.in.SLA.Scale)
	}
	return d
}

// fbOpts are the feedback activities' options: short writes, so a try cut by a
// crash is retried after 10 s instead of the default 30 s.
func fbOpts(ctx workflow.Context) workflow.Context {
	return workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 10 * time.Second,
		RetryPolicy:         &temporal.RetryPolicy{InitialInterval: time.Second, MaximumInterval: time.Minute},
	})
}

// fbLocalWritesChange guards the switch of the read-model writes, the routing
// lookup and the outbox enqueues from regular to local activities: a
// submission then completes in one workflow task instead of ~5 workflow tasks
// and 4 activity round trips through the server (BENCHMARKS.md, T2).
const (
	fbLocalWritesChange = "feedback-local-writes"
	fbLocalWrites       = workflow.Version(1)
)

// exec runs one short, idempotent write or lookup (keyed by workflow_id+seq or
// a dedupe key, so a retried try writes nothing twice): a local activity from
// fbLocalWrites on, a regular activity in cases started before.
func (w *feedbackCase) exec(ctx workflow.Context, fn, arg, result any) error {
	if w.v >= fbLocalWrites {
		return workflow.ExecuteLocalActivity(localWriteOpts(ctx), fn, arg).Get(ctx, result)
	}
	return workflow.ExecuteActivity(fbOpts(ctx), fn, arg).Get(ctx, result)
}

package workflows

import (
	"fmt"
	"strings"
	"time"

	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	cds "github.com/caobang/congdanso"
	"github.com/caobang/congdanso/activities"
	"github.com/caobang/congdanso/worktime"
)

// ApplicationWorkflowName is the pinned name of the dossier workflow.
const ApplicationWorkflowName = "ServiceApplication"

// Message names of the dossier workflow.
const (
	// UpdateApplicationAction carries every staff and citizen action. One
	// Update with a validator lets an invalid action come back to the HTTP
	// caller at once (409) and never enter the history.
	UpdateApplicationAction = "application-action"
	// QueryApplication returns the live ApplicationView.
	QueryApplication = "application-view"
)

// Dossier actions. Staff: the first group; citizens: supplement, withdraw, rate.
const (
	ActAccept            = "accept"
	ActRefuse            = "refuse"
	ActForward           = "forward"
	ActReturn            = "return"
	ActApprove           = "approve"
	ActIssueResult       = "issue_result"
	ActReturnResult      = "return_result"
	ActRequestSupplement = "request_supplement"
	ActRequestFee        = "request_fee"
	ActMarkPaid          = "mark_paid"
	ActTransfer          = "transfer"
	ActDraftApology      = "draft_apology"
	ActApproveApology    = "approve_apology"
	ActRejectApology     = "reject_apology"
	ActStop              = "stop"
	ActSupplement        = "supplement"
	ActWithdraw          = "withdraw"
	ActRate              = "rate"
)

// StaffActions are the actions behind POST /applications/{id}/actions/{action}.
var StaffActions = []string{ActAccept, ActRefuse, ActForward, ActReturn, ActApprove, ActIssueResult, ActReturnResult,
	ActRequestSupplement, ActRequestFee, ActMarkPaid, ActTransfer, ActDraftApology, ActApproveApology, ActRejectApology, ActStop}

// Defaults of the dossier workflow.
const (
	// DefaultSupplementDays is the citizen's time to supplement, in working days,
	// when staff do not set one.
	DefaultSupplementDays = 5
	// RatingWindow is how long a returned dossier waits for the citizen's rating.
	RatingWindow = 30 * 24 * time.Hour
)

// ApplicationInput starts a dossier. The API validated the form against
// Procedure (the version in force at submission).
type ApplicationInput struct {
	Code         string         `json:"code"`
	Title        string         `json:"title"`
	Procedure    cds.Procedure  `json:"procedure"`
	AgencyCode   string         `json:"agency_code"`
	Citizen      cds.Actor      `json:"citizen"`
	Channel      string         `json:"channel"` // online | in_person
	Form         map[string]any `json:"form"`
	DocumentIDs  []string       `json:"document_ids"`
	SubmittedAt  time.Time      `json:"submitted_at"`
	ReceptionDue time.Time      `json:"reception_due"` // the intake step's deadline
}

// ApplicationAction is the payload of UpdateApplicationAction.
type ApplicationAction struct {
	Action       string         `json:"action"`
	Actor        cds.Actor      `json:"actor"`
	Reason       string         `json:"reason,omitempty"`
	Note         string         `json:"note,omitempty"`
	Items        []string       `json:"items,omitempty"`         // request_supplement: everything missing, in one request
	DeadlineDays float64        `json:"deadline_days,omitempty"` // request_supplement
	Amount       int64          `json:"amount,omitempty"`        // request_fee, VND
	ToAgency     string         `json:"to_agency,omitempty"`     // transfer
	NewDue       *time.Time     `json:"new_due,omitempty"`       // draft_apology
	DocumentIDs  []string       `json:"document_ids,omitempty"`  // supplement, issue_result
	Form         map[string]any `json:"form,omitempty"`          // supplement: corrected fields
	Method       string         `json:"method,omitempty"`        // return_result: in_person | online
	PaymentID    string         `json:"payment_id,omitempty"`    // mark_paid
	Score        int            `json:"score,omitempty"`         // rate 1..5
	Comment      string         `json:"comment,omitempty"`       // rate
}

// ApplicationView is the live state of a dossier (query and update result).
type ApplicationView struct {
	Code             string        `json:"code"`
	Status           cds.AppStatus `json:"status"`
	AgencyCode       string        `json:"agency_code"`
	ProcedureVersion int           `json:"procedure_version"`
	Step             string        `json:"step"`
	StepRole         cds.Role      `json:"step_role"`
	DueAt            *time.Time    `json:"due_at,omitempty"`
	StepDueAt        *time.Time    `json:"step_due_at,omitempty"`
	ClockPaused      bool          `json:"clock_paused"`
	Overdue          bool          `json:"overdue"`
	FeeDue           int64         `json:"fee_due,omitempty"`
	ApologyPending   bool          `json:"apology_pending"`
	SupplementDue    *time.Time    `json:"supplement_due,omitempty"`
	SupplementLate   bool          `json:"supplement_late"`
	Timeliness       string        `json:"timeliness,omitempty"`
	Rating           int           `json:"rating,omitempty"`
}

func init() {
	register(func(w worker.Registry) {
		w.RegisterWorkflowWithOptions(ServiceApplication, workflow.RegisterOptions{Name: ApplicationWorkflowName})
	})
}

func appConflict(vi, en string, args ...any) error { return appErr(cds.ECONFLICT, vi, en, args...) }
func appInvalid(vi, en string, args ...any) error  { return appErr(cds.EINVALID, vi, en, args...) }

type appSupplement struct {
	RequestedAt time.Time `json:"requested_at"`
	Deadline    time.Time `json:"deadline"`
	Expired     bool      `json:"expired"`
}

type appApology struct {
	Reason    string    `json:"reason"`
	NewDue    time.Time `json:"new_due"`
	DraftedBy cds.Actor `json:"drafted_by"`
	TaskKey   string    `json:"task_key"`
}

// application is the state of one dossier workflow.
type application struct {
	in   ApplicationInput
	proc cds.Procedure // submitted version until acceptance, then the pinned one
	mu   workflow.Mutex

	status, prev cds.AppStatus
	agency       string
	seq          int
	changed      int

	accepted   time.Time
	clock      worktime.Clock
	due        time.Time
	step       int
	stepClock  worktime.Clock
	stepDue    time.Time
	taskKey    string
	stepLate   bool
	overdue    bool
	supp       *appSupplement
	suppCount  int
	fee        int64
	feePaidAt  *time.Time
	paymentID  string
	apology    *appApology
	finishedAt *time.Time
	timeliness string
	handling   *float64
	result     map[string]any
	rating     int
	ratingNote string
	ratingOver bool
	docs       []string
	form       map[string]any

	v workflow.Version // appLocalWrites and later: writes run as local activities
}

// ServiceApplication is one public-service dossier under the one-stop rules
// (Decree 118/2025/NĐ-CP): intake, the procedure's steps with per-step
// deadlines, supplementation (clock paused), fee, transfer, apology and new
// date, stop, withdrawal, result and rating. Deadlines are working time.
func ServiceApplication(ctx workflow.Context, in ApplicationInput) (ApplicationView, error) {
	w := &application{in: in, proc: in.Procedure, status: cds.AppReceiving, agency: in.AgencyCode,
		docs: in.DocumentIDs, form: in.Form}
	// Histories recorded before the change ran the writes as regular
	// activities and replay as DefaultVersion.
	w.v = workflow.GetVersion(ctx, appLocalWritesChange, workflow.DefaultVersion, appLocalWrites)
	if err := w.setup(ctx); err != nil {
		return ApplicationView{}, err
	}
	return w.run(ctx)
}

func (w *application) setup(ctx workflow.Context) error {
	w.mu = workflow.NewMutex(ctx)
	if err := workflow.SetQueryHandler(ctx, QueryApplication, func() (ApplicationView, error) { return w.view(), nil }); err != nil {
		return err
	}
	if err := workflow.SetUpdateHandlerWithOptions(ctx, UpdateApplicationAction, w.onAction,
		workflow.UpdateHandlerOptions{Validator: w.validate}); err != nil {
		return err
	}
	// A paid bill (BillPayment) signals fee-paid; staff may also mark_paid.
	ch := workflow.GetSignalChannel(ctx, SignalFeePaid)
	workflow.Go(ctx, func(ctx workflow.Context) {
		for {
			var p FeePaid
			ch.Receive(ctx, &p)
			w.locked(ctx, func() error {
				if w.status != cds.AppPaying {
					return nil // a late or duplicate payment signal changes nothing
				}
				return w.paid(ctx, cds.Actor{Name: "Cổng thanh toán / Payment gateway"}, p.PaymentID, p.Amount)
			})
		}
	})
	return nil
}

// SubmittedRecord is the first event of a dossier. The API writes it before
// answering (so the citizen can read the dossier at once) and the workflow
// writes the same record; the second write is a no-op (same workflow ID + seq).
func SubmittedRecord(in ApplicationInput) activities.ApplicationRecord {
	w := &application{in: in, proc: in.Procedure, status: cds.AppReceiving, agency: in.AgencyCode, docs: in.DocumentIDs, form: in.Form}
	due := in.ReceptionDue
	return activities.ApplicationRecord{
		WorkflowID: ApplicationWorkflowID(in.Code), Code: in.Code, Seq: 1, At: in.SubmittedAt, Actor: in.Citizen,
		Action: "submit", ToStatus: cds.AppReceiving, Case: w.snapshot(),
		OpenTasks: []activities.ApplicationTask{{StepKey: "reception#1", Action: ActAccept, AgencyCode: in.AgencyCode, Role: string(cds.RoleOfficer), DueAt: &due}},
		Detail:    map[string]any{"procedure_version": in.Procedure.Version, "documents": len(in.DocumentIDs)},
	}
}

func (w *application) run(ctx workflow.Context) (ApplicationView, error) {
	appFirst := SubmittedRecord(w.in)
	w.seq = 1
	w.taskKey = appFirst.OpenTasks[0].StepKey
	if err := w.exec(ctx, acts.RecordApplication, appFirst, nil); err != nil {
		return w.view(), err
	}
	for !w.finished() {
		seen := w.changed
		at, what := w.nextDeadline()
		cond := func() bool { return w.changed != seen }
		if what == "" {
			if err := workflow.Await(ctx, cond); err != nil {
				return w.view(), err
			}
			continue
		}
		if d := at.Sub(workflow.Now(ctx)); d > 0 {
			ok, err := workflow.AwaitWithTimeout(ctx, d, cond)
			if err != nil {
				return w.view(), err
			}
			if ok {
				continue // state changed: recompute the deadlines
			}
		}
		w.locked(ctx, func() error { return w.onDeadline(ctx, what) })
	}
	// Let running handlers finish before the workflow closes.
	if err := workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) }); err != nil {
		return w.view(), err
	}
	return w.view(), nil
}

func (w *application) finished() bool {
	if w.status == cds.AppDone {
		return w.rating > 0 || w.ratingOver
	}
	return w.status.Final()
}

// nextDeadline returns the earliest armed deadline and its kind.
func (w *application) nextDeadline() (time.Time, string) {
	var at time.Time
	what := ""
	consider := func(t time.Time, k string) {
		if !t.IsZero() && (what == "" || t.Before(at)) {
			at, what = t, k
		}
	}
	if w.status.Open() && !w.clock.Paused() && !w.overdue && !w.due.IsZero() {
		consider(w.due, "due")
	}
	if w.status.Open() && w.step > 0 && !w.stepClock.Paused() && !w.stepLate && !w.stepDue.IsZero() && w.status != cds.AppWaiting {
		consider(w.stepDue, "step")
	}
	if w.status == cds.AppWaiting && w.supp != nil && !w.supp.Expired {
		consider(w.supp.Deadline, "supplement")
	}
	if w.status == cds.AppDone && w.finishedAt != nil {
		consider(w.finishedAt.Add(RatingWindow), "rating")
	}
	return at, what
}

func (w *application) onDeadline(ctx workflow.Context, what string) error {
	now := workflow.Now(ctx)
	switch what {
	case "due":
		if w.overdue || !w.status.Open() || now.Before(w.due) || w.clock.Paused() {
			return nil
		}
		w.overdue = true
		return w.record(ctx, appEvent{action: "overdue", internal: true, note: "Hồ sơ quá hạn, chưa có văn bản xin lỗi / Overdue without an apology letter",
			overdueTasks: []string{"*"}, detail: map[string]any{"due_at": w.due}})
	case "step":
		if w.stepLate || now.Before(w.stepDue) {
			return nil
		}
		w.stepLate = true
		return w.record(ctx, appEvent{action: "step_overdue", internal: true, overdueTasks: []string{w.taskKey},
			detail: map[string]any{"step": w.curStep().Key, "step_due": w.stepDue}})
	case "supplement":
		if w.supp == nil || w.supp.Expired || w.status != cds.AppWaiting {
			return nil
		}
		w.supp.Expired = true
		key := fmt.Sprintf("supplement_expired#%d", w.seq+1)
		w.taskKey = key
		return w.record(ctx, appEvent{action: "supplement_expired", note: "Quá hạn bổ sung hồ sơ / Supplementation deadline passed",
			open: []activities.ApplicationTask{{StepKey: key, Action: ActRefuse, AgencyCode: w.agency, Role: string(cds.RoleOfficer)}}})
	case "rating":
		w.ratingOver = true
		w.changed++
	}
	return nil
}

// locked runs f under the workflow mutex, so handlers, the signal reader and
// deadlines never interleave inside a transition (they yield at activities).
func (w *application) locked(ctx workflow.Context, f func() error) error {
	if err := w.mu.Lock(ctx); err != nil {
		return err
	}
	defer w.mu.Unlock()
	err := f()
	w.changed++
	if err != nil {
		workflow.GetLogger(ctx).Error("dossier transition failed", "caseCode", w.in.Code, "err", err)
	}
	return err
}

func (w *application) curStep() cds.ProcStep {
	if w.step < len(w.proc.Steps) {
		return w.proc.Steps[w.step]
	}
	return cds.ProcStep{}
}

func (w *application) view() ApplicationView {
	v := ApplicationView{Code: w.in.Code, Status: w.status, AgencyCode: w.agency, Step: w.curStep().Key, StepRole: w.curStep().Role,
		ClockPaused: w.clock.Paused(), Overdue: w.overdue, FeeDue: w.fee, ApologyPending: w.apology != nil,
		Timeliness: w.timeliness, Rating: w.rating}
	if !w.accepted.IsZero() {
		v.ProcedureVersion = w.proc.Version
		d, sd := w.due, w.stepDue
		v.DueAt, v.StepDueAt = &d, &sd
	}
	if w.supp != nil {
		sd := w.supp.Deadline
		v.SupplementDue, v.SupplementLate = &sd, w.supp.Expired
	}
	return v
}

func (w *application) snapshot() activities.ApplicationSnapshot {
	s := activities.ApplicationSnapshot{
		Title: w.in.Title, Field: w.proc.Field, AgencyCode: w.agency, CitizenID: w.in.Citizen.UserID, Status: w.status,
		Channel: w.in.Channel, ReceivedAt: w.in.SubmittedAt, FinishedAt: w.finishedAt, Overdue: w.overdue,
		Timeliness: w.timeliness, HandlingHours: w.handling, Rating: w.rating, RatingComment: w.ratingNote, FeeDue: w.fee,
		ProcedureCode: w.in.Procedure.Code, SubmittedVersion: w.in.Procedure.Version, Form: w.form, DocumentIDs: w.docs,
		CurrentStep: w.curStep().Key, Result: w.result, FeePaidAt: w.feePaidAt, PaymentID: w.paymentID,
	}
	if !w.accepted.IsZero() {
		d := w.due
		s.DueAt, s.ProcedureVersion = &d, w.proc.Version
	}
	return s
}

// appEvent is one transition to record.
type appEvent struct {
	actor        cds.Actor
	action       string
	from         cds.AppStatus
	note         string
	internal     bool
	detail       map[string]any
	forms        map[string]any
	close        []string
	open         []activities.ApplicationTask
	overdueTasks []string
}

// record writes the event and the snapshot after it (one idempotent activity,
// which also closes and opens the tasks in the same transaction).
func (w *application) record(ctx workflow.Context, e appEvent) error {
	w.seq++
	from := e.from
	if from == "" {
		from = w.status
	}
	r := activities.ApplicationRecord{
		WorkflowID: ApplicationWorkflowID(w.in.Code), Code: w.in.Code, Seq: w.seq, At: workflow.Now(ctx), Actor: e.actor,
		Action: e.action, FromStatus: from, ToStatus: w.status, Note: e.note, Internal: e.internal, Detail: e.detail,
		Forms: e.forms, Case: w.snapshot(), CloseTasks: e.close, OpenTasks: e.open, OverdueTasks: e.overdueTasks,
	}
	return w.exec(ctx, acts.RecordApplication, r, nil)
}

// notify enqueues a message to the citizen (outbox, deduplicated by seq).
func (w *application) notify(ctx workflow.Context, kind, title, body string) {
	in := activities.NotifyInput{DedupeKey: fmt.Sprintf("%s#%d", ApplicationWorkflowID(w.in.Code), w.seq), UserID: w.in.Citizen.UserID,
		Kind: "application." + kind, Title: title, Body: body, Payload: map[string]any{"code": w.in.Code, "status": string(w.status)}}
	if err := w.exec(ctx, acts.Notify, in, nil); err != nil {
		workflow.GetLogger(ctx).Warn("notification not queued", "caseCode", w.in.Code, "err", err)
	}
}

// appLocalWritesChange guards the switch of the read-model writes
// (RecordApplication), the procedure lookup at acceptance and the outbox
// enqueues from regular to local activities: a staff action's Update then
// completes in about one workflow task instead of ~6 workflow tasks and 4
// activity round trips through the server (BENCHMARKS.md, T4).
const (
	appLocalWritesChange = "application-local-writes"
	appLocalWrites       = workflow.Version(1)
)

// exec runs one short, idempotent write or lookup (keyed by workflow_id+seq or
// a dedupe key, so a retried try writes nothing twice): a local activity from
// appLocalWrites on, a regular activity in dossiers started before.
func (w *application) exec(ctx workflow.Context, fn, arg, result any) error {
	if w.v >= appLocalWrites {
		return workflow.ExecuteLocalActivity(localWriteOpts(ctx), fn, arg).Get(ctx, result)
	}
	return workflow.ExecuteActivity(activityOpts(ctx), fn, arg).Get(ctx, result)
}

// ---- calendar arithmetic, as local activities (results recorded in history) ----

func (w *application) computeDue(ctx workflow.Context, from time.Time, amount float64, unit worktime.Unit) (time.Time, error) {
	var t time.Time
	err := workflow.ExecuteLocalActivity(localOpts(ctx), acts.ComputeDue, activities.DueInput{From: from, Amount: amount, Unit: unit}).Get(ctx, &t)
	return t, err
}

func (w *application) workingHours(ctx workflow.Context, from, to time.Time) (float64, error) {
	var h float64
	err := workflow.ExecuteLocalActivity(localOpts(ctx), acts.WorkingHoursBetween, from, to).Get(ctx, &h)
	return h, err
}

func (w *application) clockOp(ctx workflow.Context, op any, k worktime.Clock, at time.Time) (activities.ClockState, error) {
	var st activities.ClockState
	err := workflow.ExecuteLocalActivity(localOpts(ctx), op, activities.ClockInput{Clock: k, At: at}).Get(ctx, &st)
	return st, err
}

// startStep enters step i at t: its clock gets its share of the dossier's
// budget, its task opens. It returns the task to open.
func (w *application) startStep(ctx workflow.Context, i int, t time.Time) (activities.ApplicationTask, error) {
	w.step = i
	s := w.curStep()
	budget := time.Duration(float64(w.clock.Budget) * s.Share)
	w.stepClock = worktime.NewClock(budget, t)
	due, err := w.computeDue(ctx, t, budget.Hours(), worktime.UnitWorkingHours)
	if err != nil {
		return activities.ApplicationTask{}, err
	}
	w.stepDue, w.stepLate = due, false
	w.taskKey = fmt.Sprintf("%s#%d", s.Key, w.seq+1)
	action := ActForward
	switch s.Kind {
	case cds.StepApprove:
		action = ActApprove
	case cds.StepResult:
		action = ActIssueResult
	}
	return activities.ApplicationTask{StepKey: w.taskKey, Action: action, AgencyCode: w.agency, Role: string(s.Role), DueAt: &due}, nil
}

// handoff is the control-sheet detail of passing the dossier from the current
// step to step `to` (-1: to the citizen), with the sender step's timeliness.
func (w *application) handoff(now time.Time, from cds.ProcStep, stepDue time.Time, to int, agency string) map[string]any {
	d := map[string]any{"from_step": from.Key, "from_step_name": from.Name, "step_due": stepDue,
		"timeliness": string(cds.ClassifyTimeliness(now, stepDue)), "receiver_agency": agency}
	if to >= 0 && to < len(w.proc.Steps) {
		d["to_step"], d["to_step_name"], d["receiver_role"] = w.proc.Steps[to].Key, w.proc.Steps[to].Name, string(w.proc.Steps[to].Role)
	} else {
		d["to_step"], d["receiver_role"] = "citizen", string(cds.RoleCitizen)
	}
	return d
}

// ---- validation ----

func appIsApplicant(a ApplicationAction, owner int64) bool {
	return a.Actor.UserID == owner && a.Actor.UserID != 0
}

// validate rejects an action that the dossier's state or the actor does not
// allow. It only reads state, so it is safe as an Update validator.
func (w *application) validate(ctx workflow.Context, a ApplicationAction) error {
	staff := a.Actor.IsStaff()
	needStaff := func() error {
		if !staff {
			return appErr(cds.EFORBIDDEN, "Chỉ cán bộ được thực hiện thao tác này.", "Only staff may do this.")
		}
		return nil
	}
	need := func(ok bool) error {
		if !ok {
			return appConflict("Hồ sơ đang ở trạng thái %q, không thể thực hiện %q.", "The dossier is %q; %q is not possible now.", w.status.Info().Name, a.Action)
		}
		return nil
	}
	reason := func() error {
		if strings.TrimSpace(a.Reason) == "" {
			return appInvalid("Cần nêu lý do.", "A reason is required.")
		}
		return nil
	}
	step := w.curStep()
	switch a.Action {
	case ActAccept:
		return appFirst(needStaff(), need(appAllows(w.status, a.Action)))
	case ActRefuse:
		return appFirst(needStaff(), need(appAllows(w.status, a.Action) && (w.status != cds.AppWaiting || (w.supp != nil && w.supp.Expired))), reason())
	case ActForward:
		return appFirst(needStaff(), need(appAllows(w.status, a.Action) && step.Kind == cds.StepProcess))
	case ActReturn:
		return appFirst(needStaff(), need(appAllows(w.status, a.Action) && w.step >= 2), reason())
	case ActApprove:
		if err := appFirst(needStaff(), need(appAllows(w.status, a.Action) && step.Kind == cds.StepApprove)); err != nil {
			return err
		}
		if !a.Actor.Has(step.Role) {
			return appErr(cds.EFORBIDDEN, "Bước này cần vai trò %s.", "This step needs the %s role.", step.Role)
		}
	case ActIssueResult:
		return appFirst(needStaff(), need(appAllows(w.status, a.Action) && step.Kind == cds.StepResult))
	case ActReturnResult:
		if err := appFirst(needStaff(), need(appAllows(w.status, a.Action))); err != nil {
			return err
		}
		if a.Method != "in_person" && a.Method != "online" {
			return appInvalid("Hình thức trả kết quả: in_person hoặc online.", "Return method must be in_person or online.")
		}
	case ActRequestSupplement:
		if err := appFirst(needStaff(), need(appAllows(w.status, a.Action))); err != nil {
			return err
		}
		if w.suppCount > 0 {
			return appConflict("Chỉ được yêu cầu bổ sung một lần, nêu đầy đủ các nội dung cần bổ sung.", "Supplementation may be requested once, listing everything missing.")
		}
		if len(a.Items) == 0 {
			return appInvalid("Cần liệt kê các nội dung cần bổ sung.", "List what must be supplemented.")
		}
		if a.DeadlineDays < 0 || a.DeadlineDays > 60 {
			return appInvalid("Thời hạn bổ sung từ 1 đến 60 ngày làm việc.", "Supplementation deadline must be 1 to 60 working days.")
		}
	case ActRequestFee:
		if err := appFirst(needStaff(), need(appAllows(w.status, a.Action))); err != nil {
			return err
		}
		if a.Amount <= 0 {
			return appInvalid("Số tiền phải lớn hơn 0.", "The amount must be positive.")
		}
	case ActMarkPaid:
		return appFirst(needStaff(), need(appAllows(w.status, a.Action)))
	case ActTransfer:
		if err := appFirst(needStaff(), need(appAllows(w.status, a.Action))); err != nil {
			return err
		}
		if a.ToAgency == "" || a.ToAgency == w.agency {
			return appInvalid("Cần cơ quan nhận khác cơ quan hiện tại.", "A different receiving agency is required.")
		}
		return reason()
	case ActDraftApology:
		if err := appFirst(needStaff(), need(appAllows(w.status, a.Action) && w.apology == nil), reason()); err != nil {
			return err
		}
		if workflow.Now(ctx).After(w.due) {
			return appConflict("Đã quá hạn giải quyết: văn bản xin lỗi phải lập trước ngày hẹn trả.", "The due time has passed: the apology must be drafted before it.")
		}
		if a.NewDue == nil || !a.NewDue.After(w.due) {
			return appInvalid("Ngày hẹn mới phải sau ngày hẹn hiện tại.", "The new appointment must be after the current one.")
		}
	case ActApproveApology, ActRejectApology:
		if err := appFirst(needStaff(), need(appAllows(w.status, a.Action) && w.apology != nil)); err != nil {
			return err
		}
		if !a.Actor.Has(cds.RoleLeader) {
			return appErr(cds.EFORBIDDEN, "Chỉ lãnh đạo được duyệt văn bản xin lỗi.", "Only a leader may approve the apology.")
		}
		if a.Action == ActRejectApology {
			return reason()
		}
	case ActStop:
		if err := appFirst(needStaff(), need(appAllows(w.status, a.Action)), reason()); err != nil {
			return err
		}
		if !a.Actor.Has(cds.RoleLeader) {
			return appErr(cds.EFORBIDDEN, "Chỉ lãnh đạo được dừng xử lý hồ sơ.", "Only a leader may stop a dossier.")
		}
	case ActSupplement:
		if !appIsApplicant(a, w.in.Citizen.UserID) {
			return appErr(cds.EFORBIDDEN, "Chỉ người nộp hồ sơ được bổ sung.", "Only the applicant may supplement.")
		}
		if err := need(appAllows(w.status, a.Action)); err != nil {
			return err
		}
		if len(a.DocumentIDs) == 0 && len(a.Form) == 0 && strings.TrimSpace(a.Note) == "" {
			return appInvalid("Cần gửi giấy tờ hoặc nội dung bổ sung.", "Send documents or information.")
		}
		if len(a.Form) > 0 {
			merged := appMergeForm(w.form, a.Form)
			if _, e := w.proc.ValidateForm(merged); e != nil {
				return appErr(cds.EINVALID, e.Message, e.MessageEN)
			}
		}
	case ActWithdraw:
		if !appIsApplicant(a, w.in.Citizen.UserID) {
			return appErr(cds.EFORBIDDEN, "Chỉ người nộp hồ sơ được rút hồ sơ.", "Only the applicant may withdraw.")
		}
		return need(appAllows(w.status, a.Action))
	case ActRate:
		if !appIsApplicant(a, w.in.Citizen.UserID) {
			return appErr(cds.EFORBIDDEN, "Chỉ người nộp hồ sơ được đánh giá.", "Only the applicant may rate.")
		}
		if err := need(appAllows(w.status, a.Action) && w.rating == 0); err != nil {
			return err
		}
		if a.Score < 1 || a.Score > 5 {
			return appInvalid("Điểm đánh giá từ 1 đến 5.", "The score must be 1 to 5.")
		}
	default:
		return appInvalid("Thao tác %q không tồn tại.", "Unknown action %q.", a.Action)
	}
	return nil
}

func appFirst(errs ...error) error {
	for _, e := range errs {
		if e != nil {
			return e
		}
	}
	return nil
}

// onAction applies a validated action under the mutex. It validates again:
// the state may have changed while the update waited for the lock.
func (w *application) onAction(ctx workflow.Context, a ApplicationAction) (ApplicationView, error) {
	var out ApplicationView
	err := w.locked(ctx, func() error {
		if err := w.validate(ctx, a); err != nil {
			return err
		}
		if err := w.apply(ctx, a); err != nil {
			return err
		}
		out = w.view()
		return nil
	})
	return out, err
}

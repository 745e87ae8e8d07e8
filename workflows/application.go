package workflows

import (
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
	// ActCompleteTransfer: the receiving agency hands the dossier back after
	// its part (from application-interagency-handoff).
	ActCompleteTransfer = "complete_transfer"
)

// StaffActions are the actions behind POST /applications/{id}/actions/{action}.
var StaffActions = []string{ActAccept, ActRefuse, ActForward, ActReturn, ActApprove, ActIssueResult, ActReturnResult,
	ActRequestSupplement, ActRequestFee, ActMarkPaid, ActTransfer, ActDraftApology, ActApproveApology, ActRejectApology, ActStop, ActCompleteTransfer}

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
	DeadlineDays float64        `json:"deadline_days,omitempty"` // request_supplement; transfer: the receiving agency's working days
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
	// Notices an Update's answer carries (appAnswerNotices: outbox.go);
	// cases enqueues them and clears the field, so no interface shows it.
	Notices []activities.Notice `json:"notices,omitempty"`
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
	in    ApplicationInput
	timer deadlineTimer // appKeepTimer: the next deadline's timer, kept while it stands
	proc  cds.Procedure // submitted version until acceptance, then the pinned one
	ser   serial        // every transition runs under it (handlers.go)
	// vApology is the version of the apology rule (appApologyOverdueChange);
	// vNotices of the overdue notices to staff (appOverdueNoticesChange).
	vApology, vNotices workflow.Version
	// vRemind: reminders at 75 % (appRemindersChange); vHandoff: transfer
	// as a hand-off to the receiving agency's own step (appHandoffChange).
	vRemind, vHandoff workflow.Version
	// reminder marks (working time) and whether each was sent
	stepMark, dueMark         time.Time
	stepReminded, dueReminded bool
	xfer                      *appTransfer // the sending agency's part while transferred

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

	v   workflow.Version // appLocalWrites and later: writes run as local activities
	out outbox           // appDurableNotices and later: the notices (outbox.go)
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
	w.v = workflow.GetVersion(ctx, appLocalWritesChange, workflow.DefaultVersion, appStepRecords)
	if w.v >= appOneVersion {
		// One version marker per dossier: the older change ids are implied.
		w.vApology, w.vNotices, w.vRemind, w.vHandoff = appApologyOverdue, appOverdueNotices, appReminders, appStepPlans
	} else {
		// Dossiers started before the change refuse an apology once overdue.
		w.vApology = workflow.GetVersion(ctx, appApologyOverdueChange, workflow.DefaultVersion, appApologyOverdue)
		w.vNotices = workflow.GetVersion(ctx, appOverdueNoticesChange, workflow.DefaultVersion, appOverdueNotices)
		w.vRemind = workflow.GetVersion(ctx, appRemindersChange, workflow.DefaultVersion, appReminders)
		w.vHandoff = workflow.GetVersion(ctx, appHandoffChange, workflow.DefaultVersion, appStepPlans)
	}
	if err := w.setup(ctx); err != nil {
		return ApplicationView{}, err
	}
	return w.run(ctx)
}

func (w *application) setup(ctx workflow.Context) error {
	w.ser = newSerial(ctx)
	if w.v >= appDurableNotices {
		w.out.start(ctx)
	}
	if w.v >= appAnswerNotices {
		w.out.hold(ctx)
	}
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
			at = time.Time{}
		}
		if woke, err := w.waitDeadline(ctx, at, cond); err != nil {
			return w.view(), err
		} else if woke {
			continue // state changed: recompute the deadlines
		}
		w.locked(ctx, func() error { return w.onDeadline(ctx, what) })
	}
	// Let running handlers finish before the workflow closes.
	if err := drainHandlers(ctx); err != nil {
		return w.view(), err
	}
	if err := w.out.drain(ctx); err != nil {
		return w.view(), err
	}
	return w.view(), nil
}

// waitDeadline waits for a change or the deadline at (deadline_timer.go):
// with the kept timer from appKeepTimer, a new timer at every wait before it.
func (w *application) waitDeadline(ctx workflow.Context, at time.Time, changed func() bool) (bool, error) {
	if w.v >= appKeepTimer {
		return w.timer.wait(ctx, at, changed)
	}
	return awaitDeadline(ctx, at, changed)
}

func (w *application) finished() bool {
	if w.status == cds.AppDone {
		return w.rating > 0 || w.ratingOver
	}
	return w.status.Final()
}

package workflows

import (
	"fmt"
	"time"

	"go.temporal.io/sdk/workflow"

	cds "github.com/caobang/congdanso"
	"github.com/caobang/congdanso/activities"
	"github.com/caobang/congdanso/worktime"
)

func (w *application) curStep() cds.ProcStep {
	if w.step < len(w.proc.Steps) {
		return w.proc.Steps[w.step]
	}
	return cds.ProcStep{}
}

func (w *application) view() ApplicationView {
	v := ApplicationView{Code: w.in.Code, Status: w.status, AgencyCode: w.agency, Step: w.stepKeyNow(), StepRole: w.curStep().Role,
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
		CurrentStep: w.stepKeyNow(), Result: w.result, FeePaidAt: w.feePaidAt, PaymentID: w.paymentID,
	}
	if !w.accepted.IsZero() {
		d := w.due
		s.DueAt, s.ProcedureVersion = &d, w.proc.Version
	}
	if w.xfer != nil {
		s.LeadAgencyCode = w.xfer.From // statistics stay with the sending agency
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
	// From appStepRecords: the step this event enters, planned in the
	// record's own local activity (startStep), and whether the dossier's
	// clock pauses at it (issue_result).
	plan  *activities.StepPlanInput
	pause bool
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
	if e.plan == nil && !e.pause {
		return w.exec(ctx, acts.RecordApplication, r, nil)
	}
	in := activities.RecordStepInput{Record: r, Plan: e.plan}
	if e.plan != nil {
		in.PlanTask = w.taskKey
	}
	if e.pause {
		in.Pause = &activities.ClockInput{Clock: w.clock, At: r.At}
	}
	var res activities.RecordStepResult
	if err := w.exec(ctx, acts.RecordApplicationStep, in, &res); err != nil {
		return err
	}
	if e.plan != nil {
		w.planned(res.Plan)
	}
	if e.pause {
		w.clock = res.Clock.Clock
		h := w.clock.Used.Hours()
		w.handling = &h
	}
	return nil
}

// notify enqueues a message to the citizen (outbox, deduplicated by seq).
func (w *application) notify(ctx workflow.Context, kind, title, body string) {
	in := activities.NotifyInput{DedupeKey: fmt.Sprintf("%s#%d", ApplicationWorkflowID(w.in.Code), w.seq), UserID: w.in.Citizen.UserID,
		Kind: "application." + kind, Title: title, Body: body, Payload: map[string]any{"code": w.in.Code, "status": string(w.status)}}
	if err := w.send(ctx, acts.Notify, in); err != nil {
		workflow.GetLogger(ctx).Warn("notification not queued", "caseCode", w.in.Code, "err", err)
	}
}

// send enqueues a notice: from appDurableNotices through the outbox (a
// regular activity scheduled by the completed task: outbox.go), before it as
// a write like the others.
func (w *application) send(ctx workflow.Context, fn, arg any) error {
	if w.v >= appDurableNotices {
		w.out.send(ctx, fn, arg)
		return nil
	}
	return w.exec(ctx, fn, arg, nil)
}

// appLocalWritesChange guards the switch of the read-model writes
// (RecordApplication), the procedure lookup at acceptance and the outbox
// enqueues from regular to local activities: a staff action's Update then
// completes in about one workflow task instead of ~6 workflow tasks and 4
// activity round trips through the server (BENCHMARKS.md, T4).
//
// Version 2 (appDurableNotices) sends the outbox enqueues (Notify,
// NotifyAgencyStaff, NotifyTaskHolder) as regular activities again, from
// the durable history (outbox.go); the read-model writes stay local.
//
// Version 3 (appAnswerNotices) hands the notices a staff or citizen action
// makes back in the Update's answer, for cases to enqueue (outbox.go);
// deadline and payment notices stay regular activities.
//
// Version 4 (appOneVersion) is the only GetVersion a new dossier calls: the
// changes with change ids of their own (application-apology-when-overdue,
// application-overdue-notices, application-reminders,
// application-interagency-handoff) are implied at their newest versions, so
// the first workflow task records one version marker and one
// TemporalChangeVersion upsert instead of five of each. New changes bump
// this id's version.
//
// Version 5 (appKeepTimer) keeps the deadline timer across the steps that do
// not move the next deadline (deadline_timer.go) instead of cancelling it
// and starting a new one at every step.
//
// Version 6 (appStepRecords) computes a step's plan (StepPlan) and, at
// issue_result, the paused clock (PauseClock) in the local activity that
// writes the step's record (RecordApplicationStep): the bench's five steps
// record 8 local-activity markers instead of 12 (BENCHMARKS.md, T16).
const (
	appLocalWritesChange = "application-local-writes"
	appLocalWrites       = workflow.Version(1)
	appDurableNotices    = workflow.Version(2)
	appAnswerNotices     = workflow.Version(3)
	appOneVersion        = workflow.Version(4)
	appKeepTimer         = workflow.Version(5)
	appStepRecords       = workflow.Version(6)
)

// appApologyOverdueChange allows the apology (Mẫu số 04) once the dossier is
// overdue — when it is needed — and, on approval, watches the new date again
// (statistics still count by the original due time: docs/statistics.md).
const (
	appApologyOverdueChange = "application-apology-when-overdue"
	appApologyOverdue       = workflow.Version(1)
)

// appOverdueNoticesChange: an overdue dossier notifies the agency's leaders
// and the one-stop coordinator instead of only flagging its tasks.
const (
	appOverdueNoticesChange = "application-overdue-notices"
	appOverdueNotices       = workflow.Version(1)
)

// exec runs one short, idempotent write or lookup (keyed by workflow_id+seq or
// a dedupe key, so a retried try writes nothing twice): a local activity from
// appLocalWrites on, a regular activity in dossiers started before.
func (w *application) exec(ctx workflow.Context, fn, arg, result any) error {
	if w.v >= appLocalWrites {
		return workflow.ExecuteLocalActivity(localOpts(ctx), fn, arg).Get(ctx, result)
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
// budget, its task opens. It returns the task to open and, from
// appStepRecords, the step's plan for the event's record to compute (the
// task's due time is then filled in by that local activity, and planned
// sets it here).
func (w *application) startStep(ctx workflow.Context, i int, t time.Time) (activities.ApplicationTask, *activities.StepPlanInput, error) {
	w.step = i
	s := w.curStep()
	budget := time.Duration(float64(w.clock.Budget) * s.Share)
	w.stepClock = worktime.NewClock(budget, t)
	var due time.Time
	var err error
	var later *activities.StepPlanInput
	switch {
	case w.v >= appStepRecords:
		later = &activities.StepPlanInput{From: t, Budget: budget, RemindShare: w.remindShare()}
	case w.vHandoff >= appStepPlans:
		var plan activities.StepPlan
		if err = w.exec(ctx, acts.StepPlan, activities.StepPlanInput{From: t, Budget: budget, RemindShare: w.remindShare()}, &plan); err != nil {
			return activities.ApplicationTask{}, nil, err
		}
		w.planned(plan)
		due = plan.Due
	default:
		if due, err = w.computeDue(ctx, t, budget.Hours(), worktime.UnitWorkingHours); err != nil {
			return activities.ApplicationTask{}, nil, err
		}
		w.stepDue, w.stepLate = due, false
	}
	if w.vRemind >= appReminders && w.vHandoff < appStepPlans {
		w.stepReminded = false
		if err := w.armStepReminder(ctx); err != nil {
			return activities.ApplicationTask{}, nil, err
		}
	}
	w.taskKey = fmt.Sprintf("%s#%d", s.Key, w.seq+1)
	action := ActForward
	switch s.Kind {
	case cds.StepApprove:
		action = ActApprove
	case cds.StepResult:
		action = ActIssueResult
	}
	task := activities.ApplicationTask{StepKey: w.taskKey, Action: action, AgencyCode: w.agency, Role: string(s.Role)}
	if later == nil {
		task.DueAt = &due // planned here; from appStepRecords RecordApplicationStep fills it in
	}
	return task, later, nil
}

// planned takes a step's plan: its due time and, with reminders, its mark.
func (w *application) planned(p activities.StepPlan) {
	w.stepDue, w.stepLate = p.Due, false
	if w.vRemind >= appReminders {
		w.stepReminded, w.stepMark = false, p.RemindAt
	}
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

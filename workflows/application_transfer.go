package workflows

import (
	"fmt"
	"time"

	"go.temporal.io/sdk/workflow"

	cds "github.com/caobang/congdanso"
	"github.com/caobang/congdanso/activities"
	"github.com/caobang/congdanso/worktime"
)

// appHandoffChange makes a transfer (liên thông) a real hand-off: the dossier
// enters its own status (cds.AppTransferred), the receiving agency gets its
// own step with its own working-time budget (the transfer request's
// deadline_days, else the procedure's interagency_days, else the sending
// step's budget), the sending step's clock stops until the receiving agency
// hands the dossier back (ActCompleteTransfer). The dossier's own clock and
// due time do not change: statistics count by the original due date.
// Dossiers started before it move the current step to the other agency.
//
// Version 2 (appStepPlans) plans each step in one local activity: AcceptPlan
// at acceptance (procedure version, appointment, budget, dossier reminder),
// StepPlan when a step starts (its due time and reminder). Dossiers at v1
// run ApplicationProcedureAt, ComputeDue and WorkingHoursBetween one by one.
// From application-local-writes v4 (appOneVersion) new dossiers no longer
// call this change id: it is implied at appStepPlans. New changes bump
// application-local-writes instead: each change id costs a visibility
// upsert (TemporalChangeVersion) in a new dossier's first workflow task.
const (
	appHandoffChange = "application-interagency-handoff"
	appHandoff       = workflow.Version(1)
	appStepPlans     = workflow.Version(2)
)

// InterAgencyStep is the step key of the receiving agency's part.
const InterAgencyStep = "interagency"

// InterAgencyStepName names it on the control sheet.
const InterAgencyStepName = "Xử lý liên thông / Inter-agency processing"

// appTransfer is the sending agency's part, kept while the receiving agency
// works: its step clock (paused) and deadline state.
type appTransfer struct {
	From         string         `json:"from"`
	Status       cds.AppStatus  `json:"status"`
	StepClock    worktime.Clock `json:"step_clock"`
	StepDue      time.Time      `json:"step_due"`
	StepLate     bool           `json:"step_late"`
	StepReminded bool           `json:"step_reminded"`
	StepMark     time.Time      `json:"step_mark"`
	At           time.Time      `json:"at"`
}

// stepKeyNow is the key of the step being worked on now.
func (w *application) stepKeyNow() string {
	if w.xfer != nil {
		return InterAgencyStep
	}
	return w.curStep().Key
}

func stepAction(s cds.ProcStep) string {
	switch s.Kind {
	case cds.StepApprove:
		return ActApprove
	case cds.StepResult:
		return ActIssueResult
	}
	return ActForward
}

// transferOut hands the dossier to another agency for its part.
func (w *application) transferOut(ctx workflow.Context, a ApplicationAction, e appEvent, now time.Time) error {
	step := w.curStep()
	sst, err := w.clockOp(ctx, acts.PauseClock, w.stepClock, now)
	if err != nil {
		return err
	}
	var budget time.Duration
	switch {
	case a.DeadlineDays > 0:
		budget = time.Duration(a.DeadlineDays * 8 * float64(time.Hour))
	case w.proc.InterAgencyDays > 0:
		budget = time.Duration(w.proc.InterAgencyDays * 8 * float64(time.Hour))
	default:
		budget = w.stepClock.Budget
	}
	due, err := w.computeDue(ctx, now, budget.Hours(), worktime.UnitWorkingHours)
	if err != nil {
		return err
	}
	old := w.agency
	e.note = a.Reason
	e.detail = w.handoff(now, step, w.stepDue, w.step, a.ToAgency)
	e.detail["to_step"], e.detail["to_step_name"], e.detail["receiver_role"] = InterAgencyStep, InterAgencyStepName, string(cds.RoleOfficer)
	e.detail["from_agency"], e.detail["result"] = old, "transferred"
	e.detail["interagency_budget_hours"], e.detail["interagency_due"] = budget.Hours(), due
	e.detail["sender_step_used_hours"] = sst.Clock.Used.Hours()
	e.close = []string{w.taskKey}
	w.xfer = &appTransfer{From: old, Status: w.status, StepClock: sst.Clock, StepDue: w.stepDue, StepLate: w.stepLate,
		StepReminded: w.stepReminded, StepMark: w.stepMark, At: now}
	w.agency, w.status = a.ToAgency, cds.AppTransferred
	w.stepClock, w.stepDue, w.stepLate, w.stepReminded, w.stepMark = worktime.NewClock(budget, now), due, false, false, time.Time{}
	if err := w.armStepReminder(ctx); err != nil {
		return err
	}
	w.taskKey = fmt.Sprintf("%s#%d", InterAgencyStep, w.seq+1)
	e.open = []activities.ApplicationTask{{StepKey: w.taskKey, Action: ActCompleteTransfer, AgencyCode: w.agency, Role: string(cds.RoleOfficer), DueAt: &due}}
	return w.record(ctx, e)
}

// completeTransfer hands the dossier back to the sending agency: the
// receiving agency's clock stops (its working time is recorded for the
// control sheet's split per agency), the sending step's clock resumes.
func (w *application) completeTransfer(ctx workflow.Context, a ApplicationAction, e appEvent, now time.Time) error {
	x := w.xfer
	step := w.curStep()
	mine, err := w.clockOp(ctx, acts.PauseClock, w.stepClock, now)
	if err != nil {
		return err
	}
	back, err := w.clockOp(ctx, acts.ResumeClock, x.StepClock, now)
	if err != nil {
		return err
	}
	e.detail = map[string]any{"from_step": InterAgencyStep, "from_step_name": InterAgencyStepName, "step_due": w.stepDue,
		"timeliness": string(cds.ClassifyTimeliness(now, w.stepDue)), "receiver_agency": x.From, "from_agency": w.agency,
		"to_step": step.Key, "to_step_name": step.Name, "receiver_role": string(step.Role), "result": "transfer_done",
		"agency_budget_hours": mine.Clock.Budget.Hours(), "agency_used_hours": mine.Clock.Used.Hours()}
	e.close = []string{w.taskKey}
	w.agency, w.status = x.From, x.Status
	w.stepClock, w.stepDue, w.stepLate, w.stepReminded, w.stepMark = back.Clock, back.Due, x.StepLate, x.StepReminded, x.StepMark
	w.xfer = nil
	if err := w.armStepReminder(ctx); err != nil {
		return err
	}
	w.taskKey = fmt.Sprintf("%s#%d", step.Key, w.seq+1)
	d := w.stepDue
	e.open = []activities.ApplicationTask{{StepKey: w.taskKey, Action: stepAction(step), AgencyCode: w.agency, Role: string(step.Role), DueAt: &d}}
	return w.record(ctx, e)
}

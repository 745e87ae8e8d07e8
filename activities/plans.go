package activities

import (
	"context"
	"time"

	cds "github.com/caobang/congdanso"
	"github.com/caobang/congdanso/worktime"
)

// Plans put the working-time arithmetic of one dossier step into one local
// activity, so a step's workflow task records one marker instead of one per
// figure (issue 22: acceptance ran eight local activities, a forward three).
// Dossiers use them from application-interagency-handoff v2 on.

// StepPlanInput: a step entered at From with Budget of working time; a
// reminder at RemindShare of the budget (0: none).
type StepPlanInput struct {
	From        time.Time     `json:"from"`
	Budget      time.Duration `json:"budget"`
	RemindShare float64       `json:"remind_share,omitempty"`
}

// StepPlan is the step's due time and its reminder mark (zero when none).
type StepPlan struct {
	Due      time.Time `json:"due"`
	RemindAt time.Time `json:"remind_at"`
}

// AcceptPlanInput: a dossier accepted At under the procedure Code; Submitted
// is the version it was filed under, kept if the procedure has left the
// catalogue since.
type AcceptPlanInput struct {
	Code        string        `json:"code"`
	At          time.Time     `json:"at"`
	Submitted   cds.Procedure `json:"submitted"`
	RemindShare float64       `json:"remind_share,omitempty"`
}

// AcceptPlan is the procedure version in force at acceptance, the
// appointment, the working hours until it (the dossier's budget) and the
// dossier's reminder mark.
type AcceptPlan struct {
	Procedure cds.Procedure `json:"procedure"`
	Due       time.Time     `json:"due"`
	Hours     float64       `json:"hours"`
	RemindAt  time.Time     `json:"remind_at"`
}

// DueFunc is ComputeDue's arithmetic; HoursFunc WorkingHoursBetween's.
type (
	DueFunc   func(DueInput) (time.Time, error)
	HoursFunc func(from, to time.Time) (float64, error)
)

// PlanStep computes a step plan with due.
func PlanStep(due DueFunc, in StepPlanInput) (StepPlan, error) {
	var p StepPlan
	var err error
	if p.Due, err = due(DueInput{From: in.From, Amount: in.Budget.Hours(), Unit: worktime.UnitWorkingHours}); err != nil || in.RemindShare <= 0 {
		return p, err
	}
	p.RemindAt, err = due(DueInput{From: in.From, Amount: shareOf(in.Budget, in.RemindShare).Hours(), Unit: worktime.UnitWorkingHours})
	return p, err
}

// PlanAcceptance computes the acceptance plan of procedure p.
func PlanAcceptance(due DueFunc, hours HoursFunc, p cds.Procedure, in AcceptPlanInput) (AcceptPlan, error) {
	plan := AcceptPlan{Procedure: p}
	var err error
	if plan.Due, err = due(DueInput{From: in.At, Amount: p.Duration, Unit: worktime.Unit(p.Unit)}); err != nil {
		return plan, err
	}
	if plan.Hours, err = hours(in.At, plan.Due); err != nil || in.RemindShare <= 0 {
		return plan, err
	}
	budget := time.Duration(plan.Hours * float64(time.Hour))
	plan.RemindAt, err = due(DueInput{From: in.At, Amount: shareOf(budget, in.RemindShare).Hours(), Unit: worktime.UnitWorkingHours})
	return plan, err
}

// shareOf is share of a budget, as the dossier's clocks count it.
func shareOf(budget time.Duration, share float64) time.Duration {
	return time.Duration(float64(budget) * share)
}

// StepPlan plans a dossier step (a local activity).
func (a *Activities) StepPlan(ctx context.Context, in StepPlanInput) (StepPlan, error) {
	return PlanStep(a.dueFunc(ctx), in)
}

// AcceptPlan plans a dossier's acceptance (a local activity): the procedure
// version in force (as ApplicationProcedureAt, falling back to the submitted
// version when the procedure was withdrawn), then the arithmetic.
func (a *Activities) AcceptPlan(ctx context.Context, in AcceptPlanInput) (AcceptPlan, error) {
	p, err := AcceptedProcedure(ctx, a, in)
	if err != nil {
		return AcceptPlan{}, err
	}
	return PlanAcceptance(a.dueFunc(ctx), func(from, to time.Time) (float64, error) { return a.WorkingHoursBetween(ctx, from, to) }, p, in)
}

// AcceptedProcedure is the procedure version a dossier is accepted under:
// the one in force at in.At, or the submitted one if the procedure has left
// the catalogue.
func AcceptedProcedure(ctx context.Context, a *Activities, in AcceptPlanInput) (cds.Procedure, error) {
	p, err := a.DB.ProcedureAt(ctx, in.Code, in.At)
	if cds.ErrorCode(err) == cds.ENOTFOUND {
		return in.Submitted, nil
	}
	return p, err
}

func (a *Activities) dueFunc(ctx context.Context) DueFunc {
	return func(in DueInput) (time.Time, error) { return a.ComputeDue(ctx, in) }
}

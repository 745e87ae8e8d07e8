package activities

import (
	"context"
	"fmt"
	"time"

	"go.temporal.io/sdk/temporal"

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

// RecordStepInput is a dossier event whose working-time figures are computed
// in the same local activity that writes it (application-local-writes v6):
// the step it enters (Plan: the due time goes on the task PlanTask opens)
// and, at issue_result, the dossier's clock paused at the result (Pause: its
// used working hours go in the snapshot). A step's workflow task then
// records one marker where it recorded two (BENCHMARKS.md, T16).
type RecordStepInput struct {
	Record   ApplicationRecord `json:"record"`
	Plan     *StepPlanInput    `json:"plan,omitempty"`
	PlanTask string            `json:"plan_task,omitempty"`
	Pause    *ClockInput       `json:"pause,omitempty"`
}

// RecordStepResult is what the workflow keeps from RecordApplicationStep:
// the step's plan and the paused clock (each zero when not asked).
type RecordStepResult struct {
	Plan  StepPlan   `json:"plan"`
	Clock ClockState `json:"clock"`
}

// RecordApplicationStep computes the figures in, puts them in the record and
// writes it (a local activity). Idempotent like RecordApplication: a retry
// computes the same figures and writes nothing twice.
func (a *Activities) RecordApplicationStep(ctx context.Context, in RecordStepInput) (RecordStepResult, error) {
	return RecordStepWith(ctx, a, a.dueFunc(ctx), func(c ClockInput) (ClockState, error) { return a.PauseClock(ctx, c) }, in)
}

// RecordStepWith is RecordApplicationStep with the given working-time
// arithmetic (tests with a scaled clock pass theirs).
func RecordStepWith(ctx context.Context, a *Activities, due DueFunc, pause func(ClockInput) (ClockState, error), in RecordStepInput) (RecordStepResult, error) {
	var out RecordStepResult
	r, err := FillStepRecord(due, pause, in, &out)
	if err != nil {
		return out, err
	}
	return out, a.RecordApplication(ctx, r)
}

// FillStepRecord computes in's figures into out and returns the record
// with them: the planned task's due time and the handling hours.
func FillStepRecord(due DueFunc, pause func(ClockInput) (ClockState, error), in RecordStepInput, out *RecordStepResult) (ApplicationRecord, error) {
	r := in.Record
	if in.Plan != nil {
		p, err := PlanStep(due, *in.Plan)
		if err != nil {
			return r, err
		}
		out.Plan = p
		found := false
		r.OpenTasks = append([]ApplicationTask(nil), r.OpenTasks...)
		for i := range r.OpenTasks {
			if r.OpenTasks[i].StepKey == in.PlanTask {
				d := p.Due
				r.OpenTasks[i].DueAt, found = &d, true
			}
		}
		if !found {
			msg := fmt.Sprintf("record step: no open task %q to plan", in.PlanTask)
			return r, temporal.NewNonRetryableApplicationError(msg, "PLAN_TASK", nil)
		}
	}
	if in.Pause != nil {
		st, err := pause(*in.Pause)
		if err != nil {
			return r, err
		}
		out.Clock = st
		h := st.Clock.Used.Hours()
		r.Case.HandlingHours = &h
	}
	return r, nil
}

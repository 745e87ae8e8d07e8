package integration

import (
	"context"
	"time"

	"github.com/caobang/congdanso/activities"
	"github.com/caobang/congdanso/worktime"
)

// dossierClock is the worker's Activities with every piece of the dossier's
// working-time arithmetic (due times, hours between, pausing and resuming
// clocks) in one scale: one working hour = hour of real time, whatever the
// calendar says now. Every other activity is the real one.
type dossierClock struct {
	*activities.Activities
	hour time.Duration
}

func (c dossierClock) ComputeDue(_ context.Context, in activities.DueInput) (time.Time, error) {
	h := in.Amount
	if in.Unit != worktime.UnitWorkingHours {
		h *= 8
	}
	return in.From.Add(time.Duration(h * float64(c.hour))), nil
}

func (c dossierClock) WorkingHoursBetween(_ context.Context, from, to time.Time) (float64, error) {
	return float64(to.Sub(from)) / float64(c.hour), nil
}

// StepPlan and AcceptPlan plan with this scale (application-interagency-handoff v2).
func (c dossierClock) StepPlan(ctx context.Context, in activities.StepPlanInput) (activities.StepPlan, error) {
	return scaledStepPlan(ctx, c, in)
}

func (c dossierClock) AcceptPlan(ctx context.Context, in activities.AcceptPlanInput) (activities.AcceptPlan, error) {
	return scaledAcceptPlan(ctx, c, c.Activities, in)
}

// RecordApplicationStep plans with this scale and pauses this clock
// (application-local-writes v6).
func (c dossierClock) RecordApplicationStep(ctx context.Context, in activities.RecordStepInput) (activities.RecordStepResult, error) {
	return scaledRecordStep(ctx, c, c.Activities, func(k activities.ClockInput) (activities.ClockState, error) { return c.PauseClock(ctx, k) }, in)
}

// workCalc is a test's working-time arithmetic (dossierClock, fastDeadlines).
type workCalc interface {
	ComputeDue(context.Context, activities.DueInput) (time.Time, error)
	WorkingHoursBetween(context.Context, time.Time, time.Time) (float64, error)
}

// scaledStepPlan and scaledAcceptPlan are the plan activities made of c's
// arithmetic, so a scaled test clock reaches every step's deadlines.
func scaledStepPlan(ctx context.Context, c workCalc, in activities.StepPlanInput) (activities.StepPlan, error) {
	return activities.PlanStep(func(d activities.DueInput) (time.Time, error) { return c.ComputeDue(ctx, d) }, in)
}

func scaledAcceptPlan(ctx context.Context, c workCalc, a *activities.Activities, in activities.AcceptPlanInput) (activities.AcceptPlan, error) {
	p, err := activities.AcceptedProcedure(ctx, a, in)
	if err != nil {
		return activities.AcceptPlan{}, err
	}
	return activities.PlanAcceptance(func(d activities.DueInput) (time.Time, error) { return c.ComputeDue(ctx, d) },
		func(from, to time.Time) (float64, error) { return c.WorkingHoursBetween(ctx, from, to) }, p, in)
}

// scaledRecordStep is RecordApplicationStep with c's arithmetic and pause.
func scaledRecordStep(ctx context.Context, c workCalc, a *activities.Activities, pause func(activities.ClockInput) (activities.ClockState, error),
	in activities.RecordStepInput) (activities.RecordStepResult, error) {
	return activities.RecordStepWith(ctx, a, func(d activities.DueInput) (time.Time, error) { return c.ComputeDue(ctx, d) }, pause, in)
}

// working converts real time to working time in this scale.
func (c dossierClock) working(d time.Duration) time.Duration {
	return time.Duration(float64(d) / float64(c.hour) * float64(time.Hour))
}

func (c dossierClock) due(k worktime.Clock, at time.Time) time.Time {
	left := k.Budget - k.Used
	if left < 0 {
		left = 0
	}
	from := at
	if k.RunningSince != nil {
		from = *k.RunningSince
	}
	return from.Add(time.Duration(float64(left) / float64(time.Hour) * float64(c.hour)))
}

func (c dossierClock) PauseClock(_ context.Context, in activities.ClockInput) (activities.ClockState, error) {
	k := in.Clock
	if k.RunningSince != nil {
		k.Used += c.working(in.At.Sub(*k.RunningSince))
		k.RunningSince = nil
	}
	return activities.ClockState{Clock: k, Due: c.due(k, in.At)}, nil
}

func (c dossierClock) ResumeClock(_ context.Context, in activities.ClockInput) (activities.ClockState, error) {
	k := in.Clock.Resume(in.At)
	return activities.ClockState{Clock: k, Due: c.due(k, in.At)}, nil
}

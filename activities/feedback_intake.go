package activities

import (
	"context"
	"time"

	"github.com/caobang/congdanso/worktime"
)

// FeedbackIntakeInput is what a new case needs planned before its first
// two events are written (feedback-local-writes v4, workflows/feedback_intake.go).
type FeedbackIntakeInput struct {
	Route RouteInput `json:"route"`
	// WallClock: the workflow computes scaled wall-clock times itself
	// (process-level tests); only the route is planned.
	WallClock bool      `json:"wall_clock,omitempty"`
	At        time.Time `json:"at"`
	// Clock, when set, is the answer clock to start now (with the reminder
	// at Fraction of it); nil when the clock waits for acceptance.
	Clock       *worktime.Clock `json:"clock,omitempty"`
	Fraction    float64         `json:"fraction,omitempty"`
	AcceptHours float64         `json:"accept_hours"`
	// AnswerHours, with Clock nil: the provisional answer due time counts
	// them from the accept deadline.
	AnswerHours float64 `json:"answer_hours,omitempty"`
}

// FeedbackIntakePlan is the agency and the deadlines of a new case.
type FeedbackIntakePlan struct {
	Agency         string      `json:"agency"`
	Clock          *ClockState `json:"clock,omitempty"`
	AcceptDue      time.Time   `json:"accept_due"`
	ProvisionalDue time.Time   `json:"provisional_due"`
}

// PlanFeedbackIntake routes a new case and computes its deadlines in one
// local activity: the routing read, then PlanFeedbackTimes.
func (a *Activities) PlanFeedbackIntake(ctx context.Context, in FeedbackIntakeInput) (FeedbackIntakePlan, error) {
	agency, err := a.RouteFeedback(ctx, in.Route)
	if err != nil {
		return FeedbackIntakePlan{}, err
	}
	return a.PlanFeedbackTimes(ctx, in, agency)
}

// PlanFeedbackTimes is the working-time half of PlanFeedbackIntake for a
// case routed to agency: the same ResumeClock and ComputeDue a case ran one
// by one before v4 (no database: the calendar is cached).
func (a *Activities) PlanFeedbackTimes(ctx context.Context, in FeedbackIntakeInput, agency string) (FeedbackIntakePlan, error) {
	p := FeedbackIntakePlan{Agency: agency}
	if in.WallClock {
		return p, nil
	}
	if in.Clock != nil {
		st, err := a.ResumeClock(ctx, ClockInput{Clock: *in.Clock, At: in.At, Fraction: in.Fraction})
		if err != nil {
			return p, err
		}
		p.Clock = &st
	}
	var err error
	if p.AcceptDue, err = a.ComputeDue(ctx, DueInput{From: in.At, Amount: in.AcceptHours, Unit: worktime.UnitWorkingHours}); err != nil {
		return p, err
	}
	if in.Clock == nil {
		p.ProvisionalDue, err = a.ComputeDue(ctx, DueInput{From: p.AcceptDue, Amount: in.AnswerHours, Unit: worktime.UnitWorkingHours})
	}
	return p, err
}

// RecordFeedbackEvents records events in order, each in its own
// transaction as RecordFeedback does (idempotent by workflow_id+seq, so a
// retry after a crash between them writes only the missing ones).
func (a *Activities) RecordFeedbackEvents(ctx context.Context, evs []FeedbackEvent) error {
	for _, ev := range evs {
		if err := a.RecordFeedback(ctx, ev); err != nil {
			return err
		}
	}
	return nil
}

package activities

import (
	"context"
	"time"

	"github.com/caobang/congdanso/worktime"
)

// DueInput asks for a deadline: Amount of Unit counted from From.
type DueInput struct {
	From   time.Time     `json:"from"`
	Amount float64       `json:"amount"`
	Unit   worktime.Unit `json:"unit"`
}

// ComputeDue returns the deadline in working time. Workflows call it as a
// local activity so the calendar (editable in PostgreSQL) is read outside
// workflow code and the answer is recorded in history for replay.
func (a *Activities) ComputeDue(ctx context.Context, in DueInput) (time.Time, error) {
	if a.SLAScale > 1 {
		h := in.Amount
		if in.Unit != worktime.UnitWorkingHours {
			h *= worktime.HoursPerDay
		}
		return in.From.Add(time.Duration(h * float64(time.Hour) / a.SLAScale)), nil
	}
	cal, err := a.Calendar(ctx)
	if err != nil {
		return time.Time{}, err
	}
	return cal.Add(in.From, in.Amount, in.Unit)
}

// ClockInput carries a pausable SLA clock and the instant of the operation.
type ClockInput struct {
	Clock worktime.Clock `json:"clock"`
	At    time.Time      `json:"at"`
	// Fraction, for ClockMark: the share of the budget whose instant is wanted.
	Fraction float64 `json:"fraction,omitempty"`
}

// ClockState is a clock with its due time and, when asked, a mark.
type ClockState struct {
	Clock worktime.Clock `json:"clock"`
	Due   time.Time      `json:"due"`
	Mark  time.Time      `json:"mark"`
}

// PauseClock stops the clock at In.At (the citizen is asked for more).
func (a *Activities) PauseClock(ctx context.Context, in ClockInput) (ClockState, error) {
	cal, err := a.Calendar(ctx)
	if err != nil {
		return ClockState{}, err
	}
	k := in.Clock.Pause(cal, in.At)
	return ClockState{Clock: k, Due: k.Due(cal, in.At)}, nil
}

// ResumeClock restarts the clock at In.At and returns the moved due time and
// the instant at which Fraction of the budget is used (for reminders).
func (a *Activities) ResumeClock(ctx context.Context, in ClockInput) (ClockState, error) {
	cal, err := a.Calendar(ctx)
	if err != nil {
		return ClockState{}, err
	}
	k := in.Clock.Resume(in.At)
	st := ClockState{Clock: k, Due: k.Due(cal, in.At)}
	if in.Fraction > 0 {
		st.Mark = k.At(cal, in.At, in.Fraction)
	}
	return st, nil
}

// WorkingHoursBetween returns the working hours between two instants (for
// statistics such as average handling time).
func (a *Activities) WorkingHoursBetween(ctx context.Context, from, to time.Time) (float64, error) {
	if a.SLAScale > 1 {
		return to.Sub(from).Hours() * a.SLAScale, nil
	}
	cal, err := a.Calendar(ctx)
	if err != nil {
		return 0, err
	}
	return cal.WorkingHoursBetween(from, to), nil
}

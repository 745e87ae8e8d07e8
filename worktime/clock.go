package worktime

import "time"

// Clock is a pausable SLA clock measured in working time. It is plain data so a
// workflow can keep it in its state; the calendar arithmetic happens in an
// activity or a caller outside the workflow.
//
// The clock runs from Started; Pause stops it (for example while the citizen is
// asked for more information) and Resume starts it again, so the due time moves
// later by exactly the working time spent paused.
type Clock struct {
	Budget       time.Duration `json:"budget"`        // working time allowed
	Used         time.Duration `json:"used"`          // working time consumed before RunningSince
	RunningSince *time.Time    `json:"running_since"` // nil while paused
}

// NewClock starts a clock with the given working-time budget at t.
func NewClock(budget time.Duration, t time.Time) Clock {
	return Clock{Budget: budget, RunningSince: &t}
}

// Paused reports whether the clock is stopped.
func (k Clock) Paused() bool { return k.RunningSince == nil }

// Pause stops the clock at t.
func (k Clock) Pause(c *Calendar, t time.Time) Clock {
	if k.RunningSince == nil {
		return k
	}
	k.Used += c.WorkingBetween(*k.RunningSince, t)
	k.RunningSince = nil
	return k
}

// Resume restarts a paused clock at t.
func (k Clock) Resume(t time.Time) Clock {
	if k.RunningSince != nil {
		return k
	}
	k.RunningSince = &t
	return k
}

// Remaining returns the working time left at t (negative when overdue).
func (k Clock) Remaining(c *Calendar, t time.Time) time.Duration {
	used := k.Used
	if k.RunningSince != nil {
		used += c.WorkingBetween(*k.RunningSince, t)
	}
	return k.Budget - used
}

// Due returns the due instant if the clock keeps running from now on. For a
// paused clock it returns the due time as if it resumed at t.
func (k Clock) Due(c *Calendar, t time.Time) time.Time {
	from := t
	left := k.Budget - k.Used
	if k.RunningSince != nil {
		from = *k.RunningSince
	}
	if left <= 0 {
		// Already spent: the due time was in the past; walk back is not
		// needed for any caller, so report the moment the budget ran out.
		return c.AddWorking(from, 0)
	}
	return c.AddWorking(from, left)
}

// At returns the instant when fraction f (0..1) of the budget is used, if the
// clock runs on from its current state (for reminders at 75%).
func (k Clock) At(c *Calendar, t time.Time, f float64) time.Time {
	target := time.Duration(float64(k.Budget) * f)
	from := t
	if k.RunningSince != nil {
		from = *k.RunningSince
	}
	if target <= k.Used {
		return from
	}
	return c.AddWorking(from, target-k.Used)
}

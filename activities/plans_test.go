package activities

import (
	"errors"
	"testing"
	"time"

	"go.temporal.io/sdk/temporal"

	"github.com/caobang/congdanso/worktime"
)

// FillStepRecord puts the step's due time on the task it names and the
// paused clock's hours in the snapshot. Figures by hand on the default
// calendar (07:00–11:30, 13:30–17:00): 8 working hours from Monday 2/3/2026
// 10:00 end Tuesday 3/3 10:00; a clock started Monday 09:00 and paused at
// 14:00 has used 3 hours.
func TestFillStepRecord(t *testing.T) {
	cal := worktime.MustDefault()
	vn := time.FixedZone("ICT", 7*3600)
	due := func(in DueInput) (time.Time, error) { return cal.Add(in.From, in.Amount, in.Unit) }
	pause := func(in ClockInput) (ClockState, error) {
		k := in.Clock.Pause(cal, in.At)
		return ClockState{Clock: k, Due: k.Due(cal, in.At)}, nil
	}
	mon := func(h int) time.Time { return time.Date(2026, 3, 2, h, 0, 0, 0, vn) }
	closeDue := mon(9)
	open := []ApplicationTask{{StepKey: "apology#4"}, {StepKey: "leader#4"}}
	in := RecordStepInput{Record: ApplicationRecord{Seq: 4, OpenTasks: open, CloseTasks: []string{"specialist#2"}},
		Plan: &StepPlanInput{From: mon(10), Budget: 8 * time.Hour}, PlanTask: "leader#4",
		Pause: &ClockInput{Clock: worktime.NewClock(40*time.Hour, mon(9)), At: mon(14)}}
	in.Record.OpenTasks[0].DueAt = &closeDue
	var out RecordStepResult
	r, err := FillStepRecord(due, pause, in, &out)
	if err != nil {
		t.Fatal(err)
	}
	if d := r.OpenTasks[1].DueAt; d == nil || !d.Equal(time.Date(2026, 3, 3, 10, 0, 0, 0, vn)) {
		t.Errorf("planned task due %v, want Tuesday 3/3 10:00", d)
	}
	if d := r.OpenTasks[0].DueAt; d != &closeDue {
		t.Errorf("the other task's due changed: %v", d)
	}
	if open[1].DueAt != nil {
		t.Error("the caller's task list was written to")
	}
	if !out.Plan.Due.Equal(*r.OpenTasks[1].DueAt) {
		t.Errorf("the plan returned %v, the record has %v", out.Plan.Due, r.OpenTasks[1].DueAt)
	}
	if h := r.Case.HandlingHours; h == nil || *h != 3 {
		t.Errorf("handling hours %v, want 3", h)
	}
	if !out.Clock.Clock.Paused() {
		t.Error("the returned clock is not paused")
	}

	// A plan for a task the record does not open is a bug: it fails at once.
	in.PlanTask = "result#4"
	_, err = FillStepRecord(due, pause, in, &out)
	var ae *temporal.ApplicationError
	if !errors.As(err, &ae) || !ae.NonRetryable() {
		t.Errorf("a plan for a task not opened: %v, want a non-retryable error", err)
	}
}

package activities

import (
	"context"
	"testing"
	"time"

	"github.com/caobang/congdanso/worktime"
)

// With SLAScale the deadline arithmetic runs in wall-clock time divided by
// the scale (no calendar, no database): 8 working hours or 1 working day
// at 3600 are 8 seconds.
func TestComputeDueScaled(t *testing.T) {
	a := &Activities{SLAScale: 3600}
	from := time.Date(2026, 3, 2, 22, 0, 0, 0, time.UTC) // night: working time would stand still
	for _, c := range []struct {
		amount float64
		unit   worktime.Unit
		want   time.Duration
	}{
		{8, worktime.UnitWorkingHours, 8 * time.Second},
		{1, worktime.UnitWorkingDays, 8 * time.Second},
		{15, worktime.UnitWorkingDays, 120 * time.Second},
	} {
		got, err := a.ComputeDue(context.Background(), DueInput{From: from, Amount: c.amount, Unit: c.unit})
		if err != nil || got.Sub(from) != c.want {
			t.Errorf("%v %s: due after %v (%v), want %v", c.amount, c.unit, got.Sub(from), err, c.want)
		}
	}
	h, err := a.WorkingHoursBetween(context.Background(), from, from.Add(8*time.Second))
	if err != nil || h != 8 {
		t.Errorf("working hours between = %v (%v), want 8", h, err)
	}
}

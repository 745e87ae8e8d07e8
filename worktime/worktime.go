// Package worktime counts deadlines in working time, the way Vietnamese
// one-stop systems do: two sessions a day (07:00–11:30, 13:30–17:00), Monday to
// Friday, in Asia/Ho_Chi_Minh, skipping public holidays and honouring the
// government's make-up working days (usually Saturdays) that pay back a bridge
// day off. Eight working hours make one working day.
package worktime

import (
	"fmt"
	"sort"
	"time"
)

// HoursPerDay is the length of one working day in working hours.
const HoursPerDay = 8

// Session is a working session within a day, in minutes after midnight.
type Session struct {
	Start int `json:"start"`
	End   int `json:"end"`
}

// DefaultSessions are 07:00–11:30 and 13:30–17:00.
var DefaultSessions = []Session{{7 * 60, 11*60 + 30}, {13*60 + 30, 17 * 60}}

// DayKind says whether a listed date is a day off or an extra working day.
type DayKind string

// Day kinds.
const (
	Holiday DayKind = "holiday" // ngày nghỉ lễ, Tết, nghỉ bù
	Workday DayKind = "workday" // ngày làm bù (a Saturday or Sunday worked)
)

// Day is one entry of the editable calendar table.
type Day struct {
	Date string  `json:"date"` // 2006-01-02
	Kind DayKind `json:"kind"`
	Name string  `json:"name"`
}

// Calendar answers working-time questions. It is immutable once built and safe
// for concurrent use; rebuild it when the table changes.
type Calendar struct {
	loc      *time.Location
	sessions []Session
	days     map[int]Day // key yyyymmdd
}

// New builds a calendar with the default sessions in Asia/Ho_Chi_Minh.
func New(days []Day) (*Calendar, error) {
	return NewWithSessions(days, DefaultSessions, time.FixedZone("Asia/Ho_Chi_Minh", 7*3600))
}

// NewWithSessions builds a calendar with explicit sessions and zone.
func NewWithSessions(days []Day, sessions []Session, loc *time.Location) (*Calendar, error) {
	c := &Calendar{loc: loc, sessions: append([]Session(nil), sessions...), days: map[int]Day{}}
	sort.Slice(c.sessions, func(i, j int) bool { return c.sessions[i].Start < c.sessions[j].Start })
	prevEnd := -1
	for _, s := range c.sessions {
		if s.Start < 0 || s.End > 24*60 || s.End <= s.Start || s.Start < prevEnd {
			return nil, fmt.Errorf("worktime: bad session %d-%d", s.Start, s.End)
		}
		prevEnd = s.End
	}
	for _, d := range days {
		t, err := time.ParseInLocation("2006-01-02", d.Date, loc)
		if err != nil {
			return nil, fmt.Errorf("worktime: bad date %q: %w", d.Date, err)
		}
		if d.Kind != Holiday && d.Kind != Workday {
			return nil, fmt.Errorf("worktime: bad kind %q for %s", d.Kind, d.Date)
		}
		c.days[key(t)] = d
	}
	return c, nil
}

// MustDefault returns the calendar seeded with the official 2025–2027 days.
func MustDefault() *Calendar {
	c, err := New(DefaultDays())
	if err != nil {
		panic(err)
	}
	return c
}

// Location returns the calendar's time zone.
func (c *Calendar) Location() *time.Location { return c.loc }

// Days returns the calendar's listed days sorted by date.
func (c *Calendar) Days() []Day {
	out := make([]Day, 0, len(c.days))
	for _, d := range c.days {
		out = append(out, d)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Date < out[j].Date })
	return out
}

func key(t time.Time) int {
	y, m, d := t.Date()
	return y*10000 + int(m)*100 + d
}

// IsWorkingDay reports whether the date of t (in the calendar's zone) is worked.
func (c *Calendar) IsWorkingDay(t time.Time) bool {
	t = t.In(c.loc)
	if d, ok := c.days[key(t)]; ok {
		return d.Kind == Workday
	}
	wd := t.Weekday()
	return wd != time.Saturday && wd != time.Sunday
}

func midnight(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, t.Location())
}

// maxDays bounds every walk over the calendar (about 30 years), so a calendar
// with no working days cannot loop forever.
const maxDays = 11000

// AddWorking returns the instant reached after d of working time counted from t.
// Time outside sessions does not count. With d == 0 it returns t unchanged.
// A duration that ends exactly at a session's end returns that end (17:00), not
// the next morning.
func (c *Calendar) AddWorking(t time.Time, d time.Duration) time.Time {
	if d <= 0 {
		return t
	}
	cur := t.In(c.loc)
	day := midnight(cur)
	remaining := d
	for i := 0; i < maxDays; i++ {
		if c.IsWorkingDay(day) {
			for _, s := range c.sessions {
				start := day.Add(time.Duration(s.Start) * time.Minute)
				end := day.Add(time.Duration(s.End) * time.Minute)
				if !end.After(cur) {
					continue
				}
				from := start
				if cur.After(from) {
					from = cur
				}
				avail := end.Sub(from)
				if remaining <= avail {
					return from.Add(remaining)
				}
				remaining -= avail
			}
		}
		day = midnight(day.AddDate(0, 0, 1))
		cur = day
	}
	panic("worktime: calendar has no working time")
}

// AddWorkingHours is AddWorking with a duration in (possibly fractional) hours.
func (c *Calendar) AddWorkingHours(t time.Time, h float64) time.Time {
	return c.AddWorking(t, time.Duration(h*float64(time.Hour)))
}

// AddWorkingDays adds n working days of HoursPerDay hours each.
func (c *Calendar) AddWorkingDays(t time.Time, n int) time.Time {
	return c.AddWorking(t, time.Duration(n*HoursPerDay)*time.Hour)
}

// WorkingBetween returns the working time between a and b (zero if b <= a).
func (c *Calendar) WorkingBetween(a, b time.Time) time.Duration {
	if !b.After(a) {
		return 0
	}
	a, b = a.In(c.loc), b.In(c.loc)
	var total time.Duration
	day := midnight(a)
	for i := 0; i < maxDays && day.Before(b); i++ {
		if c.IsWorkingDay(day) {
			for _, s := range c.sessions {
				start := day.Add(time.Duration(s.Start) * time.Minute)
				end := day.Add(time.Duration(s.End) * time.Minute)
				if start.Before(a) {
					start = a
				}
				if end.After(b) {
					end = b
				}
				if end.After(start) {
					total += end.Sub(start)
				}
			}
		}
		day = midnight(day.AddDate(0, 0, 1))
	}
	return total
}

// WorkingHoursBetween is WorkingBetween in hours.
func (c *Calendar) WorkingHoursBetween(a, b time.Time) float64 {
	return c.WorkingBetween(a, b).Hours()
}

// AddCalendarDays adds n calendar days ("Ngày" rather than "Ngày làm việc").
// The result never falls on a day off: it moves to the end of the next working day.
func (c *Calendar) AddCalendarDays(t time.Time, n int) time.Time {
	r := t.In(c.loc).AddDate(0, 0, n)
	for i := 0; i < maxDays && !c.IsWorkingDay(r); i++ {
		r = r.AddDate(0, 0, 1)
		last := c.sessions[len(c.sessions)-1]
		r = midnight(r).Add(time.Duration(last.End) * time.Minute)
	}
	return r
}

// Unit is how a processing time is counted.
type Unit string

// Units of processing time.
const (
	UnitWorkingHours Unit = "working_hours"
	UnitWorkingDays  Unit = "working_days"
	UnitCalendarDays Unit = "calendar_days"
)

// Add adds amount of unit to t.
func (c *Calendar) Add(t time.Time, amount float64, unit Unit) (time.Time, error) {
	switch unit {
	case UnitWorkingHours:
		return c.AddWorkingHours(t, amount), nil
	case UnitWorkingDays:
		return c.AddWorkingHours(t, amount*HoursPerDay), nil
	case UnitCalendarDays:
		return c.AddCalendarDays(t, int(amount)), nil
	}
	return time.Time{}, fmt.Errorf("worktime: unknown unit %q", unit)
}

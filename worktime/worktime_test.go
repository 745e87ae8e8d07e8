package worktime

import (
	"testing"
	"time"
)

var vn = time.FixedZone("ICT", 7*3600)

func at(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, vn)
	if err != nil {
		panic(err)
	}
	return t
}

func TestAddWorkingHours(t *testing.T) {
	c := MustDefault()
	cases := []struct {
		name  string
		from  string
		hours float64
		want  string
	}{
		{"same morning", "2026-03-02 08:00", 2, "2026-03-02 10:00"},
		{"rolls over lunch", "2026-03-02 10:30", 2, "2026-03-02 14:30"},
		{"lunch start moves to 13:30", "2026-03-02 12:00", 1, "2026-03-02 14:30"},
		{"before 07:00 starts at 07:00", "2026-03-02 05:00", 1, "2026-03-02 08:00"},
		{"after 17:00 starts next morning", "2026-03-02 18:00", 1, "2026-03-03 08:00"},
		{"full day ends at 17:00", "2026-03-02 07:00", 8, "2026-03-02 17:00"},
		{"friday to monday", "2026-03-06 16:00", 2, "2026-03-09 08:00"},
		{"one working day", "2026-03-03 09:00", 8, "2026-03-04 09:00"},
		{"fractional hours", "2026-03-02 07:00", 0.5, "2026-03-02 07:30"},
		{"zero is identity", "2026-03-02 19:00", 0, "2026-03-02 19:00"},
		// Tết 2026: 16–20 Feb off, plus the weekends around it.
		{"across Tết 2026", "2026-02-13 16:00", 2, "2026-02-23 08:00"},
		{"submitted during Tết", "2026-02-18 10:00", 8, "2026-02-23 17:00"},
		// 30/4 and 1/5/2026 (Thu, Fri), then the weekend.
		{"across 30/4–1/5 2026", "2026-04-29 15:00", 4, "2026-05-04 09:00"},
		// 1/9 and 2/9/2026 (Tue, Wed).
		{"across Quốc khánh 2026", "2026-08-31 16:00", 3, "2026-09-03 09:00"},
		// 2025: Sat 26/4 is worked, Fri 2/5 is off.
		{"swapped Saturday is worked", "2025-04-25 16:00", 2, "2025-04-26 08:00"},
		{"swapped Friday is off", "2025-04-29 16:00", 2, "2025-05-05 08:00"},
		{"15 working days", "2026-03-02 07:00", 15 * 8, "2026-03-20 17:00"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := c.AddWorkingHours(at(tc.from), tc.hours)
			if !got.Equal(at(tc.want)) {
				t.Fatalf("AddWorkingHours(%s, %v) = %s, want %s", tc.from, tc.hours, got.In(vn).Format("2006-01-02 15:04 Mon"), tc.want)
			}
		})
	}
}

func TestWorkingHoursBetween(t *testing.T) {
	c := MustDefault()
	cases := []struct {
		name  string
		a, b  string
		hours float64
	}{
		{"within a session", "2026-03-02 08:00", "2026-03-02 10:00", 2},
		{"over lunch", "2026-03-02 11:00", "2026-03-02 14:00", 1},
		{"a full day", "2026-03-02 00:00", "2026-03-03 00:00", 8},
		{"a week", "2026-03-02 00:00", "2026-03-09 00:00", 40},
		{"Tết 2026 week is empty", "2026-02-14 00:00", "2026-02-22 23:59", 0},
		{"week with 27/4 in lieu and 30/4–1/5 2026", "2026-04-27 00:00", "2026-05-04 00:00", 16},
		{"swapped Saturday counts", "2025-04-26 00:00", "2025-04-27 00:00", 8},
		{"reversed is zero", "2026-03-03 10:00", "2026-03-02 10:00", 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := c.WorkingHoursBetween(at(tc.a), at(tc.b)); got != tc.hours {
				t.Fatalf("WorkingHoursBetween(%s, %s) = %v, want %v", tc.a, tc.b, got, tc.hours)
			}
		})
	}
}

func TestAddThenBetweenRoundTrip(t *testing.T) {
	c := MustDefault()
	start := at("2026-01-28 09:15")
	for h := 1; h < 400; h += 7 {
		end := c.AddWorkingHours(start, float64(h))
		if got := c.WorkingHoursBetween(start, end); got != float64(h) {
			t.Fatalf("round trip %d h: between = %v (end %s)", h, got, end)
		}
	}
}

func TestCalendarDays(t *testing.T) {
	c := MustDefault()
	// 10 calendar days from Fri 6 Feb 2026 is Mon 16 Feb (Tết): it moves to the end of Mon 23 Feb.
	got := c.AddCalendarDays(at("2026-02-06 10:00"), 10)
	if !got.Equal(at("2026-02-23 17:00")) {
		t.Fatalf("AddCalendarDays = %s", got)
	}
	got = c.AddCalendarDays(at("2026-03-02 10:00"), 3)
	if !got.Equal(at("2026-03-05 10:00")) {
		t.Fatalf("AddCalendarDays plain = %s", got)
	}
}

func TestClockPauseResume(t *testing.T) {
	c := MustDefault()
	// 16 working hours budget from Thu 12 Feb 2026 08:00.
	k := NewClock(16*time.Hour, at("2026-02-12 08:00"))
	if due := k.Due(c, at("2026-02-12 08:00")); !due.Equal(at("2026-02-23 08:00")) {
		t.Fatalf("due = %s", due)
	}
	// Paused Thu 10:00 (2 h used) over Tết, resumed Mon 23 Feb 07:00.
	k = k.Pause(c, at("2026-02-12 10:00"))
	if !k.Paused() || k.Used != 2*time.Hour {
		t.Fatalf("pause: %+v", k)
	}
	if r := k.Remaining(c, at("2026-02-20 10:00")); r != 14*time.Hour {
		t.Fatalf("remaining while paused = %v", r)
	}
	k = k.Resume(at("2026-02-23 07:00"))
	if due := k.Due(c, at("2026-02-23 07:00")); !due.Equal(at("2026-02-24 15:00")) {
		t.Fatalf("due after resume = %s", due)
	}
	if at75 := k.At(c, at("2026-02-23 07:00"), 0.75); !at75.Equal(at("2026-02-24 09:00")) {
		t.Fatalf("75%% mark = %s", at75)
	}
}

func TestBadInput(t *testing.T) {
	if _, err := New([]Day{{Date: "2026-13-01", Kind: Holiday}}); err == nil {
		t.Fatal("bad date accepted")
	}
	if _, err := New([]Day{{Date: "2026-01-01", Kind: "x"}}); err == nil {
		t.Fatal("bad kind accepted")
	}
	if _, err := NewWithSessions(nil, []Session{{600, 500}}, vn); err == nil {
		t.Fatal("bad session accepted")
	}
	c := MustDefault()
	if _, err := c.Add(at("2026-03-02 08:00"), 1, "weeks"); err == nil {
		t.Fatal("bad unit accepted")
	}
}

func BenchmarkAddWorkingHours15Days(b *testing.B) {
	c := MustDefault()
	start := at("2026-02-10 09:00")
	for i := 0; i < b.N; i++ {
		c.AddWorkingHours(start, 120)
	}
}

func FuzzAddWorking(f *testing.F) {
	f.Add(int64(1771900000), int64(3600))
	f.Add(int64(0), int64(-5))
	f.Add(int64(1800000000), int64(500*3600))
	c := MustDefault()
	f.Fuzz(func(t *testing.T, unix, secs int64) {
		if unix < 0 || unix > 4102444800 || secs > 3*365*24*3600 {
			return
		}
		start := time.Unix(unix, 0)
		d := time.Duration(secs) * time.Second
		end := c.AddWorking(start, d)
		if d <= 0 {
			if !end.Equal(start) {
				t.Fatal("non-positive duration moved the time")
			}
			return
		}
		if end.Before(start) {
			t.Fatal("end before start")
		}
		if got := c.WorkingBetween(start, end); got != d {
			t.Fatalf("round trip: %v != %v", got, d)
		}
	})
}

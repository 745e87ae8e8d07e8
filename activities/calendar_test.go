package activities

import (
	"context"
	"testing"
	"time"
)

// TestCalendarOutlastsADatabaseOutage: once the cache has expired, a reload
// that fails while PostgreSQL is down must not fail the deadline arithmetic
// of every case; the calendar read before the outage stands in (nobody can
// edit it while the database is down). With nothing cached, the error shows.
func TestCalendarOutlastsADatabaseOutage(t *testing.T) {
	db := testDB(t)
	ctx := context.Background()
	// A day off that only the database knows: Monday 7/12/2026.
	if _, err := db.Pool.Exec(ctx, `INSERT INTO work_calendar_days (day, kind, name) VALUES ('2026-12-07', 'holiday', 'Nghỉ bù thử')
		ON CONFLICT (day) DO UPDATE SET kind = 'holiday'`); err != nil {
		t.Fatal(err)
	}
	a := &Activities{DB: db}
	monday := time.Date(2026, 12, 7, 9, 0, 0, 0, time.FixedZone("ICT", 7*3600))
	cal, err := a.Calendar(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if cal.IsWorkingDay(monday) {
		t.Fatal("the calendar did not come from the database: 7/12/2026 is a day off there")
	}

	db.Close() // the database goes away
	a.calMu.Lock()
	a.calTime = time.Now().Add(-2 * calendarTTL)
	a.calMu.Unlock()
	got, err := a.Calendar(ctx)
	if err != nil {
		t.Fatalf("with a cached calendar, a failed reload must not fail the arithmetic: %v", err)
	}
	if got != cal || got.IsWorkingDay(monday) {
		t.Fatal("the cached calendar must stand in for the one that could not be read")
	}
	if _, err := (&Activities{DB: db}).Calendar(ctx); err == nil {
		t.Fatal("with nothing cached, a failed read must be an error, never a default calendar")
	}
}

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

// TestCalendarReloadHoldsNobodyElse: while one caller reloads a stale
// calendar and PostgreSQL is slow to answer (here: the table is locked by
// an admin's open transaction), the other callers go on with the cached
// calendar. Before, the reload ran under the cache's lock, so every
// deadline computation of the worker and the API queued behind it. The
// check is one of order, not of time: the second caller must have its
// answer while the first is still waiting on the database.
func TestCalendarReloadHoldsNobodyElse(t *testing.T) {
	db := testDB(t)
	ctx := context.Background()
	a := &Activities{DB: db}
	cal, err := a.Calendar(ctx)
	if err != nil {
		t.Fatal(err)
	}
	a.calMu.Lock()
	a.calTime = time.Now().Add(-2 * calendarTTL)
	a.calMu.Unlock()

	tx, err := db.Pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = tx.Rollback(ctx) }()
	if _, err := tx.Exec(ctx, `LOCK TABLE work_calendar_days IN ACCESS EXCLUSIVE MODE`); err != nil {
		t.Fatal(err)
	}
	first := make(chan error, 1)
	go func() {
		_, err := a.Calendar(ctx)
		first <- err
	}()
	// Wait until the first caller's reload is waiting on the lock.
	for i := 0; ; i++ {
		var waiting bool
		if err := db.Pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_stat_activity
			WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE '%work_calendar_days%')`).Scan(&waiting); err != nil {
			t.Fatal(err)
		}
		if waiting {
			break
		}
		if i == 200 {
			t.Fatal("the first caller never reached the database")
		}
		time.Sleep(10 * time.Millisecond)
	}
	got, err := a.Calendar(ctx)
	if err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-first:
		t.Fatalf("the second caller waited for the first one's reload (which ended with %v)", err)
	default:
	}
	if got != cal {
		t.Fatal("the second caller did not get the cached calendar")
	}
	if err := tx.Rollback(ctx); err != nil {
		t.Fatal(err)
	}
	if err := <-first; err != nil {
		t.Fatal(err)
	}
}

// Package activities holds every side effect of the workflows: one method per
// effect on the Activities struct. Each write is idempotent (INSERT … ON
// CONFLICT keyed by workflow ID plus a step or event key), so a retried
// activity never writes twice.
package activities

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"go.temporal.io/sdk/client"

	cds "github.com/caobang/congdanso"
	"github.com/caobang/congdanso/postgres"
	"github.com/caobang/congdanso/worktime"
)

// Activities holds the dependencies of every activity.
type Activities struct {
	DB       *postgres.DB
	Notifier cds.Notifier
	Blob     cds.BlobStore
	Temporal client.Client // to signal other workflows (a paid fee resumes its application)
	Logger   *slog.Logger
	Extra    map[string]any // feature-specific clients (biller, gateway), set in cmd
	Channels ChannelSet     // notification delivery channels (issue 20), set in cmd
	// SLAScale > 1 (process-level tests only, --sla-scale) divides the
	// deadlines of ComputeDue and WorkingHoursBetween and counts them in
	// wall-clock time, as FeedbackSLA.Scale does for feedback: working time
	// stands still at night, and the crash test needs applications to go overdue.
	SLAScale float64

	calMu      sync.Mutex
	cal        *worktime.Calendar
	calTime    time.Time
	calLoading bool // a reload of a stale calendar is under way
	calGen     int  // bumped by InvalidateCalendar: a reload begun before it is not kept
}

// calendarTTL bounds how stale the cached calendar may be after an admin edit.
const calendarTTL = time.Minute

// calendarReload bounds a reload when a cached calendar can stand in for it.
const calendarReload = 2 * time.Second

// Calendar returns the working-time calendar from PostgreSQL, cached for
// calendarTTL; the API's deadline arithmetic uses the same cache (cmd/app).
// A stale calendar is reloaded by one caller at a time, outside the lock:
// the others go on with the cached one meanwhile. When the reload fails and
// a calendar is cached, the cached one is returned: while the database is
// down nobody can edit the calendar, so it is the newest there is, and the
// deadline arithmetic of every case goes on through the outage. The next
// call tries the database again. With nothing cached (the first call, or
// after an edit), callers read under the lock, so they read once.
func (a *Activities) Calendar(ctx context.Context) (*worktime.Calendar, error) {
	a.calMu.Lock()
	cached := a.cal
	if cached != nil && (a.calLoading || time.Since(a.calTime) < calendarTTL) {
		a.calMu.Unlock()
		return cached, nil
	}
	if cached == nil {
		defer a.calMu.Unlock()
		cal, err := a.DB.Calendar(ctx)
		if err != nil {
			return nil, err
		}
		a.cal, a.calTime = cal, time.Now()
		return cal, nil
	}
	a.calLoading = true
	gen := a.calGen
	a.calMu.Unlock()

	rctx, cancel := context.WithTimeout(ctx, calendarReload)
	defer cancel()
	cal, err := a.DB.Calendar(rctx)
	a.calMu.Lock()
	defer a.calMu.Unlock()
	a.calLoading = false
	if err != nil {
		if ctx.Err() == nil {
			a.log().Warn("working-time calendar not reloaded; the cached one stands in", "err", err,
				"cached_for", time.Since(a.calTime).Round(time.Second).String())
			return cached, nil
		}
		return nil, err
	}
	if a.calGen == gen {
		a.cal, a.calTime = cal, time.Now()
	}
	return cal, nil
}

// InvalidateCalendar drops the cache (after an admin edit in this process).
func (a *Activities) InvalidateCalendar() {
	a.calMu.Lock()
	a.cal = nil
	a.calGen++
	a.calMu.Unlock()
}

func (a *Activities) log() *slog.Logger {
	if a.Logger == nil {
		return slog.Default()
	}
	return a.Logger
}

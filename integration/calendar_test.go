package integration

import (
	"context"
	"net/http"
	"testing"
	"time"

	cds "github.com/caobang/congdanso"
	"github.com/caobang/congdanso/activities"
	"github.com/caobang/congdanso/cmd/app/apptest"
	"github.com/caobang/congdanso/worktime"
)

// TestCalendarAdmin: an admin adds a holiday and a make-up Saturday through
// the API, deadlines computed afterwards honour them, bad entries get 400
// with fields and change nothing, and every change is audited.
func TestCalendarAdmin(t *testing.T) {
	env := apptest.New(t)
	_, admin := env.Staff("Quản trị", "UBND-CB", cds.RoleAdmin)
	_, officer := env.Staff("Cán bộ", "SXD", cds.RoleOfficer)
	ctx := context.Background()
	due := func(from string, hours float64) time.Time {
		t.Helper()
		start, _ := time.ParseInLocation("2006-01-02 15:04", from, cds.VietnamTZ)
		d, err := env.App.Activities.ComputeDue(ctx, activities.DueInput{From: start, Amount: hours, Unit: worktime.UnitWorkingHours})
		if err != nil {
			t.Fatal(err)
		}
		return d.In(cds.VietnamTZ)
	}
	// Thu 10/12/2026 16:00 + 2 working hours = Fri 11/12 08:00 before the edit.
	if got := due("2026-12-10 16:00", 2); got.Format("2006-01-02 15:04") != "2026-12-11 08:00" {
		t.Fatalf("before: %s", got)
	}
	if r := env.Do(http.MethodPut, "/api/v1/admin/calendar/2026-12-11", officer, map[string]any{"kind": "holiday", "name": "x"}); r.Status != http.StatusForbidden {
		t.Fatalf("officer edit = %d", r.Status)
	}
	r := env.Do(http.MethodPut, "/api/v1/admin/calendar/2026-12-11", admin, map[string]any{"kind": "holiday", "name": "Nghỉ bù / Day off in lieu"})
	if r.Status != http.StatusOK {
		t.Fatalf("put holiday = %d %s", r.Status, r.Body)
	}
	r = env.Do(http.MethodPut, "/api/v1/admin/calendar/2026-12-12", admin, map[string]any{"kind": "workday", "name": "Làm bù / Make-up day"})
	if r.Status != http.StatusOK {
		t.Fatalf("put workday = %d %s", r.Status, r.Body)
	}
	// Friday is now off and Saturday is worked: the deadline lands on Saturday.
	if got := due("2026-12-10 16:00", 2); got.Format("2006-01-02 15:04") != "2026-12-12 08:00" {
		t.Fatalf("after edit: %s", got)
	}
	// The API's dossier reception deadline reads the same cache, emptied by the edit.
	if cal, err := env.App.Cases.Calendar(ctx); err != nil || cal.IsWorkingDay(time.Date(2026, 12, 11, 9, 0, 0, 0, cds.VietnamTZ)) {
		t.Fatalf("the API's calendar after the edit still works on Friday 11/12 (err %v)", err)
	}
	// A make-up day on a weekday, an unknown kind, an empty name and a bad date are refused.
	for _, tc := range []struct {
		path string
		body map[string]any
	}{
		{"/api/v1/admin/calendar/2026-12-16", map[string]any{"kind": "workday", "name": "x"}},
		{"/api/v1/admin/calendar/2026-12-16", map[string]any{"kind": "party", "name": "x"}},
		{"/api/v1/admin/calendar/2026-12-16", map[string]any{"kind": "holiday", "name": ""}},
		{"/api/v1/admin/calendar/16-12-2026", map[string]any{"kind": "holiday", "name": "x"}},
	} {
		r := env.Do(http.MethodPut, tc.path, admin, tc.body)
		m := r.Map(t)
		e, _ := m["error"].(map[string]any)
		if r.Status != http.StatusBadRequest || e["fields"] == nil || e["message"] == "" || e["message_en"] == "" {
			t.Fatalf("PUT %s %v = %d %s", tc.path, tc.body, r.Status, r.Body)
		}
	}
	var n int
	if err := env.DB.Pool.QueryRow(ctx, `SELECT count(*) FROM work_calendar_days WHERE day = '2026-12-16'`).Scan(&n); err != nil || n != 0 {
		t.Fatalf("refused entry written: %d %v", n, err)
	}
	r = env.Do(http.MethodGet, "/api/v1/admin/calendar?year=2026", admin, nil)
	var list struct {
		Items []worktime.Day `json:"items"`
	}
	r.JSON(t, &list)
	found := false
	for _, d := range list.Items {
		if d.Date < "2026" || d.Date >= "2027" {
			t.Fatalf("year filter let %s through", d.Date)
		}
		found = found || (d.Date == "2026-12-12" && d.Kind == worktime.Workday)
	}
	if !found || len(list.Items) < 10 {
		t.Fatalf("list: %d items, make-up day found %v", len(list.Items), found)
	}
	if r := env.Do(http.MethodDelete, "/api/v1/admin/calendar/2026-12-11", admin, nil); r.Status != http.StatusNoContent {
		t.Fatalf("delete = %d", r.Status)
	}
	if r := env.Do(http.MethodDelete, "/api/v1/admin/calendar/2026-12-11", admin, nil); r.Status != http.StatusNotFound {
		t.Fatalf("second delete = %d", r.Status)
	}
	if got := due("2026-12-10 16:00", 2); got.Format("2006-01-02 15:04") != "2026-12-11 08:00" {
		t.Fatalf("after delete: %s", got)
	}
	if err := env.DB.Pool.QueryRow(ctx, `SELECT count(*) FROM audit_log WHERE object_type = 'calendar'`).Scan(&n); err != nil || n != 3 {
		t.Fatalf("audit rows = %d %v", n, err)
	}
}

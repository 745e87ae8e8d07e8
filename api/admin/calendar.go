package admin

import (
	"context"
	"net/http"
	"time"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	cds "github.com/caobang/congdanso"
	"github.com/caobang/congdanso/api"
	"github.com/caobang/congdanso/postgres"
	"github.com/caobang/congdanso/worktime"
)

// The working-time calendar table (holidays and make-up working days) is
// edited by admins here and on the console's calendar page, through the same
// two operations; deadlines computed after a change use it (the worker's
// cached copy refreshes within a minute, at once in this process).
func (s *Handler) registerCalendar(r *api.Server) {
	r.Handle(http.MethodGet, "/api/v1/admin/calendar", api.Can("calendar", "manage"), s.listCalendar)
	r.Handle(http.MethodPut, "/api/v1/admin/calendar/:date", api.Can("calendar", "manage"), s.putCalendarDay)
	r.Handle(http.MethodDelete, "/api/v1/admin/calendar/:date", api.Can("calendar", "manage"), s.deleteCalendarDay)
}

// CalendarYear lists the entries of one year (0: every year), by date.
func (s *Handler) CalendarYear(ctx context.Context, year int) ([]worktime.Day, error) {
	days, err := s.DB.CalendarDays(ctx)
	if err != nil || year == 0 {
		return days, err
	}
	out := days[:0:0]
	for _, d := range days {
		if t, err := time.Parse("2006-01-02", d.Date); err == nil && t.Year() == year {
			out = append(out, d)
		}
	}
	return out, nil
}

func (s *Handler) listCalendar(c *gin.Context) {
	var year int
	if y := c.Query("year"); y != "" {
		t, err := time.Parse("2006", y)
		if err != nil {
			api.WriteError(c, cds.Errorf(cds.EINVALID, "Năm không hợp lệ.", "Invalid year.").WithField("year", "YYYY"))
			return
		}
		year = t.Year()
	}
	days, err := s.CalendarYear(c.Request.Context(), year)
	if err != nil {
		api.WriteError(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"items": days})
}

type calendarDayReq struct {
	Kind worktime.DayKind `json:"kind"`
	Name string           `json:"name"`
}

// PutCalendarDay adds or changes the entry of date d (a holiday, or a
// Saturday or Sunday worked), audited in the same transaction. Putting the
// same entry again changes nothing but the audit trail.
func (s *Handler) PutCalendarDay(ctx context.Context, a cds.Actor, d time.Time, kind worktime.DayKind, name string) (worktime.Day, error) {
	e := cds.Errorf(cds.EINVALID, "Dữ liệu ngày trong lịch không hợp lệ, chưa lưu gì.", "Invalid calendar entry; nothing was saved.")
	switch kind {
	case worktime.Holiday:
	case worktime.Workday:
		if wd := d.Weekday(); wd != time.Saturday && wd != time.Sunday {
			e.WithField("kind", "Ngày làm bù phải là thứ Bảy hoặc Chủ nhật / a make-up working day must be a Saturday or Sunday")
		}
	default:
		e.WithField("kind", "Chọn ngày nghỉ hoặc ngày làm bù / choose holiday or make-up working day (holiday | workday)")
	}
	if n := utf8.RuneCountInString(name); n == 0 || n > 200 {
		e.WithField("name", "Tên ngày 1–200 ký tự / name, 1–200 characters")
	}
	if len(e.Fields) > 0 {
		return worktime.Day{}, e
	}
	day := worktime.Day{Date: d.Format("2006-01-02"), Kind: kind, Name: name}
	if err := s.DB.UpsertCalendarDay(ctx, day, postgres.AuditEntry{ActorID: a.UserID, Action: "calendar-put", ObjType: "calendar", ObjID: day.Date, Detail: day}); err != nil {
		return day, err
	}
	if s.OnCalendarChange != nil {
		s.OnCalendarChange()
	}
	return day, nil
}

// DeleteCalendarDay removes the entry of date d (ENOTFOUND when there is
// none), audited in the same transaction.
func (s *Handler) DeleteCalendarDay(ctx context.Context, a cds.Actor, d time.Time) error {
	date := d.Format("2006-01-02")
	if err := s.DB.DeleteCalendarDay(ctx, date, postgres.AuditEntry{ActorID: a.UserID, Action: "calendar-delete", ObjType: "calendar", ObjID: date}); err != nil {
		return err
	}
	if s.OnCalendarChange != nil {
		s.OnCalendarChange()
	}
	return nil
}

// parseCalendarDate accepts YYYY-MM-DD only.
func parseCalendarDate(c *gin.Context) (time.Time, bool) {
	d, err := time.ParseInLocation("2006-01-02", c.Param("date"), cds.VietnamTZ)
	if err != nil {
		api.WriteError(c, cds.Errorf(cds.EINVALID, "Ngày phải có dạng YYYY-MM-DD.", "The date must be YYYY-MM-DD.").WithField("date", "YYYY-MM-DD"))
		return time.Time{}, false
	}
	return d, true
}

func (s *Handler) putCalendarDay(c *gin.Context) {
	d, ok := parseCalendarDate(c)
	if !ok {
		return
	}
	var req calendarDayReq
	if !api.BindJSON(c, &req) {
		return
	}
	day, err := s.PutCalendarDay(c.Request.Context(), api.Actor(c), d, req.Kind, req.Name)
	if err != nil {
		api.WriteError(c, err)
		return
	}
	c.JSON(http.StatusOK, day)
}

func (s *Handler) deleteCalendarDay(c *gin.Context) {
	d, ok := parseCalendarDate(c)
	if !ok {
		return
	}
	if err := s.DeleteCalendarDay(c.Request.Context(), api.Actor(c), d); err != nil {
		api.WriteError(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

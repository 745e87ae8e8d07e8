package admin

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	cds "github.com/caobang/congdanso"
	"github.com/caobang/congdanso/api"
	"github.com/caobang/congdanso/worktime"
)

// The working-time calendar table (holidays and make-up working days) is
// edited by admins here; deadlines computed after a change use it (the
// worker's cached copy refreshes within a minute, at once in this process).
func (s *Handler) registerCalendar(r *api.Server) {
	r.Handle(http.MethodGet, "/api/v1/admin/calendar", api.Can("calendar", "manage"), s.listCalendar)
	r.Handle(http.MethodPut, "/api/v1/admin/calendar/:date", api.Can("calendar", "manage"), s.putCalendarDay)
	r.Handle(http.MethodDelete, "/api/v1/admin/calendar/:date", api.Can("calendar", "manage"), s.deleteCalendarDay)
}

func (s *Handler) listCalendar(c *gin.Context) {
	days, err := s.DB.CalendarDays(c.Request.Context())
	if err != nil {
		api.WriteError(c, err)
		return
	}
	if y := c.Query("year"); y != "" {
		out := days[:0:0]
		for _, d := range days {
			if len(d.Date) >= 4 && d.Date[:4] == y {
				out = append(out, d)
			}
		}
		days = out
	}
	c.JSON(http.StatusOK, gin.H{"items": days})
}

type calendarDayReq struct {
	Kind worktime.DayKind `json:"kind"`
	Name string           `json:"name"`
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
	e := cds.Errorf(cds.EINVALID, "Dữ liệu ngày trong lịch không hợp lệ.", "Invalid calendar entry.")
	switch req.Kind {
	case worktime.Holiday:
	case worktime.Workday:
		if wd := d.Weekday(); wd != time.Saturday && wd != time.Sunday {
			e.WithField("kind", "Ngày làm bù phải là thứ Bảy hoặc Chủ nhật / a make-up working day must be a Saturday or Sunday")
		}
	default:
		e.WithField("kind", "holiday | workday")
	}
	if n := len([]rune(req.Name)); n == 0 || n > 200 {
		e.WithField("name", "1–200 ký tự / characters")
	}
	if len(e.Fields) > 0 {
		api.WriteError(c, e)
		return
	}
	day := worktime.Day{Date: d.Format("2006-01-02"), Kind: req.Kind, Name: req.Name}
	ctx := c.Request.Context()
	if err := s.DB.UpsertCalendarDay(ctx, day); err != nil {
		api.WriteError(c, err)
		return
	}
	_ = s.DB.Audit(ctx, api.ActorID(c), "calendar-put", "calendar", day.Date, day)
	if s.OnCalendarChange != nil {
		s.OnCalendarChange()
	}
	c.JSON(http.StatusOK, day)
}

func (s *Handler) deleteCalendarDay(c *gin.Context) {
	d, ok := parseCalendarDate(c)
	if !ok {
		return
	}
	ctx := c.Request.Context()
	date := d.Format("2006-01-02")
	if err := s.DB.DeleteCalendarDay(ctx, date); err != nil {
		api.WriteError(c, err)
		return
	}
	_ = s.DB.Audit(ctx, api.ActorID(c), "calendar-delete", "calendar", date, nil)
	if s.OnCalendarChange != nil {
		s.OnCalendarChange()
	}
	c.Status(http.StatusNoContent)
}

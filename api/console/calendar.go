package console

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	cds "github.com/caobang/congdanso"
	"github.com/caobang/congdanso/api"
	"github.com/caobang/congdanso/worktime"
)

// The working-time calendar of one year: holidays and make-up working days,
// added and removed through the admin package's operations (the JSON API's),
// audited. Deadlines computed afterwards use the change.

type calendarRow struct {
	Date, Weekday, KindName, Name string
	Holiday                       bool
}

type calendarView struct {
	Year, Prev, Next int
	Years            []int
	Rows             []calendarRow
	Holidays, Extra  int
	Form             calendarForm
}

type calendarForm struct{ Date, Kind, Name string }

var vnWeekdays = [...]string{"Chủ nhật", "Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy"}

func calendarKindName(k worktime.DayKind) string {
	if k == worktime.Workday {
		return "Ngày làm bù / make-up working day"
	}
	return "Ngày nghỉ / holiday"
}

func (s adminPages) calendarView(c *gin.Context, year int) (calendarView, error) {
	v := calendarView{Year: year, Prev: year - 1, Next: year + 1, Form: calendarForm{Kind: string(worktime.Holiday)}}
	for y := time.Now().In(cds.VietnamTZ).Year() - 2; y <= time.Now().In(cds.VietnamTZ).Year()+3; y++ {
		v.Years = append(v.Years, y)
	}
	days, err := s.Admin.CalendarYear(c.Request.Context(), year)
	if err != nil {
		return v, err
	}
	for _, d := range days {
		t, err := time.ParseInLocation("2006-01-02", d.Date, cds.VietnamTZ)
		if err != nil {
			continue
		}
		v.Rows = append(v.Rows, calendarRow{Date: vnDate(t), Weekday: vnWeekdays[t.Weekday()], KindName: calendarKindName(d.Kind), Name: d.Name,
			Holiday: d.Kind == worktime.Holiday})
		if d.Kind == worktime.Holiday {
			v.Holidays++
		} else {
			v.Extra++
		}
	}
	return v, nil
}

func calendarYearParam(v string) int {
	y, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil || y < 2000 || y > 2100 {
		return time.Now().In(cds.VietnamTZ).Year()
	}
	return y
}

func (s adminPages) consoleCalendar(c *gin.Context) {
	v, err := s.calendarView(c, calendarYearParam(c.Query("year")))
	if err != nil {
		api.WriteError(c, err)
		return
	}
	s.renderConsole(c, http.StatusOK, "calendar", consolePage{Title: "Lịch làm việc năm " + strconv.Itoa(v.Year), Nav: "calendar", Data: v})
}

// consoleCalendarChange adds (op add: date, kind, name) or removes (op
// remove: date) an entry, then shows the entry's year. Both are idempotent:
// adding again rewrites the same entry; removing one already gone says so.
func (s adminPages) consoleCalendarChange(c *gin.Context) {
	op := c.Param("op")
	if op != "add" && op != "remove" {
		s.renderConsole(c, http.StatusNotFound, "error", consolePage{Title: "Không tìm thấy trang"})
		return
	}
	f := calendarForm{Date: strings.TrimSpace(c.PostForm("date")), Kind: c.PostForm("kind"), Name: strings.TrimSpace(c.PostForm("name"))}
	year := calendarYearParam(c.PostForm("year"))
	d, ok := parseVNDate(f.Date)
	var err error
	switch {
	case !ok:
		err = cds.Errorf(cds.EINVALID, "Ngày không hợp lệ, chưa lưu gì.", "Invalid date; nothing was saved.").
			WithField("date", "Viết ngày theo dạng ngày/tháng/năm, ví dụ 31/12/2026 / use dd/mm/yyyy")
	case op == "add":
		_, err = s.Admin.PutCalendarDay(c.Request.Context(), api.Actor(c), d, worktime.DayKind(f.Kind), f.Name)
	default:
		err = s.Admin.DeleteCalendarDay(c.Request.Context(), api.Actor(c), d)
		if cds.ErrorCode(err) == cds.ENOTFOUND {
			setFlash(c, "Ngày "+vnDate(d)+" không còn trong lịch. / The date is no longer in the calendar.")
			c.Redirect(http.StatusSeeOther, "/console/calendar?year="+strconv.Itoa(d.Year()))
			return
		}
	}
	if err == nil {
		if op == "add" {
			setFlash(c, "Đã lưu ngày "+vnDate(d)+" vào lịch. / Saved to the calendar.")
		} else {
			setFlash(c, "Đã xóa ngày "+vnDate(d)+" khỏi lịch. / Removed from the calendar.")
		}
		c.Redirect(http.StatusSeeOther, "/console/calendar?year="+strconv.Itoa(d.Year()))
		return
	}
	errs, status := formErrors(c, err, "date")
	v, verr := s.calendarView(c, year)
	if verr != nil {
		api.WriteError(c, verr)
		return
	}
	v.Form = f
	s.renderConsole(c, status, "calendar", consolePage{Title: "Lịch làm việc năm " + strconv.Itoa(v.Year), Nav: "calendar", Errors: errs, Data: v})
}

package console

import (
	"strings"
	"time"

	cds "github.com/caobang/congdanso"
)

// Dates in the console are written and read as dd/mm/yyyy (Vietnamese
// usage): inputs are text fields with a pattern and a hint rather than
// type=date, whose display follows the browser's locale (mm/dd/yyyy on an
// English browser). The server parses them here.

const vnDateLayout = "02/01/2006"

// parseVNDate reads d/m/yyyy (one or two digits for day and month) as the
// start of that day in Vietnam time.
func parseVNDate(v string) (time.Time, bool) {
	v = strings.TrimSpace(v)
	for _, layout := range []string{vnDateLayout, "2/1/2006", "02/1/2006", "2/01/2006"} {
		if t, err := time.ParseInLocation(layout, v, cds.VietnamTZ); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// vnDate formats a day as dd/mm/yyyy.
func vnDate(t time.Time) string { return t.In(cds.VietnamTZ).Format(vnDateLayout) }

// isoDate is the day as the JSON API takes it (YYYY-MM-DD).
func isoDate(t time.Time) string { return t.In(cds.VietnamTZ).Format("2006-01-02") }

const dateHint = "Ngày/tháng/năm, ví dụ 31/12/2026 / Day/month/year"

func badDate(field string) fieldError {
	return fieldError{field, "Ngày không hợp lệ, hãy viết theo dạng ngày/tháng/năm, ví dụ 31/12/2026. / Invalid date: use dd/mm/yyyy."}
}

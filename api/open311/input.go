package open311

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	cds "github.com/caobang/congdanso"
	"github.com/caobang/congdanso/postgres"
)

// open311Form parses a POST body (application/x-www-form-urlencoded).
func open311Form(c *gin.Context, format string) (url.Values, bool) {
	if err := c.Request.ParseForm(); err != nil {
		var maxErr *http.MaxBytesError
		if errors.As(err, &maxErr) {
			open311Fail(c, format, open311Err(http.StatusBadRequest, "Dữ liệu gửi lên quá lớn.", "Request body too large."))
		} else {
			open311Fail(c, format, open311Err(http.StatusBadRequest, "Dữ liệu form không hợp lệ.", "Invalid form body."))
		}
		return nil, false
	}
	return c.Request.PostForm, true
}

func open311SplitList(v string) []string {
	var out []string
	for _, p := range strings.Split(v, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// open311ParseDate accepts the W3C date-time subset (a timezone is
// required) or a plain date, taken as midnight in Vietnam.
func open311ParseDate(v string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339Nano, v); err == nil {
		return t, nil
	}
	if t, err := time.ParseInLocation("2006-01-02", v, cds.VietnamTZ); err == nil {
		return t, nil
	}
	return time.Time{}, fmt.Errorf("bad date %q", v)
}

// open311DateWindow applies the spec's window: the last 90 days by default,
// 90 days from a lone start_date or back from a lone end_date, and never more.
func open311DateWindow(startS, endS string, now time.Time) (time.Time, time.Time, []open311Error) {
	var errs []open311Error
	var from, to time.Time
	var err error
	if startS != "" {
		if from, err = open311ParseDate(startS); err != nil {
			errs = append(errs, open311Err(http.StatusBadRequest, "start_date không đúng định dạng W3C (ví dụ 2026-01-02T00:00:00+07:00).",
				"start_date is not a W3C date-time with a timezone (e.g. 2026-01-02T00:00:00+07:00)."))
		}
	}
	if endS != "" {
		if to, err = open311ParseDate(endS); err != nil {
			errs = append(errs, open311Err(http.StatusBadRequest, "end_date không đúng định dạng W3C (ví dụ 2026-01-31T23:59:59+07:00).",
				"end_date is not a W3C date-time with a timezone (e.g. 2026-01-31T23:59:59+07:00)."))
		}
	}
	if len(errs) > 0 {
		return from, to, errs
	}
	switch {
	case startS == "" && endS == "":
		to, from = now, now.Add(-open311Window)
	case endS == "":
		to = from.Add(open311Window)
	case startS == "":
		from = to.Add(-open311Window)
	}
	if to.Before(from) {
		errs = append(errs, open311Err(http.StatusBadRequest, "end_date phải sau start_date.", "end_date must not be before start_date."))
	} else if to.Sub(from) > open311Window {
		errs = append(errs, open311Err(http.StatusBadRequest, "Khoảng thời gian tối đa 90 ngày.", "The date range may not span more than 90 days."))
	}
	return from, to, errs
}

// open311CheckURL accepts an absolute http(s) URL.
func open311CheckURL(v string) bool {
	u, err := url.Parse(v)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

// ---- discovery and services ----

// open311Attributes checks attribute[code] (and attribute[code][] for
// multi-value lists) against the service definition and returns the values
// plus readable lines for the case text.
func open311Attributes(form url.Values, defs []postgres.Open311Attribute) (map[string]any, []string, []open311Error) {
	vals := map[string]any{}
	var lines []string
	var errs []open311Error
	known := map[string]bool{}
	for _, d := range defs {
		known[d.Code] = true
		key := "attribute[" + d.Code + "]"
		var got []string
		for _, v := range append(form[key], form[key+"[]"]...) {
			if v = strings.TrimSpace(v); v != "" {
				got = append(got, v)
			}
		}
		if len(got) == 0 {
			if d.Required {
				errs = append(errs, open311Err(http.StatusBadRequest, "Thiếu thuộc tính bắt buộc "+d.Code+".", "Required attribute "+d.Code+" is missing."))
			}
			continue
		}
		names := map[string]string{}
		for _, v := range d.Values {
			names[v.Key] = v.Name
		}
		bad := func() {
			errs = append(errs, open311Err(http.StatusBadRequest, "Giá trị không hợp lệ cho thuộc tính "+d.Code+".", "Invalid value for attribute "+d.Code+"."))
		}
		switch d.Datatype {
		case "singlevaluelist":
			if len(got) != 1 || names[got[0]] == "" {
				bad()
				continue
			}
			vals[d.Code] = got[0]
			lines = append(lines, d.Description+": "+names[got[0]])
		case "multivaluelist":
			shown := make([]string, 0, len(got))
			ok := true
			for _, v := range got {
				if names[v] == "" {
					ok = false
				}
				shown = append(shown, names[v])
			}
			if !ok {
				bad()
				continue
			}
			vals[d.Code] = got
			lines = append(lines, d.Description+": "+strings.Join(shown, ", "))
		case "number":
			n, err := strconv.ParseFloat(got[0], 64)
			if err != nil || len(got) != 1 || math.IsNaN(n) || math.IsInf(n, 0) {
				bad()
				continue
			}
			vals[d.Code] = n
			lines = append(lines, d.Description+": "+got[0])
		case "datetime":
			if _, err := open311ParseDate(got[0]); err != nil || len(got) != 1 {
				bad()
				continue
			}
			vals[d.Code] = got[0]
			lines = append(lines, d.Description+": "+got[0])
		default:
			if len(got) != 1 || utf8.RuneCountInString(got[0]) > 1000 {
				bad()
				continue
			}
			vals[d.Code] = got[0]
			lines = append(lines, d.Description+": "+got[0])
		}
	}
	// attribute[...] not in the definition are ignored, as the spec leaves
	// them to the server; they are not stored.
	_ = known
	return vals, lines, errs
}

func open311Short(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n-1]) + "…"
}

func open311Token16() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

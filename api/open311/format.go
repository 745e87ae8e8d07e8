package open311

import (
	"encoding/json"
	"encoding/xml"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	cds "github.com/caobang/congdanso"
	"github.com/caobang/congdanso/api"
)

// Open311 rendering. The spec defines XML (required) and JSON (the "Spark
// convention" mapping of it): a list is a bare JSON array and an XML root
// (service_requests/request, services/service, errors/error); a missing value
// is JSON null and an empty XML element.

const (
	open311XMLType  = "text/xml; charset=utf-8"
	open311JSONType = "application/json; charset=utf-8"
)

// open311Str is a nullable string: JSON null or an empty XML element.
type open311Str struct {
	S     string
	Valid bool
}

func open311S(s string) open311Str { return open311Str{S: s, Valid: s != ""} }

func (o open311Str) MarshalJSON() ([]byte, error) {
	if !o.Valid {
		return []byte("null"), nil
	}
	return json.Marshal(o.S)
}

func (o open311Str) MarshalXML(e *xml.Encoder, start xml.StartElement) error {
	return e.EncodeElement(o.S, start)
}

// open311Num is a nullable number (lat, long).
type open311Num struct {
	F     float64
	Valid bool
}

func (o open311Num) MarshalJSON() ([]byte, error) {
	if !o.Valid {
		return []byte("null"), nil
	}
	return []byte(strconv.FormatFloat(o.F, 'f', -1, 64)), nil
}

func (o open311Num) MarshalXML(e *xml.Encoder, start xml.StartElement) error {
	s := ""
	if o.Valid {
		s = strconv.FormatFloat(o.F, 'f', -1, 64)
	}
	return e.EncodeElement(s, start)
}

// open311Time formats a time as RFC 3339 in Vietnam time (+07:00).
func open311Time(t time.Time) string { return t.In(cds.VietnamTZ).Format(time.RFC3339) }

func open311OptTime(t *time.Time) open311Str {
	if t == nil || t.IsZero() {
		return open311Str{}
	}
	return open311S(open311Time(*t))
}

// open311List wraps a list for XML under its root and item element names.
type open311List struct {
	root, item string
	items      any
}

func (l open311List) MarshalXML(e *xml.Encoder, _ xml.StartElement) error {
	start := xml.StartElement{Name: xml.Name{Local: l.root}}
	if err := e.EncodeToken(start); err != nil {
		return err
	}
	if err := e.EncodeElement(l.items, xml.StartElement{Name: xml.Name{Local: l.item}}); err != nil {
		return err
	}
	return e.EncodeToken(start.End())
}

// open311Render writes v as JSON, or as XML under root (v a slice: each
// element named item; otherwise v is the root element itself).
func open311Render(c *gin.Context, format string, status int, root, item string, v any) {
	if format == "json" {
		b, err := json.Marshal(v)
		if err != nil {
			api.WriteError(c, err)
			return
		}
		c.Data(status, open311JSONType, b)
		return
	}
	var body any = v
	if item != "" {
		body = open311List{root: root, item: item, items: v}
	}
	b, err := xml.Marshal(xmlRoot{root: root, v: body, list: item != ""})
	if err != nil {
		api.WriteError(c, err)
		return
	}
	c.Data(status, open311XMLType, append([]byte(xml.Header), b...))
}

// xmlRoot names the root element of a non-list document.
type xmlRoot struct {
	root string
	v    any
	list bool
}

func (r xmlRoot) MarshalXML(e *xml.Encoder, _ xml.StartElement) error {
	if r.list {
		return e.Encode(r.v)
	}
	return e.EncodeElement(r.v, xml.StartElement{Name: xml.Name{Local: r.root}})
}

// open311Error is one entry of an Open311 error list.
type open311Error struct {
	Code        int    `json:"code" xml:"code"`
	Description string `json:"description" xml:"description"`
}

// open311Fail writes an Open311 error list with the HTTP status of the first.
// Open311 uses 404 for unknown resources, 403 for a missing or bad api_key
// and 400 for everything else; we add 429 (rate limit) and 5xx.
func open311Fail(c *gin.Context, format string, errs ...open311Error) {
	status := errs[0].Code
	if status < 400 || status > 599 {
		status = http.StatusBadRequest
	}
	if format != "json" {
		format = "xml"
	}
	open311Render(c, format, status, "errors", "error", errs)
	c.Abort()
}

func open311Err(code int, vi, en string) open311Error {
	return open311Error{Code: code, Description: vi + " / " + en}
}

// open311FailErr maps an application error onto an Open311 error.
func (s *Handler) open311FailErr(c *gin.Context, format string, err error) {
	e, ok := cds.AsError(err)
	if !ok {
		if api.IsUnavailable(err) {
			c.Header("Retry-After", "5")
			open311Fail(c, format, open311Err(http.StatusServiceUnavailable, "Hệ thống tạm thời gián đoạn, vui lòng thử lại sau.", "Service temporarily unavailable; retry later."))
			return
		}
		s.Logger.Error("open311: internal error", "route", c.FullPath(), "err", err)
		open311Fail(c, format, open311Err(http.StatusInternalServerError, "Lỗi hệ thống.", "Internal error."))
		return
	}
	status := api.StatusOf(e.Code)
	switch {
	case status == 0:
		status = http.StatusInternalServerError
	case status == http.StatusUnauthorized:
		status = http.StatusForbidden
	case status == http.StatusConflict || status == http.StatusRequestEntityTooLarge || status == http.StatusUnsupportedMediaType:
		status = http.StatusBadRequest
	}
	out := []open311Error{{Code: status, Description: e.Message + " / " + e.MessageEN}}
	for _, k := range sortedFieldKeys(e.Fields) {
		out = append(out, open311Error{Code: status, Description: k + ": " + e.Fields[k]})
	}
	open311Fail(c, format, out...)
}

func sortedFieldKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// open311SplitFile splits "{id}.{fmt}" from a path segment.
func open311SplitFile(file string) (string, string, bool) {
	i := strings.LastIndex(file, ".")
	if i <= 0 {
		return "", "", false
	}
	id, format := file[:i], file[i+1:]
	if format != "json" && format != "xml" {
		return "", "", false
	}
	return id, format, true
}

// open311File splits the {key}.xml|.json of a one-item route; any other
// form is a 404 in XML (the format is unknown), naming the expected form.
// It writes the error and returns ok false.
func open311File(c *gin.Context, what string) (key, format string, ok bool) {
	if key, format, ok = open311SplitFile(c.Param("file")); !ok {
		open311Fail(c, "xml", open311Err(http.StatusNotFound, "Không tìm thấy.", "Not found: use {"+what+"}.xml or .json."))
	}
	return key, format, ok
}

// open311FailLookup answers a failed lookup of one item: a 404 with the
// item's own text when it does not exist, the mapped error otherwise.
func (s *Handler) open311FailLookup(c *gin.Context, format string, err error, vi, en string) {
	if cds.ErrorCode(err) == cds.ENOTFOUND {
		open311Fail(c, format, open311Err(http.StatusNotFound, vi, en))
		return
	}
	s.open311FailErr(c, format, err)
}

// open311RenderList renders rows, each turned into its output by out, as
// the list root/item (an empty list, never null).
func open311RenderList[R, O any](c *gin.Context, format, root, item string, rows []R, out func(R) O) {
	list := make([]O, 0, len(rows))
	for _, r := range rows {
		list = append(list, out(r))
	}
	open311Render(c, format, http.StatusOK, root, item, list)
}

package api

import (
	"errors"
	"net/http"
	"regexp"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/jackc/pgx/v5/pgconn"

	cds "github.com/caobang/congdanso"
)

// statusOf is the one table from error codes to HTTP statuses.
var statusOf = map[string]int{
	cds.EINVALID:      http.StatusBadRequest,
	cds.EUNAUTHORIZED: http.StatusUnauthorized,
	cds.EFORBIDDEN:    http.StatusForbidden,
	cds.ENOTFOUND:     http.StatusNotFound,
	cds.ECONFLICT:     http.StatusConflict,
	cds.ETOOLARGE:     http.StatusRequestEntityTooLarge,
	cds.EUNSUPPORTED:  http.StatusUnsupportedMediaType,
	cds.ERATELIMIT:    http.StatusTooManyRequests,
	cds.EUNAVAILABLE:  http.StatusServiceUnavailable,
	cds.EINTERNAL:     http.StatusInternalServerError,
}

// ErrorEnvelope is the body of every error answer.
type ErrorEnvelope struct {
	Error *cds.Error `json:"error"`
}

// ErrorBody wraps e in the error envelope.
func ErrorBody(e *cds.Error) ErrorEnvelope { return ErrorEnvelope{Error: e} }

// WriteError writes {"error":{code,message,message_en,fields}}. Internal
// errors are logged and shown as "Internal error." only.
func WriteError(c *gin.Context, err error) {
	e := ErrorOf(c, err)
	status, ok := statusOf[e.Code]
	if !ok {
		status = http.StatusInternalServerError
	}
	if e.Code == cds.EUNAVAILABLE {
		c.Header("Retry-After", "5")
	}
	c.AbortWithStatusJSON(status, ErrorBody(e))
}

// ErrorOf is the error a person sees for err: a cds.Error as it is, a
// dependency that is down as "unavailable", anything else logged and shown
// as "Internal error." only (HTML pages use it too).
func ErrorOf(c *gin.Context, err error) *cds.Error {
	var e *cds.Error
	var maxErr *http.MaxBytesError
	switch {
	case errors.As(err, &e):
	case errors.As(err, &maxErr):
		e = cds.Errorf(cds.ETOOLARGE, "Dữ liệu gửi lên quá lớn.", "Request body too large.")
	case InvalidText(err):
		e = cds.Errorf(cds.EINVALID, "Dữ liệu không hợp lệ.", "Invalid data.")
	case IsUnavailable(err):
		e = cds.Errorf(cds.EUNAVAILABLE, "Hệ thống tạm thời gián đoạn, vui lòng thử lại sau.", "Service temporarily unavailable; retry later.")
	default:
		if l := LoggerOf(c); l != nil {
			l.Error("internal error", "route", c.FullPath(), "err", err)
		}
		e = cds.Errorf(cds.EINTERNAL, "Lỗi hệ thống.", "Internal error.")
	}
	return e
}

// InvalidText: PostgreSQL refused a NUL byte or invalid UTF-8 in a text
// parameter (a filter, cursor or ID from the client): bad input, not a bug.
func InvalidText(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && (pgErr.Code == "22021" || pgErr.Code == "22P05")
}

// BadRequest is the error for undecodable bodies.
func BadRequest(err error) *cds.Error {
	var maxErr *http.MaxBytesError
	if errors.As(err, &maxErr) {
		return cds.Errorf(cds.ETOOLARGE, "Dữ liệu gửi lên quá lớn.", "Request body too large.")
	}
	return cds.Errorf(cds.EINVALID, "Dữ liệu gửi lên không đúng định dạng JSON.", "The request body is not valid JSON.")
}

// BindJSON decodes the body strictly into v; the body must be declared
// application/json (415 otherwise).
func BindJSON(c *gin.Context, v any) bool {
	if !RequireJSON(c) {
		return false
	}
	dec := JSONDecoder(c.Request.Body)
	if err := dec.Decode(v); err != nil {
		WriteError(c, BadRequest(err))
		return false
	}
	return true
}

// InvalidInput is the error of a body whose fields fail validation; callers
// add the fields.
func InvalidInput() *cds.Error {
	return cds.Errorf(cds.EINVALID, "Dữ liệu không hợp lệ, vui lòng kiểm tra các trường.", "Invalid input; check the fields.")
}

var phoneInText = regexp.MustCompile(`(\+?84|0)[0-9][0-9 .\-]{7,12}[0-9]`)

// MaskText hides phone numbers a citizen typed into a text shown to others.
func MaskText(s string) string {
	return phoneInText.ReplaceAllStringFunc(s, func(p string) string {
		return cds.MaskPhone(strings.NewReplacer(" ", "", ".", "", "-", "").Replace(p))
	})
}

// StatusOf is the HTTP status of an error code (0 when unknown).
func StatusOf(code string) int { return statusOf[code] }

package api

import (
	"errors"
	"net/http"

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

type errorEnvelope struct {
	Error *cds.Error `json:"error"`
}

func errorBody(e *cds.Error) errorEnvelope { return errorEnvelope{Error: e} }

// writeError writes {"error":{code,message,message_en,fields}}. Internal
// errors are logged and shown as "Internal error." only.
func writeError(c *gin.Context, err error) {
	var e *cds.Error
	var maxErr *http.MaxBytesError
	switch {
	case errors.As(err, &e):
	case errors.As(err, &maxErr):
		e = cds.Errorf(cds.ETOOLARGE, "Dữ liệu gửi lên quá lớn.", "Request body too large.")
	case invalidText(err):
		e = cds.Errorf(cds.EINVALID, "Dữ liệu không hợp lệ.", "Invalid data.")
	case isUnavailable(err):
		e = cds.Errorf(cds.EUNAVAILABLE, "Hệ thống tạm thời gián đoạn, vui lòng thử lại sau.", "Service temporarily unavailable; retry later.")
	default:
		if l := loggerOf(c); l != nil {
			l.Error("internal error", "route", c.FullPath(), "err", err)
		}
		e = cds.Errorf(cds.EINTERNAL, "Lỗi hệ thống.", "Internal error.")
	}
	status, ok := statusOf[e.Code]
	if !ok {
		status = http.StatusInternalServerError
	}
	if e.Code == cds.EUNAVAILABLE {
		c.Header("Retry-After", "5")
	}
	c.AbortWithStatusJSON(status, errorBody(e))
}

// invalidText: PostgreSQL refused a NUL byte or invalid UTF-8 in a text
// parameter (a filter, cursor or ID from the client): bad input, not a bug.
func invalidText(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && (pgErr.Code == "22021" || pgErr.Code == "22P05")
}

// badRequest is the error for undecodable bodies.
func badRequest(err error) *cds.Error {
	var maxErr *http.MaxBytesError
	if errors.As(err, &maxErr) {
		return cds.Errorf(cds.ETOOLARGE, "Dữ liệu gửi lên quá lớn.", "Request body too large.")
	}
	return cds.Errorf(cds.EINVALID, "Dữ liệu gửi lên không đúng định dạng JSON.", "The request body is not valid JSON.")
}

// bindJSON decodes the body strictly into v.
func bindJSON(c *gin.Context, v any) bool {
	dec := jsonDecoder(c.Request.Body)
	if err := dec.Decode(v); err != nil {
		writeError(c, badRequest(err))
		return false
	}
	return true
}

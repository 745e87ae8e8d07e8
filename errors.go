package congdanso

import (
	"errors"
	"fmt"
)

// Error codes. The api package maps each to one HTTP status.
const (
	EINVALID      = "EINVALID"      // 400/422: bad input
	EUNAUTHORIZED = "EUNAUTHORIZED" // 401: not signed in
	EFORBIDDEN    = "EFORBIDDEN"    // 403: signed in but not allowed
	ENOTFOUND     = "ENOTFOUND"     // 404
	ECONFLICT     = "ECONFLICT"     // 409: state does not allow it, or already exists
	ETOOLARGE     = "ETOOLARGE"     // 413
	EUNSUPPORTED  = "EUNSUPPORTED"  // 415: media type
	ERATELIMIT    = "ERATELIMIT"    // 429
	EUNAVAILABLE  = "EUNAVAILABLE"  // 503: a dependency is down
	EINTERNAL     = "EINTERNAL"     // 500
)

// Error is an application error with a Vietnamese message first and an English one beside it.
type Error struct {
	Code      string            `json:"code"`
	Message   string            `json:"message"`
	MessageEN string            `json:"message_en"`
	Fields    map[string]string `json:"fields,omitempty"`
}

func (e *Error) Error() string {
	return fmt.Sprintf("%s: %s (%s)", e.Code, e.Message, e.MessageEN)
}

// Errorf builds an *Error. vi and en are the two messages.
func Errorf(code, vi, en string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(vi, args...), MessageEN: fmt.Sprintf(en, args...)}
}

// WithField adds a field error and returns e.
func (e *Error) WithField(field, msg string) *Error {
	if e.Fields == nil {
		e.Fields = map[string]string{}
	}
	e.Fields[field] = msg
	return e
}

// ErrorCode returns the code of an application error, or EINTERNAL.
func ErrorCode(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	if err == nil {
		return ""
	}
	return EINTERNAL
}

// AsError returns the *Error inside err, if any.
func AsError(err error) (*Error, bool) {
	var e *Error
	ok := errors.As(err, &e)
	return e, ok
}

package workflows

import (
	"fmt"

	"go.temporal.io/sdk/temporal"

	cds "github.com/caobang/congdanso"
)

// appErr is a validator or handler refusal shared by every workflow: the type
// is a congdanso error code (the API maps it to a status), the message is
// English and the details carry the Vietnamese then the English text.
func appErr(code, vi, en string, args ...any) error {
	vi, en = fmt.Sprintf(vi, args...), fmt.Sprintf(en, args...)
	return temporal.NewApplicationErrorWithOptions(en, code, temporal.ApplicationErrorOptions{NonRetryable: true, Details: []any{vi, en}})
}

// conflict refuses an action that does not fit the current state (HTTP 409).
func conflict(vi, en string, args ...any) error { return appErr(cds.ECONFLICT, vi, en, args...) }

// invalid refuses an action whose data is wrong (HTTP 400).
func invalid(vi, en string, args ...any) error { return appErr(cds.EINVALID, vi, en, args...) }

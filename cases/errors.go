package cases

import (
	"errors"
	"strings"

	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/temporal"

	cds "github.com/caobang/congdanso"
)

// knownCodes are the error codes a workflow may refuse with; the API maps
// each to its HTTP status.
var knownCodes = map[string]bool{
	cds.EINVALID: true, cds.EUNAUTHORIZED: true, cds.EFORBIDDEN: true, cds.ENOTFOUND: true, cds.ECONFLICT: true,
	cds.ETOOLARGE: true, cds.EUNSUPPORTED: true, cds.ERATELIMIT: true, cds.EUNAVAILABLE: true,
}

// temporalError is the one mapping of Temporal errors to cds.Error:
//   - a refusal by a workflow (validator or handler) is an ApplicationError
//     whose type is a cds code and whose details are the Vietnamese message
//     and, optionally, the English one;
//   - an update or signal to a workflow that has finished is a conflict
//     (closed names the case: "Phản ánh", "Hồ sơ");
//   - anything else (Temporal down, a timeout) passes through, and the API
//     answers 503 or 500.
func temporalError(err error, closed *cds.Error) error {
	if err == nil {
		return nil
	}
	var ae *temporal.ApplicationError
	if errors.As(err, &ae) && knownCodes[ae.Type()] {
		vi, en := ae.Message(), ae.Message()
		if ae.HasDetails() && ae.Details(&vi, &en) != nil {
			// One detail only (vi); English stays the message.
			vi, en = ae.Message(), ae.Message()
			_ = ae.Details(&vi)
		}
		return &cds.Error{Code: ae.Type(), Message: vi, MessageEN: en}
	}
	var nf *serviceerror.NotFound
	if errors.As(err, &nf) || strings.Contains(err.Error(), "workflow execution already completed") {
		return closed
	}
	return err
}

// finishedBefore reports whether an update-with-start met a workflow with
// its ID that has already finished (USE_EXISTING joins a running one,
// REJECT_DUPLICATE refuses a closed one). Codes are never reused, so this
// is an earlier attempt of the same submission whose case ended before
// that attempt stored its answer. (A dossier's ExecuteWorkflow gets the
// finished run back from the SDK instead, and its first event is the API's.)
func finishedBefore(err error) bool {
	var as *serviceerror.WorkflowExecutionAlreadyStarted
	return errors.As(err, &as)
}

// notFiled answers a retried submission whose earlier attempt started a case
// that ended without reaching the read model: nothing was filed under the
// key's code, and the key cannot file it again.
func notFiled() *cds.Error {
	return cds.Errorf(cds.ECONFLICT, "Yêu cầu trước với khóa này đã kết thúc mà không được tiếp nhận. Vui lòng gửi lại (ứng dụng tạo khóa mới).",
		"An earlier request with this Idempotency-Key ended without being filed. Submit again with a new key.")
}

func feedbackClosed() *cds.Error {
	return cds.Errorf(cds.ECONFLICT, "Phản ánh đã kết thúc.", "The case is already closed.")
}

func applicationClosed() *cds.Error {
	return cds.Errorf(cds.ECONFLICT, "Hồ sơ đã kết thúc, không thể thực hiện thao tác.", "The dossier is closed.")
}

func forbidden() *cds.Error {
	return cds.Errorf(cds.EFORBIDDEN, "Bạn không có quyền thực hiện thao tác này.", "You are not allowed to do this.")
}

func invalidInput() *cds.Error {
	return cds.Errorf(cds.EINVALID, "Dữ liệu không hợp lệ, vui lòng kiểm tra các trường.", "Invalid input; check the fields.")
}

// NotFoundFeedback is the answer for a feedback report the caller may not see.
func NotFoundFeedback() *cds.Error {
	return cds.Errorf(cds.ENOTFOUND, "Không tìm thấy phản ánh.", "Feedback report not found.")
}

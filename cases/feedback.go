package cases

import (
	"context"
	"errors"
	"strings"

	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	cds "github.com/caobang/congdanso"
	"github.com/caobang/congdanso/workflows"
)

// UpdateFeedback runs an action update and waits for its result, so the
// read model is written when the HTTP answer goes out.
func (s *Service) UpdateFeedback(ctx context.Context, code, name string, a workflows.FeedbackAction) (workflows.FeedbackView, error) {
	var v workflows.FeedbackView
	h, err := s.Temporal.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
		WorkflowID: workflows.FeedbackWorkflowID(code), UpdateName: name, Args: []any{a},
		WaitForStage: client.WorkflowUpdateStageCompleted,
	})
	if err == nil {
		err = h.Get(ctx, &v)
	}
	return v, temporalError(err)
}

// temporalError maps a refused update to 409 (state) or 400 (data), and
// an update to a finished workflow to 409.
func temporalError(err error) error {
	if err == nil {
		return nil
	}
	var ae *temporal.ApplicationError
	if errors.As(err, &ae) && (ae.Type() == workflows.ConflictError || ae.Type() == cds.EINVALID) {
		vi := ae.Message()
		if ae.HasDetails() {
			_ = ae.Details(&vi)
		}
		return &cds.Error{Code: ae.Type(), Message: vi, MessageEN: ae.Message()}
	}
	var nf *serviceerror.NotFound
	if errors.As(err, &nf) || strings.Contains(err.Error(), "workflow execution already completed") {
		return cds.Errorf(cds.ECONFLICT, "Phản ánh đã kết thúc.", "The case is already closed.")
	}
	return err
}

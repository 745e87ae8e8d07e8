package cases

import (
	"context"
	"fmt"
	"strings"

	cds "github.com/caobang/congdanso"
	"github.com/caobang/congdanso/workflows"
)

// FeedbackComplaint is the reporter's complaint about a published answer.
type FeedbackComplaint struct {
	Actor  cds.Actor
	Code   string
	Reason string
	Key    string // Idempotency-Key (optional)
}

// ComplainAboutFeedback reopens a case whose published answer the reporter
// does not accept, within the category's complaint window (the workflow
// decides: 409 outside it). It is idempotent: a repeated complaint while the
// case is still reopened answers the current state, and without a key the
// Update ID is the reporter's n-th complaint, so a retry in flight joins the
// first.
func (s *Service) ComplainAboutFeedback(ctx context.Context, r FeedbackComplaint) (workflows.FeedbackView, error) {
	f, err := s.DB.FeedbackByCode(ctx, r.Code)
	if err != nil || f.CitizenID != r.Actor.UserID {
		if err != nil && cds.ErrorCode(err) != cds.ENOTFOUND {
			return workflows.FeedbackView{}, err
		}
		return workflows.FeedbackView{}, NotFoundFeedback()
	}
	if strings.TrimSpace(r.Reason) == "" {
		return workflows.FeedbackView{}, invalidInput().WithField("reason", "Vui lòng nêu lý do / the reason is required")
	}
	if f.Status == workflows.FBReopened {
		return s.FeedbackLive(ctx, f.Code)
	}
	id := updateID(workflows.FBActComplain, r.Actor.UserID, r.Key)
	if id == "" {
		id = fmt.Sprintf("%s:%d:n%d", workflows.FBActComplain, r.Actor.UserID, f.ReopenCount)
	}
	return s.updateFeedbackID(ctx, f.Code, workflows.FBActComplain, workflows.FeedbackAction{Actor: r.Actor, Note: r.Reason}, id)
}

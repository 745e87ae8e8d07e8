package cases

import (
	"context"
	"slices"

	cds "github.com/caobang/congdanso"
	"github.com/caobang/congdanso/postgres"
	"github.com/caobang/congdanso/workflows"
)

// StaffCanReadFeedback: staff of the case's agency (or above it), or a
// province-wide reader.
func (s *Service) StaffCanReadFeedback(ctx context.Context, a cds.Actor, agency string) bool {
	if !a.IsStaff() {
		return false
	}
	if ok, err := s.Authz.Allowed(ctx, a, agency, "feedback", "read"); err == nil && ok {
		return true
	}
	ok, err := s.Authz.Allowed(ctx, a, "", "feedback", "read_all")
	return err == nil && ok
}

// IsFeedbackStaffAction reports whether name is an action staff take on feedback.
func IsFeedbackStaffAction(name string) bool {
	return slices.Contains(workflows.FeedbackStaffActions, name)
}

// FeedbackStaffAction is a staff member's action on a feedback report.
type FeedbackStaffAction struct {
	Actor        cds.Actor
	Code         string // the case
	Action       string // one of workflows.FeedbackStaffActions
	Key          string // Idempotency-Key
	Note         string
	AgencyCode   string // transfer
	AssigneeID   int64  // assign
	Answer       string // draft_answer
	MediaIDs     []string
	OriginalCode string // mark_duplicate
}

// ActOnFeedback is the one implementation of a staff action on feedback (JSON
// API and console): the case must be visible to the actor (404), the action
// allowed by policy in the case's agency (403), its data valid (400); then
// the workflow's validator decides (409) and the update runs once per key.
func (s *Service) ActOnFeedback(ctx context.Context, r FeedbackStaffAction) (workflows.FeedbackView, error) {
	f, err := s.DB.FeedbackByCode(ctx, r.Code)
	// The reporter acts as a citizen, never as staff on their own report.
	if err != nil || f.CitizenID == r.Actor.UserID || !s.StaffCanReadFeedback(ctx, r.Actor, f.AgencyCode) {
		if err != nil && cds.ErrorCode(err) != cds.ENOTFOUND {
			return workflows.FeedbackView{}, err
		}
		return workflows.FeedbackView{}, NotFoundFeedback()
	}
	if err := s.allowed(ctx, r.Actor, f.AgencyCode, "feedback", r.Action); err != nil {
		return workflows.FeedbackView{}, err
	}
	a := workflows.FeedbackAction{Actor: r.Actor, Note: r.Note, AgencyCode: r.AgencyCode, Answer: r.Answer,
		MediaIDs: r.MediaIDs, OriginalCode: r.OriginalCode}
	if err := s.checkFeedbackAction(ctx, f, r, &a); err != nil {
		return workflows.FeedbackView{}, err
	}
	return s.UpdateFeedback(ctx, f.Code, r.Action, a, r.Key)
}

// checkFeedbackAction validates the data of an action against the database.
func (s *Service) checkFeedbackAction(ctx context.Context, f postgres.Feedback, r FeedbackStaffAction, a *workflows.FeedbackAction) error {
	switch r.Action {
	case workflows.FBActAssign:
		ok, name, err := s.DB.HasRoleIn(ctx, r.AssigneeID, string(cds.RoleOfficer), f.AgencyCode)
		if err != nil {
			return err
		}
		if !ok {
			return invalidInput().WithField("assignee_id", "Không phải chuyên viên của cơ quan / not an officer of the agency")
		}
		a.AssigneeID, a.AssigneeName, a.AssigneeAgency = r.AssigneeID, name, f.AgencyCode
	case workflows.FBActTransfer:
		if _, err := s.DB.FeedbackCategoryByCode(ctx, f.Category); err != nil {
			return err
		}
		if !s.agencyExists(ctx, r.AgencyCode) {
			return invalidInput().WithField("agency_code", "Cơ quan không tồn tại / unknown agency")
		}
	case workflows.FBActMarkDuplicate:
		o, err := s.DB.FeedbackByCode(ctx, r.OriginalCode)
		if err != nil || o.Code == f.Code {
			return invalidInput().WithField("original_code", "Phản ánh gốc không tồn tại / unknown original")
		}
	case workflows.FBActDraftAnswer:
		if len(r.MediaIDs) > 5 {
			return invalidInput().WithField("media_ids", "Tối đa 5 tệp / at most 5")
		}
		if len(r.MediaIDs) > 0 {
			n, images, err := s.DB.CountOwnedMedia(ctx, r.MediaIDs, r.Actor.UserID)
			if err != nil {
				return err
			}
			if n != len(r.MediaIDs) {
				return invalidInput().WithField("media_ids", "Tệp không tồn tại / unknown media")
			}
			if images != n {
				return invalidInput().WithField("media_ids", "Phản ánh chỉ nhận ảnh JPEG, PNG hoặc WebP / feedback takes JPEG, PNG or WebP photos only")
			}
		}
	}
	return nil
}

func (s *Service) agencyExists(ctx context.Context, code string) bool {
	ags, err := s.DB.Agencies(ctx)
	if err != nil {
		return false
	}
	for _, a := range ags {
		if a.Code == code {
			return true
		}
	}
	return false
}

// allowed checks a case-level permission: may a do act on obj of agency dom?
func (s *Service) allowed(ctx context.Context, a cds.Actor, dom, obj, act string) error {
	ok, err := s.Authz.Allowed(ctx, a, dom, obj, act)
	if err != nil {
		return err
	}
	if !ok {
		return forbidden()
	}
	return nil
}

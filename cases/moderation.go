package cases

import (
	"context"
	"strings"
	"unicode/utf8"

	cds "github.com/caobang/congdanso"
	"github.com/caobang/congdanso/postgres"
)

// Moderation is a staff decision on what the public sees of a report: hide
// it, show it again, or edit its public title and content. The reason is
// required and kept with the before and after in feedback_moderation.
type Moderation struct {
	Actor          cds.Actor
	Code           string // the case
	Action         string // postgres.ModHide, ModUnhide, ModEditText
	Reason         string
	Title, Content string // edit_text
	Key            string // Idempotency-Key: a retry returns the recorded decision
}

// ModerateFeedback is the one implementation of moderation (JSON API and
// console): the case must be visible to the actor (404), moderation allowed
// in the case's agency (403), the input valid (400); then the decision is
// applied and recorded once per key.
func (s *Service) ModerateFeedback(ctx context.Context, m Moderation) (postgres.ModerationEntry, error) {
	f, err := s.DB.FeedbackByCode(ctx, m.Code)
	if err != nil || !s.StaffCanReadFeedback(ctx, m.Actor, f.AgencyCode) {
		if err != nil && cds.ErrorCode(err) != cds.ENOTFOUND {
			return postgres.ModerationEntry{}, err
		}
		return postgres.ModerationEntry{}, NotFoundFeedback()
	}
	if err := s.allowed(ctx, m.Actor, f.AgencyCode, "feedback", "moderate"); err != nil {
		return postgres.ModerationEntry{}, err
	}
	m.Reason, m.Title, m.Content = strings.TrimSpace(m.Reason), strings.Join(strings.Fields(m.Title), " "), strings.TrimSpace(m.Content)
	verr := invalidInput()
	switch m.Action {
	case postgres.ModHide, postgres.ModUnhide:
	case postgres.ModEditText:
		if n := utf8.RuneCountInString(m.Title); n < 5 || n > 200 {
			verr.WithField("title", "Tiêu đề 5–200 ký tự / title of 5–200 characters")
		}
		if n := utf8.RuneCountInString(m.Content); n < 10 || n > 5000 {
			verr.WithField("content", "Nội dung 10–5000 ký tự / content of 10–5000 characters")
		}
	default:
		verr.WithField("action", "hide, unhide hoặc edit_text / hide, unhide or edit_text")
	}
	if n := utf8.RuneCountInString(m.Reason); n < 10 || n > 1000 {
		verr.WithField("reason", "Ghi rõ lý do (10–1000 ký tự) / give the reason (10–1000 characters)")
	}
	if len(m.Key) > 200 {
		verr.WithField("Idempotency-Key", "Tối đa 200 ký tự / at most 200 characters")
	}
	if len(verr.Fields) > 0 {
		return postgres.ModerationEntry{}, verr
	}
	e, _, err := s.DB.ApplyModeration(ctx, postgres.ModerationChange{WorkflowID: f.WorkflowID, Code: f.Code, Action: m.Action,
		Reason: m.Reason, Key: m.Key, ActorID: m.Actor.UserID, ActorName: m.Actor.Name, Title: m.Title, Content: m.Content})
	return e, err
}

// FeedbackModerationLog lists the moderation decisions on a case for staff
// who may read it.
func (s *Service) FeedbackModerationLog(ctx context.Context, a cds.Actor, code string) ([]postgres.ModerationEntry, error) {
	f, err := s.DB.FeedbackByCode(ctx, code)
	if err != nil || !s.StaffCanReadFeedback(ctx, a, f.AgencyCode) {
		if err != nil && cds.ErrorCode(err) != cds.ENOTFOUND {
			return nil, err
		}
		return nil, NotFoundFeedback()
	}
	return s.DB.ModerationLog(ctx, f.WorkflowID)
}

package cases

import (
	"context"

	cds "github.com/caobang/congdanso"
	"github.com/caobang/congdanso/postgres"
)

// RedactFeedbackMedia hides a photo of a report from the public view, or
// shows it again (moderation): allowed by feedback/moderate in the report's
// agency, audited. The JSON API and the console both call it.
func (s *Service) RedactFeedbackMedia(ctx context.Context, a cds.Actor, f postgres.Feedback, mediaID string, redacted bool) error {
	if err := s.allowed(ctx, a, f.AgencyCode, "feedback", "moderate"); err != nil {
		return err
	}
	if err := s.DB.SetMediaRedacted(ctx, f.WorkflowID, mediaID, redacted); err != nil {
		return err
	}
	return s.DB.Audit(ctx, a.UserID, "feedback.redact", "media", mediaID, map[string]any{"case": f.Code, "redacted": redacted})
}

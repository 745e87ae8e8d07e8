// Package feedback serves the citizens' feedback reports (phản ánh kiến
// nghị) in the JSON API: categories, submission, the case view, lists,
// citizen and staff actions, and the photos attached to them.
package feedback

import (
	"github.com/caobang/congdanso/api"
	"github.com/caobang/congdanso/cases"
)

// Handler serves the feedback and media routes.
type Handler struct {
	api.Deps
	Cases *cases.Service
}

// Register adds the feedback and media routes.
func (s *Handler) Register(r *api.Server) {
	s.registerFeedback(r)
	s.registerMedia(r)
}

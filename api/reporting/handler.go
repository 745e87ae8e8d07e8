// Package reporting serves statistics and spreadsheets for the steering
// committee: Phụ lục I and its campaigns, case statistics and case exports.
package reporting

import (
	"time"

	"github.com/caobang/congdanso/api"
	"github.com/caobang/congdanso/cases"
)

// Handler serves the report routes.
type Handler struct {
	api.Deps
	Cases *cases.Service
	// Now is the clock of deadlines and report dates (nil: time.Now).
	Now func() time.Time
}

func (s *Handler) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// Register adds the report routes.
func (s *Handler) Register(r *api.Server) {
	s.registerReports(r)
	s.registerDeployment(r)
}

// Package open311 serves Open311 GeoReport v2 (and the FixMyStreet
// servicerequestupdates extension) for outside client applications, and the
// administrators' routes that issue their api_keys.
package open311

import (
	"github.com/caobang/congdanso/api"
	"github.com/caobang/congdanso/cases"
)

// Handler serves the Open311 routes.
type Handler struct {
	api.Deps
	Cases    *cases.Service
	Settings Settings // zero fields take the Cao Bằng defaults
}

// Register adds the Open311 routes.
func (s *Handler) Register(r *api.Server) {
	s.registerOpen311(r)
	s.registerAdmin(r)
}

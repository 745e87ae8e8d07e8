// Package applications serves administrative-procedure applications (hồ sơ
// thủ tục hành chính) and the procedure catalogue in the JSON API.
package applications

import (
	"github.com/caobang/congdanso/api"
	"github.com/caobang/congdanso/cases"
)

// Handler serves the application and procedure routes.
type Handler struct {
	api.Deps
	Cases *cases.Service
}

// Register adds the application and procedure routes.
func (s *Handler) Register(r *api.Server) {
	s.registerApplications(r)
	s.registerProcedures(r)
}

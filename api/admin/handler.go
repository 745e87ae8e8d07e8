// Package admin serves the administrators' routes: staff accounts and roles,
// policies, the agency directory and the working-time calendar.
package admin

import "github.com/caobang/congdanso/api"

// Handler serves the admin routes.
type Handler struct {
	api.Deps
	// OnCalendarChange is called after an admin edits the working-time
	// calendar (the worker drops its cached copy).
	OnCalendarChange func()
}

// Register adds the admin routes.
func (s *Handler) Register(r *api.Server) {
	s.registerAdmin(r)
	s.registerAgencies(r)
	s.registerCalendar(r)
	s.registerCategories(r)
}

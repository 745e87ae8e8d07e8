// Package tasks serves the staff task inbox: lists, counts, the overview,
// and claiming, releasing and assigning a task.
package tasks

import (
	"github.com/caobang/congdanso/api"
	"github.com/caobang/congdanso/cases"
)

// Handler serves the task routes.
type Handler struct {
	api.Deps
	Cases *cases.Service
}

// Register adds the task routes.
func (s *Handler) Register(r *api.Server) { s.registerTasks(r) }

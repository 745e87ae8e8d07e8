// Package console serves the staff console: server-rendered pages
// (html/template, GOV.UK patterns) for the task queues, a case with its
// timeline and actions, approvals and reports.
package console

import (
	"github.com/caobang/congdanso/api"
	"github.com/caobang/congdanso/api/accounts"
	"github.com/caobang/congdanso/cases"
)

// Handler serves the console routes.
type Handler struct {
	api.Deps
	Cases    *cases.Service
	Accounts *accounts.Handler // sign-in and sign-out
}

// Register adds the console routes.
func (s *Handler) Register(r *api.Server) { s.registerConsole(r) }

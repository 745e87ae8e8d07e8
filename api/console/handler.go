// Package console serves the staff console: server-rendered pages
// (html/template, GOV.UK patterns) for the task queues, a case with its
// timeline and actions, approvals and reports.
package console

import (
	"github.com/caobang/congdanso/api"
	"github.com/caobang/congdanso/api/accounts"
	"github.com/caobang/congdanso/api/admin"
	"github.com/caobang/congdanso/api/applications"
	"github.com/caobang/congdanso/api/open311"
	"github.com/caobang/congdanso/api/content"
	"github.com/caobang/congdanso/api/reporting"
	"github.com/caobang/congdanso/cases"
)

// Handler serves the console routes.
type Handler struct {
	api.Deps
	Cases    *cases.Service
	Accounts *accounts.Handler     // sign-in and sign-out
	Reports  *reporting.Handler    // the workbooks the reports page downloads
	Admin    *admin.Handler        // staff, policies, directory, categories, calendar operations
	Apps     *applications.Handler // procedure versions
	Open311  *open311.Handler      // Open311 client applications
	Content  *content.Handler      // news and camera operations

	nameCache namesCache
}

// Register adds the console routes.
func (s *Handler) Register(r *api.Server) { s.registerConsole(r) }

// The console's pages are grouped by the staff job they serve; each group
// shares the Handler's dependencies and helpers.
type (
	adminPages   struct{ *Handler } // staff accounts and roles, policies, categories, procedures, calendar, Open311 clients
	deskPages    struct{ *Handler } // one-stop desk: dossiers received in person, printing
	reportPages  struct{ *Handler } // Phụ lục I entry, dashboard, report downloads
	contentPages struct{ *Handler } // editors: news, directory contacts, cameras
)

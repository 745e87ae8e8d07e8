package console

import (
	"net/http"

	"github.com/caobang/congdanso/api"
)

// registerAdminScreens adds the provincial admin's reference-data screens:
// feedback categories, procedures and their versions, the working-time
// calendar and Open311 client applications. Each route requires the
// permission of the JSON route for the same operation.
func (s *Handler) registerAdminScreens(r *api.Server) {
	adm := adminPages{s}
	if s.Admin != nil {
		cat := api.Can("category", "manage")
		r.Handle(http.MethodGet, "/console/categories", cat, adm.consoleCategories)
		r.Handle(http.MethodGet, "/console/categories/new", cat, adm.consoleCategoryNew)
		r.Handle(http.MethodPost, "/console/categories", cat, adm.consoleCategorySave)
		r.Handle(http.MethodGet, "/console/categories/:code", cat, adm.consoleCategoryEdit)
		r.Handle(http.MethodPost, "/console/categories/:code", cat, adm.consoleCategorySave)
		cal := api.Can("calendar", "manage")
		r.Handle(http.MethodGet, "/console/calendar", cal, adm.consoleCalendar)
		r.Handle(http.MethodPost, "/console/calendar/:op", cal, adm.consoleCalendarChange)
	}
	if s.Apps != nil {
		pub := api.Can("procedure", "publish")
		r.Handle(http.MethodGet, "/console/procedures", pub, adm.consoleProcedures)
		r.Handle(http.MethodGet, "/console/procedures/:code", pub, adm.consoleProcedure)
		r.Handle(http.MethodPost, "/console/procedures/:code/versions", pub, adm.consoleProcedurePublish)
	}
	if s.Open311 != nil {
		o := api.Can("open311_client", "manage")
		r.Handle(http.MethodGet, "/console/open311", o, adm.consoleOpen311)
		r.Handle(http.MethodPost, "/console/open311", o, adm.consoleOpen311Create)
		r.Handle(http.MethodPost, "/console/open311/:id/revoke", o, adm.consoleOpen311Revoke)
	}
}

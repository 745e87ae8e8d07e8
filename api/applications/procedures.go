package applications

import (
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	cds "github.com/caobang/congdanso"
	"github.com/caobang/congdanso/api"
)

func (s *Handler) registerProcedures(r *api.Server) {
	r.Handle(http.MethodGet, "/api/v1/procedures", api.Public, s.listProcedures)
	r.Handle(http.MethodGet, "/api/v1/procedures/:code", api.Public, s.getProcedure)
	r.Handle(http.MethodPost, "/api/v1/procedures/:code/versions", api.Can("procedure", "publish"), s.publishProcedure)
}

// listProcedures returns the catalogue as in force now (or at ?at=).
func (s *Handler) listProcedures(c *gin.Context) {
	t, ok := appInstantParam(c, "at")
	if !ok {
		return
	}
	list, err := s.DB.Procedures(c.Request.Context(), t)
	if err != nil {
		api.WriteError(c, err)
		return
	}
	if list == nil {
		list = []cds.Procedure{}
	}
	c.JSON(http.StatusOK, gin.H{"items": list, "next_cursor": nil})
}

// getProcedure returns the version in force now (or at ?at=) and the version history.
func (s *Handler) getProcedure(c *gin.Context) {
	t, ok := appInstantParam(c, "at")
	if !ok {
		return
	}
	p, err := s.DB.ProcedureAt(c.Request.Context(), c.Param("code"), t)
	if err != nil {
		api.WriteError(c, err)
		return
	}
	versions, err := s.DB.ProcedureVersions(c.Request.Context(), p.Code)
	if err != nil {
		api.WriteError(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"procedure": p, "versions": versions})
}

// publishProcedure stores a new version. Dossiers already accepted keep the
// version they pinned; the new one applies to dossiers accepted from its
// effective date.
func (s *Handler) publishProcedure(c *gin.Context) {
	var p cds.Procedure
	if !api.BindJSON(c, &p) {
		return
	}
	p.Code = c.Param("code")
	if p.EffectiveFrom.IsZero() {
		p.EffectiveFrom = time.Now()
	}
	if e := p.Validate(); e != nil {
		api.WriteError(c, e)
		return
	}
	if p.AgencyCode != "" {
		if _, err := s.DB.ApplicationAgency(c.Request.Context(), p.AgencyCode); err != nil {
			api.WriteError(c, cds.Errorf(cds.EINVALID, "Cơ quan không tồn tại.", "No such agency.").WithField("agency_code", "unknown"))
			return
		}
	}
	v, err := s.DB.PublishProcedureVersion(c.Request.Context(), p, api.ActorID(c))
	if err != nil {
		api.WriteError(c, err)
		return
	}
	_ = s.DB.Audit(c.Request.Context(), api.ActorID(c), "procedure.publish", "procedure", p.Code, map[string]any{"version": v})
	c.JSON(http.StatusCreated, gin.H{"code": p.Code, "version": v, "effective_from": p.EffectiveFrom.In(cds.VietnamTZ)})
}

// appInstantParam reads an optional time query parameter (RFC 3339 or
// YYYY-MM-DD, Vietnam time); absent means now.
func appInstantParam(c *gin.Context, name string) (time.Time, bool) {
	v := strings.TrimSpace(c.Query(name))
	if v == "" {
		return time.Now(), true
	}
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t, true
	}
	if t, err := time.ParseInLocation("2006-01-02", v, cds.VietnamTZ); err == nil {
		return t, true
	}
	api.WriteError(c, cds.Errorf(cds.EINVALID, "Thời điểm không hợp lệ.", "Invalid time.").WithField(name, "RFC 3339 or YYYY-MM-DD"))
	return time.Time{}, false
}

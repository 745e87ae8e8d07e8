package applications

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	cds "github.com/caobang/congdanso"
	"github.com/caobang/congdanso/api"
	"github.com/caobang/congdanso/postgres"
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
	v, err := s.PublishProcedure(c.Request.Context(), api.Actor(c), p, c.GetHeader("Idempotency-Key"))
	if err != nil {
		api.WriteError(c, err)
		return
	}
	c.JSON(http.StatusCreated, v)
}

// PublishedVersion is the answer to a publication.
type PublishedVersion struct {
	Code          string    `json:"code"`
	Version       int       `json:"version"`
	EffectiveFrom time.Time `json:"effective_from"`
}

// PublishProcedure stores p as the next version of procedure p.Code (the JSON
// route and the console's form): validated, effective now when no date is
// given and never before today (a version in force in the past would
// rewrite history), idempotent by key, the version and its audit line in
// one transaction.
func (s *Handler) PublishProcedure(ctx context.Context, a cds.Actor, p cds.Procedure, key string) (PublishedVersion, error) {
	var out PublishedVersion
	if p.EffectiveFrom.IsZero() {
		p.EffectiveFrom = time.Now()
	}
	e := p.Validate()
	y, m, d := time.Now().In(cds.VietnamTZ).Date()
	if p.EffectiveFrom.Before(time.Date(y, m, d, 0, 0, 0, 0, cds.VietnamTZ)) {
		if e == nil {
			e = cds.Errorf(cds.EINVALID, "Thủ tục không hợp lệ.", "Invalid procedure.")
		}
		e.WithField("effective_from", "Ngày hiệu lực không được trước hôm nay / the effective date may not be before today")
	}
	if e != nil {
		e.Message, e.MessageEN = e.Message+" Chưa công bố phiên bản nào.", e.MessageEN+" No version was published."
		return out, e
	}
	if p.AgencyCode != "" {
		if _, err := s.DB.ApplicationAgency(ctx, p.AgencyCode); err != nil {
			return out, cds.Errorf(cds.EINVALID, "Cơ quan không tồn tại.", "No such agency.").WithField("agency_code", "Cơ quan không tồn tại / unknown agency")
		}
	}
	return postgres.Once(ctx, s.DB, "procedure-publish", a.UserID, key, func() (PublishedVersion, error) {
		v, err := s.DB.PublishProcedureVersion(ctx, p, a.UserID)
		return PublishedVersion{Code: p.Code, Version: v, EffectiveFrom: p.EffectiveFrom.In(cds.VietnamTZ)}, err
	})
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

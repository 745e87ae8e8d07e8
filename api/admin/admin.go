package admin

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	cds "github.com/caobang/congdanso"
	"github.com/caobang/congdanso/api"
	"github.com/caobang/congdanso/postgres"
)

// policyAdmin is implemented by the Casbin authorizer (package policy).
type policyAdmin interface {
	AddPolicy(role, dom, obj, act string) (bool, error)
	RemovePolicy(role, dom, obj, act string) (bool, error)
	Policies() ([][]string, error)
}

func (s *Handler) registerAdmin(r *api.Server) {
	r.Handle(http.MethodGet, "/api/v1/admin/staff", api.Can("staff", "read"), s.listStaff)
	r.Handle(http.MethodPost, "/api/v1/admin/staff", api.Can("staff", "manage"), s.createStaff)
	r.Handle(http.MethodGet, "/api/v1/admin/staff/:id", api.Can("staff", "read"), s.getStaff)
	r.Handle(http.MethodPatch, "/api/v1/admin/staff/:id", api.Can("staff", "manage"), s.patchStaff)
	r.Handle(http.MethodPut, "/api/v1/admin/staff/:id/roles", api.Can("staff", "manage"), s.putStaffRoles)
	r.Handle(http.MethodGet, "/api/v1/admin/policies", api.Can("policy", "read"), s.listPolicies)
	r.Handle(http.MethodPost, "/api/v1/admin/policies", api.Can("policy", "manage"), s.addPolicy)
	r.Handle(http.MethodDelete, "/api/v1/admin/policies", api.Can("policy", "manage"), s.removePolicy)
}

func validRole(r cds.Role) bool {
	for _, x := range cds.StaffRoles {
		if x == r {
			return true
		}
	}
	return false
}

// loadStaffIn loads staff :id and checks the caller may act on its agency
// (an admin's rights reach every sub-unit; others only their own agency).
func (s *Handler) loadStaffIn(c *gin.Context, act string) (postgres.User, bool) {
	id, ok := api.PathID(c, "id")
	if !ok {
		return postgres.User{}, false
	}
	u, err := s.DB.StaffByID(c.Request.Context(), id)
	if err != nil {
		api.WriteError(c, err)
		return u, false
	}
	if !s.AllowedOn(c, u.AgencyCode, "staff", act) {
		return u, false
	}
	return u, true
}

func staffView(u postgres.User) gin.H {
	return gin.H{"id": u.ID, "username": u.Username, "full_name": u.FullName, "phone": cds.MaskPhone(u.Phone), "agency_code": u.AgencyCode,
		"roles": u.Roles, "status": u.Status, "created_at": u.CreatedAt.In(cds.VietnamTZ)}
}

func (s *Handler) listStaff(c *gin.Context) {
	a := api.Actor(c)
	agency := c.Query("agency")
	if agency == "" && !a.Has(cds.RoleAdmin) {
		agency = a.AgencyCode
	}
	var agencies []string
	if agency != "" {
		if !s.AllowedOn(c, agency, "staff", "read") {
			return
		}
		agencies = []string{agency}
	}
	after, _ := strconv.ParseInt(c.Query("cursor"), 10, 64)
	limit, _ := strconv.Atoi(c.Query("limit"))
	if limit <= 0 || limit > 200 {
		limit = 50
	}
	list, err := s.DB.ListStaff(c.Request.Context(), agencies, after, limit)
	if err != nil {
		api.WriteError(c, err)
		return
	}
	items := make([]gin.H, 0, len(list))
	for _, u := range list {
		items = append(items, staffView(u))
	}
	var next any
	if len(list) == limit {
		next = strconv.FormatInt(list[len(list)-1].ID, 10)
	}
	c.JSON(http.StatusOK, gin.H{"items": items, "next_cursor": next})
}

func (s *Handler) createStaff(c *gin.Context) {
	var req StaffRequest
	if !api.BindJSON(c, &req) {
		return
	}
	status, body, err := s.CreateStaff(c.Request.Context(), api.Actor(c), req, c.GetHeader("Idempotency-Key"))
	if err != nil {
		api.WriteError(c, err)
		return
	}
	c.Data(status, "application/json; charset=utf-8", body)
}

func (s *Handler) getStaff(c *gin.Context) {
	u, ok := s.loadStaffIn(c, "read")
	if !ok {
		return
	}
	c.JSON(http.StatusOK, staffView(u))
}

func (s *Handler) patchStaff(c *gin.Context) {
	var p postgres.StaffPatch
	if !api.BindJSON(c, &p) {
		return
	}
	id, ok := api.PathID(c, "id")
	if !ok {
		return
	}
	u, err := s.UpdateStaff(c.Request.Context(), api.Actor(c), id, p)
	if err != nil {
		api.WriteError(c, err)
		return
	}
	c.JSON(http.StatusOK, staffView(u))
}

type rolesReq struct {
	Roles []cds.Role `json:"roles"`
}

func (s *Handler) putStaffRoles(c *gin.Context) {
	var req rolesReq
	if !api.BindJSON(c, &req) {
		return
	}
	id, ok := api.PathID(c, "id")
	if !ok {
		return
	}
	u, err := s.SetStaffRoles(c.Request.Context(), api.Actor(c), id, req.Roles)
	if err != nil {
		api.WriteError(c, err)
		return
	}
	c.JSON(http.StatusOK, staffView(u))
}

func (s *Handler) policyAdmin(c *gin.Context) (policyAdmin, bool) {
	pa, ok := s.Authz.(policyAdmin)
	if !ok {
		api.WriteError(c, cds.Errorf(cds.EUNAVAILABLE, "Không quản lý được chính sách.", "Policies are not editable here."))
	}
	return pa, ok
}

func (s *Handler) listPolicies(c *gin.Context) {
	pa, ok := s.policyAdmin(c)
	if !ok {
		return
	}
	pols, err := pa.Policies()
	if err != nil {
		api.WriteError(c, err)
		return
	}
	items := make([]gin.H, 0, len(pols))
	for _, p := range pols {
		if len(p) >= 4 {
			items = append(items, gin.H{"role": p[0], "domain": p[1], "object": p[2], "action": p[3]})
		}
	}
	c.JSON(http.StatusOK, gin.H{"items": items, "next_cursor": nil})
}

type policyLine struct {
	Role   string `json:"role" form:"role"`
	Domain string `json:"domain" form:"domain"`
	Object string `json:"object" form:"object"`
	Action string `json:"action" form:"action"`
}

func (p *policyLine) check() *cds.Error {
	e := cds.Errorf(cds.EINVALID, "Dòng chính sách chưa hợp lệ.", "Invalid policy line.")
	for name, v := range map[string]string{"role": p.Role, "domain": p.Domain, "object": p.Object, "action": p.Action} {
		if v == "" || len(v) > 64 || strings.ContainsAny(v, ", \n\"") {
			e.WithField(name, "Bắt buộc, tối đa 64 ký tự, không có dấu phẩy hay khoảng trắng.")
		}
	}
	if len(e.Fields) > 0 {
		return e
	}
	return nil
}

func (s *Handler) addPolicy(c *gin.Context) {
	var p policyLine
	if !api.BindJSON(c, &p) {
		return
	}
	s.changePolicy(c, p, true)
}

func (s *Handler) removePolicy(c *gin.Context) {
	p := policyLine{Role: c.Query("role"), Domain: c.Query("domain"), Object: c.Query("object"), Action: c.Query("action")}
	s.changePolicy(c, p, false)
}

func (s *Handler) changePolicy(c *gin.Context, p policyLine, add bool) {
	changed, err := s.ChangePolicy(c.Request.Context(), api.Actor(c), p, add)
	if err != nil {
		api.WriteError(c, err)
		return
	}
	status := http.StatusOK
	if add && changed {
		status = http.StatusCreated
	}
	c.JSON(status, gin.H{"role": p.Role, "domain": p.Domain, "object": p.Object, "action": p.Action, "changed": changed})
}

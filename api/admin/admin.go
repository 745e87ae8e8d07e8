package admin

import (
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

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

type createStaffReq struct {
	Username   string     `json:"username"`
	FullName   string     `json:"full_name"`
	Phone      string     `json:"phone"`
	AgencyCode string     `json:"agency_code"`
	Roles      []cds.Role `json:"roles"`
	Password   string     `json:"password"`
}

func (s *Handler) createStaff(c *gin.Context) {
	var req createStaffReq
	if !api.BindJSON(c, &req) {
		return
	}
	ctx := c.Request.Context()
	verr := cds.Errorf(cds.EINVALID, "Thông tin tài khoản cán bộ chưa hợp lệ.", "Invalid staff account data.")
	req.Username = strings.ToLower(strings.TrimSpace(req.Username))
	if l := len(req.Username); l < 3 || l > 64 || strings.ContainsAny(req.Username, " @/") {
		verr.WithField("username", "Tên đăng nhập 3–64 ký tự, không có khoảng trắng.")
	}
	if l := utf8.RuneCountInString(strings.TrimSpace(req.FullName)); l < 2 || l > 100 {
		verr.WithField("full_name", "Vui lòng nhập họ và tên.")
	}
	if req.Phone != "" {
		p, ok := api.NormalizePhone(req.Phone)
		if !ok {
			verr.WithField("phone", "Số điện thoại không hợp lệ.")
		}
		req.Phone = p
	}
	if ok, err := s.DB.AgencyExists(ctx, req.AgencyCode); err != nil {
		api.WriteError(c, err)
		return
	} else if !ok {
		verr.WithField("agency_code", "Cơ quan không tồn tại.")
	}
	if len(req.Roles) == 0 {
		verr.WithField("roles", "Cần ít nhất một vai trò.")
	}
	for _, r := range req.Roles {
		if !validRole(r) {
			verr.WithField("roles", "Vai trò không hợp lệ: "+string(r))
		}
	}
	generated := req.Password == ""
	if generated {
		req.Password = "Cb" + api.RandomToken(12) + "9"
	} else if e := api.CheckPassword(req.Password, req.Phone); e != nil {
		verr.WithField("password", e.Fields["password"])
	}
	if len(verr.Fields) > 0 {
		api.WriteError(c, verr)
		return
	}
	if !s.AllowedOn(c, req.AgencyCode, "staff", "manage") {
		return
	}
	status, body, _, err := s.DB.Idempotent(ctx, "admin-staff", api.ActorID(c), c.GetHeader("Idempotency-Key"), func() (int, any, error) {
		hash, err := api.HashPassword(req.Password)
		if err != nil {
			return 0, nil, err
		}
		u, err := s.DB.CreateStaff(ctx, postgres.NewStaff{Username: req.Username, Phone: req.Phone, FullName: strings.TrimSpace(req.FullName),
			AgencyCode: req.AgencyCode, PasswordHash: hash, Roles: req.Roles})
		if err != nil {
			return 0, nil, err
		}
		if err := s.DB.Audit(ctx, api.ActorID(c), "staff-create", "user", strconv.FormatInt(u.ID, 10),
			map[string]any{"agency": u.AgencyCode, "roles": u.Roles, "username": u.Username}); err != nil {
			return 0, nil, err
		}
		v := staffView(u)
		if generated {
			v["initial_password"] = req.Password // shown once, never stored in clear
		}
		return http.StatusCreated, v, nil
	})
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
	u, ok := s.loadStaffIn(c, "manage")
	if !ok {
		return
	}
	ctx := c.Request.Context()
	verr := cds.Errorf(cds.EINVALID, "Thông tin chưa hợp lệ.", "Invalid data.")
	if p.Status != nil && *p.Status != "active" && *p.Status != "disabled" {
		verr.WithField("status", "Trạng thái là active hoặc disabled.")
	}
	if p.AgencyCode != nil {
		if ok, err := s.DB.AgencyExists(ctx, *p.AgencyCode); err != nil || !ok {
			verr.WithField("agency_code", "Cơ quan không tồn tại.")
		} else if !s.AllowedOn(c, *p.AgencyCode, "staff", "manage") {
			return
		}
	}
	if p.Phone != nil && *p.Phone != "" {
		ph, ok := api.NormalizePhone(*p.Phone)
		if !ok {
			verr.WithField("phone", "Số điện thoại không hợp lệ.")
		}
		p.Phone = &ph
	}
	if len(verr.Fields) > 0 {
		api.WriteError(c, verr)
		return
	}
	if err := s.DB.UpdateStaff(ctx, u.ID, p); err != nil {
		api.WriteError(c, err)
		return
	}
	_ = s.DB.Audit(ctx, api.ActorID(c), "staff-update", "user", strconv.FormatInt(u.ID, 10), map[string]any{"before": staffView(u), "patch": p})
	u, err := s.DB.StaffByID(ctx, u.ID)
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
	for _, r := range req.Roles {
		if !validRole(r) {
			api.WriteError(c, cds.Errorf(cds.EINVALID, "Vai trò không hợp lệ: %s.", "Invalid role: %s.", r).WithField("roles", "Vai trò không hợp lệ."))
			return
		}
	}
	u, ok := s.loadStaffIn(c, "manage")
	if !ok {
		return
	}
	ctx := c.Request.Context()
	// SetStaffRoles also ends the account's sessions (tokens carry roles),
	// so new grants and revocations apply at once, not at token expiry.
	if err := s.DB.SetStaffRoles(ctx, u.ID, req.Roles); err != nil {
		api.WriteError(c, err)
		return
	}
	_ = s.DB.Audit(ctx, api.ActorID(c), "staff-roles", "user", strconv.FormatInt(u.ID, 10), map[string]any{"before": u.Roles, "after": req.Roles})
	u, _ = s.DB.StaffByID(ctx, u.ID)
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
	if e := p.check(); e != nil {
		api.WriteError(c, e)
		return
	}
	pa, ok := s.policyAdmin(c)
	if !ok {
		return
	}
	var changed bool
	var err error
	action := "policy-add"
	if add {
		changed, err = pa.AddPolicy(p.Role, p.Domain, p.Object, p.Action)
	} else {
		action = "policy-remove"
		changed, err = pa.RemovePolicy(p.Role, p.Domain, p.Object, p.Action)
	}
	if err != nil {
		api.WriteError(c, err)
		return
	}
	line := strings.Join([]string{"p", p.Role, p.Domain, p.Object, p.Action}, ", ")
	if changed {
		if err := s.DB.Audit(c.Request.Context(), api.ActorID(c), action, "policy", line, p); err != nil {
			api.WriteError(c, err)
			return
		}
	}
	status := http.StatusOK
	if add && changed {
		status = http.StatusCreated
	}
	if !add && !changed {
		api.WriteError(c, cds.Errorf(cds.ENOTFOUND, "Không có dòng chính sách này.", "No such policy line."))
		return
	}
	c.JSON(status, gin.H{"role": p.Role, "domain": p.Domain, "object": p.Object, "action": p.Action, "changed": changed})
}

package console

import (
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	cds "github.com/caobang/congdanso"
	"github.com/caobang/congdanso/api"
	"github.com/caobang/congdanso/api/admin"
	"github.com/caobang/congdanso/postgres"
)

// Staff accounts: a unit admin manages their own unit's staff, the
// provincial admin everyone's, through the admin package's operations (the
// same as the JSON API's): permission in the account's agency, which roles
// the actor may grant, an audit line per change, and the person's sessions
// ended when their agency, roles or status change.

type staffRow struct {
	postgres.User
	AgencyName string
	RoleNames  []string
}

type staffListView struct {
	Items    []staffRow
	Agency   string
	Agencies []cds.Agency
	All      bool // may choose any agency
}

type staffFormView struct {
	User     postgres.User
	New      bool
	Agencies []cds.Agency
	Roles    []roleOption
	Password string // the generated first password, shown once
}

type roleOption struct {
	Role    cds.Role
	Name    string
	Checked bool
}

func (s adminPages) staffRow(c *gin.Context, u postgres.User) staffRow {
	r := staffRow{User: u, AgencyName: s.names(c).Agency(u.AgencyCode)}
	for _, role := range u.Roles {
		r.RoleNames = append(r.RoleNames, admin.RoleName(role))
	}
	return r
}

// staffAgencies are the agencies the actor may manage staff in.
func (s adminPages) staffAgencies(c *gin.Context) []cds.Agency {
	ags, _ := s.DB.Agencies(c.Request.Context())
	var out []cds.Agency
	for _, a := range ags {
		if ok, err := s.Authz.Allowed(c.Request.Context(), api.Actor(c), a.Code, "staff", "manage"); err == nil && ok {
			out = append(out, a)
		}
	}
	return out
}

func (s adminPages) consoleStaffList(c *gin.Context) {
	a := api.Actor(c)
	v := staffListView{Agencies: s.staffAgencies(c)}
	v.All = len(v.Agencies) > 1
	v.Agency = c.Query("agency")
	if v.Agency == "" && !v.All {
		v.Agency = a.AgencyCode
	}
	var scope []string
	if v.Agency != "" {
		if ok, err := s.Authz.Allowed(c.Request.Context(), a, v.Agency, "staff", "read"); err != nil || !ok {
			s.renderConsole(c, http.StatusForbidden, "error", consolePage{Title: "Không có quyền", Message: api.Forbidden().Message})
			return
		}
		scope = []string{v.Agency}
	}
	list, err := s.DB.ListStaff(c.Request.Context(), scope, 0, 200)
	if err != nil {
		api.WriteError(c, err)
		return
	}
	for _, u := range list {
		v.Items = append(v.Items, s.staffRow(c, u))
	}
	s.renderConsole(c, http.StatusOK, "staff", consolePage{Title: "Tài khoản cán bộ", Nav: "staff", Data: v})
}

func (s adminPages) staffForm(c *gin.Context, u postgres.User, isNew bool) staffFormView {
	v := staffFormView{User: u, New: isNew, Agencies: s.staffAgencies(c)}
	for _, r := range cds.StaffRoles {
		if ok, err := s.Authz.Allowed(c.Request.Context(), api.Actor(c), u.AgencyCode, "staff_role", string(r)); err == nil && ok || slices.Contains(u.Roles, r) {
			v.Roles = append(v.Roles, roleOption{r, admin.RoleName(r), slices.Contains(u.Roles, r)})
		}
	}
	return v
}

func (s adminPages) consoleStaffNew(c *gin.Context) {
	u := postgres.User{AgencyCode: api.Actor(c).AgencyCode, Roles: []cds.Role{cds.RoleOfficer}}
	s.renderConsole(c, http.StatusOK, "staff_form", consolePage{Title: "Thêm tài khoản cán bộ", Nav: "staff", Data: s.staffForm(c, u, true)})
}

func formRoles(c *gin.Context) []cds.Role {
	var out []cds.Role
	for _, r := range c.PostFormArray("roles") {
		out = append(out, cds.Role(r))
	}
	return out
}

// staffErrors turns an operation's error into the page's error summary.
func staffErrors(c *gin.Context, err error) ([]fieldError, int) {
	e := api.ErrorOf(c, err)
	var errs []fieldError
	for f, m := range e.Fields {
		errs = append(errs, fieldError{f, m})
	}
	if len(errs) == 0 {
		errs = append(errs, fieldError{"full_name", e.Message + " / " + e.MessageEN})
	}
	return errs, api.StatusOf(e.Code)
}

func (s adminPages) consoleStaffCreate(c *gin.Context) {
	req := admin.StaffRequest{Username: c.PostForm("username"), FullName: c.PostForm("full_name"), Phone: strings.TrimSpace(c.PostForm("phone")),
		AgencyCode: c.PostForm("agency_code"), Roles: formRoles(c)}
	_, body, err := s.Admin.CreateStaff(c.Request.Context(), api.Actor(c), req, c.PostForm(idemField))
	if err != nil {
		errs, status := staffErrors(c, err)
		u := postgres.User{Username: req.Username, FullName: req.FullName, Phone: req.Phone, AgencyCode: req.AgencyCode, Roles: req.Roles}
		s.renderConsole(c, status, "staff_form", consolePage{Title: "Thêm tài khoản cán bộ", Nav: "staff", Errors: errs, Data: s.staffForm(c, u, true)})
		return
	}
	var out struct {
		ID              int64  `json:"id"`
		InitialPassword string `json:"initial_password"`
	}
	_ = json.Unmarshal(body, &out)
	u, err := s.Admin.StaffIn(c.Request.Context(), api.Actor(c), out.ID, "read")
	if err != nil {
		api.WriteError(c, err)
		return
	}
	v := s.staffForm(c, u, false)
	v.Password = out.InitialPassword
	s.renderConsole(c, http.StatusCreated, "staff_form", consolePage{Title: "Đã tạo tài khoản " + u.FullName, Nav: "staff",
		Flash: "Đã tạo tài khoản. Mật khẩu đầu tiên chỉ hiện một lần.", Data: v})
}

func (s adminPages) loadStaff(c *gin.Context, act string) (postgres.User, bool) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err == nil {
		var u postgres.User
		if u, err = s.Admin.StaffIn(c.Request.Context(), api.Actor(c), id, act); err == nil {
			return u, true
		}
	}
	s.renderConsole(c, http.StatusNotFound, "error", consolePage{Title: "Không tìm thấy cán bộ",
		Message: "Không tìm thấy tài khoản hoặc tài khoản không thuộc đơn vị bạn quản lý. / Not found."})
	return postgres.User{}, false
}

func (s adminPages) consoleStaffEdit(c *gin.Context) {
	u, ok := s.loadStaff(c, "manage")
	if !ok {
		return
	}
	s.renderConsole(c, http.StatusOK, "staff_form", consolePage{Title: u.FullName, Nav: "staff", Data: s.staffForm(c, u, false)})
}

// consoleStaffSave applies the form: name, phone, agency and status, then
// the roles (each change audited; sessions end on agency, role or status).
func (s adminPages) consoleStaffSave(c *gin.Context) {
	u, ok := s.loadStaff(c, "manage")
	if !ok {
		return
	}
	ctx, a := c.Request.Context(), api.Actor(c)
	name, phone := strings.TrimSpace(c.PostForm("full_name")), strings.TrimSpace(c.PostForm("phone"))
	agency, status := c.PostForm("agency_code"), c.PostForm("status")
	p := postgres.StaffPatch{FullName: &name, Phone: &phone, Status: &status}
	if agency != u.AgencyCode {
		p.AgencyCode = &agency
	}
	var err error
	nu, err := s.Admin.UpdateStaff(ctx, a, u.ID, p)
	if err == nil && !sameRoles(nu.Roles, formRoles(c)) {
		nu, err = s.Admin.SetStaffRoles(ctx, a, u.ID, formRoles(c))
	}
	if err != nil {
		errs, st := staffErrors(c, err)
		s.renderConsole(c, st, "staff_form", consolePage{Title: u.FullName, Nav: "staff", Errors: errs, Data: s.staffForm(c, u, false)})
		return
	}
	setFlash(c, "Đã lưu tài khoản "+nu.FullName+".")
	c.Redirect(http.StatusSeeOther, "/console/staff?agency="+nu.AgencyCode)
}

func sameRoles(a, b []cds.Role) bool {
	if len(a) != len(b) {
		return false
	}
	for _, r := range a {
		if !slices.Contains(b, r) {
			return false
		}
	}
	return true
}

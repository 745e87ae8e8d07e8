package console

import (
	"net/http"
	"sort"
	"strings"

	"github.com/gin-gonic/gin"

	cds "github.com/caobang/congdanso"
	"github.com/caobang/congdanso/api"
	"github.com/caobang/congdanso/api/admin"
)

// The provincial admin's policies page: who may do what in which agency,
// grouped by role in words, with lines added and removed through the admin
// package's operation (audited).

// objectNames name the policy objects in words.
var objectNames = map[string]string{
	"feedback": "Phản ánh kiến nghị", "application": "Hồ sơ thủ tục hành chính", "tasks": "Hàng đợi công việc",
	"console": "Trang cán bộ", "staff": "Tài khoản cán bộ", "staff_role": "Cấp vai trò", "policy": "Phân quyền",
	"report": "Báo cáo", "deployment_report": "Báo cáo triển khai (Phụ lục I)", "deployment_campaign": "Đợt báo cáo Phụ lục I",
	"news": "Tin tức", "directory": "Danh bạ cơ quan", "camera": "Camera", "calendar": "Lịch làm việc", "procedure": "Thủ tục",
	"payment": "Thanh toán", "open311": "Open311", "category": "Lĩnh vực phản ánh",
}

type policyRow struct {
	Role, Domain, Object, Action           string
	RoleName, DomainName, ObjName, ActName string
}

type policyGroup struct {
	RoleName string
	Rows     []policyRow
}

type policiesView struct {
	Groups   []policyGroup
	Roles    []roleOption
	Agencies []cds.Agency
	Objects  []option
	Form     admin.PolicyLine
	CanEdit  bool
}

func (s adminPages) policiesView(c *gin.Context) (policiesView, error) {
	var v policiesView
	lines, err := s.Admin.Policies()
	if err != nil {
		return v, err
	}
	names := s.names(c)
	groups := map[string]*policyGroup{}
	var order []string
	objs := map[string]bool{}
	for _, l := range lines {
		if len(l) < 4 {
			continue
		}
		r := policyRow{Role: l[0], Domain: l[1], Object: l[2], Action: l[3], RoleName: admin.RoleName(cds.Role(l[0])),
			DomainName: "Mọi đơn vị", ObjName: objectNames[l[2]], ActName: l[3]}
		if r.Domain != "*" {
			r.DomainName = names.Agency(r.Domain)
		}
		if r.ObjName == "" {
			r.ObjName = l[2]
		}
		if r.Action == "*" {
			r.ActName = "mọi thao tác"
		} else if r.Object == "application" || r.Object == "feedback" {
			r.ActName = caseActionLabel(r.Object, r.Action)
		} else if r.Object == "staff_role" {
			r.ActName = admin.RoleName(cds.Role(r.Action))
		}
		objs[r.Object] = true
		g := groups[r.Role]
		if g == nil {
			g = &policyGroup{RoleName: r.RoleName}
			groups[r.Role] = g
			order = append(order, r.Role)
		}
		g.Rows = append(g.Rows, r)
	}
	sort.Strings(order)
	for _, k := range order {
		g := groups[k]
		sort.SliceStable(g.Rows, func(i, j int) bool { return g.Rows[i].Object+g.Rows[i].Action < g.Rows[j].Object+g.Rows[j].Action })
		v.Groups = append(v.Groups, *g)
	}
	for _, r := range append([]cds.Role{cds.RoleCitizen}, cds.StaffRoles...) {
		v.Roles = append(v.Roles, roleOption{Role: r, Name: admin.RoleName(r)})
	}
	v.Agencies, _ = s.DB.Agencies(c.Request.Context())
	for o := range objs {
		v.Objects = append(v.Objects, option{o, objectNames[o] + " (" + o + ")"})
	}
	sort.Slice(v.Objects, func(i, j int) bool { return v.Objects[i].Label < v.Objects[j].Label })
	v.CanEdit = s.allowed(c, "policy", "manage") == nil
	return v, nil
}

func (s adminPages) consolePolicies(c *gin.Context) {
	v, err := s.policiesView(c)
	if err != nil {
		api.WriteError(c, err)
		return
	}
	v.Form.Domain = "*"
	s.renderConsole(c, http.StatusOK, "policies", consolePage{Title: "Phân quyền", Nav: "policies", Data: v})
}

// consolePolicyChange adds (op add) or removes (op remove) a line.
func (s adminPages) consolePolicyChange(c *gin.Context) {
	p := admin.PolicyLine{Role: c.PostForm("role"), Domain: c.PostForm("domain"), Object: c.PostForm("object"),
		Action: strings.TrimSpace(c.PostForm("action"))}
	add := c.Param("op") == "add"
	if !add && c.Param("op") != "remove" {
		s.renderConsole(c, http.StatusNotFound, "error", consolePage{Title: "Không tìm thấy trang"})
		return
	}
	_, err := s.Admin.ChangePolicy(c.Request.Context(), api.Actor(c), p, add)
	if err == nil {
		if add {
			setFlash(c, "Đã thêm quyền.")
		} else {
			setFlash(c, "Đã thu hồi quyền.")
		}
		c.Redirect(http.StatusSeeOther, "/console/policies")
		return
	}
	v, verr := s.policiesView(c)
	if verr != nil {
		api.WriteError(c, verr)
		return
	}
	v.Form = p
	errs, status := staffErrors(c, err)
	for i := range errs {
		if errs[i].Field == "full_name" {
			errs[i].Field = "role"
		}
	}
	s.renderConsole(c, status, "policies", consolePage{Title: "Phân quyền", Nav: "policies", Errors: errs, Data: v})
}

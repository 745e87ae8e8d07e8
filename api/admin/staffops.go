package admin

import (
	"context"
	"strconv"
	"strings"
	"unicode/utf8"

	cds "github.com/caobang/congdanso"
	"github.com/caobang/congdanso/api"
	"github.com/caobang/congdanso/postgres"
)

// Staff account operations: one implementation behind the JSON API and the
// staff console. Each checks that the actor may manage staff in the
// account's agency (a unit admin only in their own unit, the provincial
// admin everywhere) and may grant or remove each role it touches
// (policy object staff_role: a unit admin grants the unit's working roles,
// not admin or steering); each change is audited, and a change of agency,
// role or status ends the person's sessions (postgres.UpdateStaff,
// SetStaffRoles).

// StaffRequest is a staff account to create.
type StaffRequest struct {
	Username   string     `json:"username"`
	FullName   string     `json:"full_name"`
	Phone      string     `json:"phone"`
	AgencyCode string     `json:"agency_code"`
	Roles      []cds.Role `json:"roles"`
	Password   string     `json:"password"`
}

func (s *Handler) may(ctx context.Context, a cds.Actor, agency, obj, act string) error {
	return api.Require(ctx, s.Authz, a, agency, obj, act)
}

// mayGrant checks every role added or removed.
func (s *Handler) mayGrant(ctx context.Context, a cds.Actor, agency string, before, after []cds.Role) error {
	changed := map[cds.Role]bool{}
	for _, r := range before {
		changed[r] = true
	}
	for _, r := range after {
		changed[r] = !changed[r]
	}
	for r, ch := range changed {
		if !ch {
			continue
		}
		if err := s.may(ctx, a, agency, "staff_role", string(r)); err != nil {
			return cds.Errorf(cds.EFORBIDDEN, "Bạn không được cấp hoặc thu hồi vai trò %s.", "You may not grant or remove the role %s.", RoleName(r))
		}
	}
	return nil
}

// StaffIn loads a staff account the actor may act on (act: read or manage).
func (s *Handler) StaffIn(ctx context.Context, a cds.Actor, id int64, act string) (postgres.User, error) {
	u, err := s.DB.StaffByID(ctx, id)
	if err != nil {
		return u, err
	}
	if err := s.may(ctx, a, u.AgencyCode, "staff", act); err != nil {
		return u, err
	}
	return u, nil
}

// CreateStaff creates an account (idempotent by key); its answer is the
// account as JSON, with the generated first password shown once.
func (s *Handler) CreateStaff(ctx context.Context, a cds.Actor, req StaffRequest, key string) (int, []byte, error) {
	verr := cds.Errorf(cds.EINVALID, "Thông tin tài khoản cán bộ chưa hợp lệ.", "Invalid staff account data.")
	req.Username = strings.ToLower(strings.TrimSpace(req.Username))
	if l := len(req.Username); l < 3 || l > 64 || strings.ContainsAny(req.Username, " @/") {
		verr.WithField("username", "Tên đăng nhập 3–64 ký tự, không có khoảng trắng.")
	}
	if l := utf8.RuneCountInString(strings.TrimSpace(req.FullName)); l < 2 || l > 100 {
		verr.WithField("full_name", "Vui lòng nhập họ và tên.")
	}
	if req.Phone != "" {
		p, ok := cds.NormalizeMobile(req.Phone)
		if !ok {
			verr.WithField("phone", "Số điện thoại không hợp lệ.")
		}
		req.Phone = p
	}
	if ok, err := s.DB.AgencyExists(ctx, req.AgencyCode); err != nil {
		return 0, nil, err
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
		return 0, nil, verr
	}
	if err := s.may(ctx, a, req.AgencyCode, "staff", "manage"); err != nil {
		return 0, nil, err
	}
	if err := s.mayGrant(ctx, a, req.AgencyCode, nil, req.Roles); err != nil {
		return 0, nil, err
	}
	status, body, _, err := s.DB.Idempotent(ctx, "admin-staff", a.UserID, key, func() (int, any, error) {
		hash, err := api.HashPassword(req.Password)
		if err != nil {
			return 0, nil, err
		}
		u, err := s.DB.CreateStaff(ctx, postgres.NewStaff{Username: req.Username, Phone: req.Phone, FullName: strings.TrimSpace(req.FullName),
			AgencyCode: req.AgencyCode, PasswordHash: hash, Roles: req.Roles})
		if err != nil {
			return 0, nil, err
		}
		if err := s.DB.Audit(ctx, a.UserID, "staff-create", "user", strconv.FormatInt(u.ID, 10),
			map[string]any{"agency": u.AgencyCode, "roles": u.Roles, "username": u.Username}); err != nil {
			return 0, nil, err
		}
		v := staffView(u)
		if generated {
			v["initial_password"] = req.Password // shown once, never stored in clear
		}
		return 201, v, nil
	})
	return status, body, err
}

// UpdateStaff changes name, phone, agency or status (moving agency moves
// the role grants, which the actor must be allowed to grant there).
func (s *Handler) UpdateStaff(ctx context.Context, a cds.Actor, id int64, p postgres.StaffPatch) (postgres.User, error) {
	u, err := s.StaffIn(ctx, a, id, "manage")
	if err != nil {
		return u, err
	}
	verr := cds.Errorf(cds.EINVALID, "Thông tin chưa hợp lệ.", "Invalid data.")
	if p.Status != nil && *p.Status != "active" && *p.Status != "disabled" {
		verr.WithField("status", "Trạng thái là active hoặc disabled.")
	}
	if p.AgencyCode != nil && *p.AgencyCode != u.AgencyCode {
		if ok, err := s.DB.AgencyExists(ctx, *p.AgencyCode); err != nil || !ok {
			verr.WithField("agency_code", "Cơ quan không tồn tại.")
		} else if err := s.may(ctx, a, *p.AgencyCode, "staff", "manage"); err != nil {
			return u, err
		} else if err := s.mayGrant(ctx, a, *p.AgencyCode, nil, u.Roles); err != nil {
			return u, err
		}
	}
	if p.Phone != nil && *p.Phone != "" {
		ph, ok := cds.NormalizeMobile(*p.Phone)
		if !ok {
			verr.WithField("phone", "Số điện thoại không hợp lệ.")
		}
		p.Phone = &ph
	}
	if len(verr.Fields) > 0 {
		return u, verr
	}
	if err := s.DB.UpdateStaff(ctx, u.ID, p); err != nil {
		return u, err
	}
	if err := s.DB.Audit(ctx, a.UserID, "staff-update", "user", strconv.FormatInt(u.ID, 10), map[string]any{"before": staffView(u), "patch": p}); err != nil {
		return u, err
	}
	return s.DB.StaffByID(ctx, u.ID)
}

// SetStaffRoles replaces the account's roles (and ends its sessions).
func (s *Handler) SetStaffRoles(ctx context.Context, a cds.Actor, id int64, roles []cds.Role) (postgres.User, error) {
	for _, r := range roles {
		if !validRole(r) {
			return postgres.User{}, cds.Errorf(cds.EINVALID, "Vai trò không hợp lệ: %s.", "Invalid role: %s.", r).WithField("roles", "Vai trò không hợp lệ.")
		}
	}
	u, err := s.StaffIn(ctx, a, id, "manage")
	if err != nil {
		return u, err
	}
	if err := s.mayGrant(ctx, a, u.AgencyCode, u.Roles, roles); err != nil {
		return u, err
	}
	if err := s.DB.SetStaffRoles(ctx, u.ID, roles); err != nil {
		return u, err
	}
	if err := s.DB.Audit(ctx, a.UserID, "staff-roles", "user", strconv.FormatInt(u.ID, 10), map[string]any{"before": u.Roles, "after": roles}); err != nil {
		return u, err
	}
	return s.DB.StaffByID(ctx, u.ID)
}

// RoleName is a role's Vietnamese name.
func RoleName(r cds.Role) string {
	switch r {
	case cds.RoleOfficer:
		return "Chuyên viên"
	case cds.RoleLeader:
		return "Lãnh đạo"
	case cds.RoleCoordinator:
		return "Điều phối tỉnh"
	case cds.RoleEditor:
		return "Biên tập tin tức"
	case cds.RoleReporter:
		return "Báo cáo triển khai"
	case cds.RoleSteering:
		return "Ban Chỉ đạo"
	case cds.RoleAdmin:
		return "Quản trị hệ thống"
	case cds.RoleUnitAdmin:
		return "Quản trị đơn vị"
	}
	return string(r)
}

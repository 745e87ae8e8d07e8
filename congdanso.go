// Package congdanso holds the domain types of the "Công dân số Cao Bằng" case
// management backend. It imports only the standard library; every adapter
// (postgres, api, workflows, activities, policy, reports) speaks these types.
package congdanso

import "time"

// Kind is the kind of a case.
type Kind string

// Case kinds.
const (
	KindFeedback    Kind = "feedback"    // phản ánh kiến nghị
	KindApplication Kind = "application" // hồ sơ dịch vụ công
	KindPayment     Kind = "payment"     // thanh toán
)

// Role is a staff or citizen role. Roles are granted within an agency (the Casbin domain).
type Role string

// Roles of the platform.
const (
	RoleCitizen     Role = "citizen"     // công dân
	RoleOfficer     Role = "officer"     // chuyên viên
	RoleLeader      Role = "leader"      // lãnh đạo
	RoleCoordinator Role = "coordinator" // điều phối tỉnh
	RoleEditor      Role = "editor"      // biên tập tin tức
	RoleReporter    Role = "reporter"    // báo cáo triển khai của đơn vị
	RoleSteering    Role = "steering"    // thành viên Ban chỉ đạo
	RoleAdmin       Role = "admin"       // quản trị hệ thống
	RoleUnitAdmin   Role = "unit_admin"  // quản trị tài khoản của một đơn vị
	RoleClientApp   Role = "client_app"  // ứng dụng ngoài qua Open311
)

// StaffRoles lists the roles a staff account may hold.
var StaffRoles = []Role{RoleOfficer, RoleLeader, RoleCoordinator, RoleEditor, RoleReporter, RoleSteering, RoleAdmin, RoleUnitAdmin}

// Actor is who performs a request or a workflow action. It is resolved at the
// API edge and travels in workflow payloads for the audit trail.
type Actor struct {
	UserID     int64  `json:"user_id"`
	Name       string `json:"name,omitempty"`
	AgencyCode string `json:"agency_code,omitempty"` // staff only
	Roles      []Role `json:"roles,omitempty"`
}

// Has reports whether the actor holds role r.
func (a Actor) Has(r Role) bool {
	for _, x := range a.Roles {
		if x == r {
			return true
		}
	}
	return false
}

// IsStaff reports whether the actor holds any staff role.
func (a Actor) IsStaff() bool {
	for _, r := range StaffRoles {
		if a.Has(r) {
			return true
		}
	}
	return false
}

// AgencyType classifies agencies in the two-level local government (since 07/2025).
type AgencyType string

// Agency types.
const (
	AgencyProvince    AgencyType = "province"    // UBND tỉnh, Ban chỉ đạo
	AgencyDepartment  AgencyType = "department"  // sở, ban, ngành
	AgencyCommune     AgencyType = "commune"     // xã, phường
	AgencyCentral     AgencyType = "central"     // cơ quan trung ương trên địa bàn
	AgencyAssociation AgencyType = "association" // Mặt trận, hội, đoàn thể
	// AgencyDistrict is a district-level unit (huyện, thành phố thuộc tỉnh),
	// abolished on 1 July 2025; kept for campaigns and cases before that date.
	AgencyDistrict AgencyType = "district"
)

// Agency is a unit of the government hierarchy. It is the Casbin domain.
type Agency struct {
	Code       string     `json:"code"`
	Name       string     `json:"name"`
	Type       AgencyType `json:"type"`
	ParentCode string     `json:"parent_code,omitempty"`
}

// Location is where a feedback report is.
type Location struct {
	Lat         float64 `json:"lat"`
	Lng         float64 `json:"lng"`
	Address     string  `json:"address"`
	CommuneCode string  `json:"commune_code"`
}

// Timeliness classifies a finished step or case against its deadline.
type Timeliness string

// Timeliness values (Trước hạn / Đúng hạn / Quá hạn).
const (
	Early  Timeliness = "early"
	OnTime Timeliness = "on_time"
	Late   Timeliness = "late"
)

// ClassifyTimeliness compares a finish time with a due time. A step finished
// on the same working day before the due time counts as on time; earlier days
// count as early.
func ClassifyTimeliness(finished, due time.Time) Timeliness {
	if finished.After(due) {
		return Late
	}
	fy, fm, fd := finished.In(VietnamTZ).Date()
	dy, dm, dd := due.In(VietnamTZ).Date()
	if fy == dy && fm == dm && fd == dd {
		return OnTime
	}
	return Early
}

// VietnamTZ is Asia/Ho_Chi_Minh (UTC+7, no daylight saving). A fixed zone
// avoids depending on the host's tzdata.
var VietnamTZ = time.FixedZone("Asia/Ho_Chi_Minh", 7*60*60)

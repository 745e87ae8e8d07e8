package reports

import (
	"fmt"
	"sort"
	"strings"
	"time"

	cds "github.com/caobang/congdanso"
)

// Forms of organisation (Các hình thức tổ chức thực hiện).
const (
	FormInPerson   = "in_person"  // trực tiếp
	FormOnline     = "online"     // trực tuyến
	FormConference = "conference" // lồng ghép hội nghị
)

// FormNames are the Vietnamese names of the forms, in template order.
var FormNames = map[string]string{FormInPerson: "trực tiếp", FormOnline: "trực tuyến", FormConference: "lồng ghép hội nghị"}

var formOrder = []string{FormInPerson, FormOnline, FormConference}

// DeploymentData is one unit's Appendix I entry as the unit declares it.
// Numbers are pointers so that "not filled in yet" (a draft) differs from 0.
type DeploymentData struct {
	// I. Công tác chỉ đạo, thực hiện
	PlanNumber     string   `json:"plan_number"`     // the province plan implemented, e.g. "2358/KH-UBND ngày 09/9/2024"
	DocumentNumber string   `json:"document_number"` // the unit's own implementing document
	Forms          []string `json:"forms"`           // in_person, online, conference
	FormsNote      string   `json:"forms_note"`
	// II. Kết quả đạt được
	TotalOfficials     *int64 `json:"total_officials"`
	OfficialsInstalled *int64 `json:"officials_installed"`
	CitizensInstalled  *int64 `json:"citizens_installed"` // communes only
	Trainings          *int64 `json:"trainings"`
	Materials          *int64 `json:"materials"`
	// III. Thuận lợi, khó khăn
	Advantages   string `json:"advantages"`
	Difficulties string `json:"difficulties"`
	Proposals    string `json:"proposals"`
}

// maxFigure bounds declared numbers (the province has about 550,000 people).
const maxFigure = 10_000_000

// Validate checks an entry for unit type t. A draft (submit false) may leave
// fields empty; a submission must be complete. Errors carry Vietnamese field
// messages with the English beside them.
func (d DeploymentData) Validate(t cds.AgencyType, submit bool) error {
	e := cds.Errorf(cds.EINVALID, "Báo cáo chưa hợp lệ, vui lòng kiểm tra các trường được đánh dấu.", "The report is not valid; check the marked fields.")
	req := func(field string, missing bool, vi, en string) {
		if submit && missing {
			e.WithField(field, vi+" / "+en)
		}
	}
	num := func(field string, v *int64) {
		if v != nil && (*v < 0 || *v > maxFigure) {
			e.WithField(field, fmt.Sprintf("Phải là số nguyên từ 0 đến %d / Must be an integer from 0 to %d", maxFigure, maxFigure))
		}
	}
	length := func(field, v string, max int) {
		if len([]rune(v)) > max {
			e.WithField(field, fmt.Sprintf("Tối đa %d ký tự / At most %d characters", max, max))
		}
	}
	length("plan_number", d.PlanNumber, 200)
	length("document_number", d.DocumentNumber, 200)
	length("forms_note", d.FormsNote, 1000)
	length("advantages", d.Advantages, 5000)
	length("difficulties", d.Difficulties, 5000)
	length("proposals", d.Proposals, 5000)
	seen := map[string]bool{}
	for _, f := range d.Forms {
		if _, ok := FormNames[f]; !ok || seen[f] {
			e.WithField("forms", "Hình thức phải là in_person, online hoặc conference, không trùng lặp / Forms must be in_person, online or conference, without repeats")
			break
		}
		seen[f] = true
	}
	num("total_officials", d.TotalOfficials)
	num("officials_installed", d.OfficialsInstalled)
	num("citizens_installed", d.CitizensInstalled)
	num("trainings", d.Trainings)
	num("materials", d.Materials)
	if d.TotalOfficials != nil && d.OfficialsInstalled != nil && *d.OfficialsInstalled > *d.TotalOfficials {
		e.WithField("officials_installed", "Không được lớn hơn tổng số công chức, viên chức / Cannot exceed the total number of officials")
	}
	local := t == cds.AgencyCommune || t == cds.AgencyDistrict // the template: "đối với UBND các huyện, thành phố"
	if !local && d.CitizensInstalled != nil {
		e.WithField("citizens_installed", "Chỉ xã, phường (trước 01/7/2025: huyện, thành phố) kê khai số người dân đã cài đặt / Only communes and wards (before 1/7/2025: districts) report citizens who installed")
	}
	req("document_number", strings.TrimSpace(d.DocumentNumber) == "", "Nhập số văn bản đơn vị đã triển khai", "Enter the number of the unit's implementing document")
	req("forms", len(d.Forms) == 0, "Chọn ít nhất một hình thức tổ chức", "Choose at least one form of organisation")
	req("total_officials", d.TotalOfficials == nil, "Nhập tổng số công chức, viên chức", "Enter the total number of officials")
	req("officials_installed", d.OfficialsInstalled == nil, "Nhập số công chức, viên chức đã cài đặt", "Enter the number of officials who installed the app")
	req("citizens_installed", local && d.CitizensInstalled == nil, "Nhập số người dân đã cài đặt", "Enter the number of citizens who installed the app")
	req("trainings", d.Trainings == nil, "Nhập số cuộc tập huấn, hướng dẫn", "Enter the number of training sessions")
	req("materials", d.Materials == nil, "Nhập số tài liệu tuyên truyền đã dán", "Enter the number of materials posted")
	req("advantages", strings.TrimSpace(d.Advantages) == "", "Nêu thuận lợi", "Describe the advantages")
	req("difficulties", strings.TrimSpace(d.Difficulties) == "", "Nêu khó khăn", "Describe the difficulties")
	if len(e.Fields) > 0 {
		return e
	}
	return nil
}

// FormsText lists the forms in Vietnamese, in template order.
func (d DeploymentData) FormsText() string {
	var out []string
	for _, f := range formOrder {
		for _, g := range d.Forms {
			if g == f {
				out = append(out, FormNames[f])
			}
		}
	}
	return strings.Join(out, ", ")
}

// Unit is a unit that must report.
type Unit struct {
	Code string
	Name string
	Type cds.AgencyType
}

// Counted are the figures the platform knows about a unit.
type Counted struct {
	OfficialsRegistered int64 `json:"officials_registered"` // citizen accounts whose workplace the unit confirmed
	CitizensRegistered  int64 `json:"citizens_registered"`  // citizens of the commune (communes only)
	Active30d           int64 `json:"active_30d"`           // of those, signed in within 30 days
	Businesses          int64 `json:"businesses"`           // business accounts of the commune (communes only)
}

// UnitReport is a unit's row in the merged report: its submitted entry (if
// any) and the counted figures.
type UnitReport struct {
	Unit          Unit
	Counted       Counted
	CountedAsOf   time.Time // the instant Counted was counted at
	CountedSource string    // "closed", "submitted" or "live"
	Submitted     bool
	HasDraft      bool
	Version       int
	SubmittedAt   time.Time
	Late          bool
	Data          DeploymentData
}

// Flag marks a declared figure that differs from the counted one.
type Flag struct {
	Field     string `json:"field"`
	Declared  int64  `json:"declared"`
	Counted   int64  `json:"counted"`
	Message   string `json:"message"`
	MessageEN string `json:"message_en"`
}

// Flags compares the declared figures with the counted ones.
func Flags(t cds.AgencyType, d DeploymentData, c Counted) []Flag {
	var out []Flag
	if d.OfficialsInstalled != nil && *d.OfficialsInstalled != c.OfficialsRegistered {
		out = append(out, Flag{Field: "officials_installed", Declared: *d.OfficialsInstalled, Counted: c.OfficialsRegistered,
			Message:   fmt.Sprintf("CCVC đã cài đặt kê khai %d, hệ thống ghi nhận %d tài khoản", *d.OfficialsInstalled, c.OfficialsRegistered),
			MessageEN: fmt.Sprintf("declared %d officials installed, the platform counts %d accounts", *d.OfficialsInstalled, c.OfficialsRegistered)})
	}
	if t == cds.AgencyCommune && d.CitizensInstalled != nil && *d.CitizensInstalled != c.CitizensRegistered {
		out = append(out, Flag{Field: "citizens_installed", Declared: *d.CitizensInstalled, Counted: c.CitizensRegistered,
			Message:   fmt.Sprintf("Người dân đã cài đặt kê khai %d, hệ thống ghi nhận %d tài khoản", *d.CitizensInstalled, c.CitizensRegistered),
			MessageEN: fmt.Sprintf("declared %d citizens installed, the platform counts %d accounts", *d.CitizensInstalled, c.CitizensRegistered)})
	}
	return out
}

// TypeName is the Vietnamese name of a unit type.
func TypeName(t cds.AgencyType) string {
	switch t {
	case cds.AgencyDepartment:
		return "Sở, ban, ngành"
	case cds.AgencyCommune:
		return "Xã, phường"
	case cds.AgencyCentral:
		return "Cơ quan trung ương"
	case cds.AgencyAssociation:
		return "Hội, đoàn thể"
	case cds.AgencyProvince:
		return "Cấp tỉnh"
	case cds.AgencyDistrict:
		return "Huyện, thành phố (đến 30/6/2025)"
	}
	return string(t)
}

// Status texts of a unit in the summary.
const (
	StatusOnTime  = "Đúng hạn"
	StatusLate    = "Nộp muộn"
	StatusMissing = "Chưa báo cáo"
)

// Status is the summary status of a unit.
func (u UnitReport) Status() string {
	switch {
	case !u.Submitted:
		return StatusMissing
	case u.Late:
		return StatusLate
	}
	return StatusOnTime
}

// SheetName is the per-unit sheet name: the unit code, made safe for Excel
// (at most 31 characters, none of []:*?/\).
func SheetName(code string) string {
	r := strings.NewReplacer("[", "_", "]", "_", ":", "_", "*", "_", "?", "_", "/", "_", "\\", "_", "'", "_")
	s := r.Replace(code)
	if len([]rune(s)) > 31 {
		s = string([]rune(s)[:31])
	}
	return s
}

// sortUnits orders units by type (departments, central, associations, communes) then code.
func sortUnits(units []UnitReport) []UnitReport {
	rank := map[cds.AgencyType]int{cds.AgencyProvince: 0, cds.AgencyDepartment: 1, cds.AgencyCentral: 2, cds.AgencyAssociation: 3, cds.AgencyDistrict: 4, cds.AgencyCommune: 4}
	out := append([]UnitReport(nil), units...)
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i].Unit, out[j].Unit
		if rank[a.Type] != rank[b.Type] {
			return rank[a.Type] < rank[b.Type]
		}
		return a.Code < b.Code
	})
	return out
}

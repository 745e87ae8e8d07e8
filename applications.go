package congdanso

import (
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// AppStatus is the status of a public-service dossier (hồ sơ dịch vụ công).
// Its value is the national portal (DVCQG) sync code.
type AppStatus string

// The ten national dossier statuses, valued by their DVCQG sync codes.
const (
	AppReceiving  AppStatus = "receiving"  // 1 Mới đăng ký
	AppNew        AppStatus = "new"        // 2 Được tiếp nhận
	AppDenied     AppStatus = "denied"     // 3 Không được tiếp nhận
	AppProcessing AppStatus = "processing" // 4 Đang xử lý
	AppWaiting    AppStatus = "waiting"    // 5 Yêu cầu bổ sung
	AppPaying     AppStatus = "paying"     // 6 Yêu cầu thực hiện nghĩa vụ tài chính
	AppCancelled  AppStatus = "cancelled"  // 7 Công dân rút hồ sơ
	AppUnresolved AppStatus = "unresolved" // 8 Dừng xử lý
	AppReleasing  AppStatus = "releasing"  // 9 Đã xử lý xong
	AppDone       AppStatus = "done"       // 10 Đã trả kết quả
)

// AppTransferred is a local status: the dossier is at another agency for
// its part of an inter-agency procedure (liên thông). Nationally it is
// status 4, Đang xử lý (AppStatusInfo.National).
const AppTransferred AppStatus = "transferred"

// AppStatusInfo describes a status: its national number, names and sync code.
type AppStatusInfo struct {
	Number int       `json:"number"`
	Name   string    `json:"name"`
	NameEN string    `json:"name_en"`
	Sync   AppStatus `json:"sync_code"`
	// National is the national status a local status is reported as ("":
	// the status is national itself).
	National AppStatus `json:"national,omitempty"`
}

// localStatuses are statuses of this system that the national list folds
// into one of its ten.
var localStatuses = []AppStatusInfo{
	{Number: 4, Name: "Đang xử lý liên thông", NameEN: "At another agency (inter-agency)", Sync: AppTransferred, National: AppProcessing},
}

var appStatuses = []AppStatusInfo{
	{1, "Mới đăng ký", "Submitted", AppReceiving, ""},
	{2, "Được tiếp nhận", "Accepted", AppNew, ""},
	{3, "Không được tiếp nhận", "Refused", AppDenied, ""},
	{4, "Đang xử lý", "Processing", AppProcessing, ""},
	{5, "Yêu cầu bổ sung", "Supplementation requested", AppWaiting, ""},
	{6, "Yêu cầu thực hiện nghĩa vụ tài chính", "Payment required", AppPaying, ""},
	{7, "Công dân rút hồ sơ", "Withdrawn", AppCancelled, ""},
	{8, "Dừng xử lý", "Stopped", AppUnresolved, ""},
	{9, "Đã xử lý xong", "Resolved", AppReleasing, ""},
	{10, "Đã trả kết quả", "Result returned", AppDone, ""},
}

// AppStatuses lists the ten statuses in national order.
func AppStatuses() []AppStatusInfo { return append([]AppStatusInfo(nil), appStatuses...) }

// Info returns the status's description (zero value for an unknown status).
func (s AppStatus) Info() AppStatusInfo {
	for _, i := range append(appStatuses, localStatuses...) {
		if i.Sync == s {
			return i
		}
	}
	return AppStatusInfo{}
}

// NationalCode is the DVCQG sync code the status is reported as.
func (s AppStatus) NationalCode() AppStatus {
	if n := s.Info().National; n != "" {
		return n
	}
	return s
}

// Final reports whether no further processing happens in this status.
func (s AppStatus) Final() bool {
	return s == AppDenied || s == AppCancelled || s == AppUnresolved || s == AppDone
}

// Open reports whether the dossier is accepted and still being handled.
func (s AppStatus) Open() bool {
	return s == AppNew || s == AppProcessing || s == AppWaiting || s == AppPaying || s == AppTransferred
}

// Procedure is one version of an administrative procedure (thủ tục hành chính)
// from the catalogue. A dossier pins the version in force when it was accepted.
type Procedure struct {
	Code          string        `json:"code"`
	Version       int           `json:"version"`
	EffectiveFrom time.Time     `json:"effective_from"`
	Name          string        `json:"name"`
	Field         string        `json:"field"`
	Level         string        `json:"level"` // province | commune
	AgencyCode    string        `json:"agency_code,omitempty"`
	AgencyType    AgencyType    `json:"agency_type,omitempty"` // when AgencyCode is empty: e.g. commune = the citizen's commune (form field commune_code)
	Duration      float64       `json:"duration"`
	Unit          string        `json:"unit"` // worktime.Unit: working_hours | working_days | calendar_days
	Fee           int64         `json:"fee"`  // VND
	Documents     []RequiredDoc `json:"documents"`
	Fields        []FormField   `json:"fields"`
	Steps         []ProcStep    `json:"steps"`
	// InterAgencyDays is the receiving agency's time, in working days, when
	// a dossier is transferred for its part (liên thông) and the transfer
	// request names none (0: the sending step's budget).
	InterAgencyDays float64  `json:"interagency_days,omitempty"`
	LegalBasis      []string `json:"legal_basis"`
}

// RequiredDoc is a document of the dossier (thành phần hồ sơ).
type RequiredDoc struct {
	Code     string `json:"code"`
	Name     string `json:"name"`
	Required bool   `json:"required"`
}

// Form field types.
const (
	FieldText   = "text"
	FieldNumber = "number"
	FieldDate   = "date" // 2006-01-02
	FieldSelect = "select"
	FieldPhone  = "phone"
	FieldID     = "id_number" // CCCD, 12 digits
	FieldAgency = "agency"    // an agency code (e.g. the commune)
)

// FormField is a typed field of the declaration form (tờ khai).
type FormField struct {
	Name     string   `json:"name"`
	Label    string   `json:"label"`
	Type     string   `json:"type"`
	Required bool     `json:"required"`
	Options  []string `json:"options,omitempty"`
	MaxLen   int      `json:"max_len,omitempty"`
	Min      *float64 `json:"min,omitempty"`
	Max      *float64 `json:"max,omitempty"`
}

// Step kinds.
const (
	StepReception = "reception" // tiếp nhận
	StepProcess   = "process"   // thẩm định, xử lý
	StepApprove   = "approve"   // lãnh đạo phê duyệt, ký
	StepResult    = "result"    // trả kết quả
)

// ProcStep is one step of the procedure's process with its share of the time.
type ProcStep struct {
	Key   string  `json:"key"`
	Name  string  `json:"name"`
	Kind  string  `json:"kind"`
	Role  Role    `json:"role"`
	Share float64 `json:"share"` // fraction of the processing time
}

var (
	idRE  = regexp.MustCompile(`^[0-9]{12}$`)
	keyRE = regexp.MustCompile(`^[a-z][a-z0-9_]{0,39}$`)
)

// Validate checks a procedure definition (for publishing a version).
func (p Procedure) Validate() *Error {
	e := Errorf(EINVALID, "Thủ tục không hợp lệ.", "Invalid procedure.")
	if strings.TrimSpace(p.Name) == "" {
		e.WithField("name", "Bắt buộc / required")
	}
	if strings.TrimSpace(p.Field) == "" {
		e.WithField("field", "Bắt buộc / required")
	}
	if p.AgencyCode == "" && p.AgencyType != AgencyCommune {
		e.WithField("agency_code", "Cần cơ quan hoặc loại cơ quan xã / agency or commune type required")
	}
	if p.Duration <= 0 {
		e.WithField("duration", "Phải lớn hơn 0 / must be positive")
	}
	switch p.Unit {
	case "working_hours", "working_days", "calendar_days":
	default:
		e.WithField("unit", "working_hours | working_days | calendar_days")
	}
	if p.Fee < 0 {
		e.WithField("fee", "Không được âm / must not be negative")
	}
	if len(p.Steps) < 3 || p.Steps[0].Kind != StepReception || p.Steps[len(p.Steps)-1].Kind != StepResult {
		e.WithField("steps", "Cần bước tiếp nhận đầu, bước trả kết quả cuối / reception first, result last")
	} else {
		sum, approve := 0.0, false
		seen := map[string]bool{}
		for i, s := range p.Steps {
			if !keyRE.MatchString(s.Key) || seen[s.Key] || s.Share <= 0 || s.Role == "" {
				e.WithField(fmt.Sprintf("steps[%d]", i), "Khóa, vai trò, tỉ lệ không hợp lệ / bad key, role or share")
			}
			seen[s.Key] = true
			approve = approve || s.Kind == StepApprove
			sum += s.Share
		}
		if !approve {
			e.WithField("steps", "Thiếu bước phê duyệt / an approve step is required")
		}
		if sum < 0.999 || sum > 1.001 {
			e.WithField("steps", "Tổng tỉ lệ thời gian phải bằng 1 / shares must sum to 1")
		}
	}
	seen := map[string]bool{}
	for i, f := range p.Fields {
		if !keyRE.MatchString(f.Name) || seen[f.Name] {
			e.WithField(fmt.Sprintf("fields[%d]", i), "Tên trường không hợp lệ / bad field name")
		}
		seen[f.Name] = true
		switch f.Type {
		case FieldText, FieldNumber, FieldDate, FieldPhone, FieldID, FieldAgency:
		case FieldSelect:
			if len(f.Options) == 0 {
				e.WithField(fmt.Sprintf("fields[%d]", i), "Cần danh sách lựa chọn / options required")
			}
		default:
			e.WithField(fmt.Sprintf("fields[%d]", i), "Kiểu không hợp lệ / bad type")
		}
	}
	if p.AgencyCode == "" && !seen["commune_code"] {
		e.WithField("fields", "Thủ tục cấp xã cần trường commune_code / commune procedures need commune_code")
	}
	if len(e.Fields) > 0 {
		return e
	}
	return nil
}

// ValidateForm checks a submitted form against the procedure's fields. Unknown
// fields are refused; every error is reported by field name. It returns the
// normalised form (trimmed strings, numbers as float64). It is deterministic
// (map keys are sorted), so workflows may call it.
//
//workflowcheck:ignore
func (p Procedure) ValidateForm(form map[string]any) (map[string]any, *Error) {
	e := Errorf(EINVALID, "Tờ khai chưa hợp lệ, vui lòng kiểm tra các trường.", "The form has invalid fields.")
	out := map[string]any{}
	known := map[string]bool{}
	for _, f := range p.Fields {
		known[f.Name] = true
		v, present := form[f.Name]
		if !present || v == nil || v == "" {
			if f.Required {
				e.WithField("form."+f.Name, "Bắt buộc nhập / required")
			}
			continue
		}
		if nv, msg := checkField(f, v); msg != "" {
			e.WithField("form."+f.Name, msg)
		} else {
			out[f.Name] = nv
		}
	}
	names := make([]string, 0, len(form))
	for k := range form {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		if !known[k] {
			e.WithField("form."+k, "Trường không có trong tờ khai / unknown field")
		}
	}
	if len(e.Fields) > 0 {
		return nil, e
	}
	return out, nil
}

func checkField(f FormField, v any) (any, string) {
	if f.Type == FieldNumber {
		var n float64
		switch x := v.(type) {
		case float64:
			n = x
		case int:
			n = float64(x)
		case int64:
			n = float64(x)
		case string:
			var err error
			if n, err = strconv.ParseFloat(strings.TrimSpace(x), 64); err != nil {
				return nil, "Phải là số / must be a number"
			}
		default:
			return nil, "Phải là số / must be a number"
		}
		if f.Min != nil && n < *f.Min {
			return nil, fmt.Sprintf("Tối thiểu %g / at least %g", *f.Min, *f.Min)
		}
		if f.Max != nil && n > *f.Max {
			return nil, fmt.Sprintf("Tối đa %g / at most %g", *f.Max, *f.Max)
		}
		return n, ""
	}
	s, ok := v.(string)
	if !ok {
		return nil, "Phải là chuỗi / must be a string"
	}
	s = strings.TrimSpace(s)
	max := f.MaxLen
	if max == 0 {
		max = 500
	}
	if utf8.RuneCountInString(s) > max {
		return nil, fmt.Sprintf("Tối đa %d ký tự / at most %d characters", max, max)
	}
	switch f.Type {
	case FieldDate:
		if _, err := time.Parse("2006-01-02", s); err != nil {
			return nil, "Ngày dạng YYYY-MM-DD / date as YYYY-MM-DD"
		}
	case FieldPhone:
		p, ok := NormalizePhone(s)
		if !ok {
			return nil, "Số điện thoại không hợp lệ / invalid phone number"
		}
		return p, ""
	case FieldID:
		if !idRE.MatchString(s) {
			return nil, "Số định danh gồm 12 chữ số / ID number must be 12 digits"
		}
	case FieldSelect:
		for _, o := range f.Options {
			if o == s {
				return s, ""
			}
		}
		return nil, "Giá trị không nằm trong danh sách / not one of the options"
	case FieldAgency:
		if s == "" {
			return nil, "Bắt buộc / required"
		}
	}
	return s, ""
}

package reports

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	cds "github.com/caobang/congdanso"
)

// The one-stop forms of Circular 01/2018/TT-VPCP (guiding Decree
// 61/2018/NĐ-CP on the one-stop mechanism): Mẫu số 05, the process control
// sheet that travels with a dossier, and Mẫu số 06, the dossier tracking
// book of the one-stop desk. See docs/one-stop-forms.md for the layout kept.

// ControlSheetTitle and TrackingBookTitle are the forms' titles.
const (
	ControlSheetTitle = "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ"
	TrackingBookTitle = "SỔ THEO DÕI HỒ SƠ"
)

// HandOff is one hand-off of a dossier (a row of the control sheet).
type HandOff struct {
	At                       time.Time
	FromStep, FromAgency     string // who hands over (step name, agency name)
	ToStep, ToAgency         string // who receives
	SenderName, ReceiverName string // people; ReceiverName "" while nobody has taken it
	StepDue                  *time.Time
	Timeliness               string // early | on_time | late | ""
	Note                     string
}

// ControlSheet is Mẫu số 05 for one dossier.
type ControlSheet struct {
	Issuer        Issuer
	Code          string
	ProcedureName string
	MainAgency    string   // cơ quan (bộ phận) giải quyết hồ sơ
	CoAgencies    []string // cơ quan phối hợp giải quyết hồ sơ
	ReceivedAt    time.Time
	DueAt         *time.Time
	Rows          []HandOff
	// Split is the working time per agency when other agencies did a part
	// (liên thông); empty otherwise.
	Split []AgencyTime
	At    time.Time // when the sheet is printed
}

// AgencyTime is one agency's part of a dossier in working hours.
type AgencyTime struct {
	Agency      string
	Part        string   // "Cơ quan chủ trì" or "Liên thông"
	BudgetHours *float64 // nil: not set apart (the lead agency has the rest)
	UsedHours   *float64 // nil: still running
}

// SplitHeader is the heading row of the time split.
var SplitHeader = []string{"CƠ QUAN", "PHẦN VIỆC", "THỜI HẠN (giờ làm việc)", "THỜI GIAN ĐÃ DÙNG (giờ làm việc)"}

// SplitTitle heads the time split below the hand-offs.
const SplitTitle = "THỜI GIAN GIẢI QUYẾT THEO CƠ QUAN / Working time per agency"

// HoursText is "12,5" (Vietnamese decimal comma), or "Đang giải quyết" for nil.
func HoursText(h *float64) string {
	if h == nil {
		return "—"
	}
	return strings.Replace(strconv.FormatFloat(*h, 'f', 1, 64), ".", ",", 1)
}

// TrackingEntry is a row of Mẫu số 06.
type TrackingEntry struct {
	Code, ProcedureName  string
	Sets                 int    // số lượng hồ sơ (bộ)
	Applicant            string // tên cá nhân, tổ chức
	AddressPhone         string // masked phone
	MainAgency           string
	ReceivedAt           time.Time
	DueAt                *time.Time
	SentToProcessing     *time.Time // chuyển hồ sơ đến cơ quan giải quyết
	ResultFromProcessing *time.Time // nhận kết quả từ cơ quan giải quyết
	ReturnedAt           *time.Time // trả kết quả cho cá nhân, tổ chức
	Note                 string
}

// TrackingBook is Mẫu số 06 for a desk and a period.
type TrackingBook struct {
	Issuer   Issuer
	Desk     string // the one-stop desk (Bộ phận Tiếp nhận và Trả kết quả)
	From, To time.Time
	Entries  []TrackingEntry
	At       time.Time
}

// TimelinessLabel is the control sheet's result wording.
func TimelinessLabel(t string) string {
	return map[string]string{"early": "Trước hạn", "on_time": "Đúng hạn", "late": "Quá hạn"}[t]
}

// HandOffTime is the sheet's wording of an instant: "15 giờ 04 phút, ngày 02/01/2006".
func HandOffTime(t time.Time) string {
	return t.In(cds.VietnamTZ).Format("15 giờ 04 phút, ngày 02/01/2006")
}

func dayText(t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.In(cds.VietnamTZ).Format("02/01/2006")
}

func dueText(t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.In(cds.VietnamTZ).Format("15:04 02/01/2006")
}

// handOffLabel is the "Tên cơ quan" cell: "Giao: … / Nhận: …".
func handOffLabel(i int, h HandOff) string {
	return fmt.Sprintf("%d. Giao: %s (%s)\nNhận: %s (%s)", i+1, h.FromStep, h.FromAgency, h.ToStep, h.ToAgency)
}

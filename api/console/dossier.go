package console

import (
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	cds "github.com/caobang/congdanso"
	"github.com/caobang/congdanso/postgres"
	"github.com/caobang/congdanso/workflows"
)

// Dossier (hồ sơ thủ tục hành chính) work on the case page: the one-stop
// desk accepts or refuses at reception (and prints Mẫu 01 or Mẫu 03),
// officers forward, return, ask for a supplement or the fee, transfer, issue
// and return the result, draft an apology with a new date; leaders approve.
// The workflow's Update validator is the final word on every action.

// dossierCandidates are the staff actions the dossier state table
// (workflows.ApplicationStates) allows in status, in its order; the
// guards (the procedure's step, a pending apology…) are the validator's.
func dossierCandidates(status string) []string {
	var out []string
	for _, st := range workflows.ApplicationStates {
		if string(st.Status) != status {
			continue
		}
		for _, m := range st.Moves {
			if m.By == workflows.ByStaff {
				out = append(out, m.Action)
			}
		}
	}
	return out
}

// dossierFields are the inputs of a dossier action (the fields of
// workflows.ApplicationAction it needs).
func (s *Handler) dossierFields(c *gin.Context, action string, cs postgres.CaseSummary) []formField {
	text := func(name, label, hint string, req bool) formField {
		return formField{Name: name, Label: label, Hint: hint, Type: "textarea", Required: req}
	}
	switch action {
	case workflows.ActRefuse:
		return []formField{text("reason", "Lý do từ chối tiếp nhận", "Ghi vào Phiếu từ chối (Mẫu 03) giao công dân.", true)}
	case workflows.ActReturn, workflows.ActRejectApology, workflows.ActStop:
		return []formField{text("reason", "Lý do", "", true)}
	case workflows.ActRequestSupplement:
		return []formField{text("items", "Các nội dung cần bổ sung, mỗi dòng một nội dung",
			"Chỉ được yêu cầu bổ sung một lần: nêu đầy đủ mọi nội dung còn thiếu (Mẫu 02).", true),
			{Name: "deadline_days", Label: "Thời hạn bổ sung (ngày làm việc)", Hint: "Bỏ trống để dùng thời hạn mặc định.", Type: "number"}}
	case workflows.ActRequestFee:
		return []formField{{Name: "amount", Label: "Số tiền phí, lệ phí (đồng)", Type: "number", Required: true}}
	case workflows.ActMarkPaid:
		return []formField{{Name: "payment_id", Label: "Số biên lai hoặc mã giao dịch (nếu có)", Type: "text"}}
	case workflows.ActTransfer:
		opts := []option{{"", "Chọn cơ quan"}}
		if ags, err := s.DB.Agencies(c.Request.Context()); err == nil {
			for _, a := range ags {
				if a.Code != cs.AgencyCode {
					opts = append(opts, option{a.Code, a.Name})
				}
			}
		}
		return []formField{{Name: "to_agency", Label: "Chuyển đến cơ quan (liên thông)", Type: "select", Required: true, Options: opts},
			{Name: "deadline_days", Label: "Thời hạn xử lý của cơ quan nhận (ngày làm việc)", Hint: "Bỏ trống để dùng thời hạn theo thủ tục.", Type: "number"},
			text("reason", "Lý do chuyển", "", true)}
	case workflows.ActReturnResult:
		return []formField{{Name: "method", Label: "Hình thức trả kết quả", Type: "select", Required: true,
			Options: []option{{"in_person", "Trực tiếp tại Bộ phận Một cửa"}, {"online", "Trực tuyến"}}}}
	case workflows.ActDraftApology:
		return []formField{{Name: "new_due", Label: "Ngày hẹn trả kết quả mới", Hint: dateHint, Type: "date", Required: true},
			text("reason", "Lý do chậm trễ và lời xin lỗi (Mẫu 04)", "Lãnh đạo phê duyệt trước khi gửi công dân.", true)}
	}
	return []formField{text("note", "Ghi chú (không bắt buộc)", "", false)}
}

// dossierAction builds the workflow action from the checked form values.
func dossierAction(action string, a cds.Actor, in map[string]string) (workflows.ApplicationAction, []fieldError) {
	out := workflows.ApplicationAction{Action: action, Actor: a, Reason: in["reason"], Note: in["note"], ToAgency: in["to_agency"],
		Method: in["method"], PaymentID: in["payment_id"]}
	var errs []fieldError
	bad := func(f, m string) { errs = append(errs, fieldError{action + "-" + f, m}) }
	for _, line := range strings.Split(in["items"], "\n") {
		if l := strings.TrimSpace(line); l != "" {
			out.Items = append(out.Items, l)
		}
	}
	if v := in["deadline_days"]; v != "" {
		n, err := strconv.ParseFloat(v, 64)
		if err != nil || n < 1 || n > 60 {
			bad("deadline_days", "Thời hạn bổ sung từ 1 đến 60 ngày làm việc. / 1 to 60 working days.")
		}
		out.DeadlineDays = n
	}
	if v := in["amount"]; v != "" {
		n, err := strconv.ParseInt(strings.ReplaceAll(strings.ReplaceAll(v, ".", ""), ",", ""), 10, 64)
		if err != nil || n <= 0 {
			bad("amount", "Số tiền phải là số nguyên dương (đồng). / A positive amount in VND.")
		}
		out.Amount = n
	}
	if v := in["new_due"]; v != "" {
		d, ok := parseVNDate(v)
		if !ok {
			errs = append(errs, badDate(action+"-new_due"))
		} else {
			// The new appointment is the end of that working day (17:00).
			due := d.Add(17 * time.Hour)
			out.NewDue = &due
		}
	}
	return out, errs
}

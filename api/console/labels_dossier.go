package console

import (
	cds "github.com/caobang/congdanso"
	"github.com/caobang/congdanso/workflows"
)

// Names of the dossier actions (workflows.Act*), as the one-stop desk says them.
var dossierActionLabels = map[string]string{
	workflows.ActAccept:            "Tiếp nhận hồ sơ",
	workflows.ActRefuse:            "Từ chối tiếp nhận",
	workflows.ActForward:           "Chuyển bước tiếp theo",
	workflows.ActReturn:            "Trả lại bước trước",
	workflows.ActApprove:           "Phê duyệt",
	workflows.ActIssueResult:       "Ban hành kết quả",
	workflows.ActReturnResult:      "Trả kết quả cho công dân",
	workflows.ActRequestSupplement: "Yêu cầu bổ sung hồ sơ",
	workflows.ActSupplement:        "Công dân bổ sung hồ sơ",
	workflows.ActRequestFee:        "Yêu cầu nộp phí, lệ phí",
	workflows.ActMarkPaid:          "Xác nhận đã nộp phí",
	workflows.ActTransfer:          "Chuyển cơ quan khác (liên thông)",
	workflows.ActDraftApology:      "Soạn thư xin lỗi, hẹn lại ngày trả",
	workflows.ActApproveApology:    "Duyệt thư xin lỗi",
	workflows.ActRejectApology:     "Không duyệt thư xin lỗi",
	workflows.ActStop:              "Dừng giải quyết hồ sơ",
	workflows.ActWithdraw:          "Công dân rút hồ sơ",
	workflows.ActRate:              "Công dân đánh giá",
	workflows.ActCompleteTransfer:  "Hoàn thành phần liên thông, chuyển trả cơ quan gửi",
}

// caseActionLabel names an action of a case of kind.
func caseActionLabel(kind, action string) string {
	if kind == string(cds.KindApplication) {
		if l, ok := dossierActionLabels[action]; ok {
			return l
		}
	}
	return actionLabel(action)
}

// caseStatusLabel names a status of a case of kind: a dossier's is one of
// the ten national statuses.
func caseStatusLabel(kind, status string) string {
	if kind == string(cds.KindApplication) {
		if i := cds.AppStatus(status).Info(); i.Name != "" {
			return i.Name
		}
	}
	return statusLabel(status)
}

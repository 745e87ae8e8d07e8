package console

import (
	cds "github.com/caobang/congdanso"
	"github.com/caobang/congdanso/workflows"
)

var actionLabels = map[string]string{
	"accept":         "Tiếp nhận",
	"assign":         "Phân công",
	"request_info":   "Yêu cầu bổ sung thông tin",
	"draft_answer":   "Soạn trả lời",
	"approve_answer": "Phê duyệt trả lời",
	"return_draft":   "Trả lại dự thảo",
	"transfer":       "Chuyển đơn vị khác",
	"reject":         "Từ chối",
	"mark_duplicate": "Đánh dấu trùng",
	"close":          "Đóng phản ánh",
	"start":          "Bắt đầu xử lý",
	"draft":          "Soạn trả lời",
	"route":          "Điều phối",
	"not_ours":       "Không thuộc thẩm quyền",
	"publish":        "Công khai trả lời",
	"submit":         "Gửi phản ánh",
	"reply_info":     "Công dân bổ sung thông tin",
	"rate":           "Công dân đánh giá",
	"withdraw":       "Công dân rút phản ánh",
	"answer":         "Trả lời",
	"approve":        "Phê duyệt",
	"review":         "Xem xét",
	"process":        "Xử lý",
	// Issue 21.
	"close_unanswered": "Đóng do công dân không bổ sung / Close: information not sent",
	"complain":         "Công dân khiếu nại câu trả lời / Complaint about the answer",
	"reopen":           "Mở lại theo đánh giá của công dân / Reopened after the rating",
	"info_reminder":    "Nhắc công dân bổ sung / Citizen reminded",
	"info_expired":     "Đóng do quá hạn bổ sung / Closed: information not sent in time",
}

// actionLabel names an action: the feedback name where a dossier action has
// the same code (accept, approve, transfer, withdraw, rate), else the
// dossier's, else the code itself.
func actionLabel(a string) string {
	if l, ok := actionLabels[a]; ok {
		return l
	}
	if l, ok := dossierActionLabels[a]; ok {
		return l
	}
	return a
}

// statusLabels name the statuses that are not feedback states (those are
// named by workflows.FeedbackStates): task states and dossier statuses.
var statusLabels = map[string]string{
	"open": "Đang mở", "closed": "Đã đóng",
	"received": "Mới tiếp nhận", "new": "Mới gửi", "processing": "Đang xử lý",
	"info_requested": "Chờ bổ sung thông tin", "waiting_info": "Chờ bổ sung thông tin",
	"drafted": "Chờ phê duyệt", "pending_approval": "Chờ phê duyệt",
	"answered": "Đã trả lời", "done": "Hoàn thành", "completed": "Hoàn thành",
}

func statusLabel(s string) string {
	if l, ok := statusLabels[s]; ok {
		return l
	}
	if st, ok := workflows.FeedbackStateOf(s); ok {
		return st.Name
	}
	return s
}

func kindLabel(k string) string {
	switch k {
	case string(cds.KindFeedback):
		return "Phản ánh kiến nghị"
	case string(cds.KindApplication):
		return "Hồ sơ dịch vụ công"
	}
	return k
}

package workflows

import (
	"strings"

	"go.temporal.io/sdk/workflow"

	cds "github.com/caobang/congdanso"
)

// ---- validation ----

func appIsApplicant(a ApplicationAction, owner int64) bool {
	return a.Actor.UserID == owner && a.Actor.UserID != 0
}

// validate rejects an action that the dossier's state or the actor does not
// allow. It only reads state, so it is safe as an Update validator.
func (w *application) validate(ctx workflow.Context, a ApplicationAction) error {
	staff := a.Actor.IsStaff()
	needStaff := func() error {
		if !staff {
			return appErr(cds.EFORBIDDEN, "Chỉ cán bộ được thực hiện thao tác này.", "Only staff may do this.")
		}
		return nil
	}
	need := func(ok bool) error {
		if !ok {
			return appConflict("Hồ sơ đang ở trạng thái %q, không thể thực hiện %q.", "The dossier is %q; %q is not possible now.", w.status.Info().Name, a.Action)
		}
		return nil
	}
	reason := func() error {
		if strings.TrimSpace(a.Reason) == "" {
			return appInvalid("Cần nêu lý do.", "A reason is required.")
		}
		return nil
	}
	step := w.curStep()
	switch a.Action {
	case ActAccept:
		return appFirst(needStaff(), need(appAllows(w.status, a.Action)))
	case ActRefuse:
		return appFirst(needStaff(), need(appAllows(w.status, a.Action) && (w.status != cds.AppWaiting || (w.supp != nil && w.supp.Expired))), reason())
	case ActForward:
		return appFirst(needStaff(), need(appAllows(w.status, a.Action) && step.Kind == cds.StepProcess))
	case ActReturn:
		return appFirst(needStaff(), need(appAllows(w.status, a.Action) && w.step >= 2), reason())
	case ActApprove:
		if err := appFirst(needStaff(), need(appAllows(w.status, a.Action) && step.Kind == cds.StepApprove)); err != nil {
			return err
		}
		if !a.Actor.Has(step.Role) {
			return appErr(cds.EFORBIDDEN, "Bước này cần vai trò %s.", "This step needs the %s role.", step.Role)
		}
	case ActIssueResult:
		return appFirst(needStaff(), need(appAllows(w.status, a.Action) && step.Kind == cds.StepResult))
	case ActReturnResult:
		if err := appFirst(needStaff(), need(appAllows(w.status, a.Action))); err != nil {
			return err
		}
		if a.Method != "in_person" && a.Method != "online" {
			return appInvalid("Hình thức trả kết quả: in_person hoặc online.", "Return method must be in_person or online.")
		}
	case ActRequestSupplement:
		if err := appFirst(needStaff(), need(appAllows(w.status, a.Action))); err != nil {
			return err
		}
		if w.suppCount > 0 {
			return appConflict("Chỉ được yêu cầu bổ sung một lần, nêu đầy đủ các nội dung cần bổ sung.", "Supplementation may be requested once, listing everything missing.")
		}
		if len(a.Items) == 0 {
			return appInvalid("Cần liệt kê các nội dung cần bổ sung.", "List what must be supplemented.")
		}
		if a.DeadlineDays < 0 || a.DeadlineDays > 60 {
			return appInvalid("Thời hạn bổ sung từ 1 đến 60 ngày làm việc.", "Supplementation deadline must be 1 to 60 working days.")
		}
	case ActRequestFee:
		if err := appFirst(needStaff(), need(appAllows(w.status, a.Action))); err != nil {
			return err
		}
		if a.Amount <= 0 {
			return appInvalid("Số tiền phải lớn hơn 0.", "The amount must be positive.")
		}
	case ActMarkPaid:
		return appFirst(needStaff(), need(appAllows(w.status, a.Action)))
	case ActTransfer:
		if err := appFirst(needStaff(), need(appAllows(w.status, a.Action))); err != nil {
			return err
		}
		if a.ToAgency == "" || a.ToAgency == w.agency {
			return appInvalid("Cần cơ quan nhận khác cơ quan hiện tại.", "A different receiving agency is required.")
		}
		if w.vHandoff >= appHandoff {
			// A hand-off leaves from a running step (not while the citizen
			// supplements or pays).
			if err := need(w.status == cds.AppNew || w.status == cds.AppProcessing); err != nil {
				return err
			}
			if a.DeadlineDays < 0 || a.DeadlineDays > 60 {
				return appInvalid("Thời hạn xử lý liên thông từ 1 đến 60 ngày làm việc.", "The receiving agency's time must be 1 to 60 working days.")
			}
		}
		return reason()
	case ActCompleteTransfer:
		return appFirst(needStaff(), need(appAllows(w.status, a.Action) && w.xfer != nil))
	case ActDraftApology:
		if err := appFirst(needStaff(), need(appAllows(w.status, a.Action) && w.apology == nil), reason()); err != nil {
			return err
		}
		now := workflow.Now(ctx)
		if w.vApology < appApologyOverdue && now.After(w.due) {
			return appConflict("Đã quá hạn giải quyết: văn bản xin lỗi phải lập trước ngày hẹn trả.", "The due time has passed: the apology must be drafted before it.")
		}
		if a.NewDue == nil || !a.NewDue.After(w.due) || (w.vApology >= appApologyOverdue && !a.NewDue.After(now)) {
			return appInvalid("Ngày hẹn mới phải sau ngày hẹn hiện tại và sau thời điểm này.", "The new appointment must be after the current one and in the future.")
		}
	case ActApproveApology, ActRejectApology:
		if err := appFirst(needStaff(), need(appAllows(w.status, a.Action) && w.apology != nil)); err != nil {
			return err
		}
		if !a.Actor.Has(cds.RoleLeader) {
			return appErr(cds.EFORBIDDEN, "Chỉ lãnh đạo được duyệt văn bản xin lỗi.", "Only a leader may approve the apology.")
		}
		if a.Action == ActRejectApology {
			return reason()
		}
	case ActStop:
		if err := appFirst(needStaff(), need(appAllows(w.status, a.Action)), reason()); err != nil {
			return err
		}
		if !a.Actor.Has(cds.RoleLeader) {
			return appErr(cds.EFORBIDDEN, "Chỉ lãnh đạo được dừng xử lý hồ sơ.", "Only a leader may stop a dossier.")
		}
	case ActSupplement:
		if !appIsApplicant(a, w.in.Citizen.UserID) {
			return appErr(cds.EFORBIDDEN, "Chỉ người nộp hồ sơ được bổ sung.", "Only the applicant may supplement.")
		}
		if err := need(appAllows(w.status, a.Action)); err != nil {
			return err
		}
		if len(a.DocumentIDs) == 0 && len(a.Form) == 0 && strings.TrimSpace(a.Note) == "" {
			return appInvalid("Cần gửi giấy tờ hoặc nội dung bổ sung.", "Send documents or information.")
		}
		if len(a.Form) > 0 {
			merged := appMergeForm(w.form, a.Form)
			if _, e := w.proc.ValidateForm(merged); e != nil {
				return appErr(cds.EINVALID, e.Message, e.MessageEN)
			}
		}
	case ActWithdraw:
		if !appIsApplicant(a, w.in.Citizen.UserID) {
			return appErr(cds.EFORBIDDEN, "Chỉ người nộp hồ sơ được rút hồ sơ.", "Only the applicant may withdraw.")
		}
		return need(appAllows(w.status, a.Action))
	case ActRate:
		if !appIsApplicant(a, w.in.Citizen.UserID) {
			return appErr(cds.EFORBIDDEN, "Chỉ người nộp hồ sơ được đánh giá.", "Only the applicant may rate.")
		}
		if err := need(appAllows(w.status, a.Action) && w.rating == 0); err != nil {
			return err
		}
		if a.Score < 1 || a.Score > 5 {
			return appInvalid("Điểm đánh giá từ 1 đến 5.", "The score must be 1 to 5.")
		}
	default:
		return appInvalid("Thao tác %q không tồn tại.", "Unknown action %q.", a.Action)
	}
	return nil
}

func appFirst(errs ...error) error {
	for _, e := range errs {
		if e != nil {
			return e
		}
	}
	return nil
}

// onAction applies a validated action under the mutex. It validates again:
// the state may have changed while the update waited for the lock.
func (w *application) onAction(ctx workflow.Context, a ApplicationAction) (ApplicationView, error) {
	var out ApplicationView
	ctx = answering(ctx) // appAnswerNotices: the answer carries its notices
	err := w.locked(ctx, func() error {
		if err := w.validate(ctx, a); err != nil {
			return err
		}
		if err := w.apply(ctx, a); err != nil {
			return err
		}
		out = w.view()
		return nil
	})
	if err == nil {
		out.Notices = w.out.handOut()
	}
	return out, err
}

package workflows

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	cds "github.com/caobang/congdanso"
	"github.com/caobang/congdanso/activities"
	"github.com/caobang/congdanso/worktime"
)

// apply performs a validated action: state change, then one record.
func (w *application) apply(ctx workflow.Context, a ApplicationAction) error {
	now := workflow.Now(ctx)
	from := w.status
	step := w.curStep()
	e := appEvent{actor: a.Actor, action: a.Action, from: from, note: strings.TrimSpace(a.Note)}
	switch a.Action {
	case ActAccept:
		return w.accept(ctx, a, now)
	case ActRefuse:
		w.status = cds.AppDenied
		w.finish(now)
		e.note = a.Reason
		e.close = []string{w.taskKey}
		e.forms = map[string]any{"form03": map[string]any{"form": "03", "title": "Phiếu từ chối tiếp nhận giải quyết hồ sơ",
			"reason": a.Reason, "issued_at": now, "issued_by": a.Actor.Name}}
		if err := w.record(ctx, e); err != nil {
			return err
		}
		w.notify(ctx, "refused", "Hồ sơ không được tiếp nhận / Dossier refused", a.Reason)
		return nil
	case ActForward, ActApprove:
		w.status = cds.AppProcessing
		return w.moveStep(ctx, e, now, step, w.step+1, "")
	case ActReturn:
		e.note = a.Reason
		return w.moveStep(ctx, e, now, step, w.step-1, "returned")
	case ActIssueResult:
		w.status = cds.AppReleasing
		if w.v >= appStepRecords {
			e.pause = true // paused by the record's own local activity
		} else {
			st, err := w.clockOp(ctx, acts.PauseClock, w.clock, now)
			if err != nil {
				return err
			}
			w.clock = st.Clock
			h := w.clock.Used.Hours()
			w.handling = &h
		}
		w.finish(now)
		w.timeliness = string(cds.ClassifyTimeliness(now, w.due))
		w.result = map[string]any{"issued_at": now, "issued_by": a.Actor.Name, "document_ids": a.DocumentIDs, "note": e.note}
		e.detail = w.handoff(now, step, w.stepDue, -1, w.agency)
		e.detail["case_timeliness"] = w.timeliness
		e.close = []string{w.taskKey}
		w.taskKey = fmt.Sprintf("return_result#%d", w.seq+1)
		e.open = []activities.ApplicationTask{{StepKey: w.taskKey, Action: ActReturnResult, AgencyCode: w.agency, Role: string(cds.RoleOfficer)}}
		if err := w.record(ctx, e); err != nil {
			return err
		}
		w.notify(ctx, "resolved", "Hồ sơ đã có kết quả / Your result is ready", "Mời nhận kết quả / Please collect your result")
		return nil
	case ActReturnResult:
		w.status = cds.AppDone
		if w.result == nil {
			w.result = map[string]any{}
		}
		w.result["returned_at"], w.result["method"], w.result["returned_by"] = now, a.Method, a.Actor.Name
		e.close = []string{w.taskKey}
		e.detail = map[string]any{"method": a.Method}
		return w.record(ctx, e)
	case ActRequestSupplement:
		return w.requestSupplement(ctx, a, e, now)
	case ActSupplement:
		return w.supplement(ctx, a, e, now)
	case ActRequestFee:
		w.prev, w.status, w.fee = w.status, cds.AppPaying, a.Amount
		e.detail = map[string]any{"amount": a.Amount}
		if err := w.record(ctx, e); err != nil {
			return err
		}
		w.notify(ctx, "fee", "Yêu cầu thực hiện nghĩa vụ tài chính / Payment required", fmt.Sprintf("%d VND", a.Amount))
		return nil
	case ActMarkPaid:
		return w.paid(ctx, a.Actor, a.PaymentID, w.fee)
	case ActTransfer:
		if w.vHandoff >= appHandoff {
			return w.transferOut(ctx, a, e, now)
		}
		old := w.agency
		w.agency = a.ToAgency
		e.note = a.Reason
		e.detail = w.handoff(now, step, w.stepDue, w.step, a.ToAgency)
		e.detail["from_agency"], e.detail["result"] = old, "transferred"
		e.close = []string{w.taskKey}
		if w.status != cds.AppWaiting {
			w.taskKey = fmt.Sprintf("%s#%d", step.Key, w.seq+1)
			d := w.stepDue
			action := ActForward
			switch step.Kind {
			case cds.StepApprove:
				action = ActApprove
			case cds.StepResult:
				action = ActIssueResult
			}
			e.open = []activities.ApplicationTask{{StepKey: w.taskKey, Action: action, AgencyCode: w.agency, Role: string(step.Role), DueAt: &d}}
		}
		return w.record(ctx, e)
	case ActCompleteTransfer:
		return w.completeTransfer(ctx, a, e, now)
	case ActDraftApology:
		w.apology = &appApology{Reason: a.Reason, NewDue: *a.NewDue, DraftedBy: a.Actor, TaskKey: fmt.Sprintf("apology#%d", w.seq+1)}
		e.note, e.internal = a.Reason, true
		e.detail = map[string]any{"new_due": *a.NewDue, "old_due": w.due}
		e.open = []activities.ApplicationTask{{StepKey: w.apology.TaskKey, Action: ActApproveApology, AgencyCode: w.agency, Role: string(cds.RoleLeader)}}
		return w.record(ctx, e)
	case ActApproveApology:
		return w.approveApology(ctx, a, e)
	case ActRejectApology:
		e.close, e.note, e.internal = []string{w.apology.TaskKey}, a.Reason, true
		w.apology = nil
		return w.record(ctx, e)
	case ActStop:
		w.status = cds.AppUnresolved
		w.finish(now)
		e.note = a.Reason
		e.close = w.openTaskKeys()
		e.forms = map[string]any{"form05": map[string]any{"form": "05", "title": "Thông báo dừng giải quyết hồ sơ", "reason": a.Reason,
			"issued_at": now, "issued_by": a.Actor.Name}}
		if err := w.record(ctx, e); err != nil {
			return err
		}
		w.notify(ctx, "stopped", "Hồ sơ dừng xử lý / Processing stopped", a.Reason)
		return nil
	case ActWithdraw:
		w.status = cds.AppCancelled
		w.finish(now)
		e.note = a.Reason
		e.close = w.openTaskKeys()
		return w.record(ctx, e)
	case ActRate:
		w.rating, w.ratingNote = a.Score, strings.TrimSpace(a.Comment)
		e.note = w.ratingNote
		e.detail = map[string]any{"score": a.Score}
		return w.record(ctx, e)
	}
	return appInvalid("Thao tác %q không tồn tại.", "Unknown action %q.", a.Action)
}

func (w *application) finish(now time.Time) {
	t := now
	w.finishedAt = &t
}

// openTaskKeys are the tasks a terminal transition closes.
func (w *application) openTaskKeys() []string {
	keys := []string{w.taskKey}
	if w.apology != nil {
		keys = append(keys, w.apology.TaskKey)
	}
	return keys
}

// accept pins the procedure version in force now, computes the appointment
// (working time, as a local activity), issues the receipt (form 01) and hands
// the dossier from reception to the first processing step.
func (w *application) accept(ctx workflow.Context, a ApplicationAction, now time.Time) error {
	plan, err := w.planAcceptance(ctx, now)
	if err != nil {
		return err
	}
	p, due := plan.Procedure, plan.Due
	reception := w.proc.Steps[0]
	w.proc, w.accepted, w.due = p, now, due
	w.clock = worktime.NewClock(time.Duration(plan.Hours*float64(time.Hour)), now)
	w.status = cds.AppNew
	task, stepPlan, err := w.startStep(ctx, 1, now)
	if err != nil {
		return err
	}
	if w.vHandoff >= appStepPlans {
		if w.vRemind >= appReminders {
			w.dueMark = plan.RemindAt
		}
	} else if err := w.armDueReminder(ctx); err != nil {
		return err
	}
	docs := make([]map[string]any, 0, len(p.Documents))
	for _, d := range p.Documents {
		docs = append(docs, map[string]any{"code": d.Code, "name": d.Name})
	}
	e := appEvent{actor: a.Actor, action: ActAccept, from: cds.AppReceiving, note: strings.TrimSpace(a.Note),
		detail: w.handoff(now, reception, w.in.ReceptionDue, 1, w.agency), close: []string{fmt.Sprintf("reception#%d", 1)},
		open: []activities.ApplicationTask{task},
		forms: map[string]any{"form01": map[string]any{"form": "01", "title": "Giấy tiếp nhận hồ sơ và hẹn trả kết quả",
			"code": w.in.Code, "procedure": p.Name, "procedure_version": p.Version, "received_at": now, "appointment_at": due,
			"agency_code": w.agency, "received_by": a.Actor.Name, "documents": docs, "fee": p.Fee}}}
	e.detail["appointment_at"], e.detail["procedure_version"] = due, p.Version
	e.plan = stepPlan
	if err := w.record(ctx, e); err != nil {
		return err
	}
	w.notify(ctx, "accepted", "Hồ sơ đã được tiếp nhận / Dossier accepted",
		"Ngày hẹn trả kết quả / Appointment: "+due.In(cds.VietnamTZ).Format("15:04 02/01/2006"))
	return nil
}

// planAcceptance returns the procedure version in force now (the submitted
// one if it left the catalogue), the appointment and the working hours to
// it, and the dossier's reminder mark: one local activity from appStepPlans
// on, one each before.
func (w *application) planAcceptance(ctx workflow.Context, now time.Time) (activities.AcceptPlan, error) {
	if w.vHandoff >= appStepPlans {
		var plan activities.AcceptPlan
		err := w.exec(ctx, acts.AcceptPlan, activities.AcceptPlanInput{Code: w.in.Procedure.Code, At: now, Submitted: w.in.Procedure,
			RemindShare: w.remindShare()}, &plan)
		return plan, err
	}
	var plan activities.AcceptPlan
	err := w.exec(ctx, acts.ApplicationProcedureAt, activities.ProcedureAtInput{Code: w.in.Procedure.Code, At: now}, &plan.Procedure)
	var ae *temporal.ApplicationError
	if errors.As(err, &ae) && ae.Type() == cds.ENOTFOUND {
		plan.Procedure, err = w.in.Procedure, nil // withdrawn from the catalogue: keep the submitted version
	}
	if err != nil {
		return plan, err
	}
	if plan.Due, err = w.computeDue(ctx, now, plan.Procedure.Duration, worktime.Unit(plan.Procedure.Unit)); err != nil {
		return plan, err
	}
	plan.Hours, err = w.workingHours(ctx, now, plan.Due)
	return plan, err
}

// moveStep hands the dossier from the current step to step `to` and records
// the control-sheet row with the sender step's timeliness.
func (w *application) moveStep(ctx workflow.Context, e appEvent, now time.Time, from cds.ProcStep, to int, result string) error {
	e.detail = w.handoff(now, from, w.stepDue, to, w.agency)
	if result != "" {
		e.detail["result"] = result
	}
	e.close = []string{w.taskKey}
	task, stepPlan, err := w.startStep(ctx, to, now)
	if err != nil {
		return err
	}
	e.open, e.plan = []activities.ApplicationTask{task}, stepPlan
	return w.record(ctx, e)
}

// requestSupplement issues form 02 and pauses both clocks: the time the
// citizen takes is not counted against the agency.
func (w *application) requestSupplement(ctx workflow.Context, a ApplicationAction, e appEvent, now time.Time) error {
	days := a.DeadlineDays
	if days == 0 {
		days = DefaultSupplementDays
	}
	deadline, err := w.computeDue(ctx, now, days, worktime.UnitWorkingDays)
	if err != nil {
		return err
	}
	st, err := w.clockOp(ctx, acts.PauseClock, w.clock, now)
	if err != nil {
		return err
	}
	sst, err := w.clockOp(ctx, acts.PauseClock, w.stepClock, now)
	if err != nil {
		return err
	}
	w.clock, w.stepClock = st.Clock, sst.Clock
	w.prev, w.status = w.status, cds.AppWaiting
	w.supp = &appSupplement{RequestedAt: now, Deadline: deadline}
	w.suppCount++
	e.note = a.Reason
	e.close = []string{w.taskKey}
	e.detail = map[string]any{"items": a.Items, "deadline": deadline}
	e.forms = map[string]any{"form02": map[string]any{"form": "02", "title": "Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ",
		"reason": a.Reason, "items": a.Items, "deadline": deadline, "issued_at": now, "issued_by": a.Actor.Name}}
	if err := w.record(ctx, e); err != nil {
		return err
	}
	w.notify(ctx, "supplement", "Yêu cầu bổ sung hồ sơ / Please supplement your dossier", strings.Join(a.Items, "; "))
	return nil
}

// supplement resumes both clocks: the due times move later by the working
// time spent waiting.
func (w *application) supplement(ctx workflow.Context, a ApplicationAction, e appEvent, now time.Time) error {
	oldDue, oldStepDue := w.due, w.stepDue
	st, err := w.clockOp(ctx, acts.ResumeClock, w.clock, now)
	if err != nil {
		return err
	}
	sst, err := w.clockOp(ctx, acts.ResumeClock, w.stepClock, now)
	if err != nil {
		return err
	}
	paused, err := w.workingHours(ctx, w.supp.RequestedAt, now)
	if err != nil {
		return err
	}
	w.clock, w.stepClock, w.due, w.stepDue = st.Clock, sst.Clock, st.Due, sst.Due
	if err := w.armDueReminder(ctx); err != nil {
		return err
	}
	if err := w.armStepReminder(ctx); err != nil {
		return err
	}
	w.status, w.supp = w.prev, nil
	if w.status == "" {
		w.status = cds.AppProcessing
	}
	w.docs = append(append([]string(nil), w.docs...), a.DocumentIDs...)
	if len(a.Form) > 0 {
		merged := appMergeForm(w.form, a.Form)
		if nf, verr := w.proc.ValidateForm(merged); verr == nil {
			w.form = nf
		}
	}
	step := w.curStep()
	expiredTask := w.taskKey // the step task (closed) or the refuse-on-expiry task
	w.taskKey = fmt.Sprintf("%s#%d", step.Key, w.seq+1)
	d := w.stepDue
	action := ActForward
	switch step.Kind {
	case cds.StepApprove:
		action = ActApprove
	case cds.StepResult:
		action = ActIssueResult
	}
	e.close = []string{expiredTask}
	e.open = []activities.ApplicationTask{{StepKey: w.taskKey, Action: action, AgencyCode: w.agency, Role: string(step.Role), DueAt: &d}}
	e.detail = map[string]any{"documents": a.DocumentIDs, "old_due": oldDue, "new_due": w.due, "old_step_due": oldStepDue,
		"new_step_due": w.stepDue, "paused_working_hours": paused}
	return w.record(ctx, e)
}

// paid ends the wait for a fee (BillPayment's signal or staff mark_paid).
func (w *application) paid(ctx workflow.Context, actor cds.Actor, paymentID string, amount int64) error {
	now := workflow.Now(ctx)
	from := w.status
	w.status, w.fee, w.paymentID = w.prev, 0, paymentID
	if w.status == "" {
		w.status = cds.AppProcessing
	}
	t := now
	w.feePaidAt = &t
	return w.record(ctx, appEvent{actor: actor, action: "fee_paid", from: from,
		detail: map[string]any{"payment_id": paymentID, "amount": amount}})
}

// approveApology issues form 04: the appointment moves to the new date and
// the clock's budget grows by the working time between the two dates.
func (w *application) approveApology(ctx workflow.Context, a ApplicationAction, e appEvent) error {
	d := w.apology
	extra, err := w.workingHours(ctx, w.due, d.NewDue)
	if err != nil {
		return err
	}
	old := w.due
	w.clock.Budget += time.Duration(extra * float64(time.Hour))
	w.due = d.NewDue
	if w.vApology >= appApologyOverdue {
		w.overdue = false // the new date is watched like the first one
	}
	w.apology = nil
	if !w.clock.Paused() {
		if err := w.armDueReminder(ctx); err != nil { // the budget grew
			return err
		}
	}
	e.close = []string{d.TaskKey}
	e.note = d.Reason
	e.detail = map[string]any{"old_due": old, "new_due": d.NewDue, "drafted_by": d.DraftedBy.Name}
	e.forms = map[string]any{"form04": map[string]any{"form": "04", "title": "Văn bản xin lỗi và hẹn lại ngày trả kết quả",
		"reason": d.Reason, "old_appointment_at": old, "new_appointment_at": d.NewDue, "drafted_by": d.DraftedBy.Name,
		"approved_by": a.Actor.Name, "issued_at": workflow.Now(ctx)}}
	e.overdueTasks = nil
	if err := w.record(ctx, e); err != nil {
		return err
	}
	w.notify(ctx, "apology", "Thư xin lỗi và hẹn lại ngày trả kết quả / Apology and new date",
		"Ngày hẹn mới / New date: "+d.NewDue.In(cds.VietnamTZ).Format("15:04 02/01/2006"))
	return nil
}

// appMergeForm overlays corrections on a form. The result does not depend on
// map order, so the ranges are deterministic.
//
//workflowcheck:ignore
func appMergeForm(base, patch map[string]any) map[string]any {
	out := make(map[string]any, len(base)+len(patch))
	for k, v := range base {
		out[k] = v
	}
	for k, v := range patch {
		out[k] = v
	}
	return out
}

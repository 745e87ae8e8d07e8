package workflows

import (
	"fmt"
	"time"

	"go.temporal.io/sdk/workflow"

	cds "github.com/caobang/congdanso"
	"github.com/caobang/congdanso/activities"
	"github.com/caobang/congdanso/worktime"
)

// The follow-ups of issue 21, each behind its own change id (cases started
// before it replay as DefaultVersion and keep the old behaviour).
const (
	// fbInfoDeadlineChange: a case awaiting the citizen's information has a
	// deadline in working days; when it passes the citizen is reminded once,
	// and after a further grace period the case closes with a public reason.
	// Staff may close a waiting case with a note (close_unanswered).
	fbInfoDeadlineChange = "feedback-info-deadline"
	fbInfoDeadline       = workflow.Version(1)
	// fbComplaintChange: within the complaint window after publication, a
	// complaint or a 1–2 star rating reopens the case to the leader who
	// approved the answer, with a fresh answer clock.
	fbComplaintChange = "feedback-complaint-reopen"
	fbComplaint       = workflow.Version(1)
	// fbClockStartChange: the answer clock starts at submission or at
	// acceptance, as the category says.
	fbClockStartChange = "feedback-clock-start"
	fbClockStart       = workflow.Version(1)
)

// Defaults of the category settings (FeedbackSLA) when a case carries none.
const (
	defaultInfoDays      = 5 // working days to send the information asked for
	defaultInfoGraceDays = 2 // working days after the reminder before the case closes
	defaultComplaintDays = 7 // calendar days after publication
)

func orDefault(v, d float64) float64 {
	if v <= 0 {
		return d
	}
	return v
}

// addWorkingDays counts working days on the calendar (a local activity), or
// scaled wall-clock time in process-level tests.
func (w *feedbackCase) addWorkingDays(ctx workflow.Context, from time.Time, days float64) (time.Time, error) {
	if w.wallClock() {
		return from.Add(w.scaled(days * worktime.HoursPerDay)), nil
	}
	var t time.Time
	err := workflow.ExecuteLocalActivity(localOpts(ctx), acts.ComputeDue, activities.DueInput{
		From: from, Amount: days, Unit: worktime.UnitWorkingDays}).Get(ctx, &t)
	return t, err
}

// infoDueShown is the citizen's deadline while the case waits for them.
func (w *feedbackCase) infoDueShown() time.Time {
	if w.status != FBAwaitingInfo {
		return time.Time{}
	}
	return w.infoDue
}

// startInfoDeadline sets the citizen's deadline when information is asked for.
func (w *feedbackCase) startInfoDeadline(ctx workflow.Context) error {
	due, err := w.addWorkingDays(ctx, workflow.Now(ctx), orDefault(w.in.SLA.InfoDays, defaultInfoDays))
	if err != nil {
		return err
	}
	w.infoDue, w.infoReminded, w.infoCloseAt = due, false, time.Time{}
	return nil
}

// infoDeadline is the next instant of the awaiting-info deadline (zero: none).
func (w *feedbackCase) infoDeadline() time.Time {
	if w.status != FBAwaitingInfo || w.infoV < fbInfoDeadline {
		return time.Time{}
	}
	if !w.infoReminded {
		return w.infoDue
	}
	return w.infoCloseAt
}

// fireInfoDeadline reminds the citizen once when their deadline passes, and
// closes the case when the grace period after the reminder has passed too.
func (w *feedbackCase) fireInfoDeadline(ctx workflow.Context, now time.Time) error {
	if w.status != FBAwaitingInfo || w.infoV < fbInfoDeadline || w.infoDue.IsZero() {
		return nil
	}
	if !w.infoReminded && !now.Before(w.infoDue) {
		closeAt, err := w.addWorkingDays(ctx, w.infoDue, orDefault(w.in.SLA.InfoGraceDays, defaultInfoGraceDays))
		if err != nil {
			return err
		}
		w.infoReminded, w.infoCloseAt = true, closeAt
		ev := w.apply(ctx, transition{actor: system, action: "info_reminder", public: true,
			note:   "Đã quá hạn bổ sung thông tin, công dân được nhắc một lần / the citizen was reminded once",
			detail: map[string]any{"close_at": closeAt}})
		if err := w.write(ctx, ev, false); err != nil {
			return err
		}
		return w.send(ctx, acts.Notify, activities.NotifyInput{
			DedupeKey: fmt.Sprintf("%s/%d/%d", w.wfID, ev.Seq, w.in.CitizenID), UserID: w.in.CitizenID, Kind: "feedback.info_reminder",
			Title: fmt.Sprintf("Phản ánh %s đang chờ bạn bổ sung thông tin. Nếu không bổ sung trước %s, phản ánh sẽ được đóng.",
				w.in.Code, closeAt.In(cds.VietnamTZ).Format("15:04 02/01/2006")),
			Payload: map[string]any{"code": w.in.Code, "status": w.status, "close_at": closeAt},
		})
	}
	if w.infoReminded && !w.infoCloseAt.IsZero() && !now.Before(w.infoCloseAt) {
		return w.step(ctx, transition{actor: system, action: "info_expired", to: FBClosed, public: true, notify: true,
			finish: true, closeIt: true,
			note: "Phản ánh được đóng vì công dân không bổ sung thông tin trong thời hạn. / Closed: the information asked for was not sent in time."})
	}
	return nil
}

// provisionalDue is the answer deadline shown before acceptance when the
// clock starts at acceptance: as if accepted at the last allowed instant.
func (w *feedbackCase) provisionalDue(ctx workflow.Context) error {
	if w.wallClock() {
		w.due = w.acceptDue.Add(w.clock.Budget)
		return nil
	}
	return workflow.ExecuteLocalActivity(localOpts(ctx), acts.ComputeDue, activities.DueInput{
		From: w.acceptDue, Amount: w.in.SLA.AnswerHours, Unit: worktime.UnitWorkingHours}).Get(ctx, &w.due)
}

// startAnswerClock starts the clock that waited for acceptance.
func (w *feedbackCase) startAnswerClock(ctx workflow.Context) error {
	w.clockWaiting = false
	return w.resumeClock(ctx)
}

// published sets the complaint window and the auto-close instant when an
// answer goes out.
func (w *feedbackCase) published(ctx workflow.Context, approver int64) {
	now := workflow.Now(ctx)
	w.closeAt = now.Add(w.scaledCalendar(w.in.SLA.AutoCloseHours))
	if w.complaintV < fbComplaint {
		return
	}
	w.approver = approver
	w.complaintUntil = now.Add(w.scaledCalendar(24 * orDefault(w.in.SLA.ComplaintDays, defaultComplaintDays)))
	if w.complaintUntil.After(w.closeAt) {
		w.closeAt = w.complaintUntil // the case stays open while the citizen may complain
	}
}

// inComplaintWindow: the citizen may still have the case reopened.
func (w *feedbackCase) inComplaintWindow(ctx workflow.Context) bool {
	return w.complaintV >= fbComplaint && !w.complaintUntil.IsZero() && workflow.Now(ctx).Before(w.complaintUntil)
}

// reopen sends the case back to the leader who approved the answer with a
// fresh answer clock of the category's length.
func (w *feedbackCase) reopen(ctx workflow.Context, by cds.Actor, action, note string) error {
	w.reopened++
	w.clock = worktime.NewClock(w.scaled(w.in.SLA.AnswerHours), workflow.Now(ctx))
	w.reminded, w.overdue, w.closeAt, w.complaintUntil = false, false, time.Time{}, time.Time{}
	if err := w.refreshClock(ctx); err != nil {
		return err
	}
	return w.step(ctx, transition{actor: by, action: action, to: FBReopened, note: note, public: true, notify: true,
		detail: map[string]any{"approver_id": w.approver, "due_at": w.due, "reopened": w.reopened},
		mutate: func(ev *activities.FeedbackEvent) { ev.Reopened = true }})
}

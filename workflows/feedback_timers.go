package workflows

import (
	"fmt"
	"time"

	"go.temporal.io/sdk/workflow"

	cds "github.com/caobang/congdanso"
	"github.com/caobang/congdanso/activities"
)

// scaled turns working hours of an SLA into a clock budget.
func (w *feedbackCase) scaled(hours float64) time.Duration {
	d := time.Duration(hours * float64(time.Hour))
	if w.in.SLA.Scale > 1 {
		d = time.Duration(float64(d) / w.in.SLA.Scale)
	}
	return d
}

func (w *feedbackCase) wallClock() bool { return w.in.SLA.Scale > 1 }

// refreshClock recomputes the due time and the reminder mark of the answer
// clock (a local activity: the calendar lives in PostgreSQL).
func (w *feedbackCase) refreshClock(ctx workflow.Context) error {
	now := workflow.Now(ctx)
	if w.wallClock() {
		from := now
		if w.clock.RunningSince != nil {
			from = *w.clock.RunningSince
		}
		w.due = from.Add(w.clock.Budget - w.clock.Used)
		w.mark = from.Add(time.Duration(float64(w.clock.Budget)*w.in.SLA.Reminder) - w.clock.Used)
		return nil
	}
	var st activities.ClockState
	if err := workflow.ExecuteLocalActivity(localOpts(ctx), acts.ResumeClock, activities.ClockInput{
		Clock: w.clock, At: now, Fraction: w.in.SLA.Reminder}).Get(ctx, &st); err != nil {
		return err
	}
	w.clock, w.due, w.mark = st.Clock, st.Due, st.Mark
	return nil
}

func (w *feedbackCase) pauseClock(ctx workflow.Context) error {
	now := workflow.Now(ctx)
	if w.wallClock() {
		if w.clock.RunningSince != nil {
			w.clock.Used += now.Sub(*w.clock.RunningSince)
			w.clock.RunningSince = nil
		}
		return nil
	}
	var st activities.ClockState
	if err := workflow.ExecuteLocalActivity(localOpts(ctx), acts.PauseClock, activities.ClockInput{Clock: w.clock, At: now}).Get(ctx, &st); err != nil {
		return err
	}
	w.clock = st.Clock
	return nil
}

func (w *feedbackCase) resumeClock(ctx workflow.Context) error {
	if w.clock.RunningSince == nil {
		now := workflow.Now(ctx)
		w.clock.RunningSince = &now
	}
	return w.refreshClock(ctx)
}

// nextDeadline is the earliest pending deadline (zero when none).
func (w *feedbackCase) nextDeadline() time.Time {
	var next time.Time
	add := func(t time.Time) {
		if !t.IsZero() && (next.IsZero() || t.Before(next)) {
			next = t
		}
	}
	if w.status == FBRouted && !w.acceptEsc {
		add(w.acceptDue)
	}
	if w.clockRunning() {
		if !w.reminded {
			add(w.mark)
		}
		if !w.overdue {
			add(w.due)
		}
	}
	if w.status == FBPublished {
		add(w.closeAt)
	}
	add(w.infoDeadline())
	return next
}

// clockRunning: the answer clock runs from receipt to publication and stands
// still while the citizen is asked for more.
func (w *feedbackCase) clockRunning() bool {
	st, _ := FeedbackStateOf(w.status)
	return st.Clock && !w.clock.Paused()
}

var system = cds.Actor{Name: "Hệ thống"}

func (w *feedbackCase) fireDeadlines(ctx workflow.Context) error {
	now := workflow.Now(ctx)
	if w.status == FBRouted && !w.acceptEsc && !now.Before(w.acceptDue) {
		w.acceptEsc = true
		ev := w.apply(ctx, transition{actor: system, action: "accept_overdue", note: "Quá hạn tiếp nhận / accept deadline passed"})
		if err := w.write(ctx, ev, false); err != nil {
			return err
		}
		if err := w.notifyStaff(ctx, ev.Seq, "feedback.accept_overdue", "Phản ánh %s quá hạn tiếp nhận.", []string{"leader", "officer"}, w.agency); err != nil {
			return err
		}
	}
	if w.clockRunning() && !w.reminded && !w.mark.IsZero() && !now.Before(w.mark) {
		w.reminded = true
		ev := w.apply(ctx, transition{actor: system, action: "reminder", note: "Đã dùng 75% thời hạn / 75% of the time used"})
		if err := w.write(ctx, ev, false); err != nil {
			return err
		}
		if w.assignee != 0 {
			if err := w.send(ctx, acts.Notify, activities.NotifyInput{
				DedupeKey: fmt.Sprintf("%s/%d/%d", w.wfID, ev.Seq, w.assignee), UserID: w.assignee, Kind: "feedback.reminder",
				Title:   fmt.Sprintf("Phản ánh %s sắp đến hạn trả lời (hạn %s).", w.in.Code, w.due.In(cds.VietnamTZ).Format("15:04 02/01/2006")),
				Payload: map[string]any{"code": w.in.Code, "due_at": w.due},
			}); err != nil {
				return err
			}
		} else if err := w.notifyStaff(ctx, ev.Seq, "feedback.reminder", "Phản ánh %s sắp đến hạn trả lời.", []string{"leader"}, w.agency); err != nil {
			return err
		}
	}
	if w.clockRunning() && !w.overdue && !now.Before(w.due) {
		w.overdue = true
		ev := w.apply(ctx, transition{actor: system, action: "overdue", note: "Quá hạn trả lời / answer overdue"})
		if err := w.write(ctx, ev, false); err != nil {
			return err
		}
		if err := w.notifyStaff(ctx, ev.Seq, "feedback.overdue", "Phản ánh %s đã quá hạn trả lời.", []string{"leader"}, w.agency); err != nil {
			return err
		}
		if err := w.notifyStaff(ctx, ev.Seq, "feedback.overdue", "Phản ánh %s đã quá hạn trả lời.", []string{"coordinator"}, CoordinatorAgency); err != nil {
			return err
		}
	}
	if err := w.fireInfoDeadline(ctx, now); err != nil {
		return err
	}
	if w.status == FBPublished && !w.closeAt.IsZero() && !now.Before(w.closeAt) {
		return w.step(ctx, transition{actor: system, action: "auto_close", to: FBClosed, public: true, notify: true, closeIt: true})
	}
	return nil
}

func (w *feedbackCase) notifyStaff(ctx workflow.Context, seq int, kind, title string, roles []string, agency string) error {
	return w.send(ctx, acts.NotifyAgencyStaff, activities.StaffNotice{
		DedupePrefix: fmt.Sprintf("%s/%d", w.wfID, seq), Agency: agency, Roles: roles, Kind: kind,
		Title: fmt.Sprintf(title, w.in.Code), Payload: map[string]any{"code": w.in.Code, "due_at": w.due},
	})
}

// scaledCalendar is a calendar-hour span, shortened by the test scale.
func (w *feedbackCase) scaledCalendar(hours float64) time.Duration {
	d := time.Duration(hours * float64(time.Hour))
	if w.in.SLA.Scale > 1 {
		d = time.Duration(float64(d) / w.in.SLA.Scale)
	}
	return d
}

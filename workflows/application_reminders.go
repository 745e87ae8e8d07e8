package workflows

import (
	"fmt"
	"time"

	"go.temporal.io/sdk/workflow"

	cds "github.com/caobang/congdanso"
	"github.com/caobang/congdanso/activities"
	"github.com/caobang/congdanso/worktime"
)

// appRemindersChange: the handling officer is reminded once at 75 % of the
// current step's working-time budget and once at 75 % of the dossier's
// (issue 21), through the notification outbox. Dossiers started before it
// arm no reminder timers.
const (
	appRemindersChange = "application-reminders"
	appReminders       = workflow.Version(1)
)

// ReminderShare is the share of a budget at which the handler is reminded.
const ReminderShare = 0.75

// markAt returns the instant at which ReminderShare of a running clock's
// budget is used (working time, as a local activity).
func (w *application) markAt(ctx workflow.Context, k worktime.Clock) (time.Time, error) {
	if k.RunningSince == nil {
		return time.Time{}, nil
	}
	left := time.Duration(float64(k.Budget)*ReminderShare) - k.Used
	if left < 0 {
		left = 0
	}
	return w.computeDue(ctx, *k.RunningSince, left.Hours(), worktime.UnitWorkingHours)
}

// remindShare is the reminder share a plan is asked for: none before
// appReminders.
func (w *application) remindShare() float64 {
	if w.vRemind < appReminders {
		return 0
	}
	return ReminderShare
}

// armStepReminder sets the reminder mark of the step that just started (or
// resumed); armDueReminder the dossier's. Both do nothing before
// appReminders or once the reminder was sent.
func (w *application) armStepReminder(ctx workflow.Context) error {
	if w.vRemind < appReminders || w.stepReminded {
		return nil
	}
	t, err := w.markAt(ctx, w.stepClock)
	w.stepMark = t
	return err
}

func (w *application) armDueReminder(ctx workflow.Context) error {
	if w.vRemind < appReminders || w.dueReminded {
		return nil
	}
	t, err := w.markAt(ctx, w.clock)
	w.dueMark = t
	return err
}

// reminderDeadlines adds the armed reminder marks to nextDeadline.
func (w *application) reminderDeadlines(consider func(time.Time, string)) {
	if w.vRemind < appReminders || !w.status.Open() || w.status == cds.AppWaiting {
		return
	}
	if !w.dueReminded && !w.overdue && !w.clock.Paused() {
		consider(w.dueMark, "due_remind")
	}
	if w.step > 0 && !w.stepReminded && !w.stepLate && !w.stepClock.Paused() {
		consider(w.stepMark, "step_remind")
	}
}

// onReminder records the reminder (internal timeline event) and tells the
// holder of the open task — the officer who claimed or was assigned it, or
// else the staff of the task's agency with the step's role.
func (w *application) onReminder(ctx workflow.Context, what string, now time.Time) error {
	var action, kind, title string
	var at time.Time
	switch what {
	case "step_remind":
		if w.stepReminded || now.Before(w.stepMark) {
			return nil
		}
		w.stepReminded = true
		action, kind, at = "step_reminder", "application.step_reminder", w.stepDue
		title = fmt.Sprintf("Hồ sơ %s: bước đang xử lý đã dùng 75%% thời hạn (hạn bước %s).", w.in.Code, at.In(cds.VietnamTZ).Format("15:04 02/01/2006"))
	default:
		if w.dueReminded || now.Before(w.dueMark) {
			return nil
		}
		w.dueReminded = true
		action, kind, at = "reminder", "application.reminder", w.due
		title = fmt.Sprintf("Hồ sơ %s đã dùng 75%% thời hạn giải quyết (hẹn trả %s).", w.in.Code, at.In(cds.VietnamTZ).Format("15:04 02/01/2006"))
	}
	note := "Đã dùng 75% thời hạn giải quyết / 75% of the dossier's time used"
	if action == "step_reminder" {
		note = "Đã dùng 75% thời hạn của bước / 75% of the step's time used"
	}
	if err := w.record(ctx, appEvent{actor: cds.Actor{Name: "Hệ thống"}, action: action, internal: true, note: note,
		detail: map[string]any{"step": w.stepKeyNow(), "due_at": at, "task": w.taskKey}}); err != nil {
		return err
	}
	role := string(w.curStep().Role)
	if w.xfer != nil {
		role = string(cds.RoleOfficer)
	}
	return w.send(ctx, acts.NotifyTaskHolder, activities.TaskNotice{WorkflowID: ApplicationWorkflowID(w.in.Code), StepKey: w.taskKey,
		StaffNotice: activities.StaffNotice{DedupePrefix: fmt.Sprintf("%s#%d", ApplicationWorkflowID(w.in.Code), w.seq),
			Agency: w.agency, Roles: []string{role}, Kind: kind, Title: title,
			Payload: map[string]any{"code": w.in.Code, "due_at": at}}})
}

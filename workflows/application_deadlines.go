package workflows

import (
	"fmt"
	"time"

	"go.temporal.io/sdk/workflow"

	cds "github.com/caobang/congdanso"
	"github.com/caobang/congdanso/activities"
)

// nextDeadline returns the earliest armed deadline and its kind.
func (w *application) nextDeadline() (time.Time, string) {
	var at time.Time
	what := ""
	consider := func(t time.Time, k string) {
		if !t.IsZero() && (what == "" || t.Before(at)) {
			at, what = t, k
		}
	}
	if w.status.Open() && !w.clock.Paused() && !w.overdue && !w.due.IsZero() {
		consider(w.due, "due")
	}
	if w.status.Open() && w.step > 0 && !w.stepClock.Paused() && !w.stepLate && !w.stepDue.IsZero() && w.status != cds.AppWaiting {
		consider(w.stepDue, "step")
	}
	if w.status == cds.AppWaiting && w.supp != nil && !w.supp.Expired {
		consider(w.supp.Deadline, "supplement")
	}
	w.reminderDeadlines(consider)
	if w.status == cds.AppDone && w.finishedAt != nil {
		consider(w.finishedAt.Add(RatingWindow), "rating")
	}
	return at, what
}

func (w *application) onDeadline(ctx workflow.Context, what string) error {
	now := workflow.Now(ctx)
	switch what {
	case "due":
		if w.overdue || !w.status.Open() || now.Before(w.due) || w.clock.Paused() {
			return nil
		}
		w.overdue = true
		if err := w.record(ctx, appEvent{action: "overdue", internal: true, note: "Hồ sơ quá hạn, chưa có văn bản xin lỗi / Overdue without an apology letter",
			overdueTasks: []string{"*"}, detail: map[string]any{"due_at": w.due}}); err != nil || w.vNotices < appOverdueNotices {
			return err
		}
		// As feedback does: the agency's leaders and the one-stop coordinator hear of it.
		for _, n := range []struct{ agency, role string }{{w.agency, "leader"}, {CoordinatorAgency, "coordinator"}} {
			if err := w.send(ctx, acts.NotifyAgencyStaff, activities.StaffNotice{DedupePrefix: fmt.Sprintf("%s#%d", ApplicationWorkflowID(w.in.Code), w.seq),
				Agency: n.agency, Roles: []string{n.role}, Kind: "application.overdue",
				Title:   fmt.Sprintf("Hồ sơ %s đã quá hạn giải quyết (hạn %s).", w.in.Code, w.due.In(cds.VietnamTZ).Format("15:04 02/01/2006")),
				Payload: map[string]any{"code": w.in.Code, "due_at": w.due}}); err != nil {
				return err
			}
		}
		return nil
	case "step":
		if w.stepLate || now.Before(w.stepDue) {
			return nil
		}
		w.stepLate = true
		return w.record(ctx, appEvent{action: "step_overdue", internal: true, overdueTasks: []string{w.taskKey},
			detail: map[string]any{"step": w.stepKeyNow(), "step_due": w.stepDue}})
	case "supplement":
		if w.supp == nil || w.supp.Expired || w.status != cds.AppWaiting {
			return nil
		}
		w.supp.Expired = true
		key := fmt.Sprintf("supplement_expired#%d", w.seq+1)
		w.taskKey = key
		return w.record(ctx, appEvent{action: "supplement_expired", note: "Quá hạn bổ sung hồ sơ / Supplementation deadline passed",
			open: []activities.ApplicationTask{{StepKey: key, Action: ActRefuse, AgencyCode: w.agency, Role: string(cds.RoleOfficer)}}})
	case "step_remind", "due_remind":
		return w.onReminder(ctx, what, now)
	case "rating":
		w.ratingOver = true
		w.changed++
	}
	return nil
}

// locked runs f under the workflow mutex, so handlers, the signal reader and
// deadlines never interleave inside a transition (they yield at activities).
func (w *application) locked(ctx workflow.Context, f func() error) error {
	err := w.ser.do(ctx, func() error {
		err := f()
		w.changed++
		return err
	})
	if err != nil {
		workflow.GetLogger(ctx).Error("dossier transition failed", "caseCode", w.in.Code, "err", err)
	}
	return err
}

package workflows

import (
	"time"

	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	cds "github.com/caobang/congdanso"
	"github.com/caobang/congdanso/activities"
)

// DeploymentRemindersWorkflowName is the pinned name of the workflow the
// reminder schedule starts.
const DeploymentRemindersWorkflowName = "DeploymentReminders"

// DeploymentRemindersScheduleID is the Temporal schedule that runs it daily.
const DeploymentRemindersScheduleID = "deployment-report-reminders"

func init() {
	register(func(w worker.Registry) {
		w.RegisterWorkflowWithOptions(DeploymentReminders, workflow.RegisterOptions{Name: DeploymentRemindersWorkflowName})
	})
}

// ReminderMilestones are the days before a deadline at which missing units are reminded.
var ReminderMilestones = []int{7, 3, 1}

// ReminderMilestone returns the reminder due at now for deadline: the
// smallest milestone (7, 3, 1) not smaller than the calendar days left in
// Vietnam time, or 0 when more than 7 days are left or the deadline passed.
// A day the schedule missed is caught up by the next run, and the dedupe key
// keeps each milestone to one reminder per unit.
func ReminderMilestone(deadline, now time.Time) int {
	if now.After(deadline) {
		return 0
	}
	d := deadline.In(cds.VietnamTZ)
	n := now.In(cds.VietnamTZ)
	dd := time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, time.UTC)
	nd := time.Date(n.Year(), n.Month(), n.Day(), 0, 0, 0, 0, time.UTC)
	left := int(dd.Sub(nd).Hours() / 24)
	for i := len(ReminderMilestones) - 1; i >= 0; i-- {
		if left <= ReminderMilestones[i] {
			return ReminderMilestones[i]
		}
	}
	return 0
}

// DeploymentReminderAction is one thing a run did, for its result and tests.
type DeploymentReminderAction struct {
	Campaign  string   `json:"campaign"`
	Milestone int      `json:"milestone"` // 0 = the after-deadline notice to the steering committee
	Units     []string `json:"units"`
}

// DeploymentReminders is run daily by a Temporal schedule. It reminds the
// units that have not reported at 7, 3 and 1 days before each campaign's
// deadline, and tells the steering committee which are still missing once
// the deadline has passed. It is short-lived: the schedule, not a long
// sleeping workflow, carries the calendar, so campaigns created later are
// picked up the next morning.
func DeploymentReminders(ctx workflow.Context) ([]DeploymentReminderAction, error) {
	now := workflow.Now(ctx)
	ctx = activityOpts(ctx)
	var campaigns []activities.DeploymentCampaign
	if err := workflow.ExecuteActivity(ctx, acts.DeploymentCampaignsDue, now).Get(ctx, &campaigns); err != nil {
		return nil, err
	}
	out := []DeploymentReminderAction{}
	// campaigns come sorted by deadline and code, so the order is deterministic.
	for _, c := range campaigns {
		var res activities.DeploymentReminderResult
		act := DeploymentReminderAction{Campaign: c.Code}
		if now.After(c.Deadline) {
			if err := workflow.ExecuteActivity(ctx, acts.NotifySteeringMissing, c).Get(ctx, &res); err != nil {
				return out, err
			}
		} else if m := ReminderMilestone(c.Deadline, now); m > 0 {
			act.Milestone = m
			if err := workflow.ExecuteActivity(ctx, acts.RemindMissingUnits, activities.DeploymentReminderInput{Campaign: c, Milestone: m}).Get(ctx, &res); err != nil {
				return out, err
			}
		} else {
			continue
		}
		act.Units = res.Units
		out = append(out, act)
	}
	return out, nil
}

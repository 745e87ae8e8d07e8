package workflows

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"

	cds "github.com/caobang/congdanso"
	"github.com/caobang/congdanso/activities"
)

func TestReminderMilestone(t *testing.T) {
	deadline := time.Date(2025, 3, 30, 17, 0, 0, 0, cds.VietnamTZ)
	at := func(day int, hour int) time.Time { return time.Date(2025, 3, day, hour, 0, 0, 0, cds.VietnamTZ) }
	cases := []struct {
		now  time.Time
		want int
	}{
		{at(21, 8), 0}, {at(22, 23), 0}, {at(23, 0), 7}, {at(23, 8), 7}, {at(25, 8), 7}, {at(26, 8), 7}, {at(27, 8), 3},
		{at(28, 8), 3}, {at(29, 8), 1}, {at(30, 8), 1}, {at(30, 17), 1}, {at(30, 18), 0}, {at(31, 8), 0},
		// 01:30 UTC on the 23rd is 08:30 in Vietnam: days are counted in Vietnam time.
		{time.Date(2025, 3, 23, 1, 30, 0, 0, time.UTC), 7}, {time.Date(2025, 3, 22, 16, 59, 0, 0, time.UTC), 0},
	}
	for _, c := range cases {
		if got := ReminderMilestone(deadline, c.now); got != c.want {
			t.Errorf("ReminderMilestone(%s) = %d, want %d", c.now, got, c.want)
		}
	}
}

// TestDeploymentRemindersOverDays runs the workflow once per morning from
// 10 days before the deadline to 4 days after, with the test clock set to each
// day (as the schedule would), and checks what was sent. The activity mocks
// keep an outbox keyed like the real dedupe keys, so re-running a milestone
// sends nothing twice.
func TestDeploymentRemindersOverDays(t *testing.T) {
	deadline := time.Date(2025, 3, 30, 23, 59, 59, 0, cds.VietnamTZ)
	camp := activities.DeploymentCampaign{Code: "BC-2025", Title: "Báo cáo Phụ lục I", Deadline: deadline}
	missing := map[string]bool{"SXD": true, "X-HOAAN": true, "SYT": true}
	outbox := map[string]time.Time{} // dedupe key → day first sent
	var steeringCalls []time.Time
	for day := -10; day <= 4; day++ {
		now := time.Date(2025, 3, 30, 8, 0, 0, 0, cds.VietnamTZ).AddDate(0, 0, day)
		if day == -2 {
			delete(missing, "SXD") // SXD submits two days before the deadline
		}
		var s testsuite.WorkflowTestSuite
		env := s.NewTestWorkflowEnvironment()
		env.SetStartTime(now)
		env.RegisterWorkflowWithOptions(DeploymentReminders, workflow.RegisterOptions{Name: DeploymentRemindersWorkflowName})
		env.RegisterActivityWithOptions(&activities.Activities{}, activity.RegisterOptions{SkipInvalidStructFunctions: true})
		env.OnActivity(acts.DeploymentCampaignsDue, mock.Anything, mock.Anything).Return(
			func(_ context.Context, n time.Time) ([]activities.DeploymentCampaign, error) {
				if !n.Equal(now) {
					return nil, fmt.Errorf("activity got now=%s, want workflow time %s", n, now)
				}
				if deadline.After(n.Add(-3*24*time.Hour)) && deadline.Before(n.Add(8*24*time.Hour)) {
					return []activities.DeploymentCampaign{camp}, nil
				}
				return nil, nil
			})
		env.OnActivity(acts.RemindMissingUnits, mock.Anything, mock.Anything).Return(
			func(_ context.Context, in activities.DeploymentReminderInput) (activities.DeploymentReminderResult, error) {
				res := activities.DeploymentReminderResult{}
				for _, u := range []string{"SXD", "SYT", "X-HOAAN"} {
					if missing[u] {
						key := fmt.Sprintf("%s/%s/d%d", in.Campaign.Code, u, in.Milestone)
						if _, ok := outbox[key]; !ok {
							outbox[key] = now
						}
						res.Units = append(res.Units, u)
					}
				}
				return res, nil
			}).Maybe()
		env.OnActivity(acts.NotifySteeringMissing, mock.Anything, mock.Anything).Return(
			func(_ context.Context, c activities.DeploymentCampaign) (activities.DeploymentReminderResult, error) {
				steeringCalls = append(steeringCalls, now)
				return activities.DeploymentReminderResult{Units: []string{"SYT", "X-HOAAN"}}, nil
			}).Maybe()
		env.ExecuteWorkflow(DeploymentRemindersWorkflowName)
		if !env.IsWorkflowCompleted() || env.GetWorkflowError() != nil {
			t.Fatalf("day %d: %v", day, env.GetWorkflowError())
		}
		var out []DeploymentReminderAction
		if err := env.GetWorkflowResult(&out); err != nil {
			t.Fatal(err)
		}
		if day < -7 && len(out) != 0 {
			t.Fatalf("day %d: nothing should happen yet, got %+v", day, out)
		}
		if day == -7 && (len(out) != 1 || out[0].Milestone != 7 || len(out[0].Units) != 3) {
			t.Fatalf("day -7: %+v", out)
		}
		if day == 1 && (len(out) != 1 || out[0].Milestone != 0 || len(out[0].Units) != 2) {
			t.Fatalf("day +1: %+v", out)
		}
	}
	first := func(unit string, m int) time.Time { return outbox[fmt.Sprintf("BC-2025/%s/d%d", unit, m)] }
	d := func(day int) time.Time { return time.Date(2025, 3, 30, 8, 0, 0, 0, cds.VietnamTZ).AddDate(0, 0, day) }
	for _, u := range []string{"SXD", "SYT", "X-HOAAN"} {
		if !first(u, 7).Equal(d(-7)) || !first(u, 3).Equal(d(-3)) {
			t.Errorf("%s: 7-day reminder %s, 3-day reminder %s", u, first(u, 7), first(u, 3))
		}
	}
	if !first("SYT", 1).Equal(d(-1)) || !first("SXD", 1).IsZero() {
		t.Errorf("1-day reminders: SYT %s, SXD (already submitted) %s", first("SYT", 1), first("SXD", 1))
	}
	if len(outbox) != 8 { // 3 units × (7, 3) + 2 units × 1
		t.Errorf("outbox has %d reminders, want 8: %v", len(outbox), outbox)
	}
	// Deadline 30/3 23:59: the steering committee is told on the mornings of 31/3 to 2/4
	// (the activity's dedupe key makes that one notification).
	if len(steeringCalls) != 3 || !steeringCalls[0].Equal(d(1)) {
		t.Errorf("steering notified on %v", steeringCalls)
	}
}

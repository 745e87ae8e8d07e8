package workflows

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/workflow"
)

// TestApplicationStepPlans: from application-interagency-handoff v2 a step's
// working-time arithmetic is one local activity (AcceptPlan at acceptance,
// StepPlan when a step starts); dossiers at v1 look each figure up on its
// own. Both must fire the same deadlines at the same instants.
//
// The instants are worked out by hand on the default calendar (07:00–11:30
// and 13:30–17:00, 8 working hours a day): a 5-working-day procedure
// accepted Monday 2/3/2026 09:00 is due Monday 9/3 09:00 (40 hours); the
// specialist's step (share 0.6, 24 hours) is due Thursday 5/3 09:00, its
// reminder at 75 % (18 hours) is Wednesday 4/3 11:00; the dossier's reminder
// (30 hours) is Thursday 5/3 17:00. Forwarded Monday 10:00, the leader's
// step (share 0.2, 8 hours) is due Tuesday 3/3 10:00, reminded (6 hours)
// Tuesday 08:00.
func TestApplicationStepPlans(t *testing.T) {
	for _, tc := range []struct {
		name    string
		forward bool
		want    []string // timer-fired events: action@instant
	}{
		{"accepted", false, []string{"step_reminder@04/03 11:00", "step_overdue@05/03 09:00", "reminder@05/03 17:00", "overdue@09/03 09:00"}},
		{"forwarded", true, []string{"step_reminder@03/03 08:00", "step_overdue@03/03 10:00", "reminder@05/03 17:00", "overdue@09/03 09:00"}},
	} {
		for _, v := range []workflow.Version{appHandoff, appStepPlans} {
			t.Run(fmt.Sprintf("%s/v%d", tc.name, v), func(t *testing.T) {
				start := appAt(2026, 3, 2, 8, 0)
				h := newAppHarness(t, start)
				if v < appStepPlans {
					// Only dossiers started before appOneVersion ask for it.
					h.env.OnGetVersion(appLocalWritesChange, workflow.DefaultVersion, appKeepTimer).Return(appAnswerNotices)
					h.env.OnGetVersion(appHandoffChange, workflow.DefaultVersion, appStepPlans).Return(v)
				}
				local := map[string]int{}
				h.env.SetOnLocalActivityStartedListener(func(info *activity.Info, _ context.Context, _ []any) {
					local[info.ActivityType.Name]++
				})
				h.do(appAt(2026, 3, 2, 9, 0), "accept", ApplicationAction{Action: ActAccept, Actor: appOfficer})
				if tc.forward {
					h.do(appAt(2026, 3, 2, 10, 0), "forward", ApplicationAction{Action: ActForward, Actor: appOfficer})
				}
				h.do(appAt(2026, 3, 10, 9, 0), "stop", ApplicationAction{Action: ActStop, Actor: appLeader, Reason: "Dừng thử"})
				h.run()
				h.ok("accept", "stop")
				var fired []string
				for _, r := range h.records {
					switch r.Action {
					case "step_reminder", "step_overdue", "reminder", "overdue":
						fired = append(fired, r.Action+"@"+r.At.In(appVN).Format("02/01 15:04"))
					}
				}
				if strings.Join(fired, " ") != strings.Join(tc.want, " ") {
					t.Errorf("deadlines fired\n got %v\nwant %v", fired, tc.want)
				}
				if due := h.record(ActAccept).Case.DueAt; due == nil || !due.Equal(appAt(2026, 3, 9, 9, 0)) {
					t.Errorf("appointment %v, want 09/03 09:00", due)
				}
				steps := 1
				if tc.forward {
					steps = 2
				}
				oneByOne := local["ApplicationProcedureAt"] + local["ComputeDue"] + local["WorkingHoursBetween"]
				switch {
				case v == appStepPlans && (local["AcceptPlan"] != 1 || local["StepPlan"] != steps || oneByOne != 0):
					t.Errorf("v%d: want one AcceptPlan and %d StepPlan, nothing one by one: %v", v, steps, local)
				case v == appHandoff && (local["AcceptPlan"]+local["StepPlan"] != 0 || local["ApplicationProcedureAt"] != 1):
					t.Errorf("v%d: plans ran in a dossier started before them: %v", v, local)
				}
			})
		}
	}
}

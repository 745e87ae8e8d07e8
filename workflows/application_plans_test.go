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
		// appHandoff and appStepPlans are versions of
		// application-interagency-handoff; appStepRecords (6) of
		// application-local-writes, which implies appStepPlans.
		for _, v := range []workflow.Version{appHandoff, appStepPlans, appStepRecords} {
			t.Run(fmt.Sprintf("%s/v%d", tc.name, v), func(t *testing.T) {
				start := appAt(2026, 3, 2, 8, 0)
				h := newAppHarness(t, start)
				if v == appStepPlans {
					h.env.OnGetVersion(appLocalWritesChange, workflow.DefaultVersion, appStepRecords).Return(appKeepTimer)
				}
				if v < appStepPlans {
					// Only dossiers started before appOneVersion ask for it.
					h.env.OnGetVersion(appLocalWritesChange, workflow.DefaultVersion, appStepRecords).Return(appAnswerNotices)
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
				case v == appStepRecords && (local["AcceptPlan"] != 1 || local["StepPlan"] != 0 || local["RecordApplicationStep"] != steps || oneByOne != 0):
					t.Errorf("v%d: want one AcceptPlan and %d RecordApplicationStep, no StepPlan, nothing one by one: %v", v, steps, local)
				case v == appStepPlans && (local["AcceptPlan"] != 1 || local["StepPlan"] != steps || local["RecordApplicationStep"] != 0 || oneByOne != 0):
					t.Errorf("v%d: want one AcceptPlan and %d StepPlan, nothing one by one: %v", v, steps, local)
				case v == appHandoff && (local["AcceptPlan"]+local["StepPlan"] != 0 || local["ApplicationProcedureAt"] != 1):
					t.Errorf("v%d: plans ran in a dossier started before them: %v", v, local)
				}
			})
		}
	}
}

// TestApplicationStepRecords: from application-local-writes v6 a step's plan
// and, at issue_result, the paused clock are computed by the local activity
// that writes the step's record (RecordApplicationStep), so the bench's five
// steps run no StepPlan and no PauseClock. The records must carry the same
// figures as v5's, worked out by hand on the default calendar (see
// TestApplicationStepPlans): accepted Monday 2/3/2026 09:00 (40 working
// hours), the specialist's step (24 hours) is due Thursday 5/3 09:00;
// forwarded at 10:00, the leader's step (8 hours) Tuesday 3/3 10:00;
// approved at 11:00, the result step (4 hours: 11:00–11:30, 13:30–17:00)
// Monday 2/3 17:00; the result issued at 14:00 took 3 working hours
// (09:00–11:30, 13:30–14:00).
func TestApplicationStepRecords(t *testing.T) {
	wantDue := map[string]string{ActAccept: "05/03 09:00", ActForward: "03/03 10:00", ActApprove: "02/03 17:00"}
	for _, v := range []workflow.Version{appKeepTimer, appStepRecords} {
		t.Run(fmt.Sprintf("v%d", v), func(t *testing.T) {
			h := newAppHarness(t, appAt(2026, 3, 2, 8, 0))
			h.env.OnGetVersion(appLocalWritesChange, workflow.DefaultVersion, appStepRecords).Return(v)
			local := map[string]int{}
			h.env.SetOnLocalActivityStartedListener(func(info *activity.Info, _ context.Context, _ []any) {
				local[info.ActivityType.Name]++
			})
			h.do(appAt(2026, 3, 2, 9, 0), "accept", ApplicationAction{Action: ActAccept, Actor: appOfficer})
			h.do(appAt(2026, 3, 2, 10, 0), "forward", ApplicationAction{Action: ActForward, Actor: appOfficer})
			h.do(appAt(2026, 3, 2, 11, 0), "approve", ApplicationAction{Action: ActApprove, Actor: appLeader})
			h.do(appAt(2026, 3, 2, 14, 0), "issue", ApplicationAction{Action: ActIssueResult, Actor: appOfficer, DocumentIDs: []string{"r1"}})
			h.do(appAt(2026, 3, 3, 9, 0), "return", ApplicationAction{Action: ActReturnResult, Actor: appOfficer, Method: "in_person"})
			h.do(appAt(2026, 3, 3, 10, 0), "rate", ApplicationAction{Action: ActRate, Actor: appCitizen, Score: 5})
			h.run()
			h.ok("accept", "forward", "approve", "issue", "return", "rate")
			h.checkTasks()
			for action, want := range wantDue {
				r := h.record(action)
				if len(r.OpenTasks) != 1 || r.OpenTasks[0].DueAt == nil {
					t.Errorf("%s: opened %+v, want one task with a due time", action, r.OpenTasks)
					continue
				}
				if got := r.OpenTasks[0].DueAt.In(appVN).Format("02/01 15:04"); got != want {
					t.Errorf("%s: the opened task is due %s, want %s", action, got, want)
				}
			}
			if hh := h.record(ActIssueResult).Case.HandlingHours; hh == nil || *hh != 3 {
				t.Errorf("issue_result: handling hours %v, want 3", hh)
			}
			folded := local["StepPlan"] + local["PauseClock"]
			switch {
			case v == appStepRecords && (folded != 0 || local["RecordApplicationStep"] != 4):
				t.Errorf("v%d: want 4 RecordApplicationStep (accept, forward, approve, issue_result), no StepPlan or PauseClock: %v", v, local)
			case v == appKeepTimer && (local["StepPlan"] != 3 || local["PauseClock"] != 1 || local["RecordApplicationStep"] != 0):
				t.Errorf("v%d: want 3 StepPlan and 1 PauseClock, no RecordApplicationStep: %v", v, local)
			}
		})
	}
}

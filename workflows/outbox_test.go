package workflows

import (
	"context"
	"fmt"
	"testing"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"
)

// Feedback cases started before "feedback-local-writes" run every write as
// a regular activity; at version 1 the notices ran as local activities, and
// a notice written by a workflow task that was then lost (SIGKILL) stayed
// while the retried task wrote it again under another seq; from version 2
// (fbDurableNotices) the notices are regular activities scheduled from the
// durable history (outbox.go), the read-model writes stay local. The table
// is written by hand.
func TestFeedbackNoticeVersions(t *testing.T) {
	type kinds struct {
		record, notify, staff string
		notifies, batches     int // Notify runs; EnqueueNotices runs (as regular)
		// the intake's local activities: RecordFeedback runs of the five,
		// RecordFeedbackEvents, RouteFeedback and PlanFeedbackIntake runs
		records, together, routes, plans int
	}
	for _, c := range []struct {
		v    workflow.Version
		want kinds
	}{
		{workflow.DefaultVersion, kinds{"regular", "regular", "regular", 3, 0, 5, 0, 1, 0}},
		{fbLocalWrites, kinds{"local", "local", "local", 3, 0, 5, 0, 1, 0}},
		{fbDurableNotices, kinds{"local", "regular", "regular", 3, 0, 5, 0, 1, 0}},
		// The answers of accept and withdraw carry theirs (the harness
		// takes them as cases does); the closing workflow queues what it
		// held in one regular EnqueueNotices. The routing notice has no
		// answer here (no submission Update) and the timer's none at all.
		{fbAnswerNotices, kinds{"local", "regular", "regular", 1, 1, 5, 0, 1, 0}},
		// v4 plans the intake in one local activity and writes its two
		// events in another: three RecordFeedback runs are left.
		{fbIntakePlan, kinds{"local", "regular", "regular", 1, 1, 3, 1, 0, 1}},
		// v5 keeps the deadline timer: the same activities as v4.
		{fbKeepTimer, kinds{"local", "regular", "regular", 1, 1, 3, 1, 0, 1}},
	} {
		t.Run(fmt.Sprintf("v%d", c.v), func(t *testing.T) {
			start := time.Date(2026, 4, 29, 15, 0, 0, 0, vn) // as TestFeedbackAcceptDeadlineEscalates
			h := newFB(t, start)
			h.env.OnGetVersion(fbLocalWritesChange, workflow.DefaultVersion, fbKeepTimer).Return(c.v)
			ran := ranAs(h.env)
			acceptDue := time.Date(2026, 5, 4, 15, 0, 0, 0, vn)
			h.at(acceptDue.Sub(start)+time.Hour, FBActAccept, FeedbackAction{Actor: officer})
			h.at(acceptDue.Sub(start)+2*time.Hour, FBActWithdraw, FeedbackAction{Actor: citizen})
			h.run(input(false))
			h.wantOK()
			// submitted, routed, accept_overdue, accepted, withdrawn: five
			// events; the citizen hears of routed, accepted and withdrawn;
			// the agency's staff of the missed acceptance.
			checkRanAs(t, c.v, ran, []ranWant{{"RecordFeedback", c.want.record, c.want.records},
				{"RecordFeedbackEvents", "local", c.want.together}, {"RouteFeedback", c.want.record, c.want.routes},
				{"PlanFeedbackIntake", "local", c.want.plans}, {"Notify", c.want.notify, c.want.notifies},
				{"NotifyAgencyStaff", c.want.staff, 1}, {"EnqueueNotices", "regular", c.want.batches}})
			// Sent in order, whatever kind of activity sends them.
			var got []string
			for _, n := range h.notes {
				got = append(got, n.Kind)
			}
			if fmt.Sprint(got) != "[feedback.routed feedback.accepted feedback.withdrawn]" {
				t.Errorf("v%d: citizen notices %v", c.v, got)
			}
		})
	}
}

// From fbAnswerNotices an Update's answer carries its notices. If they are
// lost with the API that held the answer, the workflow enqueues them in its
// next task, by a local activity (that task starts only after the one that
// made them was recorded), and what it still holds when it closes, by a
// regular activity. The test environment keeps the history length still, so
// the test moves it as the server would between the two tasks.
func TestFeedbackHeldNoticesSafetyNet(t *testing.T) {
	start := time.Date(2026, 4, 29, 15, 0, 0, 0, vn)
	h := newFB(t, start)
	h.dropAnswers = true
	ran := ranAs(h.env)
	acceptDue := time.Date(2026, 5, 4, 15, 0, 0, 0, vn)
	h.at(acceptDue.Sub(start)+time.Hour, FBActAccept, FeedbackAction{Actor: officer})
	h.env.RegisterDelayedCallback(func() { h.env.SetCurrentHistoryLength(100) }, acceptDue.Sub(start)+90*time.Minute)
	h.at(acceptDue.Sub(start)+2*time.Hour, FBActWithdraw, FeedbackAction{Actor: citizen})
	h.run(input(false))
	h.wantOK()
	// accepted: by the next task's local activity; withdrawn: held when
	// the workflow closed, by the regular one.
	checkRanAs(t, fbAnswerNotices, ran, []ranWant{{"Notify", "regular", 1}})
	if ran["local"]["EnqueueNotices"] != 1 || ran["regular"]["EnqueueNotices"] != 1 {
		t.Errorf("EnqueueNotices ran %d× local and %d× regular, want once each", ran["local"]["EnqueueNotices"], ran["regular"]["EnqueueNotices"])
	}
	var got []string
	for _, n := range h.notes {
		got = append(got, n.Kind)
	}
	if fmt.Sprint(got) != "[feedback.routed feedback.accepted feedback.withdrawn]" {
		t.Errorf("citizen notices %v", got)
	}
}

// ranAs counts the activities the test environment starts, by kind
// ("regular" or "local") and name.
func ranAs(env *testsuite.TestWorkflowEnvironment) map[string]map[string]int {
	ran := map[string]map[string]int{"regular": {}, "local": {}}
	env.SetOnActivityStartedListener(func(info *activity.Info, _ context.Context, _ converter.EncodedValues) {
		ran["regular"][info.ActivityType.Name]++
	})
	env.SetOnLocalActivityStartedListener(func(info *activity.Info, _ context.Context, _ []any) {
		ran["local"][info.ActivityType.Name]++
	})
	return ran
}

// ranWant is one row of a version table: activity name ran n times as kind.
type ranWant struct {
	name, kind string
	n          int
}

func checkRanAs(t *testing.T, v workflow.Version, ran map[string]map[string]int, want []ranWant) {
	t.Helper()
	for _, e := range want {
		other := map[string]string{"regular": "local", "local": "regular"}[e.kind]
		if ran[e.kind][e.name] != e.n || ran[other][e.name] != 0 {
			t.Errorf("v%d: %s ran %d× as %s and %d× as %s, want %d× as %s", v, e.name,
				ran[e.kind][e.name], e.kind, ran[other][e.name], other, e.n, e.kind)
		}
	}
}

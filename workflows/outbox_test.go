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
	type kinds struct{ record, notify, staff string }
	for _, c := range []struct {
		v    workflow.Version
		want kinds
	}{
		{workflow.DefaultVersion, kinds{"regular", "regular", "regular"}},
		{fbLocalWrites, kinds{"local", "local", "local"}},
		{fbDurableNotices, kinds{"local", "regular", "regular"}},
	} {
		t.Run(fmt.Sprintf("v%d", c.v), func(t *testing.T) {
			start := time.Date(2026, 4, 29, 15, 0, 0, 0, vn) // as TestFeedbackAcceptDeadlineEscalates
			h := newFB(t, start)
			h.env.OnGetVersion(fbLocalWritesChange, workflow.DefaultVersion, fbDurableNotices).Return(c.v)
			ran := ranAs(h.env)
			acceptDue := time.Date(2026, 5, 4, 15, 0, 0, 0, vn)
			h.at(acceptDue.Sub(start)+time.Hour, FBActAccept, FeedbackAction{Actor: officer})
			h.at(acceptDue.Sub(start)+2*time.Hour, FBActWithdraw, FeedbackAction{Actor: citizen})
			h.run(input(false))
			h.wantOK()
			// submitted, routed, accept_overdue, accepted, withdrawn: five
			// events; the citizen hears of routed, accepted and withdrawn;
			// the agency's staff of the missed acceptance.
			checkRanAs(t, c.v, ran, []ranWant{{"RecordFeedback", c.want.record, 5}, {"Notify", c.want.notify, 3},
				{"NotifyAgencyStaff", c.want.staff, 1}})
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

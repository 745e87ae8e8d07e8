package workflows

import (
	"path/filepath"
	"sort"
	"testing"

	"github.com/caobang/congdanso/workflows/replaytrace"
)

// Every transition a case can take must be replayed from a recorded history,
// deadlines fired by timers included: a transition that no history contains
// could change its commands without any replay test noticing.
//
// The tables are written by hand from the state machine (the feedback
// process of the category SLA, the ten national statuses of an application):
// one entry per event the workflow writes to the timeline, "action" or
// "action@from" when the same action leaves from states that take different
// code paths, "update:action" or "signal:name" when two messages write the
// same event. They are not read from the workflow code; only the check that
// no new action is missing from them is.
var feedbackTransitionsReplayed = []string{
	"submit", "route",
	"accept", "assign", "start", "request_info", "reply_info",
	"draft_answer", "return_draft", "approve_answer", "publish",
	"transfer", "not_ours", "reject", "mark_duplicate", "withdraw",
	"rate", "close@rated", "close@published", "auto_close",
	// issue 21: staff close a case waiting for the citizen; a complaint or a
	// 1–2 star rating reopens it to the approving leader; the answer clock
	// starting at acceptance
	"close_unanswered", "complain", "reopen", "assign@reopened", "accept@routed",
	// fired by timers
	"accept_overdue", "reminder", "overdue",
	"info_reminder", "info_expired",
}

var applicationTransitionsReplayed = []string{
	"submit", "accept", "refuse", "forward", "approve", "return",
	"issue_result", "return_result",
	"request_supplement", "supplement",
	"request_fee", "fee_paid", "update:mark_paid", "signal:" + SignalFeePaid, // paid at the desk, or by BillPayment
	"transfer", "draft_apology", "approve_apology", "reject_apology",
	"stop", "withdraw", "rate",
	"complete_transfer", // liên thông as a hand-off (application-interagency-handoff)
	// fired by timers
	"step_overdue", "overdue", "supplement_expired",
	"step_reminder", "reminder", // 75 % of the step and of the dossier (application-reminders)
}

// replayedTransitions replays every history matching glob and returns the
// events they write and the updates and signals they handle.
func replayedTransitions(t *testing.T, glob, name string, wf any) map[string]bool {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("testdata", glob))
	if err != nil || len(files) == 0 {
		t.Fatalf("no histories %s: %v", glob, err)
	}
	actionOf := func(a any) (string, bool) {
		x, ok := a.(ApplicationAction)
		return x.Action, ok
	}
	var tr replaytrace.Trace
	for _, f := range files {
		if err := tr.ReplayFile(f, name, wf, actionOf); err != nil {
			t.Fatalf("replay %s: %v", f, err)
		}
	}
	seen := map[string]bool{}
	for _, e := range tr.Events {
		seen[e.Action], seen[e.Action+"@"+e.From] = true, true
	}
	for _, u := range tr.Updates {
		seen["update:"+u] = true
	}
	for _, s := range tr.Signals {
		seen["signal:"+s] = true
	}
	return seen
}

func checkCovered(t *testing.T, want []string, seen map[string]bool) {
	t.Helper()
	var missing []string
	for _, tr := range want {
		if !seen[tr] {
			missing = append(missing, tr)
		}
	}
	if len(missing) > 0 {
		t.Errorf("transitions in no recorded history: %v (record one from a real run; never edit an old one)", missing)
	}
}

func TestReplayCoversEveryFeedbackTransition(t *testing.T) {
	want := map[string]bool{}
	for _, tr := range feedbackTransitionsReplayed {
		want[tr] = true
	}
	// A new staff or citizen action must be added to the table above.
	var unlisted []string
	for a := range feedbackTransitions {
		if !want[a] && !want[a+"@"+FBRated] && !want[a+"@"+FBPublished] {
			unlisted = append(unlisted, a)
		}
	}
	sort.Strings(unlisted)
	if len(unlisted) > 0 {
		t.Errorf("actions missing from feedbackTransitionsReplayed: %v", unlisted)
	}
	checkCovered(t, feedbackTransitionsReplayed, replayedTransitions(t, "feedback_*.json", FeedbackWorkflowName, FeedbackCase))
	// The newest version (feedback-local-writes v2: the notices from the
	// durable history) schedules activities where v1 wrote markers: its
	// histories alone must cover every transition too.
	checkCovered(t, feedbackTransitionsReplayed, replayedTransitions(t, "feedback_*_durable_notices.json", FeedbackWorkflowName, FeedbackCase))
	// v3 (the notices in the Updates' answers, the held ones by local
	// activity in the next task) holds where v2 scheduled: its histories
	// alone must cover every transition too.
	checkCovered(t, feedbackTransitionsReplayed, replayedTransitions(t, "feedback_*_answer_notices.json", FeedbackWorkflowName, FeedbackCase))
	// v4 (one version marker; the intake planned and written in two local
	// activities) too.
	checkCovered(t, feedbackTransitionsReplayed, replayedTransitions(t, "feedback_*_intake_plan.json", FeedbackWorkflowName, FeedbackCase))
	// v5 (the deadline timer kept across steps, cancelled when it moves).
	checkCovered(t, feedbackTransitionsReplayed, replayedTransitions(t, "feedback_*_keep_timer.json", FeedbackWorkflowName, FeedbackCase))
}

func TestReplayCoversEveryApplicationTransition(t *testing.T) {
	checkCovered(t, applicationTransitionsReplayed, replayedTransitions(t, "application_*.json", ApplicationWorkflowName, ServiceApplication))
	// The newest versions take different commands at every step
	// (application-interagency-handoff v2: one plan per step;
	// application-local-writes v2: the notices from the durable history):
	// each one's histories alone must cover every transition too.
	checkCovered(t, applicationTransitionsReplayed, replayedTransitions(t, "application_*_step_plans.json", ApplicationWorkflowName, ServiceApplication))
	checkCovered(t, applicationTransitionsReplayed, replayedTransitions(t, "application_*_durable_notices.json", ApplicationWorkflowName, ServiceApplication))
	// application-local-writes v3: the notices in the Updates' answers.
	checkCovered(t, applicationTransitionsReplayed, replayedTransitions(t, "application_*_answer_notices.json", ApplicationWorkflowName, ServiceApplication))
	// application-local-writes v4: one version marker, the older change ids
	// implied.
	checkCovered(t, applicationTransitionsReplayed, replayedTransitions(t, "application_*_one_version.json", ApplicationWorkflowName, ServiceApplication))
	// application-local-writes v5: the deadline timer kept across steps.
	checkCovered(t, applicationTransitionsReplayed, replayedTransitions(t, "application_*_keep_timer.json", ApplicationWorkflowName, ServiceApplication))
	// application-local-writes v6: a step's plan and the paused clock in the
	// record's local activity.
	checkCovered(t, applicationTransitionsReplayed, replayedTransitions(t, "application_*_step_records.json", ApplicationWorkflowName, ServiceApplication))
}

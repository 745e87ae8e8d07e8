package workflows

import (
	"fmt"
	"testing"
	"time"

	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"
)

// TestFeedbackKeepsItsDeadlineTimer counts the timers a case starts and
// cancels on the bench's path (accept, assign, start, draft, approve, then
// the auto-close). Worked out by hand from the deadlines:
//   - route: the accept deadline's timer starts;
//   - accept: the next deadline becomes the 75 % reminder: cancel, start;
//   - assign, start, draft_answer: the reminder stands;
//   - approve (publish): the next deadline becomes the auto-close: cancel,
//     start; that timer fires and closes the case.
//
// So from fbKeepTimer on 3 timers start and 2 are cancelled, and none is
// left when the case closes. Before it every
// step started another timer and left the one running to fire for nothing
// at its deadline: 6 and 0. Two of them fire (the accept deadline, Tuesday
// 08:00, and the auto-close); the four the steps from accept on started
// for the reminder are left pending when the case closes (the reminder, 90
// working hours on, falls after the auto-close seven days after the answer). (workflow.AwaitWithTimeout cancels its timer
// only under the SDK flag SDKFlagCancelAwaitTimerOnCondition, off by
// default in sdk v1.50; the recorded v4 histories have no TimerCanceled.)
func TestFeedbackKeepsItsDeadlineTimer(t *testing.T) {
	for _, c := range []struct {
		v                        workflow.Version
		started, cancelled, left int
	}{
		{fbIntakePlan, 6, 0, 4},
		{fbKeepTimer, 3, 2, 0},
	} {
		t.Run(fmt.Sprintf("v%d", c.v), func(t *testing.T) {
			start := time.Date(2026, 3, 2, 8, 0, 0, 0, vn) // Monday
			h := newFB(t, start)
			h.env.OnGetVersion(fbLocalWritesChange, workflow.DefaultVersion, fbKeepTimer).Return(c.v)
			tm := watchTimers(h.env)
			h.at(1*time.Hour, FBActAccept, FeedbackAction{Actor: officer})
			h.at(2*time.Hour, FBActAssign, assignSXD)
			h.at(3*time.Hour, FBActStart, FeedbackAction{Actor: officer})
			h.at(4*time.Hour, FBActDraftAnswer, FeedbackAction{Actor: officer, Answer: "Sẽ vá trong tuần"})
			h.at(5*time.Hour, FBActApproveAnswer, FeedbackAction{Actor: leader})
			h.run(input(false))
			h.wantOK()
			if got, want := h.statuses(), "submitted,routed,accepted,assigned,in_progress,answer_drafted,answer_approved,published,closed"; got != want {
				t.Fatalf("statuses\n got %s\nwant %s", got, want)
			}
			if tm.started != c.started || tm.cancelled != c.cancelled || tm.left() != c.left {
				t.Errorf("timers started %d, cancelled %d, left pending %d; want %d, %d and %d",
					tm.started, tm.cancelled, tm.left(), c.started, c.cancelled, c.left)
			}
		})
	}
}

// timerWatch counts a test workflow's timers.
type timerWatch struct{ started, cancelled, fired int }

// left is how many timers are still pending.
func (w *timerWatch) left() int { return w.started - w.cancelled - w.fired }

func watchTimers(env *testsuite.TestWorkflowEnvironment) *timerWatch {
	w := &timerWatch{}
	env.SetOnTimerScheduledListener(func(string, time.Duration) { w.started++ })
	env.SetOnTimerCanceledListener(func(string) { w.cancelled++ })
	env.SetOnTimerFiredListener(func(string) { w.fired++ })
	return w
}

// TestApplicationKeepsOneDeadlineTimer: from appKeepTimer a step that moves
// a dossier's next deadline cancels the timer it replaces, so at most the
// one timer of the last wait is left when the dossier closes. Before it,
// each step left its timer pending to fire for nothing later: several are
// left, none cancelled.
func TestApplicationKeepsOneDeadlineTimer(t *testing.T) {
	for _, c := range []struct {
		v   workflow.Version
		one bool
	}{
		{appOneVersion, false},
		{appKeepTimer, true},
		{appStepRecords, true},
	} {
		t.Run(fmt.Sprintf("v%d", c.v), func(t *testing.T) {
			start := appAt(2026, 3, 2, 8, 0) // Monday
			h := newAppHarness(t, start)
			h.env.OnGetVersion(appLocalWritesChange, workflow.DefaultVersion, appStepRecords).Return(c.v)
			tm := watchTimers(h.env)
			h.do(start.Add(time.Hour), "accept", ApplicationAction{Action: ActAccept, Actor: appOfficer})
			h.do(start.Add(3*time.Hour), "forward", ApplicationAction{Action: ActForward, Actor: appOfficer})
			h.do(start.Add(5*time.Hour), "approve", ApplicationAction{Action: ActApprove, Actor: appLeader})
			h.do(start.Add(6*time.Hour), "issue", ApplicationAction{Action: ActIssueResult, Actor: appOfficer, DocumentIDs: []string{"r1"}})
			h.do(start.Add(24*time.Hour), "return", ApplicationAction{Action: ActReturnResult, Actor: appOfficer, Method: "in_person"})
			h.do(start.Add(26*time.Hour), "rate", ApplicationAction{Action: ActRate, Actor: appCitizen, Score: 5})
			h.run()
			h.ok("accept", "forward", "approve", "issue", "return", "rate")
			if c.one && (tm.left() > 1 || tm.cancelled == 0) {
				t.Errorf("%d timers left pending (%d started, %d cancelled, %d fired); want at most one", tm.left(), tm.started, tm.cancelled, tm.fired)
			}
			if !c.one && (tm.left() < 2 || tm.cancelled != 0) {
				t.Errorf("before appKeepTimer: %d left pending, %d cancelled; want several left, none cancelled", tm.left(), tm.cancelled)
			}
		})
	}
}

package workflows

import (
	"errors"
	"testing"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"

	cds "github.com/caobang/congdanso"
)

// Two staff actions sent in the same instant, where the first waits on an
// activity before it changes the state and the second does not fit the state
// the first leaves: exactly one wins and the other is refused when it
// validates again under the case's mutex (handlers.go). Without the mutex the
// second ran in the first's gap and both wrote to the timeline.

// fbPair is one update sent together with others by fbHarness.together.
type fbPair struct {
	name string
	a    FeedbackAction
}

// together sends every update in one callback, d after the start, in order.
// It returns the count of updates the validator rejected (the others were
// accepted, and refused, if at all, by the handler).
func (h *fbHarness) together(d time.Duration, ups ...fbPair) *int {
	rejected := new(int)
	h.env.RegisterDelayedCallback(func() {
		for _, u := range ups {
			h.env.UpdateWorkflow(u.name, "", &testsuite.TestUpdateCallback{
				OnAccept: func() {},
				OnReject: func(err error) {
					*rejected++
					h.results = append(h.results, fbResult{name: u.name, err: err})
				},
				OnComplete: func(_ any, err error) { h.results = append(h.results, fbResult{name: u.name, err: err}) },
			}, u.a)
		}
	}, d)
	return rejected
}

func errCode(err error) string {
	var ae *temporal.ApplicationError
	if errors.As(err, &ae) {
		return ae.Type()
	}
	return ""
}

func (h *fbHarness) actions() []string {
	var out []string
	for _, e := range h.events {
		out = append(out, e.Action)
	}
	return out
}

func TestFeedbackConcurrentActionsOneWins(t *testing.T) {
	toSNNMT := FeedbackAction{Actor: coord, AgencyCode: "SNNMT", Note: "Chuyển Sở NN&MT"}
	for _, tc := range []struct {
		name   string
		second fbPair
		code   string // the refusal of the second
	}{
		// assign is allowed while accepted, not once the transfer routed the case.
		{"transfer_and_assign", fbPair{FBActAssign, assignSXD}, cds.ECONFLICT},
		// a staff retry of the same transfer: the case is already there.
		{"transfer_retried", fbPair{FBActTransfer, toSNNMT}, cds.EINVALID},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newFB(t, time.Date(2026, 3, 2, 8, 0, 0, 0, vn))
			h.at(time.Minute, FBActAccept, FeedbackAction{Actor: officer})
			// transfer first: it computes the new accept deadline (a local
			// activity) before it changes the state.
			rejected := h.together(2*time.Minute, fbPair{FBActTransfer, toSNNMT}, tc.second)
			h.at(10*time.Minute, FBActReject, FeedbackAction{Actor: leader, Note: "Không thuộc phạm vi"})
			v := h.run(input(false))
			// hand-written: the one timeline the case may have.
			if got := h.actions(); !equalStrings(got, []string{"submit", "route", FBActAccept, FBActTransfer, FBActReject}) {
				t.Fatalf("timeline %v", got)
			}
			if len(h.results) != 4 {
				t.Fatalf("results %+v", h.results)
			}
			var wins, refused int
			for _, r := range h.results[1:3] {
				switch {
				case r.err == nil:
					wins++
				case errCode(r.err) == tc.code:
					refused++
				default:
					t.Errorf("%s: want %s, got %v", r.name, tc.code, r.err)
				}
			}
			if wins != 1 || refused != 1 {
				t.Fatalf("wins %d refused %d: %+v", wins, refused, h.results)
			}
			// Both fit the state when they arrived: the refusal came when the
			// second validated again under the mutex.
			if *rejected != 0 {
				t.Fatalf("%d refused by the validator, want the handler's revalidation", *rejected)
			}
			if h.results[0].err != nil || h.results[3].err != nil {
				t.Fatalf("accept/reject: %+v", h.results)
			}
			if v.Status != FBRejected || v.AgencyCode != "SNNMT" || v.AssigneeID != 0 {
				t.Fatalf("view %+v", v)
			}
		})
	}
}

func TestApplicationConcurrentActionsOneWins(t *testing.T) {
	for _, tc := range []struct {
		name   string
		second ApplicationAction
	}{
		// refuse fits a dossier being received, not one accepted.
		{"accept_and_refuse", ApplicationAction{Action: ActRefuse, Actor: appOfficer, Reason: "Thiếu giấy tờ"}},
		// a staff retry of the same acceptance.
		{"accept_retried", ApplicationAction{Action: ActAccept, Actor: appOfficer}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			start := appAt(2026, 3, 2, 8, 0)
			h := newAppHarness(t, start)
			rejected := 0
			h.env.RegisterDelayedCallback(func() {
				// accept first: it looks up the procedure and computes the
				// appointment (activities) before it changes the state.
				for _, u := range []struct {
					id string
					a  ApplicationAction
				}{{"first", ApplicationAction{Action: ActAccept, Actor: appOfficer}}, {"second", tc.second}} {
					h.env.UpdateWorkflow(UpdateApplicationAction, u.id, &testsuite.TestUpdateCallback{
						OnAccept:   func() {},
						OnReject:   func(err error) { rejected++; h.results[u.id] = err },
						OnComplete: func(_ any, err error) { h.results[u.id] = err },
					}, u.a)
				}
			}, time.Hour)
			h.do(start.Add(2*time.Hour), "stop", ApplicationAction{Action: ActStop, Actor: appLeader, Reason: "Dừng thử"})
			v := h.run()
			h.ok("first", "stop")
			h.fails("second", cds.ECONFLICT)
			if rejected != 0 { // both fit the dossier being received
				t.Fatalf("%d refused by the validator, want the handler's revalidation", rejected)
			}
			if got := h.actions(); !equalStrings(got, []string{"submit", ActAccept, ActStop}) {
				t.Fatalf("timeline %v", got)
			}
			appEqStatuses(t, h.statuses(), cds.AppReceiving, cds.AppNew, cds.AppUnresolved)
			h.checkTasks()
			if v.Status != cds.AppUnresolved {
				t.Fatalf("view %+v", v)
			}
		})
	}
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

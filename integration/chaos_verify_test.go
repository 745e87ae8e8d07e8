package integration

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"

	"github.com/caobang/congdanso/workflows"
	"github.com/caobang/congdanso/workflows/replaytrace"
)

// chaosJob is one submission of the crash test and the staff flow it runs.
type chaosJob struct {
	kind  string // feedback | application
	i     int
	key   string
	title string
	// feedback: 0 untouched, 1 accepted, 2 answered and published;
	// application: 0 accepted, 1 resolved and returned (done).
	flow      int
	code      string
	appID     int64
	epoch     int64 // kills before the 201
	stuck     bool
	actionErr error
}

// chaosOutcome is the end of a flow, written by hand from the
// process: the final status, whether the overdue timer must have fired, and
// the notifications the citizen gets (one per public transition).
type chaosOutcome struct {
	status  string
	overdue bool
	notices []string
}

// chaosExpect is the outcome of each flow. A published report closes by
// itself 168 h (scaled: 168 s) after publication, and the test waits for
// that (chaosPending) before it compares anything, so each flow has one end.
var chaosExpect = map[string]map[int]chaosOutcome{
	"feedback": {
		0: {"routed", true, []string{"feedback.routed"}},
		1: {"accepted", true, []string{"feedback.routed", "feedback.accepted"}},
		2: {"closed", false, []string{"feedback.routed", "feedback.accepted", "feedback.published", "feedback.closed"}},
	},
	"application": {
		0: {"new", true, []string{"application.accepted"}},
		1: {"done", false, []string{"application.accepted", "application.resolved"}},
	},
}

// pgCount runs a count query; an error fails the test (it never reads as zero).
func pgCount(t *testing.T, conn *pgxpool.Pool, q string, args ...any) int {
	t.Helper()
	var n int
	if err := conn.QueryRow(context.Background(), q, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

// chaosPending counts the cases whose timer must still fire: the overdue
// timers, and the auto-close of each published report. Until it is zero,
// cases move by themselves and write events and notifications.
func chaosPending(t *testing.T, conn *pgxpool.Pool, jobs []*chaosJob) int {
	var due, closing []string
	for _, j := range jobs {
		if j.code == "" {
			continue
		}
		want := chaosExpect[j.kind][j.flow]
		if want.overdue {
			due = append(due, j.code)
		}
		if want.status == "closed" {
			closing = append(closing, j.code)
		}
	}
	return pgCount(t, conn, `SELECT count(*) FROM cases WHERE (code = ANY($1) AND NOT overdue) OR (code = ANY($2) AND status <> 'closed')`, due, closing)
}

// chaosNoticesShort is how many citizen notices the answered cases' flows
// still lack in total. The notices go out after the step that caused them
// (workflows/outbox.go), and one whose activity was on a killed worker waits
// for its retry: quiescence waits for them (checkFinalStates then compares
// them case by case).
func chaosNoticesShort(t *testing.T, conn *pgxpool.Pool, jobs []*chaosJob) int {
	var codes []string
	want := 0
	for _, j := range jobs {
		if j.code != "" {
			codes = append(codes, j.code)
			want += len(chaosExpect[j.kind][j.flow].notices)
		}
	}
	got := pgCount(t, conn, `SELECT count(*) FROM notifications n JOIN cases c ON c.code = n.payload->>'code'
		WHERE n.user_id = c.citizen_id AND c.code = ANY($1)`, codes)
	return max(want-got, 0)
}

// checkFinalStates compares every answered case with its flow's expectation:
// status, overdue, the published answer, and the citizen's notifications.
func checkFinalStates(t *testing.T, conn *pgxpool.Pool, jobs []*chaosJob) (wrong int) {
	t.Helper()
	ctx := context.Background()
	type st struct {
		status   string
		overdue  bool
		answered bool
		notices  []string
	}
	got := map[string]*st{}
	rows, err := conn.Query(ctx, `SELECT c.code, c.status, c.overdue, COALESCE(r.answer <> '' AND r.published_at IS NOT NULL, false)
		FROM cases c LEFT JOIN feedback_reports r ON r.workflow_id = c.workflow_id`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var code string
		s := &st{}
		if err := rows.Scan(&code, &s.status, &s.overdue, &s.answered); err != nil {
			t.Fatal(err)
		}
		got[code] = s
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	rows, err = conn.Query(ctx, `SELECT n.payload->>'code', n.kind FROM notifications n JOIN cases c ON c.code = n.payload->>'code'
		WHERE n.user_id = c.citizen_id ORDER BY n.id`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var code, kind string
		if err := rows.Scan(&code, &kind); err != nil {
			t.Fatal(err)
		}
		if s := got[code]; s != nil {
			s.notices = append(s.notices, kind)
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	var bad []string
	for _, j := range jobs {
		if j.code == "" {
			continue
		}
		s := got[j.code]
		if s == nil {
			bad = append(bad, j.code+": no case row")
			continue
		}
		n := append([]string(nil), s.notices...)
		sort.Strings(n)
		want := chaosExpect[j.kind][j.flow]
		w := append([]string(nil), want.notices...)
		sort.Strings(w)
		why := ""
		switch {
		case s.status != want.status:
			why = "status " + s.status + ", want " + want.status
		case want.overdue && !s.overdue:
			why = "overdue never fired"
		case j.kind == "feedback" && j.flow == 2 && !s.answered:
			why = "no published answer"
		case strings.Join(n, ",") != strings.Join(w, ","):
			why = fmt.Sprintf("citizen notifications %v, want %v", s.notices, want.notices)
		}
		if why != "" {
			bad = append(bad, fmt.Sprintf("%s (%s flow %d): %s", j.code, j.kind, j.flow, why))
		}
	}
	if len(bad) > 0 {
		sort.Strings(bad)
		t.Errorf("%d cases did not end where their flow leads: %v", len(bad), head(bad, 10))
	}
	return len(bad)
}

// caseRef names one case for the per-case checks below.
type caseRef struct{ wf, kind string }

// allCases lists every case in the read model.
func allCases(t *testing.T, conn *pgxpool.Pool) []caseRef {
	t.Helper()
	rows, err := conn.Query(context.Background(), `SELECT workflow_id, kind FROM cases ORDER BY workflow_id`)
	if err != nil {
		t.Fatal(err)
	}
	list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (caseRef, error) {
		var x caseRef
		return x, r.Scan(&x.wf, &x.kind)
	})
	if err != nil {
		t.Fatal(err)
	}
	return list
}

// recheck runs diff on every case, eight at a time. A timer may fire between
// diff's two reads (a published report closes itself), and the workflow then
// runs ahead of what its activity has written for a moment; so a case that
// differs is read again, and only it, up to tries times a second apart. What
// still differs after that is returned: a projection that never catches up
// fails.
func recheck(cases []caseRef, tries int, diff func(caseRef) string) []string {
	var bad []string
	pending := cases
	for try := 0; try < tries && len(pending) > 0; try++ {
		if try > 0 {
			time.Sleep(time.Second)
		}
		bad = bad[:0]
		var again []caseRef
		var mu sync.Mutex
		var wg sync.WaitGroup
		sem := make(chan struct{}, 8)
		for _, c := range pending {
			wg.Add(1)
			sem <- struct{}{}
			go func() {
				defer wg.Done()
				defer func() { <-sem }()
				if got := diff(c); got != "" {
					mu.Lock()
					bad = append(bad, c.wf+": "+got)
					again = append(again, c)
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		pending = again
	}
	sort.Strings(bad)
	return bad
}

// compareEventsWithHistory replays every case's workflow history and compares
// the timeline events the workflow wrote (seq, action) with case_events: a
// duplicated, missing or extra row fails.
func compareEventsWithHistory(t *testing.T, tc client.Client, conn *pgxpool.Pool) (bad int) {
	t.Helper()
	list := allCases(t, conn)
	diffs := recheck(list, 10, func(c caseRef) string { return eventsDiff(tc, conn, c) })
	if len(diffs) == 0 {
		report(t, "chaos: case_events equal the events of all %d workflow histories (replayed)", len(list))
		return 0
	}
	t.Errorf("%d cases: timeline differs from the workflow history: %v", len(diffs), head(diffs, 10))
	return len(diffs)
}

// eventsDiff reads one case's events, then replays its workflow history, and
// describes any difference ("" when they agree).
func eventsDiff(tc client.Client, conn *pgxpool.Pool, c caseRef) string {
	ctx := context.Background()
	var events string
	if err := conn.QueryRow(ctx, `SELECT COALESCE(string_agg(seq || ':' || action, ',' ORDER BY seq), '') FROM case_events WHERE workflow_id = $1`, c.wf).
		Scan(&events); err != nil {
		return "case_events: " + err.Error()
	}
	var h historypb.History
	it := tc.GetWorkflowHistory(ctx, c.wf, "", false, 0)
	for it.HasNext() {
		ev, err := it.Next()
		if err != nil {
			return "history: " + err.Error()
		}
		h.Events = append(h.Events, ev)
	}
	var tr replaytrace.Trace
	var err error
	if c.kind == "feedback" {
		err = tr.Replay(&h, workflows.FeedbackWorkflowName, workflows.FeedbackCase, nil)
	} else {
		err = tr.Replay(&h, workflows.ApplicationWorkflowName, workflows.ServiceApplication, func(a any) (string, bool) {
			x, ok := a.(workflows.ApplicationAction)
			return x.Action, ok
		})
	}
	if err != nil {
		return "replay: " + err.Error()
	}
	var want []string
	for _, e := range tr.Events {
		want = append(want, fmt.Sprintf("%d:%s", e.Seq, e.Action))
	}
	if strings.Join(want, ",") != events {
		return fmt.Sprintf("history wrote %s, case_events has %s", strings.Join(want, ","), events)
	}
	return ""
}

// compareReadModel queries every case's workflow and compares status,
// agency, overdue (and the event sequence for feedback) with the `cases`
// row, re-reading the cases that differ (see recheck).
func compareReadModel(t *testing.T, tc client.Client, conn *pgxpool.Pool, tries int) int {
	t.Helper()
	list := allCases(t, conn)
	bad := recheck(list, tries, func(c caseRef) string { return readModelDiff(context.Background(), tc, conn, c.wf, c.kind) })
	if len(bad) == 0 {
		report(t, "chaos: read model equals the queried state of all %d workflows", len(list))
		return 0
	}
	t.Errorf("%d cases differ from their workflow after %d reads: %v", len(bad), tries, head(bad, 10))
	return len(bad)
}

// failedWorkflows fails the test for every workflow that ended failed,
// timed out or terminated: an outage or a crash may delay a case, never end
// it. (A plan that gave up while PostgreSQL restarted once failed the whole
// case, and the citizen's retry then met a finished workflow.)
func failedWorkflows(t *testing.T, tc client.Client) int {
	t.Helper()
	var bad []string
	req := &workflowservice.ListWorkflowExecutionsRequest{
		Query: "ExecutionStatus = 'Failed' OR ExecutionStatus = 'TimedOut' OR ExecutionStatus = 'Terminated'"}
	for {
		resp, err := tc.ListWorkflow(context.Background(), req)
		if err != nil {
			t.Fatalf("list failed workflows: %v", err)
		}
		for _, e := range resp.Executions {
			bad = append(bad, fmt.Sprintf("%s (%s)", e.Execution.WorkflowId, e.Status))
		}
		if len(resp.NextPageToken) == 0 {
			break
		}
		req.NextPageToken = resp.NextPageToken
	}
	if len(bad) > 0 {
		t.Errorf("%d workflows ended without finishing: %v", len(bad), head(bad, 10))
	}
	return len(bad)
}

// readModelDiff reads one case's row, then queries its workflow, and
// describes any difference ("" when they agree).
func readModelDiff(ctx context.Context, tc client.Client, conn *pgxpool.Pool, wf, kind string) string {
	var status, agency string
	var overdue bool
	var seq int
	if err := conn.QueryRow(ctx, `SELECT status, COALESCE(agency_code, ''), overdue, last_seq FROM cases WHERE workflow_id = $1`, wf).
		Scan(&status, &agency, &overdue, &seq); err != nil {
		return "read model: " + err.Error()
	}
	if kind == "feedback" {
		var v workflows.FeedbackView
		val, err := tc.QueryWorkflow(ctx, wf, "", workflows.FeedbackQueryState)
		if err == nil {
			err = val.Get(&v)
		}
		if err != nil {
			return "query: " + err.Error()
		}
		if v.Status != status || v.AgencyCode != agency || v.Overdue != overdue || v.Seq != seq {
			return fmt.Sprintf("workflow %s/%s/overdue=%v/seq=%d, read model %s/%s/overdue=%v/seq=%d", v.Status, v.AgencyCode, v.Overdue, v.Seq, status, agency, overdue, seq)
		}
		return ""
	}
	var v workflows.ApplicationView
	val, err := tc.QueryWorkflow(ctx, wf, "", workflows.QueryApplication)
	if err == nil {
		err = val.Get(&v)
	}
	if err != nil {
		return "query: " + err.Error()
	}
	if string(v.Status) != status || v.AgencyCode != agency || v.Overdue != overdue {
		return fmt.Sprintf("workflow %s/%s/overdue=%v, read model %s/%s/overdue=%v", v.Status, v.AgencyCode, v.Overdue, status, agency, overdue)
	}
	return ""
}

func head(s []string, n int) []string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

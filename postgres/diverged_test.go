package postgres

import (
	"context"
	"strings"
	"testing"
	"time"

	cds "github.com/caobang/congdanso"
)

// TestRecordApplicationAfterAbandonedTask replays, on the real database, the
// writes the crash test saw: a workflow task wrote "approve" at seq 4 (it
// closes the leader's task and opens result#4) and the process died before
// the task completed; after the restart the step deadline fired first
// (step_overdue at 4) and the retried approve came at 5 (opening result#5).
// The timeline must be what the workflow's history says, with one open task.
func TestRecordApplicationAfterAbandonedTask(t *testing.T) {
	ctx := context.Background()
	db := freshDB(t)
	wf, code := "application/DIV-1", "DIV-1"
	at := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	leader := cds.Actor{UserID: 7, Name: "Chủ tịch"}
	rec := func(seq int, action string, from, to cds.AppStatus, actor cds.Actor, close []string, open ...string) {
		t.Helper()
		r := ApplicationRecord{WorkflowID: wf, Code: code, Seq: seq, At: at.Add(time.Duration(seq) * time.Minute), Actor: actor,
			Action: action, FromStatus: from, ToStatus: to, CloseTasks: close,
			Case: ApplicationSnapshot{Title: "Khai sinh", Field: "Hộ tịch", AgencyCode: "P-THUCPHAN", Status: to, Channel: "online",
				ReceivedAt: at, ProcedureCode: "HT-KS", SubmittedVersion: 1}}
		for _, k := range open {
			r.OpenTasks = append(r.OpenTasks, ApplicationTask{StepKey: k, Action: "forward", AgencyCode: "P-THUCPHAN", Role: "officer"})
		}
		if _, err := db.RecordApplication(ctx, r); err != nil {
			t.Fatalf("seq %d %s: %v", seq, action, err)
		}
	}
	rec(1, "submit", "", cds.AppReceiving, cds.Actor{}, nil, "reception#1")
	rec(2, "accept", cds.AppReceiving, cds.AppNew, cds.Actor{UserID: 5}, []string{"reception#1"}, "specialist#2")
	rec(3, "forward", cds.AppNew, cds.AppProcessing, cds.Actor{UserID: 5}, []string{"specialist#2"}, "leader#3")
	rec(4, "approve", cds.AppProcessing, cds.AppProcessing, leader, []string{"leader#3"}, "result#4") // the abandoned task
	// After the restart: the history's events.
	rec(4, "step_overdue", cds.AppProcessing, cds.AppProcessing, cds.Actor{}, nil)
	rec(5, "approve", cds.AppProcessing, cds.AppProcessing, leader, []string{"leader#3"}, "result#5")

	var timeline, open string
	if err := db.Pool.QueryRow(ctx, `SELECT string_agg(seq || ':' || action, ',' ORDER BY seq) FROM case_events WHERE workflow_id = $1`, wf).Scan(&timeline); err != nil {
		t.Fatal(err)
	}
	if err := db.Pool.QueryRow(ctx, `SELECT COALESCE(string_agg(step_key, ',' ORDER BY step_key), '') FROM tasks WHERE workflow_id = $1 AND status = 'open'`, wf).Scan(&open); err != nil {
		t.Fatal(err)
	}
	if want := "1:submit,2:accept,3:forward,4:step_overdue,5:approve"; timeline != want {
		t.Errorf("timeline %s, want %s", timeline, want)
	}
	if open != "result#5" {
		t.Errorf("open tasks %q, want only result#5", open)
	}
	var lastSeq int
	if err := db.Pool.QueryRow(ctx, `SELECT last_seq FROM cases WHERE workflow_id = $1`, wf).Scan(&lastSeq); err != nil || lastSeq != 5 {
		t.Errorf("last_seq %d (%v), want 5", lastSeq, err)
	}
	// A plain retry of the same write changes nothing.
	rec(5, "approve", cds.AppProcessing, cds.AppProcessing, leader, []string{"leader#3"}, "result#5")
	if err := db.Pool.QueryRow(ctx, `SELECT string_agg(seq || ':' || action, ',' ORDER BY seq) FROM case_events WHERE workflow_id = $1`, wf).Scan(&timeline); err != nil || !strings.HasSuffix(timeline, "4:step_overdue,5:approve") {
		t.Errorf("after a retry: %s (%v)", timeline, err)
	}
}

// TestRecordApplicationConcurrentTries: the API and the workflow write a
// dossier's first event at the same time, and a retried step runs while its
// first try is still going. Every try must answer the dossier's id without
// an error, and the event, the snapshot and the task be there once.
func TestRecordApplicationConcurrentTries(t *testing.T) {
	ctx := context.Background()
	db := freshDB(t)
	wf, code := "application/CON-1", "CON-1"
	at := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	rec := func(seq int, action string, from, to cds.AppStatus, close []string, open string) ApplicationRecord {
		return ApplicationRecord{WorkflowID: wf, Code: code, Seq: seq, At: at.Add(time.Duration(seq) * time.Minute), Actor: cds.Actor{UserID: 5},
			Action: action, FromStatus: from, ToStatus: to, CloseTasks: close, Forms: map[string]any{action: seq},
			OpenTasks: []ApplicationTask{{StepKey: open, Action: "forward", AgencyCode: "P-THUCPHAN", Role: "officer"}},
			Case: ApplicationSnapshot{Title: "Khai sinh", Field: "Hộ tịch", AgencyCode: "P-THUCPHAN", Status: to, Channel: "online",
				ReceivedAt: at, ProcedureCode: "HT-KS", SubmittedVersion: 1}}
	}
	for _, r := range []ApplicationRecord{
		rec(1, "submit", "", cds.AppReceiving, nil, "reception#1"),
		rec(2, "accept", cds.AppReceiving, cds.AppNew, []string{"reception#1"}, "specialist#2"),
	} {
		ids := make(chan int64, 4)
		errs := make(chan error, 4)
		for range 4 {
			go func() {
				id, err := db.RecordApplication(ctx, r)
				ids <- id
				errs <- err
			}()
		}
		var first int64
		for i := range 4 {
			id, err := <-ids, <-errs
			if err != nil {
				t.Fatalf("seq %d, try %d: %v", r.Seq, i, err)
			}
			if id == 0 || (first != 0 && id != first) {
				t.Fatalf("seq %d: tries answered ids %d and %d", r.Seq, first, id)
			}
			first = id
		}
	}
	var got string
	if err := db.Pool.QueryRow(ctx, `SELECT
		(SELECT string_agg(seq || ':' || action, ',' ORDER BY seq) FROM case_events WHERE workflow_id = $1)
		|| ' tasks=' || (SELECT string_agg(step_key || ':' || status, ',' ORDER BY step_key) FROM tasks WHERE workflow_id = $1)
		|| ' status=' || c.status || ' last=' || c.last_seq || ' forms=' || a.forms::text
		FROM cases c JOIN applications a USING (workflow_id) WHERE c.workflow_id = $1`, wf).Scan(&got); err != nil {
		t.Fatal(err)
	}
	if want := `1:submit,2:accept tasks=reception#1:closed,specialist#2:open status=new last=2 forms={"accept": 2, "submit": 1}`; got != want {
		t.Errorf("after concurrent tries:\n got %s\nwant %s", got, want)
	}
}

package activities

import (
	"context"
	"testing"
	"time"

	cds "github.com/caobang/congdanso"
)

// recordFixture is one feedback case's events on a fresh database, written
// by RecordFeedback, with readers for what the read model then holds.
type recordFixture struct {
	t      *testing.T
	a      *Activities
	wf     string
	agency string
	at     time.Time
}

func newRecordFixture(t *testing.T) *recordFixture {
	db := testDB(t)
	ctx := context.Background()
	var citizen int64
	if err := db.Pool.QueryRow(ctx, `INSERT INTO users (kind, full_name) VALUES ('citizen', 'Nguyễn Thị Thử') RETURNING id`).Scan(&citizen); err != nil {
		t.Fatal(err)
	}
	var agency string
	if err := db.Pool.QueryRow(ctx, `SELECT code FROM agencies ORDER BY code LIMIT 1`).Scan(&agency); err != nil {
		t.Fatalf("the migrated database has no agency: %v", err)
	}
	f := &recordFixture{t: t, a: &Activities{DB: db}, wf: "feedback/REC-1", agency: agency,
		at: time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)}
	f.write(FeedbackEvent{Seq: 1, Action: "submit", To: "submitted", Status: "submitted",
		Create: &FeedbackCreate{FeedbackReport: FeedbackReport{Code: "REC-1", CitizenID: citizen, Title: "Đèn đường hỏng",
			Content: "Đèn đường trước số 5 hỏng.", Category: "ha-tang", Location: cds.Location{Lat: 22.66, Lng: 106.25, CommuneCode: agency}},
			ReceivedAt: f.at}})
	f.write(FeedbackEvent{Seq: 2, Action: "route", From: "submitted", To: "routed", Status: "routed", AgencyCode: agency,
		OpenTask: &FeedbackTask{StepKey: "accept-2", Action: "accept", Agency: agency, Role: "officer"}})
	return f
}

func (f *recordFixture) event(ev FeedbackEvent) FeedbackEvent {
	ev.WorkflowID, ev.CaseCode, ev.CaseTitle, ev.Category = f.wf, "REC-1", "Đèn đường hỏng", "ha-tang"
	ev.At = f.at.Add(time.Duration(ev.Seq) * time.Minute)
	return ev
}

func (f *recordFixture) write(ev FeedbackEvent) error {
	f.t.Helper()
	err := f.a.RecordFeedback(context.Background(), f.event(ev))
	if err != nil && ev.Seq <= 2 {
		f.t.Fatalf("seq %d: %v", ev.Seq, err)
	}
	return err
}

// state is the case's timeline, open tasks, status, last seq and reopen count.
func (f *recordFixture) state() string {
	f.t.Helper()
	var s string
	err := f.a.DB.Pool.QueryRow(context.Background(), `SELECT
		(SELECT string_agg(seq || ':' || action, ',' ORDER BY seq) FROM case_events WHERE workflow_id = $1)
		|| ' open=' || COALESCE((SELECT string_agg(step_key, ',' ORDER BY step_key) FROM tasks WHERE workflow_id = $1 AND status = 'open'), '')
		|| ' status=' || c.status || ' last=' || c.last_seq || ' reopened=' || r.reopen_count || ' answer=' || r.answer
		FROM cases c JOIN feedback_reports r USING (workflow_id) WHERE c.workflow_id = $1`, f.wf).Scan(&s)
	if err != nil {
		f.t.Fatal(err)
	}
	return s
}

// TestRecordFeedbackOnceUnderRetry: a retried write of the latest event (the
// local activity's next try after a crash) changes nothing, not even a
// counter that a second application would move.
func TestRecordFeedbackOnceUnderRetry(t *testing.T) {
	f := newRecordFixture(t)
	accept := FeedbackEvent{Seq: 3, Action: "complain", From: "routed", To: "in_progress", Status: "in_progress", AgencyCode: f.agency,
		Reopened: true, CloseTask: "accept-2", OpenTask: &FeedbackTask{StepKey: "handle-3", Action: "handle", Agency: f.agency, Role: "officer"}}
	for range 3 {
		if err := f.write(accept); err != nil {
			t.Fatal(err)
		}
	}
	if got, want := f.state(), "1:submit,2:route,3:complain open=handle-3 status=in_progress last=3 reopened=1 answer="; got != want {
		t.Errorf("after three tries of one event:\n got %s\nwant %s", got, want)
	}
}

// TestRecordFeedbackAllOrNothing: when one write of an event fails (here the
// answer names a file that does not exist), none of its writes stay: no
// event row, no status change, the task still open. The next try of a
// corrected event then applies whole.
func TestRecordFeedbackAllOrNothing(t *testing.T) {
	f := newRecordFixture(t)
	answer := "Đã thay bóng đèn."
	draft := FeedbackEvent{Seq: 3, Action: "draft_answer", From: "routed", To: "answer_drafted", Status: "answer_drafted", AgencyCode: f.agency,
		Answer: &answer, AnswerMedia: []string{"no-such-file"}, CloseTask: "accept-2",
		OpenTask: &FeedbackTask{StepKey: "approve-3", Action: "approve", Agency: f.agency, Role: "leader"}}
	if err := f.write(draft); err == nil {
		t.Fatal("an answer with an unknown file must fail the write")
	}
	if got, want := f.state(), "1:submit,2:route open=accept-2 status=routed last=2 reopened=0 answer="; got != want {
		t.Errorf("after a failed write:\n got %s\nwant %s", got, want)
	}
	draft.AnswerMedia = nil
	if err := f.write(draft); err != nil {
		t.Fatal(err)
	}
	if got, want := f.state(), "1:submit,2:route,3:draft_answer open=approve-3 status=answer_drafted last=3 reopened=0 answer=Đã thay bóng đèn."; got != want {
		t.Errorf("after the corrected write:\n got %s\nwant %s", got, want)
	}
}

// TestRecordFeedbackRepairsADivergedSeq: a workflow task wrote "accept" at
// seq 3 and died before it completed; the replayed history put the accept
// deadline's escalation at seq 3 instead. The stored accept, and the task it
// opened, must give way; the accept task it closed opens again.
func TestRecordFeedbackRepairsADivergedSeq(t *testing.T) {
	f := newRecordFixture(t)
	staff := cds.Actor{UserID: 0, Name: "Cán bộ"}
	if err := f.write(FeedbackEvent{Seq: 3, Actor: staff, Action: "accept", From: "routed", To: "accepted", Status: "accepted", AgencyCode: f.agency,
		CloseTask: "accept-2", OpenTask: &FeedbackTask{StepKey: "assign-3", Action: "assign", Agency: f.agency, Role: "leader"}}); err != nil {
		t.Fatal(err)
	}
	if err := f.write(FeedbackEvent{Seq: 3, Action: "accept_overdue", From: "routed", To: "routed", Status: "routed", AgencyCode: f.agency,
		Overdue: true}); err != nil {
		t.Fatal(err)
	}
	if got, want := f.state(), "1:submit,2:route,3:accept_overdue open=accept-2 status=routed last=3 reopened=0 answer="; got != want {
		t.Errorf("after the diverged seq:\n got %s\nwant %s", got, want)
	}
}

package activities

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
)

// TestFollowerJoiningBetweenRetriesGetsNoEarlierStep: a worker killed after
// the step's Notify committed and before Temporal recorded it runs Notify
// again. Someone who followed the case in between followed after the step,
// so the retry must not tell them of it; the next step reaches them. (The
// kill test, TestNotificationsSurviveKill, once saw exactly this: two extra
// deliveries, push and Zalo, of "routed" to a follower who joined after it.)
func TestFollowerJoiningBetweenRetriesGetsNoEarlierStep(t *testing.T) {
	f := newFollowerFixture(t)
	a, reporter, early, late, step, got := f.a, f.reporter, f.early, f.late, f.step, f.got
	ctx := context.Background()

	f.follow(early)
	routed := step(2, "feedback.routed")
	if err := a.Notify(ctx, routed); err != nil {
		t.Fatal(err)
	}
	f.follow(late)
	if err := a.Notify(ctx, routed); err != nil { // the retry after the kill
		t.Fatal(err)
	}
	if err := a.Notify(ctx, step(3, "feedback.accepted")); err != nil {
		t.Fatal(err)
	}
	want := map[int64]string{
		reporter: "feedback.routed feedback.accepted",
		early:    "feedback.routed feedback.accepted",
		late:     "feedback.accepted",
	}
	for id, w := range want {
		if g := strings.Join(got(id), " "); g != w {
			t.Errorf("user %d was told %q, want %q", id, g, w)
		}
	}
}

// EnqueueNotices (the API with an Update's answer, then the workflow's
// safety net with what it still held) queues each step once: a step whose
// mark is there is skipped whole, one that is not is queued with
// its followers.
func TestEnqueueNoticesTwice(t *testing.T) {
	f := newFollowerFixture(t)
	ctx := context.Background()
	f.follow(f.early)
	accepted := Notice{Citizen: &NotifyInput{}}
	*accepted.Citizen = f.step(3, "feedback.accepted")
	if err := f.a.EnqueueNotices(ctx, []Notice{accepted}); err != nil {
		t.Fatal(err)
	}
	f.follow(f.late)
	started := Notice{Citizen: &NotifyInput{}}
	*started.Citizen = f.step(4, "feedback.in_progress")
	if err := f.a.EnqueueNotices(ctx, []Notice{accepted, started}); err != nil {
		t.Fatal(err)
	}
	want := map[int64]string{
		f.reporter: "feedback.accepted feedback.in_progress",
		f.early:    "feedback.accepted feedback.in_progress",
		f.late:     "feedback.in_progress",
	}
	for id, w := range want {
		if g := strings.Join(f.got(id), " "); g != w {
			t.Errorf("user %d was told %q, want %q", id, g, w)
		}
	}
	if err := f.a.EnqueueNotices(ctx, []Notice{{}}); err == nil {
		t.Error("an empty notice was taken")
	}
}

// Consent applies as it stood when a step was first queued: the reporter
// withdrew it during the step, so the API's run queued nothing for them;
// after they grant it again, the workflow's run of the same step (its
// safety net) queues nothing either. The personal-data rights test saw the
// reporter told of that step late, before steps were marked queued.
func TestEnqueueNoticesKeepsConsentAsItWas(t *testing.T) {
	f := newFollowerFixture(t)
	ctx := context.Background()
	consent := func(withdrawn bool) {
		t.Helper()
		if _, err := f.a.DB.Pool.Exec(ctx, `INSERT INTO consents (user_id, purpose, version, withdrawn_at)
			VALUES ($1, 'notifications', 'v1', CASE WHEN $2 THEN now() END)
			ON CONFLICT (user_id, purpose) DO UPDATE SET withdrawn_at = EXCLUDED.withdrawn_at`, f.reporter, withdrawn); err != nil {
			t.Fatal(err)
		}
	}
	accepted := Notice{Citizen: &NotifyInput{}}
	*accepted.Citizen = f.step(3, "feedback.accepted")
	consent(true)
	if err := f.a.EnqueueNotices(ctx, []Notice{accepted}); err != nil {
		t.Fatal(err)
	}
	consent(false)
	if err := f.a.EnqueueNotices(ctx, []Notice{accepted}); err != nil {
		t.Fatal(err)
	}
	if err := f.a.Notify(ctx, *accepted.Citizen); err != nil { // a retried activity too
		t.Fatal(err)
	}
	if g := f.got(f.reporter); len(g) != 0 {
		t.Errorf("the reporter, who had withdrawn consent during the step, was told %v", g)
	}
}

type followerFixture struct {
	a                     *Activities
	reporter, early, late int64
	follow                func(id int64)
	step                  func(seq int, kind string) NotifyInput
	got                   func(id int64) []string
}

// newFollowerFixture: a reporter's feedback case PA-F1 and two citizens
// who may follow it.
func newFollowerFixture(t *testing.T) *followerFixture {
	db := testDB(t)
	a := &Activities{DB: db}
	ctx := context.Background()
	var reporter, early, late int64
	for _, u := range []struct {
		phone string
		id    *int64
	}{{"+84900000101", &reporter}, {"+84900000102", &early}, {"+84900000103", &late}} {
		if err := db.Pool.QueryRow(ctx, `INSERT INTO users (kind, phone, full_name) VALUES ('citizen', $1, 'Người dân') RETURNING id`, u.phone).Scan(u.id); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := db.Pool.Exec(ctx, `INSERT INTO cases (workflow_id, kind, code, title, field, citizen_id, status, received_at)
		VALUES ('feedback/PA-F1', 'feedback', 'PA-F1', 'Ổ gà', 'traffic', $1, 'routed', now())`, reporter); err != nil {
		t.Fatal(err)
	}
	follow := func(id int64) {
		t.Helper()
		// A statement of its own: now() is its own transaction's time.
		if _, err := db.Pool.Exec(ctx, `INSERT INTO feedback_followers (workflow_id, user_id) VALUES ('feedback/PA-F1', $1)`, id); err != nil {
			t.Fatal(err)
		}
	}
	step := func(seq int, kind string) NotifyInput {
		return NotifyInput{DedupeKey: fmt.Sprintf("feedback/PA-F1/%d/%d", seq, reporter), UserID: reporter, Kind: kind,
			Title: "Phản ánh PA-F1", Payload: map[string]any{"code": "PA-F1", "status": kind[len("feedback."):], "seq": seq}}
	}
	got := func(id int64) []string {
		t.Helper()
		rows, err := db.Pool.Query(ctx, `SELECT kind FROM notifications WHERE user_id = $1 ORDER BY id`, id)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var kinds []string
		for rows.Next() {
			var k string
			if err := rows.Scan(&k); err != nil {
				t.Fatal(err)
			}
			kinds = append(kinds, k)
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		return kinds
	}

	return &followerFixture{a: a, reporter: reporter, early: early, late: late, follow: follow, step: step, got: got}
}

// TestNoticeMarksAreTheStepsQueued: the safety net (EnqueueNotices) skips a
// notice whose step mark is queued, so the mark it looks for must be the one
// the notice's enqueue writes. The marks here are written out by hand from
// the dedupe key, staff and task naming (activities/steps.go).
func TestNoticeMarksAreTheStepsQueued(t *testing.T) {
	f := newFollowerFixture(t)
	ctx := context.Background()
	citizen := f.step(3, "feedback.accepted")
	staff := StaffNotice{DedupePrefix: "feedback/PA-F1#3", Agency: "SXD", Roles: []string{"leader"}, Kind: "feedback.accepted", Title: "Phản ánh PA-F1"}
	holder := TaskNotice{WorkflowID: "feedback/PA-F1", StepKey: "accept-2",
		StaffNotice: StaffNotice{DedupePrefix: "feedback/PA-F1#4", Agency: "SXD", Roles: []string{"officer", "leader"}, Kind: "task.assigned", Title: "PA-F1"}}
	ns := []Notice{{Citizen: &citizen}, {Staff: &staff}, {Holder: &holder}}
	if err := f.a.EnqueueAnswer(ctx, ns); err != nil {
		t.Fatal(err)
	}
	want := []string{
		fmt.Sprintf("feedback/PA-F1/3/%d", f.reporter),
		"feedback/PA-F1#3/staff/SXD/leader",
		"feedback/PA-F1#4/staff/SXD/officer+leader/accept-2",
	}
	var marks []string
	rows, err := f.a.DB.Pool.Query(ctx, `SELECT dedupe_key FROM notice_steps ORDER BY dedupe_key`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var m string
		if err := rows.Scan(&m); err != nil {
			t.Fatal(err)
		}
		marks = append(marks, m)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if sorted := slices.Sorted(slices.Values(want)); !slices.Equal(marks, sorted) {
		t.Fatalf("marks queued %q, want %q", marks, want)
	}
	for i, n := range ns {
		if n.mark() != want[i] {
			t.Errorf("notice %d looks for mark %q, its enqueue wrote %q", i, n.mark(), want[i])
		}
	}
	before := f.got(f.reporter)
	if err := f.a.EnqueueNotices(ctx, ns); err != nil {
		t.Fatal(err)
	}
	if g := f.got(f.reporter); len(g) != len(before) {
		t.Errorf("the safety net queued the reporter's step again: %v", g)
	}
}

package postgres

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"
)

// QueueStep writes a step's inbox rows and delivery rows and its mark in
// one statement; a second run of the step writes nothing, and a run
// without a mark skips a message already there together with its
// deliveries.
func TestQueueStep(t *testing.T) {
	ctx := context.Background()
	db := freshDB(t)
	var u1, u2 int64
	for _, u := range []struct {
		phone string
		id    *int64
	}{{"+84900000201", &u1}, {"+84900000202", &u2}} {
		if err := db.Pool.QueryRow(ctx, `INSERT INTO users (kind, phone, full_name) VALUES ('citizen', $1, 'Người dân') RETURNING id`, u.phone).Scan(u.id); err != nil {
			t.Fatal(err)
		}
	}
	quietEnd := time.Date(2026, 12, 2, 0, 0, 0, 0, time.UTC) // 07:00 in Vietnam
	step := []NewNotification{
		{DedupeKey: "s/1", UserID: u1, Kind: "feedback.accepted", Title: "Đã tiếp nhận", Channels: []string{"push", "zalo"}, NotBefore: &quietEnd},
		{DedupeKey: "s/1/follower/2", UserID: u2, Kind: "feedback.accepted", Title: "Đã tiếp nhận", Payload: map[string]any{"following": true}},
		{DedupeKey: "s/1/log", Kind: "feedback.accepted", Title: "Đã tiếp nhận"}, // nobody in particular
	}
	if n, err := db.QueueStep(ctx, "s/1", step); err != nil || n != 3 {
		t.Fatalf("first run wrote %d, %v; want 3", n, err)
	}
	// The retry, with someone else added meanwhile: the mark is there.
	again := append(step[:1:1], NewNotification{DedupeKey: "s/1/follower/9", UserID: u2, Kind: "feedback.accepted", Channels: []string{"sms"}})
	if n, err := db.QueueStep(ctx, "s/1", again); err != nil || n != 0 {
		t.Fatalf("second run of the step wrote %d, %v; want 0", n, err)
	}
	// No mark: a message already there is skipped with its deliveries.
	one := []NewNotification{{DedupeKey: "s/1", UserID: u1, Kind: "x", Channels: []string{"sms"}},
		{DedupeKey: "t/1", UserID: u2, Kind: "staff.task_assigned", Title: "Giao việc", Channels: []string{"email"}}}
	if n, err := db.QueueStep(ctx, "", one); err != nil || n != 1 {
		t.Fatalf("run without a mark wrote %d, %v; want 1", n, err)
	}
	rows, err := db.Pool.Query(ctx, `SELECT n.dedupe_key, COALESCE(n.user_id, 0), n.kind, n.payload->>'following', COALESCE(d.dedupe_key, ''), d.not_before
		FROM notifications n LEFT JOIN notification_deliveries d ON d.notification_id = n.id ORDER BY n.dedupe_key, d.dedupe_key`)
	if err != nil {
		t.Fatal(err)
	}
	type row struct {
		key       string
		user      int64
		kind      string
		following *string
		delivery  string
		notBefore *time.Time
	}
	var got []row
	for rows.Next() {
		var r row
		if err := rows.Scan(&r.key, &r.user, &r.kind, &r.following, &r.delivery, &r.notBefore); err != nil {
			t.Fatal(err)
		}
		got = append(got, r)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	yes := "true"
	want := []row{
		{"s/1", u1, "feedback.accepted", nil, "s/1#push", &quietEnd},
		{"s/1", u1, "feedback.accepted", nil, "s/1#zalo", &quietEnd},
		{"s/1/follower/2", u2, "feedback.accepted", &yes, "", nil},
		{"s/1/log", 0, "feedback.accepted", nil, "", nil},
		{"t/1", u2, "staff.task_assigned", nil, "t/1#email", nil},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d rows %+v, want %d", len(got), got, len(want))
	}
	for i, w := range want {
		g := got[i]
		if g.key != w.key || g.user != w.user || g.kind != w.kind || g.delivery != w.delivery ||
			(g.following == nil) != (w.following == nil) || (g.following != nil && *g.following != *w.following) ||
			(g.notBefore == nil) != (w.notBefore == nil) || (g.notBefore != nil && !g.notBefore.Equal(*w.notBefore)) {
			t.Errorf("row %d = %+v, want %+v", i, g, w)
		}
	}
	var marks int
	if err := db.Pool.QueryRow(ctx, `SELECT count(*) FROM notice_steps`).Scan(&marks); err != nil || marks != 1 {
		t.Errorf("marks %d, %v; want 1 (the step s/1)", marks, err)
	}
}

// TestRecipientsUseTheGenericPlan: recipientsSQL runs on its cached generic
// plan. Left to PostgreSQL's plan cache it was planned anew on every
// execution (a custom plan prunes the switched-off branches, so it always
// looks cheaper), about ten times its execution time (BENCHMARKS.md, T10).
// pg_prepared_statements counts the plans of one session, so the calls
// share a one-connection pool.
func TestRecipientsUseTheGenericPlan(t *testing.T) {
	ctx := context.Background()
	_, u := freshDBURL(t)
	one, err := Open(ctx, u.String(), 1)
	if err != nil {
		t.Fatal(err)
	}
	defer one.Close()
	for i := range 8 {
		sel := Recipients{FollowersOf: fmt.Sprintf("feedback/PA-2026-%06d", i), HolderOf: TaskRef{WorkflowID: "feedback/PA-2026-000001", StepKey: "accept-2"},
			Agency: "SXD", Roles: []string{"officer", "leader"}}
		if _, err := one.NoticeRecipients(ctx, fmt.Sprintf("feedback/PA-2026-%06d/3", i), sel); err != nil {
			t.Fatal(err)
		}
	}
	var generic, custom int64
	if err := one.Pool.QueryRow(ctx, `SELECT generic_plans, custom_plans FROM pg_prepared_statements WHERE statement = $1`, recipientsSQL).
		Scan(&generic, &custom); err != nil {
		t.Fatalf("the recipients statement is not prepared on the connection: %v", err)
	}
	if generic != 8 || custom != 0 {
		t.Fatalf("8 runs used %d generic and %d custom plans, want 8 and 0", generic, custom)
	}
}

// TestRecipientsOfAQueuedStep: NoticeRecipients reads whom a step reaches
// only while its mark is not queued. Once QueueStep has written the mark it
// lists nobody, and QueuedSteps names it among the marks asked for; a step
// without a mark is never queued.
func TestRecipientsOfAQueuedStep(t *testing.T) {
	ctx := context.Background()
	db := freshDB(t)
	var u int64
	if err := db.Pool.QueryRow(ctx, `INSERT INTO users (kind, phone, full_name) VALUES ('citizen', '+84900000301', 'Người dân') RETURNING id`).Scan(&u); err != nil {
		t.Fatal(err)
	}
	sel := Recipients{Users: []int64{u}}
	look := func(mark string) []int64 {
		t.Helper()
		rs, err := db.NoticeRecipients(ctx, mark, sel)
		if err != nil {
			t.Fatal(err)
		}
		var ids []int64
		for _, r := range rs {
			ids = append(ids, r.UserID)
		}
		return ids
	}
	queued := func(marks ...string) string {
		t.Helper()
		q, err := db.QueuedSteps(ctx, marks)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, m := range marks {
			if q[m] {
				got = append(got, m)
			}
		}
		return strings.Join(got, " ")
	}
	if ids := look("q/1"); len(ids) != 1 || ids[0] != u {
		t.Fatalf("before the step is queued: recipients %v; want [%d]", ids, u)
	}
	if g := queued("q/1", "q/2"); g != "" {
		t.Fatalf("before any step is queued, queued %q", g)
	}
	if _, err := db.QueueStep(ctx, "q/1", []NewNotification{{DedupeKey: "q/1/u", UserID: u, Kind: "feedback.accepted", Title: "Đã tiếp nhận"}}); err != nil {
		t.Fatal(err)
	}
	if ids := look("q/1"); len(ids) != 0 {
		t.Fatalf("after the step is queued: recipients %v; want none", ids)
	}
	if g := queued("q/2", "q/1", "q/1/u"); g != "q/1" {
		t.Fatalf("queued %q, want the step's mark only (not the other step, nor a notification's key)", g)
	}
	if ids := look(""); len(ids) != 1 {
		t.Fatalf("without a mark: recipients %v; want the one person", ids)
	}
}

package activities

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
)

// A step is queued whole or not at all: when writing one recipient's row
// fails, nobody's row and no mark stay behind, so the retry is a first run
// (the follower who joined before it is told) and tells each person once.
func TestStepQueuedWholeOrNotAtAll(t *testing.T) {
	f := newFollowerFixture(t)
	ctx := context.Background()
	f.follow(f.early)
	f.follow(f.late)
	// Refuse the late follower's row, as a lost connection or a full disk
	// would refuse any one write.
	if _, err := f.a.DB.Pool.Exec(ctx, fmt.Sprintf(`CREATE FUNCTION refuse_late() RETURNS trigger LANGUAGE plpgsql AS $$
		BEGIN IF NEW.user_id = %d THEN RAISE EXCEPTION 'refused'; END IF; RETURN NEW; END $$;
		CREATE TRIGGER refuse_late BEFORE INSERT ON notifications FOR EACH ROW EXECUTE FUNCTION refuse_late();`, f.late)); err != nil {
		t.Fatal(err)
	}
	routed := f.step(2, "feedback.routed")
	if err := f.a.Notify(ctx, routed); err == nil {
		t.Fatal("Notify succeeded with a refused write")
	}
	var left int
	if err := f.a.DB.Pool.QueryRow(ctx, `SELECT (SELECT count(*) FROM notifications) + (SELECT count(*) FROM notice_steps)`).Scan(&left); err != nil {
		t.Fatal(err)
	}
	if left != 0 {
		t.Fatalf("the failed step left %d rows behind (notifications and marks)", left)
	}
	if _, err := f.a.DB.Pool.Exec(ctx, `DROP TRIGGER refuse_late ON notifications`); err != nil {
		t.Fatal(err)
	}
	for range 2 { // the retry, and one more
		if err := f.a.Notify(ctx, routed); err != nil {
			t.Fatal(err)
		}
	}
	for _, id := range []int64{f.reporter, f.early, f.late} {
		if g := strings.Join(f.got(id), " "); g != "feedback.routed" {
			t.Errorf("user %d was told %q, want %q", id, g, "feedback.routed")
		}
	}
}

// A task notice reaches the officer holding the task; while nobody holds
// it, each member of the agency's staff with one of the step's roles, once
// even if they hold two of them, and nobody of another agency or role. The
// notice is a step: sent again, it reaches nobody new. Another agency told
// of the same transition (same prefix) is a step of its own.
func TestStaffStepReachesHolderElseAgency(t *testing.T) {
	db := testDB(t)
	a := &Activities{DB: db}
	ctx := context.Background()
	ids := map[string]int64{}
	for _, u := range []struct{ name, agency, roles string }{
		{"officer", "A", "officer"}, {"both", "A", "officer,leader"}, {"clerk", "A", "clerk"}, {"elsewhere", "B", "officer"},
	} {
		var id int64
		if err := db.Pool.QueryRow(ctx, `INSERT INTO users (kind, username, full_name) VALUES ('staff', $1, $1) RETURNING id`, u.name).Scan(&id); err != nil {
			t.Fatal(err)
		}
		ids[u.name] = id
		for _, r := range strings.Split(u.roles, ",") {
			if _, err := db.Pool.Exec(ctx, `INSERT INTO user_roles (user_id, role, agency_code) VALUES ($1, $2, $3)`, id, r, u.agency); err != nil {
				t.Fatal(err)
			}
		}
	}
	if _, err := db.Pool.Exec(ctx, `INSERT INTO tasks (workflow_id, step_key, case_kind, case_code, action, agency_code, candidate_role)
		VALUES ('application/HS-1', 'review', 'application', 'HS-1', 'approve', 'A', 'officer'),
		       ('application/HS-1', 'sign', 'application', 'HS-1', 'sign', 'A', 'leader')`); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Pool.Exec(ctx, `UPDATE tasks SET assignee_id = $1 WHERE step_key = 'sign'`, ids["both"]); err != nil {
		t.Fatal(err)
	}
	notice := func(step, prefix string) TaskNotice {
		return TaskNotice{WorkflowID: "application/HS-1", StepKey: step, StaffNotice: StaffNotice{DedupePrefix: prefix,
			Agency: "A", Roles: []string{"officer", "leader"}, Kind: "application.task_overdue", Title: "Quá hạn"}}
	}
	for run := range 2 {
		if run == 1 {
			// A retried step reaches nobody new: an officer who joined the
			// agency between the two runs is not told of the earlier step
			// (the step's mark, not the dedupe keys, keeps them out).
			var id int64
			if err := db.Pool.QueryRow(ctx, `INSERT INTO users (kind, username, full_name) VALUES ('staff', 'newcomer', 'newcomer') RETURNING id`).Scan(&id); err != nil {
				t.Fatal(err)
			}
			if _, err := db.Pool.Exec(ctx, `INSERT INTO user_roles (user_id, role, agency_code) VALUES ($1, 'officer', 'A')`, id); err != nil {
				t.Fatal(err)
			}
		}
		if err := a.NotifyTaskHolder(ctx, notice("review", "application/HS-1#4")); err != nil {
			t.Fatal(err)
		}
		if err := a.NotifyTaskHolder(ctx, notice("sign", "application/HS-1#5")); err != nil {
			t.Fatal(err)
		}
	}
	// The same transition tells another agency's staff under the same prefix.
	if err := a.NotifyAgencyStaff(ctx, StaffNotice{DedupePrefix: "application/HS-1#4", Agency: "B", Roles: []string{"officer"},
		Kind: "application.overdue", Title: "Quá hạn"}); err != nil {
		t.Fatal(err)
	}
	// The dossier's citizen notice of the same seq shares the prefix as its key.
	if err := a.Notify(ctx, NotifyInput{DedupeKey: "application/HS-1#4", Kind: "application.status", Title: "Hồ sơ"}); err != nil {
		t.Fatal(err)
	}
	rows, err := db.Pool.Query(ctx, `SELECT dedupe_key FROM notifications ORDER BY dedupe_key`)
	if err != nil {
		t.Fatal(err)
	}
	got, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"application/HS-1#4", fmt.Sprintf("application/HS-1#4/%d", ids["officer"]), fmt.Sprintf("application/HS-1#4/%d", ids["both"]),
		fmt.Sprintf("application/HS-1#4/%d", ids["elsewhere"]), fmt.Sprintf("application/HS-1#5/%d", ids["both"])}
	sort.Strings(want)
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("notified %v, want %v", got, want)
	}
}

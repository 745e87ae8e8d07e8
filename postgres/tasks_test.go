package postgres

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// These tests run against the real PostgreSQL server (TEST_DATABASE_URL or
// 127.0.0.1:5432) in a database of their own, dropped at the end.

func adminDSN() string {
	if v := os.Getenv("TEST_DATABASE_URL"); v != "" {
		return v
	}
	return "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"
}

var (
	bigOnce sync.Once
	bigDB   *DB
	bigErr  error
	bigName string
)

func TestMain(m *testing.M) {
	code := m.Run()
	if bigDB != nil {
		bigDB.Close()
		dropTestDB(bigName)
	}
	os.Exit(code)
}

func newTestDB(ctx context.Context) (*DB, string, error) {
	buf := make([]byte, 6)
	_, _ = rand.Read(buf)
	name := "cds_test_tasks_" + hex.EncodeToString(buf)
	u, err := url.Parse(adminDSN())
	if err != nil {
		return nil, "", err
	}
	u.Path = "/" + name
	db, err := Open(ctx, u.String(), 8)
	if err != nil {
		return nil, "", err
	}
	if err := db.Migrate(ctx); err != nil {
		return nil, name, err
	}
	return db, name, db.SeedBase(ctx)
}

// freshDB is a migrated, seeded database of the test's own, dropped when
// it ends.
func freshDB(t *testing.T) *DB {
	t.Helper()
	db, _ := freshDBURL(t)
	return db
}

// freshDBURL is freshDB and its URL, for a second pool on the same database.
func freshDBURL(t *testing.T) (*DB, *url.URL) {
	t.Helper()
	db, name, err := newTestDB(context.Background())
	if name != "" {
		t.Cleanup(func() { db.Close(); dropTestDB(name) })
	}
	if err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(adminDSN())
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/" + db.Pool.Config().ConnConfig.Database
	return db, u
}

func dropTestDB(name string) {
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, adminDSN())
	if err != nil {
		return
	}
	defer conn.Close(ctx)
	_, _ = conn.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)")
}

// million returns a database holding 1,000,000 tasks over the provincial
// units in force (departments, central agencies, the Front; not the 56
// communes, whose queues are short, nor the former districts): a quarter open, half assigned to one of 1,000 staff ids, due times spread
// from 500 hours ago to 1,500 hours ahead. It is loaded once per test binary.
func million(tb testing.TB) *DB {
	tb.Helper()
	if testing.Short() {
		tb.Skip("1M-row load skipped in -short mode")
	}
	bigOnce.Do(func() {
		ctx := context.Background()
		bigDB, bigName, bigErr = newTestDB(ctx)
		if bigErr != nil {
			return
		}
		_, bigErr = bigDB.Pool.Exec(ctx, `INSERT INTO tasks (workflow_id, step_key, case_kind, case_code, case_title, category,
			action, agency_code, candidate_role, assignee_id, status, priority, due_at, created_at)
		SELECT 'feedback/PA-' || g, 'step', CASE WHEN g % 3 = 0 THEN 'application' ELSE 'feedback' END, 'PA-' || g,
			'Việc số ' || g, 'cat' || (g % 12), CASE WHEN g % 5 = 0 THEN 'approve_answer' ELSE 'accept' END,
			a.codes[1 + g % a.n], CASE WHEN g % 5 = 0 THEN 'leader' ELSE 'officer' END,
			CASE WHEN g % 2 = 0 THEN 1 + (g / 8) % 1000 END,
			CASE WHEN g % 8 IN (0, 1) THEN 'open' ELSE 'closed' END, g % 3,
			CASE WHEN g % 50 = 0 THEN NULL ELSE now() + ((g % 2000) - 500) * interval '1 hour' END,
			now() - interval '30 days'
		FROM generate_series(1, 1000000) g,
			(SELECT array_agg(code ORDER BY code) AS codes, count(*)::int AS n FROM agencies
				WHERE type <> 'commune' AND in_force_to IS NULL) a`)
		if bigErr == nil {
			_, bigErr = bigDB.Pool.Exec(ctx, `ANALYZE tasks`)
		}
	})
	if bigErr != nil {
		tb.Fatalf("load 1M tasks: %v", bigErr)
	}
	return bigDB
}

// TestTaskQueuePlansUseIndex proves with EXPLAIN on 1M rows that every queue
// shape is an ordered index scan: no sequential scan and no sort.
func TestTaskQueuePlansUseIndex(t *testing.T) {
	db := million(t)
	ctx := context.Background()
	now := time.Now()
	yes, no := true, false
	soon := now.Add(48 * time.Hour)
	first, _, err := db.TaskQueue(ctx, TaskQuery{Agencies: []string{"SXD"}, Limit: 50})
	if err != nil || len(first) != 50 {
		t.Fatalf("first page: %d rows, %v", len(first), err)
	}
	cursor := EncodeTaskCursor(first[len(first)-1])
	cases := map[string]TaskQuery{
		"agency":             {Agencies: []string{"SXD"}},
		"agency page 2":      {Agencies: []string{"SXD"}, Cursor: cursor},
		"agency filtered":    {Agencies: []string{"SXD"}, Kind: "feedback", Category: "cat3"},
		"agency overdue":     {Agencies: []string{"SXD"}, Overdue: &yes},
		"agency not overdue": {Agencies: []string{"SXD"}, Overdue: &no, DueBefore: &soon},
		"agency closed":      {Agencies: []string{"SXD"}, Status: "closed"},
		"approvals":          {Agencies: []string{"SXD"}, Role: "leader", Action: "approve_answer"},
		"mine":               {AssigneeID: 42},
		"mine page 2":        {AssigneeID: 42, Cursor: cursor},
		"mine overdue":       {AssigneeID: 42, Overdue: &yes},
	}
	for name, q := range cases {
		q.Now = now
		sql, args, err := TaskQueueSQL(q)
		if err != nil {
			t.Fatal(err)
		}
		var lines []string
		rows, err := db.Pool.Query(ctx, "EXPLAIN "+sql, args...)
		if err != nil {
			t.Fatalf("%s: explain: %v", name, err)
		}
		for rows.Next() {
			var l string
			if err := rows.Scan(&l); err != nil {
				t.Fatal(err)
			}
			lines = append(lines, l)
		}
		rows.Close()
		plan := strings.Join(lines, "\n")
		if strings.Contains(plan, "Seq Scan") {
			t.Errorf("%s: sequential scan:\n%s", name, plan)
		}
		if q.AssigneeID > 0 {
			// One person's queue is a few hundred rows at most: the planner
			// may fetch them through the index by bitmap and sort them.
			if !strings.Contains(plan, " tasks_mine_order ") {
				t.Errorf("%s: want tasks_mine_order, got:\n%s", name, plan)
			}
			continue
		}
		if !strings.Contains(plan, "Index Scan using tasks_agency_order") || strings.Contains(plan, "Sort") {
			t.Errorf("%s: want an ordered index scan on tasks_agency_order and no sort, got:\n%s", name, plan)
		}
	}
	// The pages are in queue order and do not overlap.
	second, _, err := db.TaskQueue(ctx, TaskQuery{Agencies: []string{"SXD"}, Limit: 50, Cursor: cursor})
	if err != nil || len(second) == 0 {
		t.Fatalf("second page: %d, %v", len(second), err)
	}
	all := append(append([]Task{}, first...), second...)
	for i := 1; i < len(all); i++ {
		if !queueOrdered(all[i-1], all[i]) {
			t.Fatalf("rows %d and %d out of order: %+v / %+v", i-1, i, all[i-1], all[i])
		}
	}
}

func dueKey(t Task) time.Time {
	if t.DueAt == nil {
		return infinity
	}
	return *t.DueAt
}

// queueOrdered reports whether a sorts strictly before b (due, priority desc, id).
func queueOrdered(a, b Task) bool {
	da, dbb := dueKey(a), dueKey(b)
	if !da.Equal(dbb) {
		return da.Before(dbb)
	}
	if a.Priority != b.Priority {
		return a.Priority > b.Priority
	}
	return a.ID < b.ID
}

// BenchmarkTaskQueue1M measures a queue page (agency and mine, first and
// second page) with 1,000,000 tasks in the table.
func BenchmarkTaskQueue1M(b *testing.B) {
	db := million(b)
	ctx := context.Background()
	agencies := []string{"SXD", "SYT", "X-HOAAN", "P-THUCPHAN", "SCT"}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		q := TaskQuery{Agencies: []string{agencies[i%len(agencies)]}, Limit: 50}
		if i%2 == 1 {
			q = TaskQuery{AssigneeID: int64(1 + i%1000), Limit: 50}
		}
		items, next, err := db.TaskQueue(ctx, q)
		if err != nil || len(items) == 0 {
			b.Fatalf("queue: %d rows, %v", len(items), err)
		}
		if next != "" {
			q.Cursor = next
			if _, _, err := db.TaskQueue(ctx, q); err != nil {
				b.Fatal(err)
			}
		}
	}
}

func ExampleEncodeTaskCursor() {
	c := EncodeTaskCursor(Task{ID: 7, Priority: 1})
	got, err := decodeTaskCursor(c)
	fmt.Println(got.ID, got.P, got.Due.Equal(infinity), err)
	// Output: 7 1 true <nil>
}

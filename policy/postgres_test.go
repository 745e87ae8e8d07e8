package policy_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/casbin/casbin/v2"
	"github.com/jackc/pgx/v5"

	cds "github.com/caobang/congdanso"
	"github.com/caobang/congdanso/policy"
	"github.com/caobang/congdanso/postgres"
)

func adminDSN() string {
	if v := os.Getenv("TEST_DATABASE_URL"); v != "" {
		return v
	}
	return "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"
}

// newDB creates a fresh migrated database on the real server.
func newDB(t testing.TB) *postgres.DB {
	t.Helper()
	ctx := context.Background()
	buf := make([]byte, 6)
	_, _ = rand.Read(buf)
	name := "cds_policy_" + hex.EncodeToString(buf)
	u, _ := url.Parse(adminDSN())
	u.Path = "/" + name
	db, err := postgres.Open(ctx, u.String(), 10)
	if err != nil {
		t.Skipf("no PostgreSQL: %v", err)
	}
	t.Cleanup(func() {
		db.Close()
		if conn, err := pgx.Connect(context.Background(), adminDSN()); err == nil {
			_, _ = conn.Exec(context.Background(), "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)")
			conn.Close(context.Background())
		}
	})
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	if err := db.SeedBase(ctx); err != nil {
		t.Fatal(err)
	}
	return db
}

func TestAdapterRoundTripAndFilter(t *testing.T) {
	db := newDB(t)
	m, _ := policy.NewModel()
	ad := policy.NewAdapter(db.Pool)
	e, err := casbin.NewSyncedEnforcer(m, ad)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.AddPolicies([][]string{{"officer", "SXD", "permit", "approve"}, {"officer", "SYT", "permit", "approve"}, {"leader", "*", "report", "read"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.AddGroupingPolicy("user:1", "leader", "SXD"); err != nil {
		t.Fatal(err)
	}
	// A fresh enforcer sees the stored lines.
	m2, _ := policy.NewModel()
	e2, err := casbin.NewSyncedEnforcer(m2, policy.NewAdapter(db.Pool))
	if err != nil {
		t.Fatal(err)
	}
	if ok, _ := e2.Enforce("officer", "SXD", "permit", "approve"); !ok {
		t.Fatal("stored policy not loaded")
	}
	if ok, _ := e2.Enforce("officer", "SCT", "permit", "approve"); ok {
		t.Fatal("policy of SXD leaked to SCT")
	}
	if ok, _ := e2.Enforce("user:1", "SXD", "report", "read"); !ok {
		t.Fatal("g line not loaded")
	}
	// Removal is persisted.
	if _, err := e.RemovePolicy("officer", "SYT", "permit", "approve"); err != nil {
		t.Fatal(err)
	}
	var n int
	_ = db.Pool.QueryRow(context.Background(), `SELECT count(*) FROM casbin_rule WHERE v1 = 'SYT'`).Scan(&n)
	if n != 0 {
		t.Fatalf("removed line still stored: %d", n)
	}
	if _, err := e.RemoveFilteredPolicy(1, "SXD"); err != nil {
		t.Fatal(err)
	}
	_ = db.Pool.QueryRow(context.Background(), `SELECT count(*) FROM casbin_rule WHERE ptype='p' AND v1 = 'SXD'`).Scan(&n)
	if n != 0 {
		t.Fatalf("filtered removal left %d lines", n)
	}
	// Filtered loading: only the asked domains plus "*".
	_, _ = e.AddPolicies([][]string{{"officer", "SXD", "permit", "approve"}, {"officer", "SYT", "permit", "approve"}})
	m3, _ := policy.NewModel()
	e3, _ := casbin.NewSyncedEnforcer(m3)
	fa := policy.NewAdapter(db.Pool)
	e3.SetAdapter(fa)
	if err := e3.LoadFilteredPolicy(policy.Filter{Domains: []string{"SXD"}}); err != nil {
		t.Fatal(err)
	}
	if ok, _ := e3.Enforce("officer", "SXD", "permit", "approve"); !ok {
		t.Fatal("filtered load missed SXD")
	}
	if ok, _ := e3.Enforce("officer", "SYT", "permit", "approve"); ok {
		t.Fatal("filtered load included SYT")
	}
	if ok, _ := e3.Enforce("leader", "SYT", "report", "read"); !ok {
		t.Fatal("filtered load missed the * domain")
	}
	if err := fa.SavePolicy(m3); err == nil {
		t.Fatal("saving a filtered policy must fail")
	}
}

func TestSeedIsIdempotentAndKeepsAdminChanges(t *testing.T) {
	db := newDB(t)
	ctx := context.Background()
	a, err := policy.NewPostgres(ctx, db.Pool)
	if err != nil {
		t.Fatal(err)
	}
	defaults, _ := policy.DefaultPolicies()
	if len(defaults) == 0 {
		t.Fatal("no default policies")
	}
	d := defaults[0]
	if _, err := a.RemovePolicy(d[0], d[1], d[2], d[3]); err != nil {
		t.Fatal(err)
	}
	if _, err := a.AddPolicy("officer", "SXD", "custom", "do"); err != nil {
		t.Fatal(err)
	}
	// A restart seeds again: the removed default stays removed, the admin line stays.
	b, err := policy.NewPostgres(ctx, db.Pool)
	if err != nil {
		t.Fatal(err)
	}
	pols, _ := b.Policies()
	has := func(p ...string) bool {
		for _, x := range pols {
			if fmt.Sprint(x) == fmt.Sprint(p) {
				return true
			}
		}
		return false
	}
	if has(d...) {
		t.Fatalf("admin-removed default %v came back", d)
	}
	if !has("officer", "SXD", "custom", "do") {
		t.Fatal("admin-made line lost on restart")
	}
	if len(pols) != len(defaults) { // one removed, one added
		t.Fatalf("policies = %d, want %d", len(pols), len(defaults))
	}
}

// TestWatcherSyncsInstances runs two authorizers on one database, as two API
// instances would: a change through one is enforced by the other within 1 s.
func TestWatcherSyncsInstances(t *testing.T) {
	db := newDB(t)
	ctx := context.Background()
	a1, err := policy.NewPostgres(ctx, db.Pool)
	if err != nil {
		t.Fatal(err)
	}
	a2, err := policy.NewPostgres(ctx, db.Pool)
	if err != nil {
		t.Fatal(err)
	}
	stop, err := a2.StartWatcher(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	officer := cds.Actor{UserID: 7, AgencyCode: "SXD", Roles: []cds.Role{cds.RoleOfficer}}
	if ok, _ := a2.Allowed(ctx, officer, "", "widget", "spin"); ok {
		t.Fatal("allowed before the grant")
	}
	if _, err := a1.AddPolicy("officer", "*", "widget", "spin"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, time.Second, "grant to reach the second instance", func() bool {
		ok, _ := a2.Allowed(ctx, officer, "", "widget", "spin")
		return ok
	})
	if _, err := a1.RemovePolicy("officer", "*", "widget", "spin"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, time.Second, "revocation to reach the second instance", func() bool {
		ok, _ := a2.Allowed(ctx, officer, "", "widget", "spin")
		return !ok
	})
	// The agency tree follows too: a new sub-unit of SXD is within SXD's reach.
	leader := cds.Actor{UserID: 8, AgencyCode: "SXD", Roles: []cds.Role{cds.RoleLeader}}
	_, _ = a1.AddPolicy("leader", "*", "widget", "spin")
	if err := db.UpsertAgency(ctx, cds.Agency{Code: "SXD-QLN", Name: "Phòng Quản lý nhà", Type: cds.AgencyDepartment, ParentCode: "SXD"}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, time.Second, "agency tree to reload", func() bool {
		ok, _ := a2.Allowed(ctx, leader, "SXD-QLN", "widget", "spin")
		return ok
	})
}

func waitFor(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) {
		if cond() {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("not within %s: %s", d, what)
}

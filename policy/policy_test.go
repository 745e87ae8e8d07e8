package policy

import (
	"context"
	"fmt"
	"testing"

	"github.com/casbin/casbin/v2"

	cds "github.com/caobang/congdanso"
)

var tree = []cds.Agency{
	{Code: "UBND-CB"},
	{Code: "SXD", ParentCode: "UBND-CB"},
	{Code: "SXD-QLN", ParentCode: "SXD"},
	{Code: "SYT", ParentCode: "UBND-CB"},
}

func newTest(t testing.TB, cached bool, lines ...[]string) *Authorizer {
	m, err := NewModel()
	if err != nil {
		t.Fatal(err)
	}
	e, _ := casbin.NewSyncedEnforcer(m)
	if len(lines) > 0 {
		if _, err := e.AddPolicies(lines); err != nil {
			t.Fatal(err)
		}
	}
	a := NewAuthorizer(e, tree)
	a.cached = cached
	return a
}

func TestAllowedDomainsAndHierarchy(t *testing.T) {
	for _, cached := range []bool{false, true} {
		a := newTest(t, cached,
			[]string{"officer", "*", "feedback", "answer"},
			[]string{"leader", "*", "feedback", "approve"},
			[]string{"officer", "SYT", "vaccine", "record"},
			[]string{"citizen", "*", "feedback", "create"},
		)
		ctx := context.Background()
		off := cds.Actor{UserID: 1, AgencyCode: "SXD", Roles: []cds.Role{cds.RoleOfficer}}
		lead := cds.Actor{UserID: 2, AgencyCode: "SXD", Roles: []cds.Role{cds.RoleLeader}}
		sytOff := cds.Actor{UserID: 3, AgencyCode: "SYT", Roles: []cds.Role{cds.RoleOfficer}}
		cit := cds.Actor{UserID: 4, Roles: []cds.Role{cds.RoleCitizen}}
		cases := []struct {
			name          string
			a             cds.Actor
			dom, obj, act string
			want          bool
		}{
			{"officer route", off, "", "feedback", "answer", true},
			{"officer own agency", off, "SXD", "feedback", "answer", true},
			{"officer sub-unit: no reach", off, "SXD-QLN", "feedback", "answer", false},
			{"officer other agency", off, "SYT", "feedback", "answer", false},
			{"officer wrong action", off, "SXD", "feedback", "approve", false},
			{"leader sub-unit: reach", lead, "SXD-QLN", "feedback", "approve", true},
			{"leader sibling", lead, "SYT", "feedback", "approve", false},
			{"leader parent", lead, "UBND-CB", "feedback", "approve", false},
			{"domain-specific grant", sytOff, "", "vaccine", "record", true},
			{"domain-specific grant elsewhere", off, "", "vaccine", "record", false},
			{"citizen", cit, "", "feedback", "create", true},
			{"citizen not staff", cit, "", "feedback", "answer", false},
		}
		for _, c := range cases {
			got, err := a.Allowed(ctx, c.a, c.dom, c.obj, c.act)
			if err != nil || got != c.want {
				t.Errorf("cached=%v %s: got %v, %v; want %v", cached, c.name, got, err, c.want)
			}
		}
		// A change through the authorizer is visible at once despite the cache.
		if _, err := a.RemovePolicy("officer", "*", "feedback", "answer"); err != nil {
			t.Fatal(err)
		}
		if ok, _ := a.Allowed(ctx, off, "", "feedback", "answer"); ok {
			t.Errorf("cached=%v: revoked grant still allowed", cached)
		}
	}
}

// benchSetup builds 10,000 p lines over 200 agencies.
func benchSetup(b *testing.B, cached bool) (*Authorizer, []cds.Actor) {
	agencies := []cds.Agency{{Code: "ROOT"}}
	for i := 0; i < 200; i++ {
		agencies = append(agencies, cds.Agency{Code: fmt.Sprintf("AG%03d", i), ParentCode: "ROOT"})
	}
	var lines [][]string
	roles := []string{"officer", "leader", "coordinator", "editor", "reporter"}
	for i := 0; len(lines) < 10000; i++ {
		lines = append(lines, []string{roles[i%len(roles)], fmt.Sprintf("AG%03d", i%200), fmt.Sprintf("obj%d", i%50), fmt.Sprintf("act%d", i%10)})
	}
	m, _ := NewModel()
	e, _ := casbin.NewSyncedEnforcer(m)
	if _, err := e.AddPolicies(lines); err != nil {
		b.Fatal(err)
	}
	a := NewAuthorizer(e, agencies)
	a.cached = cached
	actors := make([]cds.Actor, 200)
	for i := range actors {
		actors[i] = cds.Actor{UserID: int64(i + 1), AgencyCode: fmt.Sprintf("AG%03d", i), Roles: []cds.Role{cds.Role(roles[i%len(roles)])}}
	}
	return a, actors
}

// BenchmarkEnforceUncached is Casbin's own cost per decision: a scan of every line.
func BenchmarkEnforceUncached(b *testing.B) {
	a, actors := benchSetup(b, false)
	ctx := context.Background()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		ac := actors[i%len(actors)]
		if _, err := a.Allowed(ctx, ac, ac.AgencyCode, fmt.Sprintf("obj%d", i%50), "act1"); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkEnforceCached is the production path: decisions cached until a change.
func BenchmarkEnforceCached(b *testing.B) {
	a, actors := benchSetup(b, true)
	ctx := context.Background()
	objs := make([]string, 50)
	for i := range objs {
		objs[i] = fmt.Sprintf("obj%d", i)
	}
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			ac := actors[i%len(actors)]
			if _, err := a.Allowed(ctx, ac, ac.AgencyCode, objs[i%50], "act1"); err != nil {
				b.Fatal(err)
			}
			i++
		}
	})
}

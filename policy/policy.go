// Package policy decides who may act, with Casbin v2 and the RBAC-with-domains
// model: the domain is the agency, and a leader's or coordinator's rights
// reach the agency's sub-units through the hierarchy.
package policy

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"sort"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/casbin/casbin/v2"
	"github.com/casbin/casbin/v2/model"
	"github.com/jackc/pgx/v5/pgxpool"

	cds "github.com/caobang/congdanso"
)

//go:embed model.conf
var modelText string

//go:embed policies/*.csv
var policyFS embed.FS

// DefaultPolicies returns the built-in p lines from policies/*.csv, each as
// [sub, dom, obj, act]. Each feature owns one CSV file.
func DefaultPolicies() ([][]string, error) {
	var out [][]string
	err := fs.WalkDir(policyFS, "policies", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := policyFS.ReadFile(path)
		if err != nil {
			return err
		}
		for n, line := range strings.Split(string(b), "\n") {
			line = strings.TrimSpace(line)
			if line == "" || strings.HasPrefix(line, "#") {
				continue
			}
			f := strings.Split(line, ",")
			for i := range f {
				f[i] = strings.TrimSpace(f[i])
			}
			if len(f) != 5 || f[0] != "p" {
				return fmt.Errorf("policy: %s:%d: want p, role, domain, object, action", path, n+1)
			}
			out = append(out, f[1:])
		}
		return nil
	})
	sort.Slice(out, func(i, j int) bool { return strings.Join(out[i], ",") < strings.Join(out[j], ",") })
	return out, err
}

// NewModel parses the embedded Casbin model.
func NewModel() (model.Model, error) { return model.NewModelFromString(modelText) }

// Authorizer implements congdanso.Authorizer on a Casbin enforcer.
type Authorizer struct {
	E *casbin.SyncedEnforcer

	mu      sync.RWMutex
	parents map[string]string // agency code → parent code

	// pool is set for the PostgreSQL-backed authorizer (NewPostgres).
	pool *pgxpool.Pool
	// cached enables the decision cache; it is emptied on every reload or
	// change made through the Authorizer (policy lines or agency tree).
	cached bool
	cache  atomic.Pointer[sync.Map]
}

// reachRoles are the roles whose grants extend to sub-units of their agency.
var reachRoles = map[cds.Role]bool{cds.RoleLeader: true, cds.RoleCoordinator: true, cds.RoleAdmin: true, cds.RoleSteering: true}

// NewAuthorizer wraps an enforcer. Agencies give the hierarchy.
func NewAuthorizer(e *casbin.SyncedEnforcer, agencies []cds.Agency) *Authorizer {
	a := &Authorizer{E: e}
	a.Invalidate()
	a.SetAgencies(agencies)
	return a
}

// NewInMemory builds an authorizer with the default policies and no database
// (for unit tests and tools).
func NewInMemory(agencies []cds.Agency) (*Authorizer, error) {
	m, err := NewModel()
	if err != nil {
		return nil, err
	}
	e, err := casbin.NewSyncedEnforcer(m)
	if err != nil {
		return nil, err
	}
	pols, err := DefaultPolicies()
	if err != nil {
		return nil, err
	}
	if len(pols) > 0 {
		if _, err := e.AddPolicies(pols); err != nil {
			return nil, err
		}
	}
	return NewAuthorizer(e, agencies), nil
}

// SetAgencies replaces the hierarchy (after the directory changes).
func (a *Authorizer) SetAgencies(agencies []cds.Agency) {
	p := make(map[string]string, len(agencies))
	for _, ag := range agencies {
		p[ag.Code] = ag.ParentCode
	}
	a.mu.Lock()
	a.parents = p
	a.mu.Unlock()
	a.Invalidate()
}

// Invalidate drops cached decisions.
func (a *Authorizer) Invalidate() { a.cache.Store(new(sync.Map)) }

// enforce asks Casbin, through the decision cache when enabled. Casbin scans
// every p line per request, so with thousands of lines a cached decision is
// far cheaper; the cache is keyed by the full request and emptied on change.
func (a *Authorizer) enforce(role, dom, obj, act string) (bool, error) {
	if !a.cached {
		return a.E.Enforce(role, dom, obj, act)
	}
	m := a.cache.Load()
	key := role + "\x00" + dom + "\x00" + obj + "\x00" + act
	if v, ok := m.Load(key); ok {
		return v.(bool), nil
	}
	ok, err := a.E.Enforce(role, dom, obj, act)
	if err == nil {
		m.Store(key, ok)
	}
	return ok, err
}

// AddPolicy adds a p line (role, domain, object, action) and persists it
// when the authorizer is backed by PostgreSQL. It reports whether it was new.
func (a *Authorizer) AddPolicy(role, dom, obj, act string) (bool, error) {
	ok, err := a.E.AddPolicy(role, dom, obj, act)
	a.Invalidate()
	return ok, err
}

// RemovePolicy removes a p line. It reports whether the line existed.
func (a *Authorizer) RemovePolicy(role, dom, obj, act string) (bool, error) {
	ok, err := a.E.RemovePolicy(role, dom, obj, act)
	a.Invalidate()
	return ok, err
}

// Policies returns the current p lines as [role, domain, object, action].
func (a *Authorizer) Policies() ([][]string, error) { return a.E.GetPolicy() }

// Within reports whether agency code is anc or one of its descendants.
func (a *Authorizer) Within(code, anc string) bool {
	a.mu.RLock()
	defer a.mu.RUnlock()
	for i := 0; code != "" && i < 64; i++ {
		if code == anc {
			return true
		}
		code = a.parents[code]
	}
	return false
}

// Allowed implements congdanso.Authorizer. The subject is each role the actor
// holds; the domain is the actor's agency for route-level checks, or the
// object's agency for case-level ones (allowed when the actor's agency is that
// agency, or an ancestor of it for the reach roles).
func (a *Authorizer) Allowed(_ context.Context, act cds.Actor, dom, obj, action string) (bool, error) {
	for _, role := range act.Roles {
		d := act.AgencyCode
		if role == cds.RoleCitizen || d == "" {
			d = "*"
		}
		if dom != "" && d != "*" {
			if dom != d && !(reachRoles[role] && a.Within(dom, d)) {
				continue
			}
		}
		ok, err := a.enforce(string(role), d, obj, action)
		if err != nil {
			return false, err
		}
		if ok {
			return true, nil
		}
	}
	return false, nil
}

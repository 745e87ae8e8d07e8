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

	"github.com/casbin/casbin/v2"
	"github.com/casbin/casbin/v2/model"

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
}

// reachRoles are the roles whose grants extend to sub-units of their agency.
var reachRoles = map[cds.Role]bool{cds.RoleLeader: true, cds.RoleCoordinator: true, cds.RoleAdmin: true, cds.RoleSteering: true}

// NewAuthorizer wraps an enforcer. Agencies give the hierarchy.
func NewAuthorizer(e *casbin.SyncedEnforcer, agencies []cds.Agency) *Authorizer {
	a := &Authorizer{E: e}
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
}

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
		ok, err := a.E.Enforce(string(role), "*", obj, action)
		if err != nil {
			return false, err
		}
		if ok {
			return true, nil
		}
	}
	return false, nil
}

package admin

import (
	"context"
	"strings"

	cds "github.com/caobang/congdanso"
)

// PolicyLine is one grant: a role may do action on object in domain ("*":
// every agency).
type PolicyLine = policyLine

// Policies lists the policy lines in force (role, domain, object, action).
func (s *Handler) Policies() ([][]string, error) {
	pa, ok := s.Authz.(policyAdmin)
	if !ok {
		return nil, cds.Errorf(cds.EUNAVAILABLE, "Không quản lý được chính sách.", "Policies are not editable here.")
	}
	return pa.Policies()
}

// ChangePolicy adds or removes a line (the JSON API and the console's
// policies page), audited when it changed anything. Removing a line that
// does not exist is ENOTFOUND.
func (s *Handler) ChangePolicy(ctx context.Context, a cds.Actor, p PolicyLine, add bool) (bool, error) {
	if e := p.check(); e != nil {
		return false, e
	}
	pa, ok := s.Authz.(policyAdmin)
	if !ok {
		return false, cds.Errorf(cds.EUNAVAILABLE, "Không quản lý được chính sách.", "Policies are not editable here.")
	}
	var changed bool
	var err error
	action := "policy-add"
	if add {
		changed, err = pa.AddPolicy(p.Role, p.Domain, p.Object, p.Action)
	} else {
		action = "policy-remove"
		changed, err = pa.RemovePolicy(p.Role, p.Domain, p.Object, p.Action)
	}
	if err != nil {
		return false, err
	}
	if !add && !changed {
		return false, cds.Errorf(cds.ENOTFOUND, "Không có dòng chính sách này.", "No such policy line.")
	}
	if changed {
		line := strings.Join([]string{"p", p.Role, p.Domain, p.Object, p.Action}, ", ")
		if err := s.DB.Audit(ctx, a.UserID, action, "policy", line, p); err != nil {
			return changed, err
		}
	}
	return changed, nil
}

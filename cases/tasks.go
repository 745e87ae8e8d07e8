package cases

import (
	"context"

	cds "github.com/caobang/congdanso"
)

// reachesSubUnits are the roles whose queues include the agency's sub-units.
var reachesSubUnits = []cds.Role{cds.RoleLeader, cds.RoleCoordinator, cds.RoleAdmin}

// VisibleAgencies are the agencies whose tasks the actor may see: their own,
// plus its sub-units for leaders and coordinators.
func (s *Service) VisibleAgencies(ctx context.Context, a cds.Actor) ([]string, error) {
	if a.AgencyCode == "" || !a.IsStaff() {
		return nil, forbidden()
	}
	for _, r := range reachesSubUnits {
		if a.Has(r) {
			return s.DB.AgencyAndDescendants(ctx, a.AgencyCode)
		}
	}
	return []string{a.AgencyCode}, nil
}

// RoleNames are the actor's roles as strings (task candidate roles).
func RoleNames(a cds.Actor) []string {
	out := make([]string, len(a.Roles))
	for i, r := range a.Roles {
		out[i] = string(r)
	}
	return out
}

func forbidden() *cds.Error {
	return cds.Errorf(cds.EFORBIDDEN, "Bạn không có quyền thực hiện thao tác này.", "You are not allowed to do this.")
}

package cases

import (
	"context"
	"slices"

	cds "github.com/caobang/congdanso"
)

// StaffCanReadApplication: staff allowed application/read in the dossier's
// agency or, while another agency does its part (liên thông), in the lead
// agency that sent it. The JSON API and the console ask here.
func (s *Service) StaffCanReadApplication(ctx context.Context, a cds.Actor, agency, lead string) (bool, error) {
	if !a.IsStaff() {
		return false, nil
	}
	for _, ag := range []string{agency, lead} {
		if ag == "" {
			continue
		}
		ok, err := s.Authz.Allowed(ctx, a, ag, "application", "read")
		if err != nil || ok {
			return ok, err
		}
	}
	return false, nil
}

// StaffCanReadCase is whether a staff member may open a case in the
// console: whoever the JSON API lets read it (StaffCanReadFeedback,
// StaffCanReadApplication: a province-wide reader such as the steering
// committee included), and whoever's task queues hold its agency
// (VisibleAgencies), so a task in the queue always opens.
func (s *Service) StaffCanReadCase(ctx context.Context, a cds.Actor, kind, agency, lead string) (bool, error) {
	if agencies, err := s.VisibleAgencies(ctx, a); err == nil && slices.Contains(agencies, agency) {
		return true, nil
	} else if err != nil && cds.ErrorCode(err) != cds.EFORBIDDEN {
		return false, err
	}
	switch kind {
	case string(cds.KindFeedback):
		return s.StaffCanReadFeedback(ctx, a, agency), nil
	case string(cds.KindApplication):
		return s.StaffCanReadApplication(ctx, a, agency, lead)
	}
	return false, nil
}

package reporting

import (
	"context"
	"encoding/json"

	cds "github.com/caobang/congdanso"
	"github.com/caobang/congdanso/reports"
)

// Appendix I entry operations, shared by the JSON API and the staff
// console's entry form. The caller has checked that the actor reports for
// the unit (deployment_report submit in the unit's domain).

// DeploymentView is a unit's entry with its versions, the platform's counted
// figures and the differences flagged.
type DeploymentView = deploymentView

// SaveDeployment validates and saves a draft, or submits a new version
// (audited); it returns the unit.
func (s *Handler) SaveDeployment(ctx context.Context, a cds.Actor, campaign, unitCode string, d reports.DeploymentData, submit bool) (cds.Agency, error) {
	unit, err := s.DB.DeploymentUnit(ctx, unitCode)
	if err != nil {
		return unit, err
	}
	if err := d.Validate(unit.Type, submit); err != nil {
		return unit, err
	}
	data, err := json.Marshal(d)
	if err != nil {
		return unit, err
	}
	if submit {
		version, late, err := s.DB.SubmitDeployment(ctx, campaign, unitCode, data, a.UserID, s.now())
		if err != nil {
			return unit, err
		}
		return unit, s.DB.Audit(ctx, a.UserID, "submit", "deployment_report", campaign+"/"+unitCode, map[string]any{"version": version, "late": late})
	}
	return unit, s.DB.SaveDeploymentDraft(ctx, campaign, unitCode, data, a.UserID)
}

// DeploymentEntry reads a unit's entry in a campaign.
func (s *Handler) DeploymentEntry(ctx context.Context, campaign string, unit cds.Agency) (DeploymentView, error) {
	camp, err := s.DB.GetReportCampaign(ctx, campaign)
	if err != nil {
		return DeploymentView{}, err
	}
	e, err := s.DB.GetDeploymentEntry(ctx, campaign, unit.Code)
	if err != nil {
		return DeploymentView{}, err
	}
	counts, err := s.DB.CountDeploymentUnits(ctx, []string{unit.Code}, s.now())
	if err != nil {
		return DeploymentView{}, err
	}
	camp.Units = nil
	v := deploymentView{Campaign: camp, Unit: unit, Status: "not_started", Version: e.Version, SubmittedAt: e.SubmittedAt, Late: e.Late,
		Draft: e.Draft, Counted: deploymentCounted(counts[unit.Code]), Flags: []reports.Flag{}, History: e.Versions}
	if e.Draft != nil {
		v.Status = "draft"
	}
	if e.Version > 0 && len(e.Versions) > 0 {
		if e.Draft == nil {
			v.Status = "submitted"
		}
		v.Current = e.Versions[0].Data
		var d reports.DeploymentData
		if err := json.Unmarshal(v.Current, &d); err == nil {
			if fl := reports.Flags(unit.Type, d, v.Counted); fl != nil {
				v.Flags = fl
			}
		}
	}
	return v, nil
}

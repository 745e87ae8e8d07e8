package reporting

import (
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	cds "github.com/caobang/congdanso"
	"github.com/caobang/congdanso/api"
	"github.com/caobang/congdanso/postgres"
	"github.com/caobang/congdanso/reports"
)

func (s *Handler) registerDeployment(r *api.Server) {
	r.Handle(http.MethodPost, "/api/v1/deployment-campaigns", api.Can("deployment_campaign", "manage"), s.createCampaign)
	r.Handle(http.MethodGet, "/api/v1/deployment-campaigns", api.Can("deployment_campaign", "read"), s.listCampaigns)
	r.Handle(http.MethodPut, "/api/v1/deployment-reports/:campaign/:unit_code", api.Can("deployment_report", "submit"), s.putDeploymentReport)
	r.Handle(http.MethodGet, "/api/v1/deployment-reports/:campaign/:unit_code", api.Can("deployment_report", "read"), s.getDeploymentReport)
}

var campaignCodeRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$`)

type campaignRequest struct {
	Code     string    `json:"code"`
	Title    string    `json:"title"`
	Deadline time.Time `json:"deadline"`
	Units    []string  `json:"units"`
}

// createCampaign opens an Appendix I campaign (steering committee, admin).
func (s *Handler) createCampaign(c *gin.Context) {
	var req campaignRequest
	if !api.BindJSON(c, &req) {
		return
	}
	e := cds.Errorf(cds.EINVALID, "Đợt báo cáo chưa hợp lệ.", "The campaign is not valid.")
	if !campaignCodeRE.MatchString(req.Code) {
		e.WithField("code", "Mã gồm chữ, số, '-', '_' hoặc '.', tối đa 64 ký tự / Letters, digits, '-', '_' or '.', at most 64 characters")
	}
	req.Title = strings.TrimSpace(req.Title)
	if req.Title == "" || len([]rune(req.Title)) > 300 {
		e.WithField("title", "Nhập tiêu đề (tối đa 300 ký tự) / Enter a title (at most 300 characters)")
	}
	if req.Deadline.IsZero() {
		e.WithField("deadline", "Nhập hạn báo cáo (RFC 3339) / Enter the deadline (RFC 3339)")
	}
	if len(req.Units) == 0 || len(req.Units) > 1000 {
		e.WithField("units", "Chọn từ 1 đến 1000 đơn vị / Choose 1 to 1000 units")
	}
	if len(e.Fields) > 0 {
		api.WriteError(c, e)
		return
	}
	a := api.Actor(c)
	status, body, _, err := s.DB.Idempotent(c.Request.Context(), "deployment-campaign", a.UserID, c.GetHeader("Idempotency-Key"), func() (int, any, error) {
		camp, err := s.DB.CreateReportCampaign(c.Request.Context(), postgres.ReportCampaign{Code: req.Code, Title: req.Title, Deadline: req.Deadline, Units: req.Units}, a.UserID)
		if err != nil {
			if ce, ok := cds.AsError(err); ok && ce.Code == cds.ECONFLICT {
				return 0, nil, cds.Errorf(cds.ECONFLICT, "Mã đợt báo cáo đã tồn tại.", "A campaign with this code already exists.")
			}
			return 0, nil, err
		}
		_ = s.DB.Audit(c.Request.Context(), a.UserID, "create", "deployment_campaign", camp.Code, map[string]any{"units": len(camp.Units)})
		return http.StatusCreated, camp, nil
	})
	if err != nil {
		api.WriteError(c, err)
		return
	}
	c.Data(status, "application/json; charset=utf-8", body)
}

// listCampaigns lists campaigns: all for the steering committee and admins,
// those the reporter's own unit takes part in for reporters.
func (s *Handler) listCampaigns(c *gin.Context) {
	a := api.Actor(c)
	unit := a.AgencyCode
	if ok, err := s.Authz.Allowed(c.Request.Context(), a, "", "deployment_campaign", "manage"); err != nil {
		api.WriteError(c, err)
		return
	} else if ok {
		unit = ""
	}
	list, err := s.DB.ReportCampaigns(c.Request.Context(), unit)
	if err != nil {
		api.WriteError(c, err)
		return
	}
	if list == nil {
		list = []postgres.ReportCampaign{}
	}
	c.JSON(http.StatusOK, gin.H{"items": list, "next_cursor": nil})
}

type deploymentRequest struct {
	reports.DeploymentData
	// Submit true submits the entry (a new version); false saves a draft.
	Submit bool `json:"submit"`
}

// putDeploymentReport saves a draft or submits a unit's Appendix I entry.
// Only a reporter of that unit may (case-level check on the unit's domain).
func (s *Handler) putDeploymentReport(c *gin.Context) {
	campaign, unitCode := c.Param("campaign"), c.Param("unit_code")
	if !s.AllowedOn(c, unitCode, "deployment_report", "submit") {
		return
	}
	var req deploymentRequest
	if !api.BindJSON(c, &req) {
		return
	}
	ctx := c.Request.Context()
	unit, err := s.DB.DeploymentUnit(ctx, unitCode)
	if err != nil {
		api.WriteError(c, err)
		return
	}
	if err := req.DeploymentData.Validate(unit.Type, req.Submit); err != nil {
		api.WriteError(c, err)
		return
	}
	data, err := json.Marshal(req.DeploymentData)
	if err != nil {
		api.WriteError(c, err)
		return
	}
	a := api.Actor(c)
	if req.Submit {
		version, late, err := s.DB.SubmitDeployment(ctx, campaign, unitCode, data, a.UserID, s.now())
		if err != nil {
			api.WriteError(c, err)
			return
		}
		_ = s.DB.Audit(ctx, a.UserID, "submit", "deployment_report", campaign+"/"+unitCode, map[string]any{"version": version, "late": late})
	} else if err := s.DB.SaveDeploymentDraft(ctx, campaign, unitCode, data, a.UserID); err != nil {
		api.WriteError(c, err)
		return
	}
	s.writeDeploymentEntry(c, campaign, unit)
}

// getDeploymentReport returns an entry, its history, the counted figures and
// the flags. The unit's reporters, and the steering committee and admins, may read it.
func (s *Handler) getDeploymentReport(c *gin.Context) {
	campaign, unitCode := c.Param("campaign"), c.Param("unit_code")
	all, err := s.Authz.Allowed(c.Request.Context(), api.Actor(c), "", "deployment_report", "read_all")
	if err != nil {
		api.WriteError(c, err)
		return
	}
	if !all && !s.AllowedOn(c, unitCode, "deployment_report", "read") {
		return
	}
	unit, err := s.DB.DeploymentUnit(c.Request.Context(), unitCode)
	if err != nil {
		api.WriteError(c, err)
		return
	}
	s.writeDeploymentEntry(c, campaign, unit)
}

type deploymentView struct {
	Campaign    postgres.ReportCampaign      `json:"campaign"`
	Unit        cds.Agency                   `json:"unit"`
	Status      string                       `json:"status"` // not_started, draft, submitted
	Version     int                          `json:"version"`
	SubmittedAt *time.Time                   `json:"submitted_at"`
	Late        bool                         `json:"late"`
	Draft       json.RawMessage              `json:"draft"`
	Current     json.RawMessage              `json:"current"`
	Counted     reports.Counted              `json:"counted"`
	Flags       []reports.Flag               `json:"flags"`
	History     []postgres.DeploymentVersion `json:"history"`
}

func (s *Handler) writeDeploymentEntry(c *gin.Context, campaign string, unit cds.Agency) {
	ctx := c.Request.Context()
	camp, err := s.DB.GetReportCampaign(ctx, campaign)
	if err != nil {
		api.WriteError(c, err)
		return
	}
	e, err := s.DB.GetDeploymentEntry(ctx, campaign, unit.Code)
	if err != nil {
		api.WriteError(c, err)
		return
	}
	counts, err := s.DB.CountDeploymentUnits(ctx, []string{unit.Code}, s.now())
	if err != nil {
		api.WriteError(c, err)
		return
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
	c.JSON(http.StatusOK, v)
}

func deploymentCounted(u postgres.UnitCounts) reports.Counted {
	return reports.Counted{OfficialsRegistered: u.OfficialsRegistered, CitizensRegistered: u.CitizensRegistered, Active30d: u.Active30d}
}

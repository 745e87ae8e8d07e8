package console

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/caobang/congdanso/api"
	"github.com/caobang/congdanso/api/reporting"
	"github.com/caobang/congdanso/postgres"
	"github.com/caobang/congdanso/reports"
)

// A unit reporter's Phụ lục I entry for their own unit: save a draft or
// submit a new version (reporting's operation), see the platform's counted
// figures next to the declared ones with the differences flagged, the
// versions, and download the merged sheet (steering) from the reports page.

type appendixView struct {
	Campaigns []postgres.ReportCampaign
	Campaign  string
	Entry     *reporting.DeploymentView
	Data      reports.DeploymentData
	Values    map[string]string
	Forms     []checkOption
}

type checkOption struct {
	Value, Name string
	Checked     bool
}

var appendixForms = []struct{ Code, Name string }{
	{"in_person", "Hướng dẫn trực tiếp"}, {"online", "Hướng dẫn trực tuyến"}, {"conference", "Hội nghị, tập huấn"},
}

func (s reportPages) appendixView(c *gin.Context, campaign string) (appendixView, error) {
	a := api.Actor(c)
	v := appendixView{Values: map[string]string{}}
	var err error
	if v.Campaigns, err = s.DB.ReportCampaigns(c.Request.Context(), a.AgencyCode); err != nil {
		return v, err
	}
	if campaign == "" && len(v.Campaigns) > 0 {
		campaign = v.Campaigns[0].Code
	}
	v.Campaign = campaign
	if campaign == "" {
		return v, nil
	}
	unit, err := s.DB.DeploymentUnit(c.Request.Context(), a.AgencyCode)
	if err != nil {
		return v, err
	}
	e, err := s.Reports.DeploymentEntry(c.Request.Context(), campaign, unit)
	if err != nil {
		return v, err
	}
	v.Entry = &e
	raw := e.Draft
	if raw == nil {
		raw = e.Current
	}
	if raw != nil {
		_ = json.Unmarshal(raw, &v.Data)
	}
	v.fill()
	return v, nil
}

// fill shows the data in the form's inputs.
func (v *appendixView) fill() {
	d := v.Data
	num := func(p *int64) string {
		if p == nil {
			return ""
		}
		return strconv.FormatInt(*p, 10)
	}
	for k, val := range map[string]string{"plan_number": d.PlanNumber, "document_number": d.DocumentNumber, "forms_note": d.FormsNote,
		"total_officials": num(d.TotalOfficials), "officials_installed": num(d.OfficialsInstalled), "citizens_installed": num(d.CitizensInstalled),
		"trainings": num(d.Trainings), "materials": num(d.Materials), "advantages": d.Advantages, "difficulties": d.Difficulties, "proposals": d.Proposals} {
		v.Values[k] = val
	}
	v.Forms = nil
	for _, f := range appendixForms {
		checked := false
		for _, x := range d.Forms {
			checked = checked || x == f.Code
		}
		v.Forms = append(v.Forms, checkOption{f.Code, f.Name, checked})
	}
}

func (s reportPages) consoleAppendix(c *gin.Context) {
	v, err := s.appendixView(c, c.Query("campaign"))
	if err != nil {
		api.WriteError(c, err)
		return
	}
	s.renderConsole(c, http.StatusOK, "appendix", consolePage{Title: "Báo cáo Phụ lục I của đơn vị", Nav: "appendix", Data: v})
}

// consoleAppendixSave saves the draft (submit=0) or submits (submit=1).
func (s reportPages) consoleAppendixSave(c *gin.Context) {
	a := api.Actor(c)
	campaign := c.PostForm("campaign")
	v, err := s.appendixView(c, campaign)
	if err != nil {
		api.WriteError(c, err)
		return
	}
	var errs []fieldError
	num := func(name string) *int64 {
		val := strings.ReplaceAll(strings.ReplaceAll(strings.TrimSpace(c.PostForm(name)), ".", ""), ",", "")
		if val == "" {
			return nil
		}
		n, err := strconv.ParseInt(val, 10, 64)
		if err != nil {
			errs = append(errs, fieldError{name, "Phải là số nguyên. / Must be an integer."})
			return nil
		}
		return &n
	}
	d := reports.DeploymentData{PlanNumber: strings.TrimSpace(c.PostForm("plan_number")), DocumentNumber: strings.TrimSpace(c.PostForm("document_number")),
		Forms: c.PostFormArray("forms"), FormsNote: strings.TrimSpace(c.PostForm("forms_note")),
		TotalOfficials: num("total_officials"), OfficialsInstalled: num("officials_installed"), CitizensInstalled: num("citizens_installed"),
		Trainings: num("trainings"), Materials: num("materials"),
		Advantages: strings.TrimSpace(c.PostForm("advantages")), Difficulties: strings.TrimSpace(c.PostForm("difficulties")), Proposals: strings.TrimSpace(c.PostForm("proposals"))}
	submit := c.PostForm("submit") == "1"
	if len(errs) == 0 {
		if ok, aerr := s.Authz.Allowed(c.Request.Context(), a, a.AgencyCode, "deployment_report", "submit"); aerr != nil || !ok {
			err = api.Forbidden()
		} else {
			_, err = s.Reports.SaveDeployment(c.Request.Context(), a, campaign, a.AgencyCode, d, submit)
		}
		if err == nil {
			if submit {
				setFlash(c, "Đã gửi báo cáo (phiên bản mới).")
			} else {
				setFlash(c, "Đã lưu bản nháp.")
			}
			c.Redirect(http.StatusSeeOther, "/console/appendix1?campaign="+url.QueryEscape(campaign))
			return
		}
		e := api.ErrorOf(c, err)
		for f, m := range e.Fields {
			errs = append(errs, fieldError{f, m})
		}
		if len(errs) == 0 {
			errs = append(errs, fieldError{"plan_number", e.Message + " / " + e.MessageEN})
		}
	}
	v.Data = d
	v.fill()
	s.renderConsole(c, http.StatusBadRequest, "appendix", consolePage{Title: "Báo cáo Phụ lục I của đơn vị", Nav: "appendix", Errors: errs, Data: v})
}

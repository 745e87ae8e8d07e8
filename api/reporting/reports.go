package reporting

import (
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	cds "github.com/caobang/congdanso"
	"github.com/caobang/congdanso/api"
	"github.com/caobang/congdanso/cases"
	"github.com/caobang/congdanso/postgres"
	"github.com/caobang/congdanso/reports"
)

func (s *Handler) registerReports(r *api.Server) {
	r.Handle(http.MethodGet, "/api/v1/reports/appendix-1.xlsx", api.Can("report", "appendix1"), s.appendix1Report)
	r.Handle(http.MethodGet, "/api/v1/reports/case-stats.xlsx", api.Can("report", "case_stats"), s.caseStatsReport)
	r.Handle(http.MethodPost, "/api/v1/reports/case-exports", api.Can("report", "export"), s.startCaseExport)
	r.Handle(http.MethodGet, "/api/v1/reports/case-exports/:id", api.Can("report", "export"), s.getCaseExport)
	r.Handle(http.MethodGet, "/api/v1/reports/case-exports/:id/file", api.Can("report", "export"), s.downloadCaseExport)
}

const xlsxType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

func sendXLSX(c *gin.Context, name string, b []byte) {
	c.Header("Content-Disposition", fmt.Sprintf(`attachment; filename="%s"`, name))
	c.Header("Cache-Control", "no-store")
	c.Data(http.StatusOK, xlsxType, b)
}

// appendix1Report merges a campaign's Appendix I entries (steering committee only).
func (s *Handler) appendix1Report(c *gin.Context) {
	code := c.Query("campaign")
	if code == "" {
		api.WriteError(c, cds.Errorf(cds.EINVALID, "Thiếu mã đợt báo cáo.", "The campaign is missing.").WithField("campaign", "Bắt buộc / Required"))
		return
	}
	ctx := c.Request.Context()
	camp, err := s.DB.GetReportCampaign(ctx, code)
	if err != nil {
		api.WriteError(c, err)
		return
	}
	now := s.now()
	units, err := s.DB.DeploymentCampaignUnits(ctx, code, now)
	if err != nil {
		api.WriteError(c, err)
		return
	}
	in := reports.Appendix1Input{CampaignCode: camp.Code, CampaignTitle: camp.Title, Deadline: camp.Deadline, GeneratedAt: now}
	for _, u := range units {
		r := reports.UnitReport{Unit: reports.Unit{Code: u.Agency.Code, Name: u.Agency.Name, Type: u.Agency.Type}, Counted: deploymentCounted(u.Counts),
			Submitted: u.Version > 0, HasDraft: u.HasDraft, Version: u.Version, SubmittedAt: u.SubmittedAt, Late: u.Late}
		if u.Version > 0 {
			if err := json.Unmarshal(u.Data, &r.Data); err != nil {
				api.WriteError(c, err)
				return
			}
		}
		in.Units = append(in.Units, r)
	}
	b, err := reports.Appendix1(in)
	if err != nil {
		api.WriteError(c, err)
		return
	}
	sendXLSX(c, "phu-luc-1-"+camp.Code+".xlsx", b)
}

// reportPeriod parses ?from=&to= as dates (YYYY-MM-DD, Vietnam time; to is
// inclusive) or RFC 3339 instants. The default is the current year to date.
func reportPeriod(from, to string, now time.Time) (time.Time, time.Time, error) {
	e := cds.Errorf(cds.EINVALID, "Kỳ báo cáo không hợp lệ.", "The period is not valid.")
	parse := func(field, v string, end bool) time.Time {
		if t, err := time.ParseInLocation("2006-01-02", v, cds.VietnamTZ); err == nil {
			if end {
				return t.AddDate(0, 0, 1)
			}
			return t
		}
		if t, err := time.Parse(time.RFC3339, v); err == nil {
			return t
		}
		e.WithField(field, "Định dạng YYYY-MM-DD hoặc RFC 3339 / Use YYYY-MM-DD or RFC 3339")
		return time.Time{}
	}
	n := now.In(cds.VietnamTZ)
	f, t := time.Date(n.Year(), 1, 1, 0, 0, 0, 0, cds.VietnamTZ), time.Date(n.Year(), n.Month(), n.Day(), 0, 0, 0, 0, cds.VietnamTZ).AddDate(0, 0, 1)
	if from != "" {
		f = parse("from", from, false)
	}
	if to != "" {
		t = parse("to", to, true)
	}
	if len(e.Fields) == 0 && !f.Before(t) {
		e.WithField("to", "Ngày kết thúc phải sau ngày bắt đầu / The end must be after the start")
	}
	if len(e.Fields) == 0 && t.Sub(f) > 10*366*24*time.Hour {
		e.WithField("from", "Kỳ báo cáo tối đa 10 năm / At most 10 years")
	}
	if len(e.Fields) > 0 {
		return f, t, e
	}
	return f, t, nil
}

// reportScope decides which agency subtree the actor may report on. Holders
// of act+"_all" (the steering committee) may choose any agency or the whole
// province; others (agency leaders) only their own agency or its sub-units,
// which is also their default.
func (s *Handler) reportScope(c *gin.Context, agency, act string) (string, bool) {
	a := api.Actor(c)
	all, err := s.Authz.Allowed(c.Request.Context(), a, "", "report", act+"_all")
	if err != nil {
		api.WriteError(c, err)
		return "", false
	}
	if all {
		return agency, true
	}
	if agency == "" {
		agency = a.AgencyCode
	}
	if agency == "" {
		api.WriteError(c, api.Forbidden())
		return "", false
	}
	return agency, s.AllowedOn(c, agency, "report", act)
}

// caseStatsReport builds the Biểu 06-style statistics of feedback and applications.
func (s *Handler) caseStatsReport(c *gin.Context) {
	from, to, err := reportPeriod(c.Query("from"), c.Query("to"), time.Now())
	if err != nil {
		api.WriteError(c, err)
		return
	}
	agency, ok := s.reportScope(c, c.Query("agency"), "case_stats")
	if !ok {
		return
	}
	ctx := c.Request.Context()
	scope := "Toàn tỉnh"
	if agency != "" {
		u, err := s.DB.DeploymentUnit(ctx, agency)
		if err != nil {
			api.WriteError(c, err)
			return
		}
		scope = u.Name
	}
	in := reports.CaseStatsInput{From: from, To: to, ScopeName: scope, GeneratedAt: time.Now()}
	for _, byField := range []bool{false, true} {
		rows, err := s.DB.ReportCaseStats(ctx, from, to, agency, byField)
		if err != nil {
			api.WriteError(c, err)
			return
		}
		out := make([]reports.CaseStatRow, len(rows))
		for i, r := range rows {
			out[i] = reports.CaseStatRow{Group: r.Group, GroupName: r.GroupName, Kind: cds.Kind(r.Kind), Online: r.Online, InPerson: r.InPerson, Carried: r.Carried,
				Early: r.Early, OnTime: r.OnTime, Late: r.Late, WithinDeadline: r.WithinDeadline, Overdue: r.Overdue,
				HoursSum: r.HoursSum, HoursN: r.HoursN, RatingSum: r.RatingSum, RatingN: r.RatingN}
		}
		if byField {
			in.ByField = out
		} else {
			in.ByAgency = out
		}
	}
	b, err := reports.CaseStats(in)
	if err != nil {
		api.WriteError(c, err)
		return
	}
	sendXLSX(c, "thong-ke-ho-so-"+from.In(cds.VietnamTZ).Format("20060102")+"-"+to.Add(-time.Second).In(cds.VietnamTZ).Format("20060102")+".xlsx", b)
}

type caseExportRequest struct {
	From   string `json:"from"`
	To     string `json:"to"`
	Agency string `json:"agency"`
	Format string `json:"format"` // csv or xlsx
}

// exportStaleAfter: a running export that has not reported progress for this
// long died with its process and is shown as failed.
const exportStaleAfter = 15 * time.Minute

// startCaseExport queues a full case-list export, built by the durable
// CaseExport workflow; the answer is 202 with the URL to poll.
func (s *Handler) startCaseExport(c *gin.Context) {
	var req caseExportRequest
	if !api.BindJSON(c, &req) {
		return
	}
	if req.Format == "" {
		req.Format = "xlsx"
	}
	if req.Format != "xlsx" && req.Format != "csv" {
		api.WriteError(c, cds.Errorf(cds.EINVALID, "Định dạng không hợp lệ.", "Unsupported format.").WithField("format", "csv hoặc xlsx / csv or xlsx"))
		return
	}
	from, to, err := reportPeriod(req.From, req.To, time.Now())
	if err != nil {
		api.WriteError(c, err)
		return
	}
	agency, ok := s.reportScope(c, req.Agency, "export")
	if !ok {
		return
	}
	status, body, err := s.Cases.StartExport(c.Request.Context(), cases.ExportRequest{Actor: api.Actor(c), Key: c.GetHeader("Idempotency-Key"),
		Format: req.Format, From: from, To: to, Agency: agency, View: func(j postgres.ReportExport) any { return exportView(j) }})
	if err != nil {
		api.WriteError(c, err)
		return
	}
	var v map[string]any
	if json.Unmarshal(body, &v) == nil {
		if u, ok := v["poll_url"].(string); ok {
			c.Header("Location", u)
		}
	}
	c.Data(status, "application/json; charset=utf-8", body)
}

func exportView(j postgres.ReportExport) gin.H {
	v := gin.H{"id": j.ID, "format": j.Format, "status": j.Status, "rows": j.Rows, "size": j.Size,
		"created_at": j.CreatedAt, "finished_at": j.FinishedAt, "poll_url": "/api/v1/reports/case-exports/" + j.ID}
	if j.Status == "done" {
		v["download_url"] = "/api/v1/reports/case-exports/" + j.ID + "/file"
	}
	if j.Status == "failed" {
		v["error"] = "Xuất dữ liệu không thành công, vui lòng thử lại. / The export failed; please retry."
	}
	return v
}

// ownExport loads a job of the signed-in actor (others' jobs are 404).
func (s *Handler) ownExport(c *gin.Context) (postgres.ReportExport, bool) {
	id := c.Param("id")
	j, err := s.DB.GetReportExport(c.Request.Context(), id)
	if err == nil && j.CreatedBy != api.ActorID(c) {
		err = cds.Errorf(cds.ENOTFOUND, "Không tìm thấy.", "Not found.")
	}
	if err != nil {
		api.WriteError(c, err)
		return j, false
	}
	if (j.Status == "running" || j.Status == "queued") && time.Since(j.UpdatedAt) > exportStaleAfter {
		if _, err := s.DB.FailStaleReportExports(c.Request.Context(), time.Now().Add(-exportStaleAfter)); err == nil {
			j.Status = "failed"
		}
	}
	return j, true
}

// getCaseExport is the polling URL of an export.
func (s *Handler) getCaseExport(c *gin.Context) {
	j, ok := s.ownExport(c)
	if !ok {
		return
	}
	c.JSON(http.StatusOK, exportView(j))
}

// downloadCaseExport streams a finished export from the blob store.
func (s *Handler) downloadCaseExport(c *gin.Context) {
	j, ok := s.ownExport(c)
	if !ok {
		return
	}
	if j.Status != "done" {
		api.WriteError(c, cds.Errorf(cds.ECONFLICT, "Tệp chưa sẵn sàng.", "The file is not ready yet."))
		return
	}
	rc, err := s.Blob.Get(c.Request.Context(), j.BlobKey)
	if err != nil {
		api.WriteError(c, err)
		return
	}
	defer rc.Close()
	ctype := cases.ExportContentType(j.Format)
	c.Header("Content-Disposition", fmt.Sprintf(`attachment; filename="danh-sach-ho-so-%s.%s"`, j.ID, j.Format))
	c.DataFromReader(http.StatusOK, j.Size, ctype, rc, nil)
}

package console

import (
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	cds "github.com/caobang/congdanso"
	"github.com/caobang/congdanso/postgres"
)

// The reports page: downloads of the steering committee's workbooks, with
// the campaign picked from a list and the period written dd/mm/yyyy.

type reportsView struct {
	Campaign  string
	Campaigns []postgres.ReportCampaign
	From, To  string
	Agency    string
	Agencies  []cds.Agency
	DateHint  string
}

func (s reportPages) reportsView(c *gin.Context) reportsView {
	now := time.Now().In(cds.VietnamTZ)
	v := reportsView{From: vnDate(time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, cds.VietnamTZ)), To: vnDate(now), DateHint: dateHint}
	ctx := c.Request.Context()
	v.Agencies, _ = s.DB.Agencies(ctx)
	v.Campaigns, _ = s.DB.ReportCampaigns(ctx, "")
	if len(v.Campaigns) > 0 {
		v.Campaign = v.Campaigns[0].Code
	}
	return v
}

func (s reportPages) consoleReports(c *gin.Context) {
	s.renderConsole(c, http.StatusOK, "reports", consolePage{Title: "Báo cáo Ban Chỉ đạo", Nav: "reports", Data: s.reportsView(c)})
}

// consoleCaseStats checks the dd/mm/yyyy period and sends the browser to the
// workbook's download (reporting's handler: the report's own permission and
// scope).
func (s reportPages) consoleCaseStats(c *gin.Context) {
	v := s.reportsView(c)
	v.From, v.To, v.Agency = strings.TrimSpace(c.Query("from")), strings.TrimSpace(c.Query("to")), c.Query("agency")
	var errs []fieldError
	from, ok := parseVNDate(v.From)
	if !ok {
		errs = append(errs, badDate("from"))
	}
	to, ok2 := parseVNDate(v.To)
	if !ok2 {
		errs = append(errs, badDate("to"))
	}
	if ok && ok2 && to.Before(from) {
		errs = append(errs, fieldError{"to", "Ngày kết thúc phải sau ngày bắt đầu. / The end must be after the start."})
	}
	if len(errs) > 0 {
		s.renderConsole(c, http.StatusBadRequest, "reports", consolePage{Title: "Báo cáo Ban Chỉ đạo", Nav: "reports", Errors: errs, Data: v})
		return
	}
	q := url.Values{"from": {isoDate(from)}, "to": {isoDate(to)}}
	if v.Agency != "" {
		q.Set("agency", v.Agency)
	}
	c.Redirect(http.StatusSeeOther, "/console/reports/case-stats.xlsx?"+q.Encode())
}

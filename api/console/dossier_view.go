package console

import (
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"time"

	"github.com/gin-gonic/gin"

	cds "github.com/caobang/congdanso"
	"github.com/caobang/congdanso/postgres"
)

// dossierView is what the case page shows of a dossier, and what its
// printable forms (Mẫu 01, 03…) are made of.
type dossierView struct {
	App       postgres.Application
	Procedure string
	Citizen   string
	Fields    []labelled
	Forms     []printLink
}

type labelled struct{ Label, Value string }

type printLink struct{ Form, Title, URL string }

// formTitles are the one-stop forms of Thông tư 01/2018/TT-VPCP the
// workflow records (docs/console.md cites the circular).
var formTitles = map[string]string{
	"form01": "Mẫu 01 – Giấy tiếp nhận hồ sơ và hẹn trả kết quả",
	"form02": "Mẫu 02 – Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ",
	"form03": "Mẫu 03 – Phiếu từ chối tiếp nhận giải quyết hồ sơ",
	"form04": "Mẫu 04 – Phiếu xin lỗi và hẹn lại ngày trả kết quả",
	"form05": "Thông báo dừng giải quyết hồ sơ",
}

func (s *Handler) loadDossier(c *gin.Context, app postgres.Application) (*dossierView, error) {
	ctx := c.Request.Context()
	d := &dossierView{App: app, Procedure: app.ProcedureCode}
	if p, err := s.DB.ProcedureVersion(ctx, app.ProcedureCode, app.SubmittedVersion); err == nil {
		d.Procedure = p.Name
		for _, f := range p.Fields {
			if v, ok := app.Form[f.Name]; ok {
				d.Fields = append(d.Fields, labelled{f.Label, formValue(v)})
			}
		}
	}
	if cit, err := s.DB.ApplicationCitizen(ctx, app.CitizenID); err == nil {
		d.Citizen = cit.Name
	}
	keys := make([]string, 0, len(app.Forms))
	for k := range app.Forms {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		t := formTitles[k]
		if t == "" {
			t = k
		}
		d.Forms = append(d.Forms, printLink{k, t, "/console/cases/application/" + url.PathEscape(app.Code) + "/print/" + url.PathEscape(k)})
	}
	return d, nil
}

// formValue shows a form value; dates (YYYY-MM-DD) as dd/mm/yyyy.
func formValue(v any) string {
	s := fmt.Sprint(v)
	if t, err := time.ParseInLocation("2006-01-02", s, cds.VietnamTZ); err == nil {
		return vnDate(t)
	}
	return s
}

// printView is one printable form: what the workflow recorded when it
// issued the form, with the names resolved.
type printView struct {
	Form       string
	Title      string
	Agency     string
	Code       string
	Citizen    string
	Procedure  string
	ReceivedAt string
	Appoint    string
	IssuedAt   string
	IssuedBy   string
	Reason     string
	Fee        string
	Documents  []string
}

// consolePrint renders a dossier's form as a printable page (the browser's
// print to paper or PDF; the page's print style drops the console chrome).
func (s *Handler) consolePrint(c *gin.Context) {
	v, ok := s.loadCase(c)
	if !ok {
		return
	}
	form := c.Param("form")
	var raw map[string]any
	if v.Dossier != nil {
		raw, _ = v.Dossier.App.Forms[form].(map[string]any)
	}
	if raw == nil {
		s.renderConsole(c, http.StatusNotFound, "error", consolePage{Title: "Không có biểu mẫu",
			Message: "Hồ sơ chưa có biểu mẫu này. / The dossier has no such form."})
		return
	}
	str := func(k string) string {
		if x, ok := raw[k].(string); ok {
			return x
		}
		return ""
	}
	when := func(k string) string {
		if t, err := time.Parse(time.RFC3339Nano, str(k)); err == nil {
			return t.In(cds.VietnamTZ).Format("15 giờ 04 phút, ngày 02/01/2006")
		}
		return ""
	}
	p := printView{Form: form, Title: str("title"), Agency: v.Case.AgencyName, Code: v.Case.Code, Citizen: v.Dossier.Citizen,
		Procedure: v.Dossier.Procedure, ReceivedAt: when("received_at"), Appoint: when("appointment_at"), IssuedAt: when("issued_at"),
		IssuedBy: str("issued_by") + str("received_by"), Reason: str("reason")}
	if p.Title == "" {
		p.Title = formTitles[form]
	}
	if p.IssuedAt == "" {
		p.IssuedAt = p.ReceivedAt
	}
	if fee, ok := raw["fee"].(float64); ok && fee > 0 {
		p.Fee = fmt.Sprintf("%.0f đồng", fee)
	}
	if docs, ok := raw["documents"].([]any); ok {
		for _, d := range docs {
			if m, ok := d.(map[string]any); ok {
				p.Documents = append(p.Documents, fmt.Sprint(m["name"]))
			}
		}
	}
	if p.Agency == "" {
		p.Agency = v.Case.AgencyCode
	}
	s.renderConsole(c, http.StatusOK, "print", consolePage{Title: p.Title + " – " + p.Code, Data: p})
}

package applications

import (
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	cds "github.com/caobang/congdanso"
	"github.com/caobang/congdanso/api"
	"github.com/caobang/congdanso/postgres"
	"github.com/caobang/congdanso/reports"
	"github.com/caobang/congdanso/workflows"
)

// The one-stop forms of Circular 01/2018/TT-VPCP: the control sheet of a
// dossier (Mẫu số 05) and the desk's tracking book (Mẫu số 06), each as a
// workbook and as a printable page. The CSV control sheet stays.
func (s *Handler) registerOneStop(r *api.Server) {
	r.Handle(http.MethodGet, "/api/v1/applications/:id/control-sheet.xlsx", api.SignedIn, s.controlSheetFile(true))
	r.Handle(http.MethodGet, "/api/v1/applications/:id/control-sheet.html", api.SignedIn, s.controlSheetFile(false))
	r.Handle(http.MethodGet, "/api/v1/tracking-book.xlsx", api.Can("application", "act"), s.trackingBookFile(true))
	r.Handle(http.MethodGet, "/api/v1/tracking-book.html", api.Can("application", "act"), s.trackingBookFile(false))
}

const (
	xlsxType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	htmlType = "text/html; charset=utf-8"
)

func agencyNames(c *gin.Context, db *postgres.DB) (map[string]string, bool) {
	ags, err := db.Agencies(c.Request.Context())
	if err != nil {
		api.WriteError(c, err)
		return nil, false
	}
	m := make(map[string]string, len(ags))
	for _, a := range ags {
		m[a.Code] = a.Name
	}
	return m, true
}

func name(m map[string]string, code string) string {
	if n, ok := m[code]; ok {
		return n
	}
	return code
}

// controlSheet assembles Mẫu số 05 from the dossier's hand-offs: step and
// agency names (never codes), the receiver's name being the person who took
// the next hand-off, and every other agency that handled it as co-agency.
func (s *Handler) controlSheet(c *gin.Context, app postgres.Application) (reports.ControlSheet, bool) {
	ctx := c.Request.Context()
	rows, err := s.DB.ApplicationControlSheet(ctx, app.WorkflowID)
	if err != nil {
		api.WriteError(c, err)
		return reports.ControlSheet{}, false
	}
	ags, ok := agencyNames(c, s.DB)
	if !ok {
		return reports.ControlSheet{}, false
	}
	proc, err := s.DB.ProcedureVersion(ctx, app.ProcedureCode, app.SubmittedVersion)
	if err != nil {
		api.WriteError(c, err)
		return reports.ControlSheet{}, false
	}
	steps := map[string]string{}
	for _, st := range proc.Steps {
		steps[st.Key] = st.Name
	}
	stepName := func(k string) string {
		base, _, _ := strings.Cut(k, "#")
		if base == workflows.InterAgencyStep {
			return workflows.InterAgencyStepName
		}
		if n, ok := steps[base]; ok {
			return n
		}
		return k
	}
	sheet := reports.ControlSheet{Issuer: reports.Issuer{Superior: "UBND TỈNH CAO BẰNG", Name: strings.ToUpper(name(ags, app.AgencyCode))},
		Code: app.Code, ProcedureName: proc.Name, MainAgency: name(ags, app.AgencyCode), ReceivedAt: app.ReceivedAt, DueAt: app.AppointmentAt, At: time.Now()}
	seen := map[string]bool{app.AgencyCode: true}
	for i, r := range rows {
		h := reports.HandOff{At: r.At, FromStep: stepName(r.FromStep), FromAgency: name(ags, r.SenderAgency), ToStep: stepName(r.ToStep),
			ToAgency: name(ags, r.ReceiverAgency), SenderName: r.SenderName, StepDue: r.StepDue, Timeliness: r.Timeliness, Note: r.Result}
		if i+1 < len(rows) {
			h.ReceiverName = rows[i+1].SenderName
		}
		for _, a := range []string{r.SenderAgency, r.ReceiverAgency} {
			if a != "" && !seen[a] {
				seen[a] = true
				sheet.CoAgencies = append(sheet.CoAgencies, name(ags, a))
			}
		}
		sheet.Rows = append(sheet.Rows, h)
	}
	return s.timeSplit(c, app, rows, sheet, ags)
}

// timeSplit adds the working time per agency when other agencies did a part
// (liên thông): each receiving agency's budget and the hours it used, as the
// dossier recorded them when the part was handed back; the lead agency has
// the rest of the dossier's handling time (once the result is issued).
// While a part is running the lead agency is the one that handed over.
func (s *Handler) timeSplit(c *gin.Context, app postgres.Application, rows []postgres.ControlSheetRow, sheet reports.ControlSheet,
	ags map[string]string) (reports.ControlSheet, bool) {
	lead := app.AgencyCode
	var parts []reports.AgencyTime
	var used float64
	for _, r := range rows {
		switch r.Result {
		case workflows.ActTransfer:
			if r.FromAgency != "" && r.ToStep == workflows.InterAgencyStep {
				lead = r.FromAgency
			}
		case workflows.ActCompleteTransfer:
			lead = r.ReceiverAgency
			parts = append(parts, reports.AgencyTime{Agency: name(ags, r.FromAgency), Part: "Liên thông / Inter-agency part",
				BudgetHours: r.AgencyBudgetHours, UsedHours: r.AgencyUsedHours})
			if r.AgencyUsedHours != nil {
				used += *r.AgencyUsedHours
			}
		}
	}
	transferred := false
	for _, r := range rows {
		transferred = transferred || (r.Result == workflows.ActTransfer && r.ToStep == workflows.InterAgencyStep)
	}
	if !transferred {
		return sheet, true
	}
	sheet.MainAgency = name(ags, lead)
	sheet.Issuer.Name = strings.ToUpper(name(ags, lead))
	h, err := s.DB.ApplicationHandlingHours(c.Request.Context(), app.WorkflowID)
	if err != nil {
		api.WriteError(c, err)
		return sheet, false
	}
	if h != nil {
		rest := *h - used
		h = &rest
	}
	sheet.Split = append([]reports.AgencyTime{{Agency: name(ags, lead), Part: "Cơ quan chủ trì / Lead agency", UsedHours: h}}, parts...)
	return sheet, true
}

func (s *Handler) controlSheetFile(xlsx bool) gin.HandlerFunc {
	return func(c *gin.Context) {
		app, ok := s.loadApplication(c)
		if !ok {
			return
		}
		sheet, ok := s.controlSheet(c, app)
		if !ok {
			return
		}
		if xlsx {
			b, err := reports.ControlSheetXLSX(sheet)
			if err != nil {
				api.WriteError(c, err)
				return
			}
			c.Header("Content-Disposition", `attachment; filename="phieu-kiem-soat-`+app.Code+`.xlsx"`)
			c.Data(http.StatusOK, xlsxType, b)
			return
		}
		b, err := reports.ControlSheetHTML(sheet)
		if err != nil {
			api.WriteError(c, err)
			return
		}
		c.Data(http.StatusOK, htmlType, b)
	}
}

// trackingBookFile serves Mẫu số 06 for ?agency= over [from, to] (dates,
// default: this month so far), for staff who may read that agency's dossiers.
func (s *Handler) trackingBookFile(xlsx bool) gin.HandlerFunc {
	return func(c *gin.Context) {
		agency := c.Query("agency")
		now := time.Now().In(cds.VietnamTZ)
		from := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, cds.VietnamTZ)
		to := now
		verr := api.InvalidInput()
		if agency == "" {
			verr.WithField("agency", "Bắt buộc / required")
		}
		for _, p := range []struct {
			key string
			t   *time.Time
		}{{"from", &from}, {"to", &to}} {
			if v := c.Query(p.key); v != "" {
				t, err := time.ParseInLocation("2006-01-02", v, cds.VietnamTZ)
				if err != nil {
					verr.WithField(p.key, "Ngày dạng YYYY-MM-DD / date as YYYY-MM-DD")
				}
				*p.t = t
			}
		}
		if len(verr.Fields) > 0 {
			api.WriteError(c, verr)
			return
		}
		if !s.AllowedOn(c, agency, "application", "read") {
			return
		}
		end := time.Date(to.Year(), to.Month(), to.Day(), 0, 0, 0, 0, cds.VietnamTZ).AddDate(0, 0, 1)
		rows, err := s.DB.TrackingBook(c.Request.Context(), agency, from, end)
		if err != nil {
			api.WriteError(c, err)
			return
		}
		ags, ok := agencyNames(c, s.DB)
		if !ok {
			return
		}
		book := reports.TrackingBook{Issuer: reports.Issuer{Superior: "UBND TỈNH CAO BẰNG", Name: strings.ToUpper(name(ags, agency))},
			Desk: "Bộ phận Tiếp nhận và Trả kết quả — " + name(ags, agency), From: from, To: to, At: time.Now()}
		for _, r := range rows {
			book.Entries = append(book.Entries, reports.TrackingEntry{Code: r.Code, ProcedureName: r.ProcedureName, Sets: 1, Applicant: r.Applicant,
				AddressPhone: r.PhoneMasked, MainAgency: r.AgencyName, ReceivedAt: r.ReceivedAt, DueAt: r.DueAt, SentToProcessing: r.Accepted,
				ResultFromProcessing: r.Approved, ReturnedAt: r.Returned, Note: r.Status.Info().Name})
		}
		var b []byte
		if xlsx {
			b, err = reports.TrackingBookXLSX(book)
			c.Header("Content-Disposition", `attachment; filename="so-theo-doi-ho-so-`+agency+`.xlsx"`)
		} else {
			b, err = reports.TrackingBookHTML(book)
		}
		if err != nil {
			api.WriteError(c, err)
			return
		}
		ct := htmlType
		if xlsx {
			ct = xlsxType
		}
		c.Data(http.StatusOK, ct, b)
	}
}

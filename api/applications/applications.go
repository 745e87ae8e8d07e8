package applications

import (
	"bytes"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	cds "github.com/caobang/congdanso"
	"github.com/caobang/congdanso/api"
	"github.com/caobang/congdanso/cases"
	"github.com/caobang/congdanso/postgres"
	"github.com/caobang/congdanso/reports"
	"github.com/caobang/congdanso/workflows"
)

func (s *Handler) registerApplications(r *api.Server) {
	r.Handle(http.MethodPost, "/api/v1/applications", api.Can("application", "submit"), s.submitApplication)
	r.Handle(http.MethodGet, "/api/v1/me/applications", api.SignedIn, s.myApplications)
	r.Handle(http.MethodGet, "/api/v1/applications/stats", api.Can("application", "stats"), s.applicationStats)
	r.Handle(http.MethodGet, "/api/v1/applications/:id", api.SignedIn, s.getApplication)
	r.Handle(http.MethodGet, "/api/v1/applications/:id/control-sheet.csv", api.SignedIn, s.controlSheetCSV)
	r.Handle(http.MethodPost, "/api/v1/applications/:id/supplement", api.SignedIn, s.appCitizenAction(workflows.ActSupplement))
	r.Handle(http.MethodPost, "/api/v1/applications/:id/withdraw", api.SignedIn, s.appCitizenAction(workflows.ActWithdraw))
	r.Handle(http.MethodPost, "/api/v1/applications/:id/rating", api.SignedIn, s.appCitizenAction(workflows.ActRate))
	r.Handle(http.MethodPost, "/api/v1/applications/:id/actions/:action", api.Can("application", "act"), s.staffAction)
}

type submitApplicationBody struct {
	// CitizenID is set by one-stop desk staff who receive a dossier in
	// person on the citizen's behalf (channel in_person).
	CitizenID     int64          `json:"citizen_id"`
	ProcedureCode string         `json:"procedure_code"`
	Form          map[string]any `json:"form"`
	DocumentIDs   []string       `json:"document_ids"`
}

// submitApplication validates the form strictly against the procedure in
// force (nothing is written on a 400), then starts the dossier workflow and
// writes its first event so the citizen can read the dossier at once.
func (s *Handler) submitApplication(c *gin.Context) {
	var b submitApplicationBody
	if !api.BindJSON(c, &b) {
		return
	}
	ctx := c.Request.Context()
	sub, err := s.Cases.PrepareApplication(ctx, api.Actor(c), cases.ApplicationRequest{CitizenID: b.CitizenID, ProcedureCode: b.ProcedureCode,
		Form: b.Form, DocumentIDs: b.DocumentIDs, Key: c.GetHeader("Idempotency-Key")}, time.Now())
	if err != nil {
		api.WriteError(c, err)
		return
	}
	// Resumable: if the instance handling a first attempt dies after starting
	// the workflow, the retry takes the key over, reuses the reserved code and
	// joins the running workflow instead of creating a second dossier.
	status, body, err := s.Cases.SubmitApplication(ctx, sub)
	if err != nil {
		api.WriteError(c, err)
		return
	}
	c.Data(status, "application/json; charset=utf-8", body)
}

// myApplications is the citizen's "Hồ sơ cá nhân" list.
func (s *Handler) myApplications(c *gin.Context) {
	limit := 20
	if v, err := strconv.Atoi(c.Query("limit")); err == nil && v > 0 && v <= 100 {
		limit = v
	}
	var cursor int64
	if v := c.Query("cursor"); v != "" {
		var err error
		if cursor, err = strconv.ParseInt(v, 10, 64); err != nil || cursor < 0 {
			api.WriteError(c, cds.Errorf(cds.EINVALID, "Con trỏ không hợp lệ.", "Invalid cursor.").WithField("cursor", "invalid"))
			return
		}
	}
	list, err := s.DB.CitizenApplications(c.Request.Context(), api.ActorID(c), cursor, limit+1)
	if err != nil {
		api.WriteError(c, err)
		return
	}
	var next any
	if len(list) > limit {
		list = list[:limit]
		next = strconv.FormatInt(list[limit-1].ID, 10)
	}
	for i := range list {
		list[i].Form, list[i].Forms = nil, nil
	}
	c.JSON(http.StatusOK, gin.H{"items": list, "next_cursor": next})
}

// loadApplication finds the dossier by id (or code) and checks the caller may
// see it: the owner, or staff allowed to read the dossier's agency. Anyone
// else gets 404, so that nothing leaks.
func (s *Handler) loadApplication(c *gin.Context) (postgres.Application, bool) {
	ctx := c.Request.Context()
	raw := c.Param("id")
	var app postgres.Application
	var err error
	if id, perr := strconv.ParseInt(raw, 10, 64); perr == nil && id > 0 {
		app, err = s.DB.ApplicationByID(ctx, id)
	} else {
		app, err = s.DB.ApplicationByCode(ctx, raw)
	}
	notFound := cds.Errorf(cds.ENOTFOUND, "Không tìm thấy hồ sơ.", "Dossier not found.")
	if cds.ErrorCode(err) == cds.ENOTFOUND {
		api.WriteError(c, notFound)
		return app, false
	} else if err != nil {
		api.WriteError(c, err)
		return app, false
	}
	me := api.Actor(c)
	if app.CitizenID == me.UserID {
		return app, true
	}
	// Staff: the one rule the console asks too (liên thông: the sending
	// agency still reads the dossier it leads).
	if ok, err := s.Cases.StaffCanReadApplication(ctx, me, app.AgencyCode, app.LeadAgencyCode); err != nil {
		api.WriteError(c, err)
		return app, false
	} else if ok {
		return app, true
	}
	api.WriteError(c, notFound)
	return app, false
}

func (s *Handler) getApplication(c *gin.Context) {
	app, ok := s.loadApplication(c)
	if !ok {
		return
	}
	ctx := c.Request.Context()
	staff := api.Actor(c).IsStaff() && app.CitizenID != api.ActorID(c)
	events, err := s.DB.CaseEvents(ctx, app.WorkflowID, staff)
	if err != nil {
		api.WriteError(c, err)
		return
	}
	sheet, err := s.DB.ApplicationControlSheet(ctx, app.WorkflowID)
	if err != nil {
		api.WriteError(c, err)
		return
	}
	if staff {
		// Staff reading a citizen's ID or phone number is audited (docs/personal-data.md).
		fields, err := s.DB.PersonalFormFields(ctx, app.WorkflowID)
		if err == nil && len(fields) > 0 {
			err = s.DB.AuditPersonalRead(ctx, api.ActorID(c), "application", app.Code, app.CitizenID, fields)
		}
		if err != nil {
			api.WriteError(c, err)
			return
		}
	}
	c.JSON(http.StatusOK, gin.H{"application": app, "timeline": events, "control_sheet": sheet})
}

// controlSheetCSV exports the process control sheet (phiếu kiểm soát quá trình).
func (s *Handler) controlSheetCSV(c *gin.Context) {
	app, ok := s.loadApplication(c)
	if !ok {
		return
	}
	sheet, err := s.DB.ApplicationControlSheet(c.Request.Context(), app.WorkflowID)
	if err != nil {
		api.WriteError(c, err)
		return
	}
	var buf bytes.Buffer
	buf.WriteString("\ufeff")       // BOM: spreadsheet programs then read UTF-8 Vietnamese correctly
	w := reports.NewCSVWriter(&buf) // citizen-typed names are neutralised (CSV injection)
	_ = w.Write([]string{"STT", "Mã hồ sơ", "Thời gian giao nhận", "Bước giao", "Bước nhận", "Người giao", "Cơ quan giao",
		"Vai trò nhận", "Cơ quan nhận", "Hạn của bước", "Kết quả (trước hạn/đúng hạn/quá hạn)", "Thao tác"})
	label := map[string]string{"early": "Trước hạn", "on_time": "Đúng hạn", "late": "Quá hạn"}
	for i, r := range sheet {
		due := ""
		if r.StepDue != nil {
			due = r.StepDue.Format("15:04 02/01/2006")
		}
		_ = w.Write([]string{strconv.Itoa(i + 1), app.Code, r.At.Format("15 giờ 04 phút, ngày 02/01/2006"), r.FromStep, r.ToStep,
			r.SenderName, r.SenderAgency, r.ReceiverRole, r.ReceiverAgency, due, label[r.Timeliness], r.Result})
	}
	w.Flush()
	c.Header("Content-Disposition", fmt.Sprintf(`attachment; filename="phieu-kiem-soat-%s.csv"`, app.Code))
	c.Data(http.StatusOK, "text/csv; charset=utf-8", buf.Bytes())
}

// applicationStats serves Biểu 06 per agency: ?from=&to= (dates, to exclusive
// of the next day) and ?agency= (default: the caller's agency; steering and
// admin may ask for any agency or the whole province with agency=*).
func (s *Handler) applicationStats(c *gin.Context) {
	me := api.Actor(c)
	now := time.Now().In(cds.VietnamTZ)
	from := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, cds.VietnamTZ)
	to := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, cds.VietnamTZ).AddDate(0, 0, 1)
	if v := c.Query("from"); v != "" {
		t, ok := appInstantParam(c, "from")
		if !ok {
			return
		}
		from = t
	}
	if v := c.Query("to"); v != "" {
		t, ok := appInstantParam(c, "to")
		if !ok {
			return
		}
		to = t
		if len(v) == len("2006-01-02") {
			to = to.AddDate(0, 0, 1) // a date means the whole day
		}
	}
	if !to.After(from) {
		api.WriteError(c, cds.Errorf(cds.EINVALID, "Khoảng thời gian không hợp lệ.", "Invalid period.").WithField("to", "must be after from"))
		return
	}
	agency := c.Query("agency")
	wide := me.Has(cds.RoleSteering) || me.Has(cds.RoleAdmin)
	if agency == "" && !wide {
		agency = me.AgencyCode
	}
	if agency == "*" || agency == postgres.ProvinceCode {
		agency = ""
	}
	if !wide {
		if agency == "" {
			api.WriteError(c, api.Forbidden())
			return
		}
		if !s.AllowedOn(c, agency, "application", "stats") {
			return
		}
	}
	rows, err := s.DB.ApplicationStats(c.Request.Context(), agency, from, to)
	if err != nil {
		api.WriteError(c, err)
		return
	}
	if rows == nil {
		rows = []postgres.AppStatsRow{}
	}
	c.JSON(http.StatusOK, gin.H{"from": from.In(cds.VietnamTZ), "to": to.In(cds.VietnamTZ), "agency": agency,
		"rows": rows, "total": postgres.SumAppStats(rows), "statuses": cds.AppStatuses()})
}

func appDedupe(ids []string) []string {
	seen := map[string]bool{}
	out := []string{}
	for _, id := range ids {
		id = strings.TrimSpace(id)
		if id != "" && !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}

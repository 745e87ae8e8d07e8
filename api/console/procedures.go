package console

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	cds "github.com/caobang/congdanso"
	"github.com/caobang/congdanso/api"
)

// Procedures and their versions: the catalogue, one procedure's versions,
// and a new version (time limit, unit, fee, agency, legal basis, effective
// date) published through applications.PublishProcedure, the JSON API's
// operation. The documents, form and steps are carried over from the
// latest version. Accepted dossiers keep the version they pinned.

var unitNames = []option{{"working_days", "ngày làm việc / working days"}, {"working_hours", "giờ làm việc / working hours"}, {"calendar_days", "ngày (lịch) / calendar days"}}

func unitName(u string) string {
	for _, o := range unitNames {
		if o.Value == u {
			return o.Label
		}
	}
	return u
}

type procedureRow struct {
	cds.Procedure
	AgencyName, UnitName, LevelName, Effective string
}

func (s adminPages) procedureRow(c *gin.Context, p cds.Procedure) procedureRow {
	r := procedureRow{Procedure: p, UnitName: unitName(p.Unit), LevelName: "Cấp tỉnh", Effective: vnDate(p.EffectiveFrom)}
	if p.Level == "commune" {
		r.LevelName = "Cấp xã"
	}
	switch {
	case p.AgencyCode != "":
		r.AgencyName = s.names(c).Agency(p.AgencyCode)
	case p.AgencyType == cds.AgencyCommune:
		r.AgencyName = "UBND xã, phường nơi công dân chọn"
	}
	return r
}

func (s adminPages) consoleProcedures(c *gin.Context) {
	list, err := s.DB.Procedures(c.Request.Context(), time.Now())
	if err != nil {
		api.WriteError(c, err)
		return
	}
	var rows []procedureRow
	for _, p := range list {
		rows = append(rows, s.procedureRow(c, p))
	}
	s.renderConsole(c, http.StatusOK, "procedures", consolePage{Title: "Thủ tục hành chính", Nav: "procedures", Data: rows})
}

type procedureVersionRow struct {
	Version            int
	Effective, Created string
	InForce            bool
}

type procedureForm struct {
	Name, AgencyCode, Duration, Unit, Fee, EffectiveFrom, LegalBasis string
}

type procedureView struct {
	Current  procedureRow // the latest version
	Versions []procedureVersionRow
	Form     procedureForm
	Agencies []option
	Units    []option
}

func (s adminPages) procedureView(c *gin.Context, code string) (procedureView, cds.Procedure, bool) {
	ctx := c.Request.Context()
	var v procedureView
	versions, err := s.DB.ProcedureVersions(ctx, code)
	if err != nil || len(versions) == 0 {
		s.renderConsole(c, http.StatusNotFound, "error", consolePage{Title: "Không tìm thấy thủ tục", Message: "Không có thủ tục này. / No such procedure."})
		return v, cds.Procedure{}, false
	}
	latest, err := s.DB.ProcedureVersion(ctx, code, versions[0].Version)
	if err != nil {
		api.WriteError(c, err)
		return v, latest, false
	}
	inForce, _ := s.DB.ProcedureAt(ctx, code, time.Now())
	v.Current = s.procedureRow(c, latest)
	for _, x := range versions {
		v.Versions = append(v.Versions, procedureVersionRow{Version: x.Version, Effective: vnDate(x.EffectiveFrom), Created: vnDate(x.CreatedAt),
			InForce: x.Version == inForce.Version})
	}
	v.Form = procedureForm{Name: latest.Name, AgencyCode: latest.AgencyCode, Duration: fmtNum(latest.Duration), Unit: latest.Unit,
		Fee: strconv.FormatInt(latest.Fee, 10), EffectiveFrom: vnDate(time.Now()), LegalBasis: strings.Join(latest.LegalBasis, "\n")}
	if latest.AgencyCode == "" && latest.AgencyType == cds.AgencyCommune {
		v.Form.AgencyCode = "commune"
	}
	v.Agencies = []option{{"commune", "UBND xã, phường nơi công dân chọn"}}
	ags, _ := s.DB.Agencies(ctx)
	for _, a := range ags {
		v.Agencies = append(v.Agencies, option{a.Code, a.Name})
	}
	v.Units = unitNames
	return v, latest, true
}

func (s adminPages) consoleProcedure(c *gin.Context) {
	v, p, ok := s.procedureView(c, c.Param("code"))
	if !ok {
		return
	}
	s.renderConsole(c, http.StatusOK, "procedure", consolePage{Title: p.Name, Nav: "procedures", Data: v})
}

// consoleProcedurePublish publishes the form as the procedure's next
// version (idempotent by the form's key).
func (s adminPages) consoleProcedurePublish(c *gin.Context) {
	v, p, ok := s.procedureView(c, c.Param("code"))
	if !ok {
		return
	}
	f := procedureForm{Name: strings.TrimSpace(c.PostForm("name")), AgencyCode: c.PostForm("agency_code"), Duration: strings.TrimSpace(c.PostForm("duration")),
		Unit: c.PostForm("unit"), Fee: strings.TrimSpace(c.PostForm("fee")), EffectiveFrom: strings.TrimSpace(c.PostForm("effective_from")),
		LegalBasis: c.PostForm("legal_basis")}
	bad := cds.Errorf(cds.EINVALID, "Phiên bản mới chưa hợp lệ, chưa công bố gì.", "The new version is invalid; nothing was published.")
	p.Name, p.Unit, p.AgencyCode, p.AgencyType = f.Name, f.Unit, f.AgencyCode, ""
	if f.AgencyCode == "commune" {
		p.AgencyCode, p.AgencyType = "", cds.AgencyCommune
	}
	var err error
	if p.Duration, err = strconv.ParseFloat(strings.ReplaceAll(f.Duration, ",", "."), 64); err != nil {
		bad.WithField("duration", "Nhập một số / enter a number")
	}
	if p.Fee, err = strconv.ParseInt(strings.NewReplacer(".", "", " ", "").Replace(f.Fee), 10, 64); err != nil {
		bad.WithField("fee", "Nhập số tiền bằng số, đơn vị đồng / enter the fee in dong")
	}
	d, dok := parseVNDate(f.EffectiveFrom)
	if !dok {
		bad.WithField("effective_from", "Viết ngày theo dạng ngày/tháng/năm / use dd/mm/yyyy")
	} else if y, m, dd := time.Now().In(cds.VietnamTZ).Date(); d.Equal(time.Date(y, m, dd, 0, 0, 0, 0, cds.VietnamTZ)) {
		p.EffectiveFrom = time.Now() // today: in force from now
	} else {
		p.EffectiveFrom = d
	}
	p.LegalBasis = nil
	for _, l := range strings.Split(f.LegalBasis, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			p.LegalBasis = append(p.LegalBasis, l)
		}
	}
	if len(bad.Fields) == 0 {
		out, perr := s.Apps.PublishProcedure(c.Request.Context(), api.Actor(c), p, c.PostForm(idemField))
		if perr == nil {
			setFlash(c, "Đã công bố phiên bản "+strconv.Itoa(out.Version)+", hiệu lực từ "+vnDate(out.EffectiveFrom)+". / Version published.")
			c.Redirect(http.StatusSeeOther, "/console/procedures/"+url.PathEscape(p.Code))
			return
		}
		err = perr
	} else {
		err = bad
	}
	errs, status := formErrors(c, err, "name")
	v.Form = f
	s.renderConsole(c, status, "procedure", consolePage{Title: v.Current.Name, Nav: "procedures", Errors: errs, Data: v})
}

// vndAmount writes an amount of dong with dots between thousands (20.000).
func vndAmount(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "." + s[i:]
	}
	if neg {
		s = "-" + s
	}
	return s
}

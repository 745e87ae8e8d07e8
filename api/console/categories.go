package console

import (
	"net/http"
	"sort"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	cds "github.com/caobang/congdanso"
	"github.com/caobang/congdanso/api"
	"github.com/caobang/congdanso/api/admin"
	"github.com/caobang/congdanso/postgres"
	"github.com/caobang/congdanso/workflows"
)

// Feedback categories with their routing and SLAs: list, create, edit,
// through admin.SaveCategory (the JSON API's operation: validation, one
// transaction with the audit line). The form is built from categoryFields,
// so a new per-category setting is one line there (plus the request field).

// catField is one input of the category form. Exactly one of Text, Num and
// Int points into the request; Options make it a select.
type catField struct {
	Name, Label, Hint, Step string
	Text                    func(*admin.CategoryRequest) *string
	Num                     func(*admin.CategoryRequest) *float64
	Int                     func(*admin.CategoryRequest) *int
	Options                 []option
}

// categoryFields are the form's inputs after the code, in order.
func categoryFields(agencies []cds.Agency) []catField {
	ag := []option{{"", "Trung tâm Phục vụ hành chính công phân loại (mặc định) / the coordinator triages"}}
	for _, a := range agencies {
		if a.Type != cds.AgencyCommune {
			ag = append(ag, option{a.Code, a.Name})
		}
	}
	return []catField{
		{Name: "name", Label: "Tên lĩnh vực (tiếng Việt)", Text: func(r *admin.CategoryRequest) *string { return &r.Name }},
		{Name: "name_en", Label: "Tên lĩnh vực (tiếng Anh) / English name", Text: func(r *admin.CategoryRequest) *string { return &r.NameEN }},
		{Name: "level", Label: "Cấp xử lý / Level", Hint: "Cấp xã: phản ánh chuyển về xã, phường nơi xảy ra. Cấp tỉnh: chuyển cho cơ quan dưới đây.",
			Text: func(r *admin.CategoryRequest) *string { return &r.Level }, Options: []option{{"commune", "Cấp xã, phường / commune"}, {"province", "Cấp tỉnh / province"}}},
		{Name: "agency_code", Label: "Cơ quan tiếp nhận / Receiving agency", Hint: "Nhận phản ánh của lĩnh vực ở mọi xã (với cấp xã: khi nơi xảy ra không phải một xã, phường).",
			Text: func(r *admin.CategoryRequest) *string { return &r.AgencyCode }, Options: ag},
		{Name: "accept_days", Label: "Thời hạn tiếp nhận (ngày làm việc) / Days to accept", Step: "0.125", Hint: "1 ngày làm việc = 8 giờ.",
			Num: func(r *admin.CategoryRequest) *float64 { return &r.AcceptDays }},
		{Name: "answer_days", Label: "Thời hạn trả lời (ngày làm việc) / Days to answer", Step: "0.5",
			Num: func(r *admin.CategoryRequest) *float64 { return &r.AnswerDays }},
		{Name: "urgent_accept_hours", Label: "Phản ánh khẩn: tiếp nhận trong (giờ làm việc) / Urgent: hours to accept", Step: "0.5",
			Num: func(r *admin.CategoryRequest) *float64 { return &r.UrgentAcceptHours }},
		{Name: "urgent_answer_hours", Label: "Phản ánh khẩn: trả lời trong (giờ làm việc) / Urgent: hours to answer", Step: "0.5",
			Num: func(r *admin.CategoryRequest) *float64 { return &r.UrgentAnswerHours }},
		{Name: "reminder_pct", Label: "Nhắc hạn khi đã dùng (% thời hạn trả lời) / Reminder at % of the answer time", Step: "1",
			Int: func(r *admin.CategoryRequest) *int { return &r.ReminderPct }},
		{Name: "dup_radius_m", Label: "Bán kính tìm phản ánh trùng (mét) / Duplicate search radius (m)", Step: "1",
			Int: func(r *admin.CategoryRequest) *int { return &r.DupRadiusM }},
		{Name: "info_days", Label: "Công dân bổ sung thông tin trong (ngày làm việc) / Days for the citizen to send information", Step: "0.5",
			Hint: "Khi cơ quan đề nghị bổ sung; hết hạn thì nhắc công dân một lần.",
			Num:  func(r *admin.CategoryRequest) *float64 { return &r.InfoDays }},
		{Name: "info_grace_days", Label: "Gia hạn sau khi nhắc (ngày làm việc) / Grace after the reminder (working days)", Step: "0.5",
			Hint: "Hết gia hạn mà công dân chưa bổ sung thì phản ánh tự đóng.",
			Num:  func(r *admin.CategoryRequest) *float64 { return &r.InfoGraceDays }},
		{Name: "complaint_days", Label: "Mở lại khi công dân chưa hài lòng trong (ngày theo lịch) / Calendar days to reopen after publication", Step: "1",
			Hint: "Kể từ khi công khai trả lời: khiếu nại hoặc đánh giá 1–2 sao trong thời gian này mở lại phản ánh.",
			Num:  func(r *admin.CategoryRequest) *float64 { return &r.ComplaintDays }},
		{Name: "clock_from", Label: "Bắt đầu tính thời hạn trả lời / Answer clock starts", Text: func(r *admin.CategoryRequest) *string { return &r.ClockFrom },
			Options: []option{{workflows.ClockFromSubmission, "Từ khi tiếp nhận phản ánh / From submission"},
				{workflows.ClockFromAcceptance, "Từ khi cơ quan nhận xử lý / From acceptance"}}},
		{Name: "sort", Label: "Thứ tự hiển thị / Display order", Step: "1", Int: func(r *admin.CategoryRequest) *int { return &r.Sort }},
	}
}

// catInput is a field as the template shows it.
type catInput struct {
	catField
	Kind  string // select, text or number
	Value string
}

type categoryFormView struct {
	New    bool
	Code   string
	Active bool
	Fields []catInput
	Name   string
}

func fmtNum(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

func (s adminPages) categoryForm(c *gin.Context, r admin.CategoryRequest, isNew bool, raw map[string]string) categoryFormView {
	ags, _ := s.DB.Agencies(c.Request.Context())
	v := categoryFormView{New: isNew, Code: r.Code, Active: r.Active, Name: r.Name}
	for _, f := range categoryFields(ags) {
		in := catInput{catField: f, Kind: "number"}
		if f.Options != nil {
			in.Kind = "select"
		} else if f.Text != nil {
			in.Kind = "text"
		}
		switch {
		case raw != nil && raw[f.Name] != "":
			in.Value = raw[f.Name] // what was typed, even when it did not parse
		case f.Text != nil:
			in.Value = *f.Text(&r)
		case f.Num != nil:
			in.Value = fmtNum(*f.Num(&r))
		case f.Int != nil:
			in.Value = strconv.Itoa(*f.Int(&r))
		}
		v.Fields = append(v.Fields, in)
	}
	return v
}

// readCategoryForm fills r from the posted form; numbers that do not parse
// are field errors (nothing is saved then).
func readCategoryForm(c *gin.Context, r *admin.CategoryRequest) (map[string]string, []fieldError) {
	raw := map[string]string{}
	var errs []fieldError
	for _, f := range categoryFields(nil) {
		v := strings.TrimSpace(c.PostForm(f.Name))
		raw[f.Name] = v
		switch {
		case f.Text != nil:
			*f.Text(r) = v
		case f.Num != nil:
			n, err := strconv.ParseFloat(strings.ReplaceAll(v, ",", "."), 64)
			if err != nil {
				errs = append(errs, fieldError{f.Name, f.Label + ": nhập một số / enter a number"})
			}
			*f.Num(r) = n
		case f.Int != nil:
			n, err := strconv.Atoi(v)
			if err != nil {
				errs = append(errs, fieldError{f.Name, f.Label + ": nhập một số nguyên / enter a whole number"})
			}
			*f.Int(r) = n
		}
	}
	r.Active = c.PostForm("active") == "1"
	return raw, errs
}

type categoryListView struct {
	Items []categoryRow
}

type categoryRow struct {
	postgres.CategorySetting
	AgencyName string
	LevelName  string
	AcceptDays string
	AnswerDays string
}

func (s adminPages) consoleCategories(c *gin.Context) {
	list, err := s.DB.CategorySettings(c.Request.Context())
	if err != nil {
		api.WriteError(c, err)
		return
	}
	names := s.names(c)
	var v categoryListView
	for _, k := range list {
		r := admin.CategoryRequestOf(k)
		row := categoryRow{CategorySetting: k, AgencyName: "Trung tâm Phục vụ hành chính công phân loại", LevelName: "Cấp tỉnh",
			AcceptDays: fmtNum(r.AcceptDays), AnswerDays: fmtNum(r.AnswerDays)}
		if k.AgencyCode != "" {
			row.AgencyName = names.Agency(k.AgencyCode)
		}
		if k.Level == "commune" {
			row.LevelName = "Cấp xã, phường"
		}
		v.Items = append(v.Items, row)
	}
	s.renderConsole(c, http.StatusOK, "categories", consolePage{Title: "Lĩnh vực phản ánh", Nav: "categories", Data: v})
}

func (s adminPages) consoleCategoryNew(c *gin.Context) {
	s.renderConsole(c, http.StatusOK, "category_form", consolePage{Title: "Thêm lĩnh vực phản ánh", Nav: "categories",
		Data: s.categoryForm(c, admin.NewCategoryRequest(), true, nil)})
}

func (s adminPages) consoleCategoryEdit(c *gin.Context) {
	k, err := s.DB.CategorySettingByCode(c.Request.Context(), c.Param("code"))
	if err != nil {
		s.renderConsole(c, http.StatusNotFound, "error", consolePage{Title: "Không tìm thấy lĩnh vực", Message: "Không có lĩnh vực phản ánh này. / No such category."})
		return
	}
	s.renderConsole(c, http.StatusOK, "category_form", consolePage{Title: k.NameVI, Nav: "categories",
		Data: s.categoryForm(c, admin.CategoryRequestOf(k), false, nil)})
}

// consoleCategorySave creates (no :code) or updates a category.
func (s adminPages) consoleCategorySave(c *gin.Context) {
	isNew := c.Param("code") == ""
	r := admin.CategoryRequest{Code: strings.TrimSpace(c.PostForm("code"))}
	title := "Thêm lĩnh vực phản ánh"
	if !isNew {
		k, err := s.DB.CategorySettingByCode(c.Request.Context(), c.Param("code"))
		if err != nil {
			s.renderConsole(c, http.StatusNotFound, "error", consolePage{Title: "Không tìm thấy lĩnh vực", Message: "Không có lĩnh vực phản ánh này. / No such category."})
			return
		}
		r.Code, title = k.Code, k.NameVI
	}
	raw, errs := readCategoryForm(c, &r)
	status := http.StatusBadRequest
	if len(errs) == 0 {
		k, err := s.Admin.SaveCategory(c.Request.Context(), api.Actor(c), r, isNew, c.PostForm(idemField))
		if err == nil {
			setFlash(c, "Đã lưu lĩnh vực "+k.NameVI+". / Category saved.")
			c.Redirect(http.StatusSeeOther, "/console/categories")
			return
		}
		errs, status = formErrors(c, err, "name")
	}
	raw["code"] = r.Code
	s.renderConsole(c, status, "category_form", consolePage{Title: title, Nav: "categories", Errors: errs, Data: s.categoryForm(c, r, isNew, raw)})
}

// formErrors turns an operation's error into the page's error summary: the
// operation's message (Vietnamese / English) first, then each field's,
// each linked to its field; first is the field the message links to when
// no field is named.
func formErrors(c *gin.Context, err error, first string) ([]fieldError, int) {
	e := api.ErrorOf(c, err)
	var errs []fieldError
	for f, m := range e.Fields {
		errs = append(errs, fieldError{f, m})
	}
	sort.Slice(errs, func(i, j int) bool { return errs[i].Field < errs[j].Field })
	if len(errs) > 0 {
		first = errs[0].Field
	}
	return append([]fieldError{{first, e.Message + " / " + e.MessageEN}}, errs...), api.StatusOf(e.Code)
}

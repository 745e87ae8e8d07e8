package admin

import (
	"context"
	"math"
	"net/http"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	cds "github.com/caobang/congdanso"
	"github.com/caobang/congdanso/api"
	"github.com/caobang/congdanso/postgres"
	"github.com/caobang/congdanso/workflows"
	"github.com/caobang/congdanso/worktime"
)

// Feedback categories with their routing and SLAs, edited by the provincial
// admin: one operation each (SaveCategory) behind the JSON routes and the
// console's form. A change applies to cases filed after it; running cases
// keep the SLA and agency they were given.
func (s *Handler) registerCategories(r *api.Server) {
	r.Handle(http.MethodGet, "/api/v1/admin/feedback-categories", api.Can("category", "manage"), s.listCategories)
	r.Handle(http.MethodPost, "/api/v1/admin/feedback-categories", api.Can("category", "manage"), s.createCategory)
	r.Handle(http.MethodPut, "/api/v1/admin/feedback-categories/:code", api.Can("category", "manage"), s.putCategory)
}

// CategoryRequest is a category as the admin enters it: SLAs in working
// days (accept, answer) and working hours (urgent cases), the reminder as a
// percentage of the answer time, routing as a level and an agency, and the
// follow-up settings of migration 00130 (docs/feedback-process.md): the
// citizen's working days to send information asked for and the grace after
// the reminder, the calendar days after publication in which a complaint
// reopens the case, and when the answer clock starts.
// A new field goes here, in postgres.CategorySetting and in the console's
// field list (api/console/categories.go).
type CategoryRequest struct {
	Code              string  `json:"code"`
	Name              string  `json:"name"`
	NameEN            string  `json:"name_en"`
	Level             string  `json:"level"`       // commune | province
	AgencyCode        string  `json:"agency_code"` // receives the category's cases in any commune; "" = the coordinator
	AcceptDays        float64 `json:"accept_days"`
	AnswerDays        float64 `json:"answer_days"`
	UrgentAcceptHours float64 `json:"urgent_accept_hours"`
	UrgentAnswerHours float64 `json:"urgent_answer_hours"`
	ReminderPct       int     `json:"reminder_pct"`
	DupRadiusM        int     `json:"dup_radius_m"`
	InfoDays          float64 `json:"info_days"`       // working days
	InfoGraceDays     float64 `json:"info_grace_days"` // working days after the reminder
	ComplaintDays     float64 `json:"complaint_days"`  // calendar days after publication
	ClockFrom         string  `json:"clock_from"`      // workflows.ClockFromSubmission | ClockFromAcceptance
	Sort              int     `json:"sort"`
	Active            bool    `json:"active"`
}

// NewCategoryRequest is a new category before the admin fills it in: the
// console's new form shows these values, and the JSON create takes them for
// fields left out. The follow-up settings are migration 00130's defaults.
func NewCategoryRequest() CategoryRequest {
	return CategoryRequest{Level: "province", AcceptDays: 1, AnswerDays: 15, UrgentAcceptHours: 2, UrgentAnswerHours: 4,
		ReminderPct: 75, DupRadiusM: 200, InfoDays: 5, InfoGraceDays: 2, ComplaintDays: 7, ClockFrom: workflows.ClockFromSubmission,
		Sort: 100, Active: true}
}

var categoryCodeRE = regexp.MustCompile(`^[a-z][a-z0-9_]{1,31}$`)

// CategoryRequestOf is the form of an existing category.
func CategoryRequestOf(c postgres.CategorySetting) CategoryRequest {
	return CategoryRequest{Code: c.Code, Name: c.NameVI, NameEN: c.NameEN, Level: c.Level, AgencyCode: c.AgencyCode,
		AcceptDays: c.AcceptHours / worktime.HoursPerDay, AnswerDays: c.AnswerHours / worktime.HoursPerDay,
		UrgentAcceptHours: c.UrgentAcceptHours, UrgentAnswerHours: c.UrgentAnswerHours, ReminderPct: c.ReminderPct,
		DupRadiusM: c.DupRadiusM, InfoDays: c.InfoDays, InfoGraceDays: c.InfoGraceDays, ComplaintDays: c.ComplaintDays,
		ClockFrom: c.ClockFrom, Sort: c.Sort, Active: c.Active}
}

func between(v, lo, hi float64) bool { return !math.IsNaN(v) && v >= lo && v <= hi }

func (s *Handler) checkCategory(ctx context.Context, r *CategoryRequest, create bool) error {
	e := cds.Errorf(cds.EINVALID, "Thông tin lĩnh vực phản ánh chưa hợp lệ, chưa lưu gì.", "Invalid category; nothing was saved.")
	r.Code, r.Name, r.NameEN = strings.TrimSpace(r.Code), strings.TrimSpace(r.Name), strings.TrimSpace(r.NameEN)
	if create && !categoryCodeRE.MatchString(r.Code) {
		e.WithField("code", "Mã 2–32 ký tự: chữ thường không dấu, số, dấu gạch dưới / 2–32 lowercase letters, digits, underscores")
	}
	if n := utf8.RuneCountInString(r.Name); n < 2 || n > 100 {
		e.WithField("name", "Tên tiếng Việt 2–100 ký tự / Vietnamese name, 2–100 characters")
	}
	if n := utf8.RuneCountInString(r.NameEN); n < 2 || n > 100 {
		e.WithField("name_en", "Tên tiếng Anh 2–100 ký tự / English name, 2–100 characters")
	}
	if r.Level != "commune" && r.Level != "province" {
		e.WithField("level", "Chọn cấp xã hoặc cấp tỉnh / choose commune or province level")
	}
	if r.AgencyCode != "" {
		if ok, err := s.DB.AgencyExists(ctx, r.AgencyCode); err != nil {
			return err
		} else if !ok {
			e.WithField("agency_code", "Cơ quan không tồn tại / no such agency")
		}
	}
	if !between(r.AcceptDays, 0.125, 30) {
		e.WithField("accept_days", "Thời hạn tiếp nhận từ 0,125 đến 30 ngày làm việc / 0.125 to 30 working days")
	}
	if !between(r.AnswerDays, 0.5, 90) {
		e.WithField("answer_days", "Thời hạn trả lời từ 0,5 đến 90 ngày làm việc / 0.5 to 90 working days")
	} else if between(r.AcceptDays, 0.125, 30) && r.AnswerDays < r.AcceptDays {
		e.WithField("answer_days", "Thời hạn trả lời không ngắn hơn thời hạn tiếp nhận / the answer time may not be shorter than the acceptance time")
	}
	if !between(r.UrgentAcceptHours, 0.5, 40) {
		e.WithField("urgent_accept_hours", "Từ 0,5 đến 40 giờ làm việc / 0.5 to 40 working hours")
	}
	if !between(r.UrgentAnswerHours, 1, 240) {
		e.WithField("urgent_answer_hours", "Từ 1 đến 240 giờ làm việc / 1 to 240 working hours")
	} else if r.UrgentAnswerHours < r.UrgentAcceptHours {
		e.WithField("urgent_answer_hours", "Không ngắn hơn thời hạn tiếp nhận khẩn / not shorter than the urgent acceptance time")
	}
	if r.ReminderPct < 50 || r.ReminderPct > 95 {
		e.WithField("reminder_pct", "Nhắc hạn khi đã dùng 50–95% thời hạn / remind at 50–95% of the time")
	}
	if r.DupRadiusM < 10 || r.DupRadiusM > 5000 {
		e.WithField("dup_radius_m", "Bán kính 10–5000 m / radius 10–5000 m")
	}
	checkFollowUps(r, e)
	if r.Sort < 0 || r.Sort > 9999 {
		e.WithField("sort", "Thứ tự 0–9999 / order 0–9999")
	}
	if len(e.Fields) > 0 {
		return e
	}
	return nil
}

// SaveCategory creates (create true, idempotent by key) or updates a
// category with its routing and SLAs; the change and its audit line are
// one transaction. It returns the category as stored.
func (s *Handler) SaveCategory(ctx context.Context, a cds.Actor, r CategoryRequest, create bool, key string) (postgres.CategorySetting, error) {
	var out postgres.CategorySetting
	if err := s.checkCategory(ctx, &r, create); err != nil {
		return out, err
	}
	c := postgres.CategorySetting{Sort: r.Sort, Active: r.Active, AgencyCode: r.AgencyCode}
	c.FeedbackCategory = postgres.FeedbackCategory{Code: r.Code, NameVI: r.Name, NameEN: r.NameEN, Level: r.Level, DupRadiusM: r.DupRadiusM,
		AcceptHours: r.AcceptDays * worktime.HoursPerDay, AnswerHours: r.AnswerDays * worktime.HoursPerDay,
		UrgentAcceptHours: r.UrgentAcceptHours, UrgentAnswerHours: r.UrgentAnswerHours, ReminderPct: r.ReminderPct,
		InfoDays: r.InfoDays, InfoGraceDays: r.InfoGraceDays, ComplaintDays: r.ComplaintDays, ClockFrom: r.ClockFrom}
	action := "category-update"
	if create {
		action = "category-create"
	}
	audit := postgres.AuditEntry{ActorID: a.UserID, Action: action, ObjType: "feedback_category", ObjID: r.Code, Detail: r}
	if !create {
		if err := s.DB.SaveCategorySetting(ctx, c, false, audit); err != nil {
			return out, err
		}
		return s.DB.CategorySettingByCode(ctx, r.Code)
	}
	created, err := postgres.Once(ctx, s.DB, "admin-category", a.UserID, key, func() (map[string]string, error) {
		if err := s.DB.SaveCategorySetting(ctx, c, true, audit); err != nil {
			if cds.ErrorCode(err) == cds.ECONFLICT {
				return nil, cds.Errorf(cds.ECONFLICT, "Đã có lĩnh vực mã %s, chưa lưu gì.", "A category with code %s exists; nothing was saved.", r.Code).
					WithField("code", "Mã đã dùng / code taken")
			}
			return nil, err
		}
		return map[string]string{"code": r.Code}, nil
	})
	if err != nil {
		return out, err
	}
	return s.DB.CategorySettingByCode(ctx, created["code"])
}

func (s *Handler) listCategories(c *gin.Context) {
	items, err := s.DB.CategorySettings(c.Request.Context())
	if err != nil {
		api.WriteError(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"items": items, "next_cursor": nil})
}

func (s *Handler) createCategory(c *gin.Context) {
	r := NewCategoryRequest()
	if !api.BindJSON(c, &r) {
		return
	}
	out, err := s.SaveCategory(c.Request.Context(), api.Actor(c), r, true, c.GetHeader("Idempotency-Key"))
	if err != nil {
		api.WriteError(c, err)
		return
	}
	c.JSON(http.StatusCreated, out)
}

// putCategory changes a category; fields left out of the body keep their
// stored values (a client that predates a setting does not reset it).
func (s *Handler) putCategory(c *gin.Context) {
	cur, err := s.DB.CategorySettingByCode(c.Request.Context(), c.Param("code"))
	if err != nil {
		api.WriteError(c, err)
		return
	}
	r := CategoryRequestOf(cur)
	if !api.BindJSON(c, &r) {
		return
	}
	r.Code = cur.Code
	out, err := s.SaveCategory(c.Request.Context(), api.Actor(c), r, false, "")
	if err != nil {
		api.WriteError(c, err)
		return
	}
	c.JSON(http.StatusOK, out)
}

// checkFollowUps adds the field errors of the follow-up settings. The upper
// bounds keep a typing slip from holding a case open for months: a month of
// working days for the citizen, half that again after the reminder, and the
// 90 days a formal complaint may take (Luật Khiếu nại 2011, Điều 9, from
// memory) for reopening after publication.
func checkFollowUps(r *CategoryRequest, e *cds.Error) {
	if !between(r.InfoDays, 1, 30) {
		e.WithField("info_days", "Thời hạn công dân bổ sung thông tin từ 1 đến 30 ngày làm việc / 1 to 30 working days to send the information")
	}
	if !between(r.InfoGraceDays, 1, 15) {
		e.WithField("info_grace_days", "Gia hạn sau khi nhắc từ 1 đến 15 ngày làm việc / 1 to 15 working days after the reminder")
	}
	if !between(r.ComplaintDays, 1, 90) {
		e.WithField("complaint_days", "Thời hạn mở lại khi công dân chưa hài lòng từ 1 đến 90 ngày / 1 to 90 days to reopen after publication")
	}
	r.ClockFrom = strings.TrimSpace(r.ClockFrom)
	if r.ClockFrom != workflows.ClockFromSubmission && r.ClockFrom != workflows.ClockFromAcceptance {
		e.WithField("clock_from", "Chọn tính thời hạn từ khi tiếp nhận phản ánh hoặc từ khi cơ quan nhận xử lý / choose from submission or from acceptance")
	}
}

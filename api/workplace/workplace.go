// Package workplace serves workplace declarations (đơn vị công tác) of
// officials, their confirmation by the unit (an admin, or the unit's uploaded
// staff list) and business accounts (tài khoản doanh nghiệp, by tax code).
package workplace

import (
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	cds "github.com/caobang/congdanso"
	"github.com/caobang/congdanso/api"
	"github.com/caobang/congdanso/postgres"
	"github.com/caobang/congdanso/reports"
)

// Handler serves the routes; it needs the database and the authorizer
// (unit-level checks).
type Handler struct {
	api.Deps
}

// MaxStaffListBytes bounds an uploaded staff list workbook.
const MaxStaffListBytes = 8 << 20

// Register adds the routes to r.
func (h *Handler) Register(r *api.Server) {
	r.Handle(http.MethodGet, "/api/v1/me/workplace", api.SignedIn, h.getMine)
	r.Handle(http.MethodPut, "/api/v1/me/workplace", api.Can("workplace", "declare"), h.declare)
	r.Handle(http.MethodGet, "/api/v1/units/:unit_code/workplaces", api.Can("workplace", "confirm"), h.listClaims)
	r.Handle(http.MethodPost, "/api/v1/units/:unit_code/workplaces/:user_id/:decision", api.Can("workplace", "confirm"), h.decide)
	r.HandleUpload(http.MethodPut, "/api/v1/units/:unit_code/staff-list", api.Can("workplace", "confirm"), h.uploadStaffList)
	r.Handle(http.MethodPost, "/api/v1/businesses", api.Can("business", "register"), h.registerBusiness)
	r.Handle(http.MethodGet, "/api/v1/me/businesses", api.SignedIn, h.myBusinesses)
}

func (h *Handler) getMine(c *gin.Context) {
	w, err := h.DB.Workplace(c.Request.Context(), api.Actor(c).UserID)
	if err != nil {
		api.WriteError(c, err)
		return
	}
	c.JSON(http.StatusOK, w)
}

type declareRequest struct {
	UnitCode string `json:"unit_code"`
	Position string `json:"position"`
}

// declare records the caller's workplace. PUT: repeating it is harmless.
func (h *Handler) declare(c *gin.Context) {
	var req declareRequest
	if !api.BindJSON(c, &req) {
		return
	}
	req.UnitCode, req.Position = strings.TrimSpace(req.UnitCode), strings.TrimSpace(req.Position)
	e := cds.Errorf(cds.EINVALID, "Khai báo đơn vị công tác chưa hợp lệ.", "The workplace declaration is not valid.")
	if req.UnitCode == "" || len(req.UnitCode) > 64 {
		e.WithField("unit_code", "Chọn đơn vị công tác / Choose your unit")
	}
	if len([]rune(req.Position)) > 200 {
		e.WithField("position", "Chức vụ tối đa 200 ký tự / Position: at most 200 characters")
	}
	if len(e.Fields) > 0 {
		api.WriteError(c, e)
		return
	}
	w, err := h.DB.DeclareWorkplace(c.Request.Context(), api.Actor(c).UserID, req.UnitCode, req.Position)
	if err != nil {
		api.WriteError(c, err)
		return
	}
	_ = h.DB.Audit(c.Request.Context(), w.UserID, "declare", "workplace", strconv.FormatInt(w.UserID, 10), map[string]any{"unit": w.UnitCode, "status": w.Status})
	c.JSON(http.StatusOK, w)
}

// listClaims lists the declarations naming the unit, for its admin.
func (h *Handler) listClaims(c *gin.Context) {
	unit := c.Param("unit_code")
	if !h.AllowedOn(c, unit, "workplace", "confirm") {
		return
	}
	status := c.Query("status")
	if status != "" && status != postgres.WorkplacePending && status != postgres.WorkplaceConfirmed && status != postgres.WorkplaceRejected {
		api.WriteError(c, cds.Errorf(cds.EINVALID, "Trạng thái không hợp lệ.", "Unknown status.").WithField("status", "pending, confirmed, rejected"))
		return
	}
	list, err := h.DB.WorkplaceClaims(c.Request.Context(), unit, status)
	if err != nil {
		api.WriteError(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"items": list})
}

type decideRequest struct {
	Reason string `json:"reason"`
}

// decide confirms or rejects one declaration of the unit (idempotent).
func (h *Handler) decide(c *gin.Context) {
	unit := c.Param("unit_code")
	if !h.AllowedOn(c, unit, "workplace", "confirm") {
		return
	}
	id, err := strconv.ParseInt(c.Param("user_id"), 10, 64)
	decision := c.Param("decision")
	if err != nil || id <= 0 || (decision != "confirm" && decision != "reject") {
		api.WriteError(c, cds.Errorf(cds.ENOTFOUND, "Không tìm thấy.", "Not found."))
		return
	}
	var req decideRequest
	if c.Request.ContentLength > 0 && !api.BindJSON(c, &req) {
		return
	}
	req.Reason = strings.TrimSpace(req.Reason)
	if decision == "reject" && req.Reason == "" {
		api.WriteError(c, cds.Errorf(cds.EINVALID, "Cần nêu lý do từ chối.", "A reason is required to reject.").WithField("reason", "Bắt buộc / Required"))
		return
	}
	by := api.Actor(c).UserID
	w, err := h.DB.DecideWorkplace(c.Request.Context(), unit, id, decision == "confirm", req.Reason, by)
	if err != nil {
		api.WriteError(c, err)
		return
	}
	_ = h.DB.Audit(c.Request.Context(), by, decision, "workplace", strconv.FormatInt(id, 10), map[string]any{"unit": unit})
	c.JSON(http.StatusOK, w)
}

// uploadStaffList replaces the unit's staff list from an xlsx body
// (multipart field "file", or the raw body) and confirms the matching
// pending declarations. Any invalid phone number rejects the whole upload.
func (h *Handler) uploadStaffList(c *gin.Context) {
	unit := c.Param("unit_code")
	if !h.AllowedOn(c, unit, "workplace", "confirm") {
		return
	}
	var src io.Reader = c.Request.Body
	if strings.HasPrefix(c.ContentType(), "multipart/") {
		fh, err := c.FormFile("file")
		if err != nil {
			api.WriteError(c, cds.Errorf(cds.EINVALID, "Thiếu tệp danh sách.", "The file is missing.").WithField("file", "Bắt buộc / Required"))
			return
		}
		f, err := fh.Open()
		if err != nil {
			api.WriteError(c, err)
			return
		}
		defer f.Close()
		src = f
	}
	b, err := io.ReadAll(io.LimitReader(src, MaxStaffListBytes+1))
	if err != nil {
		api.WriteError(c, err)
		return
	}
	if len(b) > MaxStaffListBytes {
		api.WriteError(c, cds.Errorf(cds.ETOOLARGE, "Tệp danh sách quá lớn (tối đa 8 MB).", "The staff list is too large (8 MB at most)."))
		return
	}
	rows, err := reports.ParseStaffList(b)
	if err != nil {
		api.WriteError(c, err)
		return
	}
	e := cds.Errorf(cds.EINVALID, "Danh sách có số điện thoại không hợp lệ; không dòng nào được lưu.", "The list has invalid phone numbers; nothing was saved.")
	entries := make([]postgres.StaffEntry, 0, len(rows))
	for _, r := range rows {
		p, ok := cds.NormalizeMobile(r.Phone)
		if !ok {
			if len(e.Fields) < 20 {
				e.WithField("row_"+strconv.Itoa(r.Row), "Số điện thoại không hợp lệ / Invalid phone number")
			}
			continue
		}
		entries = append(entries, postgres.StaffEntry{Phone: p, FullName: r.FullName, Position: r.Position})
	}
	if len(e.Fields) > 0 {
		api.WriteError(c, e)
		return
	}
	by := api.Actor(c).UserID
	res, err := h.DB.ReplaceStaffList(c.Request.Context(), unit, entries, by)
	if err != nil {
		api.WriteError(c, err)
		return
	}
	_ = h.DB.Audit(c.Request.Context(), by, "upload", "staff_list", unit, res)
	c.JSON(http.StatusOK, res)
}

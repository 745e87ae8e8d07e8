package workplace

import (
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	cds "github.com/caobang/congdanso"
	"github.com/caobang/congdanso/api"
)

type businessRequest struct {
	TaxCode     string `json:"tax_code"`
	Name        string `json:"name"`
	CommuneCode string `json:"commune_code"`
}

// registerBusiness links a validated tax code to the caller: 201 when new,
// 200 when the caller already holds it (a retry), 409 when another account does.
func (h *Handler) registerBusiness(c *gin.Context) {
	var req businessRequest
	if !api.BindJSON(c, &req) {
		return
	}
	e := cds.Errorf(cds.EINVALID, "Thông tin doanh nghiệp chưa hợp lệ.", "The business details are not valid.")
	tax, err := cds.NormalizeTaxCode(req.TaxCode)
	if err != nil {
		if ce, ok := cds.AsError(err); ok {
			for f, m := range ce.Fields {
				e.WithField(f, m)
			}
		}
	}
	req.Name, req.CommuneCode = strings.TrimSpace(req.Name), strings.TrimSpace(req.CommuneCode)
	if req.Name == "" || len([]rune(req.Name)) > 300 {
		e.WithField("name", "Nhập tên doanh nghiệp (tối đa 300 ký tự) / Enter the business name (at most 300 characters)")
	}
	if req.CommuneCode == "" {
		e.WithField("commune_code", "Chọn xã, phường / Choose the ward or commune")
	}
	if len(e.Fields) > 0 {
		api.WriteError(c, e)
		return
	}
	owner := api.Actor(c).UserID
	b, created, err := h.DB.RegisterBusiness(c.Request.Context(), owner, tax, req.Name, req.CommuneCode)
	if err != nil {
		api.WriteError(c, err)
		return
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
		_ = h.DB.Audit(c.Request.Context(), owner, "register", "business", b.TaxCode, map[string]any{"commune": b.CommuneCode})
	}
	c.JSON(status, b)
}

func (h *Handler) myBusinesses(c *gin.Context) {
	list, err := h.DB.BusinessesOf(c.Request.Context(), api.Actor(c).UserID)
	if err != nil {
		api.WriteError(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"items": list})
}

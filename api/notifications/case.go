package notifications

import (
	"net/http"

	"github.com/gin-gonic/gin"

	cds "github.com/caobang/congdanso"
	"github.com/caobang/congdanso/api"
	"github.com/caobang/congdanso/postgres"
)

// caseDeliveries lets staff who may read a feedback case see who was told
// what about it and whether it arrived (the delivery side of the timeline).
// Anyone else gets the same 404 as for a case that does not exist.
func (h *Handler) caseDeliveries(c *gin.Context) {
	f, err := h.DB.FeedbackByCode(c.Request.Context(), c.Param("id"))
	if err != nil && cds.ErrorCode(err) != cds.ENOTFOUND {
		api.WriteError(c, err)
		return
	}
	if err != nil || !h.Cases.StaffCanReadFeedback(c.Request.Context(), api.Actor(c), f.AgencyCode) {
		api.WriteError(c, cds.Errorf(cds.ENOTFOUND, "Không tìm thấy phản ánh.", "Feedback report not found."))
		return
	}
	items, err := h.DB.CaseDeliveries(c.Request.Context(), f.WorkflowID)
	if err != nil {
		api.WriteError(c, err)
		return
	}
	if items == nil {
		items = []postgres.CaseDelivery{}
	}
	c.JSON(http.StatusOK, gin.H{"items": items})
}

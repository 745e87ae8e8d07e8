// Package figures closes a Phụ lục I campaign: the counted install figures
// of every unit and of the province are frozen at the campaign's as-of
// instant, so every later workbook shows the same numbers.
package figures

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/caobang/congdanso/api"
)

// Handler serves the route. Now is the clock (time.Now when nil).
type Handler struct {
	api.Deps
	Now func() time.Time
}

// Register adds the route to r.
func (h *Handler) Register(r *api.Server) {
	r.Handle(http.MethodPost, "/api/v1/deployment-campaigns/:campaign/close", api.Can("deployment_campaign", "manage"), h.close)
}

// close freezes the figures; closing again returns the campaign unchanged.
func (h *Handler) close(c *gin.Context) {
	now := time.Now()
	if h.Now != nil {
		now = h.Now()
	}
	by := api.Actor(c).UserID
	camp, err := h.DB.CloseCampaign(c.Request.Context(), c.Param("campaign"), by, now)
	if err != nil {
		api.WriteError(c, err)
		return
	}
	_ = h.DB.Audit(c.Request.Context(), by, "close", "deployment_campaign", camp.Code, map[string]any{"as_of": camp.AsOf})
	camp.Units = nil
	c.JSON(http.StatusOK, camp)
}

package applications

import (
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	cds "github.com/caobang/congdanso"
	"github.com/caobang/congdanso/api"
	"github.com/caobang/congdanso/cases"
	"github.com/caobang/congdanso/workflows"
)

type appActionBody struct {
	Reason       string         `json:"reason"`
	Note         string         `json:"note"`
	Items        []string       `json:"items"`
	DeadlineDays float64        `json:"deadline_days"`
	Amount       int64          `json:"amount"`
	ToAgency     string         `json:"to_agency"`
	NewDue       *time.Time     `json:"new_due"`
	DocumentIDs  []string       `json:"document_ids"`
	Form         map[string]any `json:"form"`
	Method       string         `json:"method"`
	PaymentID    string         `json:"payment_id"`
	Score        int            `json:"score"`
	Comment      string         `json:"comment"`
}

func (b appActionBody) action(name string, a cds.Actor) workflows.ApplicationAction {
	return workflows.ApplicationAction{Action: name, Actor: a, Reason: strings.TrimSpace(b.Reason), Note: b.Note, Items: b.Items,
		DeadlineDays: b.DeadlineDays, Amount: b.Amount, ToAgency: b.ToAgency, NewDue: b.NewDue, DocumentIDs: appDedupe(b.DocumentIDs),
		Form: b.Form, Method: b.Method, PaymentID: b.PaymentID, Score: b.Score, Comment: b.Comment}
}

// appCitizenAction serves supplement, withdraw and rating: owner only (404 otherwise).
func (s *Handler) appCitizenAction(name string) gin.HandlerFunc {
	return func(c *gin.Context) {
		app, ok := s.loadApplication(c)
		if !ok {
			return
		}
		if app.CitizenID != api.ActorID(c) {
			api.WriteError(c, cds.Errorf(cds.ENOTFOUND, "Không tìm thấy hồ sơ.", "Dossier not found."))
			return
		}
		var b appActionBody
		if !api.BindJSON(c, &b) {
			return
		}
		if docs := appDedupe(b.DocumentIDs); len(docs) > 0 {
			owned, err := s.DB.ApplicationOwnedMedia(c.Request.Context(), api.ActorID(c), docs)
			if err != nil {
				api.WriteError(c, err)
				return
			}
			for _, id := range docs {
				if !owned[id] {
					api.WriteError(c, cds.Errorf(cds.EINVALID, "Giấy tờ không hợp lệ.", "Invalid document.").WithField("document_ids", "unknown "+id))
					return
				}
			}
		}
		v, err := s.Cases.UpdateApplication(c.Request.Context(), app, b.action(name, api.Actor(c)), c.GetHeader("Idempotency-Key"))
		if err != nil {
			api.WriteError(c, err)
			return
		}
		c.JSON(http.StatusOK, v)
	}
}

// staffAction serves POST /applications/{id}/actions/{action}: the route
// needs application/act, the dossier's agency needs application/{action}
// (checked before the body is read, and again by the operation).
func (s *Handler) staffAction(c *gin.Context) {
	name := c.Param("action")
	if !cases.IsApplicationStaffAction(name) {
		api.WriteError(c, cds.Errorf(cds.ENOTFOUND, "Thao tác không tồn tại.", "Unknown action."))
		return
	}
	app, ok := s.loadApplication(c)
	if !ok || !s.AllowedOn(c, app.AgencyCode, "application", name) {
		return
	}
	var b appActionBody
	if !api.BindJSON(c, &b) {
		return
	}
	v, err := s.Cases.ActOnApplication(c.Request.Context(), app, b.action(name, api.Actor(c)), c.GetHeader("Idempotency-Key"))
	if err != nil {
		api.WriteError(c, err)
		return
	}
	c.JSON(http.StatusOK, v)
}

package applications

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	cds "github.com/caobang/congdanso"
	"github.com/caobang/congdanso/api"
	"github.com/caobang/congdanso/postgres"
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
		s.runAction(c, app, b.action(name, api.Actor(c)))
	}
}

// staffAction serves POST /applications/{id}/actions/{action}: the route
// needs application/act, the dossier's agency needs application/{action}.
func (s *Handler) staffAction(c *gin.Context) {
	name := c.Param("action")
	known := false
	for _, a := range workflows.StaffActions {
		known = known || a == name
	}
	if !known {
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
	if name == workflows.ActTransfer && b.ToAgency != "" {
		if _, err := s.DB.ApplicationAgency(c.Request.Context(), b.ToAgency); err != nil {
			api.WriteError(c, cds.Errorf(cds.EINVALID, "Cơ quan nhận không tồn tại.", "No such agency.").WithField("to_agency", "unknown"))
			return
		}
	}
	s.runAction(c, app, b.action(name, api.Actor(c)))
}

// runAction sends the Update and waits for its result. Validator refusals
// come back as the workflow's error code (409, 400, 403).
func (s *Handler) runAction(c *gin.Context, app postgres.Application, a workflows.ApplicationAction) {
	ctx := c.Request.Context()
	opts := client.UpdateWorkflowOptions{
		WorkflowID: app.WorkflowID, UpdateName: workflows.UpdateApplicationAction, Args: []any{a},
		WaitForStage: client.WorkflowUpdateStageCompleted,
	}
	// With an Idempotency-Key the update ID is stable, so Temporal applies a
	// retried request once and returns the first result.
	if k := c.GetHeader("Idempotency-Key"); k != "" {
		opts.UpdateID = fmt.Sprintf("%s:%d:%s", a.Action, a.Actor.UserID, k)
	}
	h, err := s.Temporal.UpdateWorkflow(ctx, opts)
	var v workflows.ApplicationView
	if err == nil {
		err = h.Get(ctx, &v)
	}
	if err != nil {
		api.WriteError(c, appWorkflowError(err))
		return
	}
	c.JSON(http.StatusOK, v)
}

// appWorkflowError turns a workflow refusal into an application error.
func appWorkflowError(err error) error {
	var ae *temporal.ApplicationError
	if errors.As(err, &ae) {
		var vi, en string
		if ae.HasDetails() && ae.Details(&vi, &en) == nil {
			return &cds.Error{Code: ae.Type(), Message: vi, MessageEN: en}
		}
		if api.KnownCode(ae.Type()) {
			return &cds.Error{Code: ae.Type(), Message: ae.Message(), MessageEN: ae.Message()}
		}
	}
	var nf *serviceerror.NotFound
	if errors.As(err, &nf) {
		return cds.Errorf(cds.ECONFLICT, "Hồ sơ đã kết thúc, không thể thực hiện thao tác.", "The dossier is closed.")
	}
	return err
}

package cases

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"time"

	"go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"

	cds "github.com/caobang/congdanso"
	"github.com/caobang/congdanso/postgres"
	"github.com/caobang/congdanso/workflows"
	"github.com/caobang/congdanso/worktime"
)

// ScopeApplication is the idempotency scope of application submissions.
const ScopeApplication = "applications.create"

// ApplicationSubmission is a dossier its interface has validated against the
// procedure in force.
type ApplicationSubmission struct {
	Citizen     cds.Actor // the owner (a desk officer files for them in person)
	Channel     string    // online, in_person
	Procedure   cds.Procedure
	Agency      string
	Form        map[string]any
	DocumentIDs []string
	At          time.Time
	KeyOwner    int64  // the account the Idempotency-Key belongs to
	Key         string // Idempotency-Key
}

// SubmitApplication starts the dossier workflow and writes its first event,
// so the citizen can read the dossier at once. Resumable: if the instance
// handling a first attempt dies after starting the workflow, the retry takes
// the key over, reuses the reserved code and joins the running workflow
// instead of creating a second dossier.
func (s *Service) SubmitApplication(ctx context.Context, sub ApplicationSubmission) (int, []byte, error) {
	status, body, _, err := s.DB.IdempotentResumable(ctx, ScopeApplication, sub.KeyOwner, sub.Key, func() (int, any, error) {
		return s.startApplication(ctx, sub)
	})
	return status, body, err
}

func (s *Service) startApplication(ctx context.Context, sub ApplicationSubmission) (int, any, error) {
	me, channel, proc, agency, form, docs, now, keyOwner, idemKey := sub.Citizen, sub.Channel, sub.Procedure, sub.Agency, sub.Form, sub.DocumentIDs, sub.At, sub.KeyOwner, sub.Key
	day := now.In(cds.VietnamTZ).Format("060102")
	code, err := s.DB.IdempotencyReserve(ctx, ScopeApplication, keyOwner, idemKey, "code", func() (string, error) {
		n, err := s.DB.NextCode(ctx, "application:"+agency+"-"+day)
		return fmt.Sprintf("%s-%s-%04d", agency, day, n), err
	})
	if err != nil {
		return 0, nil, err
	}
	cal, err := s.calendar(ctx)
	if err != nil {
		return 0, nil, err
	}
	hours := proc.Duration
	if proc.Unit != string(worktime.UnitWorkingHours) {
		hours *= worktime.HoursPerDay
	}
	share := 0.1
	if len(proc.Steps) > 0 {
		share = proc.Steps[0].Share
	}
	name := me.Name
	if name == "" {
		name = "Công dân"
	}
	in := workflows.ApplicationInput{
		Code: code, Title: proc.Name + " — " + name, Procedure: proc, AgencyCode: agency, Citizen: me, Channel: channel,
		Form: form, DocumentIDs: docs, SubmittedAt: now, ReceptionDue: cal.AddWorkingHours(now, hours*share),
	}
	wfID := workflows.ApplicationWorkflowID(code)
	_, err = s.Temporal.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID: wfID, TaskQueue: s.TaskQueue(), WorkflowIDReusePolicy: enums.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
		// Codes are never reused, so a running workflow with this ID can only
		// come from an earlier attempt of this same request.
		WorkflowIDConflictPolicy: enums.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
	}, workflows.ApplicationWorkflowName, in)
	if err != nil {
		return 0, nil, err
	}
	id, err := s.DB.RecordApplication(ctx, workflows.SubmittedRecord(in))
	if err != nil {
		return 0, nil, err
	}
	return http.StatusCreated, map[string]any{"id": id, "code": code, "status": cds.AppReceiving, "status_name": cds.AppReceiving.Info().Name, "appointment_at": nil}, nil
}

// UpdateApplication sends an action to a dossier and waits for its result.
// Validator refusals come back as the workflow's error code (409, 400,
// 403). With a request key the Update ID is stable, so Temporal applies a
// retried request once and returns the first result.
func (s *Service) UpdateApplication(ctx context.Context, app postgres.Application, a workflows.ApplicationAction, key string) (workflows.ApplicationView, error) {
	id := updateID(a.Action, a.Actor.UserID, key)
	if id == "" {
		id = newUpdateID()
	}
	h, err := s.Temporal.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
		WorkflowID: app.WorkflowID, UpdateName: workflows.UpdateApplicationAction, Args: []any{a},
		UpdateID: id, WaitForStage: client.WorkflowUpdateStageCompleted,
	})
	var v workflows.ApplicationView
	if err == nil {
		err = h.Get(ctx, &v)
	}
	s.settle(ctx, app.WorkflowID, id, err, &v.Notices)
	return v, temporalError(err, applicationClosed())
}

// IsApplicationStaffAction reports whether name is an action staff take on dossiers.
func IsApplicationStaffAction(name string) bool { return slices.Contains(workflows.StaffActions, name) }

// ActOnApplication is a staff action on a dossier: allowed by policy in the
// dossier's agency (403), a transfer's agency must exist (400), then the
// workflow decides.
func (s *Service) ActOnApplication(ctx context.Context, app postgres.Application, a workflows.ApplicationAction, key string) (workflows.ApplicationView, error) {
	if err := s.allowed(ctx, a.Actor, app.AgencyCode, "application", a.Action); err != nil {
		return workflows.ApplicationView{}, err
	}
	if a.Action == workflows.ActTransfer && a.ToAgency != "" {
		if _, err := s.DB.ApplicationAgency(ctx, a.ToAgency); err != nil {
			return workflows.ApplicationView{}, cds.Errorf(cds.EINVALID, "Cơ quan nhận không tồn tại.", "No such agency.").WithField("to_agency", "unknown")
		}
	}
	if a.Action == workflows.ActIssueResult && len(a.DocumentIDs) > 0 {
		// Results are issued as PDF files the officer uploaded (kept as uploaded).
		ok, err := s.DB.PDFsUploadedBy(ctx, a.Actor.UserID, a.DocumentIDs)
		if err != nil {
			return workflows.ApplicationView{}, err
		}
		if !ok {
			return workflows.ApplicationView{}, invalidInput().WithField("document_ids", "Kết quả phải là tệp PDF do cán bộ tải lên / results must be PDF files you uploaded")
		}
	}
	return s.UpdateApplication(ctx, app, a, key)
}

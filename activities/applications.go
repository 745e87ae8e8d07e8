package activities

import (
	"context"
	"time"

	"go.temporal.io/sdk/temporal"

	cds "github.com/caobang/congdanso"
	"github.com/caobang/congdanso/postgres"
)

// ApplicationRecord is one dossier event with its snapshot and task changes.
type ApplicationRecord = postgres.ApplicationRecord

// ApplicationSnapshot is a dossier's state after an event.
type ApplicationSnapshot = postgres.ApplicationSnapshot

// ApplicationTask is a human task opened by a dossier transition.
type ApplicationTask = postgres.ApplicationTask

// RecordApplication writes one dossier event to the read model: cases,
// case_events, applications and tasks in one transaction, idempotent by
// workflow ID plus seq (a retry changes nothing).
// The staff a hand-off opens a task for are told after the write
// (notifyDossierTasks; deduplicated, so a retry enqueues nothing new).
func (a *Activities) RecordApplication(ctx context.Context, r ApplicationRecord) error {
	if _, err := a.DB.RecordApplication(ctx, r); err != nil {
		return err
	}
	return a.notifyDossierTasks(ctx, r)
}

// ProcedureAtInput names a procedure and an instant.
type ProcedureAtInput struct {
	Code string    `json:"code"`
	At   time.Time `json:"at"`
}

// ApplicationProcedureAt returns the procedure version in force at In.At. A
// dossier calls it once, at acceptance, and keeps the answer (it is recorded
// in the workflow history, so later versions never change the dossier).
// A procedure withdrawn from the catalogue is a non-retryable ENOTFOUND: the
// dossier then keeps the version it was submitted under.
func (a *Activities) ApplicationProcedureAt(ctx context.Context, in ProcedureAtInput) (cds.Procedure, error) {
	p, err := a.DB.ProcedureAt(ctx, in.Code, in.At)
	if cds.ErrorCode(err) == cds.ENOTFOUND {
		return p, temporal.NewNonRetryableApplicationError(err.Error(), cds.ENOTFOUND, err)
	}
	return p, err
}

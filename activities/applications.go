package activities

import (
	"context"
	"time"

	cds "github.com/caobang/congdanso"
	"github.com/caobang/congdanso/postgres"
)

// ApplicationRecord is one dossier event with its snapshot and task changes.
type ApplicationRecord = postgres.ApplicationRecord

// ApplicationSnapshot is a dossier's state after an event.
type ApplicationSnapshot = postgres.ApplicationSnapshot

// TaskSpec is a human task opened by a dossier transition.
type TaskSpec = postgres.TaskSpec

// RecordApplication writes one dossier event to the read model: cases,
// case_events, applications and tasks in one transaction, idempotent by
// workflow ID plus seq (a retry changes nothing).
func (a *Activities) RecordApplication(ctx context.Context, r ApplicationRecord) error {
	_, err := a.DB.RecordApplication(ctx, r)
	return err
}

// ProcedureAtInput names a procedure and an instant.
type ProcedureAtInput struct {
	Code string    `json:"code"`
	At   time.Time `json:"at"`
}

// ApplicationProcedureAt returns the procedure version in force at In.At. A
// dossier calls it once, at acceptance, and keeps the answer (it is recorded
// in the workflow history, so later versions never change the dossier).
func (a *Activities) ApplicationProcedureAt(ctx context.Context, in ProcedureAtInput) (cds.Procedure, error) {
	return a.DB.ProcedureAt(ctx, in.Code, in.At)
}

package activities

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	cds "github.com/caobang/congdanso"
)

// TaskNotice is a notice for whoever handles one open task of a case.
type TaskNotice struct {
	WorkflowID string `json:"workflow_id"`
	StepKey    string `json:"step_key"`
	StaffNotice
}

// NotifyTaskHolder tells the officer holding the task (claimed or assigned)
// or, while nobody holds it, the staff of its agency with the step's role
// (StaffNotice). Deduplicated by prefix + user, so a retry enqueues nothing new.
func (a *Activities) NotifyTaskHolder(ctx context.Context, in TaskNotice) error {
	var holder *int64
	err := a.DB.Pool.QueryRow(ctx, `SELECT assignee_id FROM tasks WHERE workflow_id = $1 AND step_key = $2`, in.WorkflowID, in.StepKey).Scan(&holder)
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return err
	}
	if holder != nil {
		return a.Notify(ctx, NotifyInput{DedupeKey: fmt.Sprintf("%s/%d", in.DedupePrefix, *holder), UserID: *holder,
			Kind: in.Kind, Title: in.Title, Payload: in.Payload})
	}
	return a.NotifyAgencyStaff(ctx, in.StaffNotice)
}

// notifyDossierTasks tells the staff who may take a dossier task that a
// hand-off opened it for them (issue 20: staff for assignments): the
// officers, leaders… of the task's agency with its role. The citizen's
// submission (the desk's queue) is not announced. Deduplicated by workflow
// ID + seq + task + user.
func (a *Activities) notifyDossierTasks(ctx context.Context, r ApplicationRecord) error {
	if r.Action == "submit" {
		return nil
	}
	for _, t := range r.OpenTasks {
		if t.Role == "" || t.AgencyCode == "" {
			continue
		}
		title := fmt.Sprintf("Hồ sơ %s được chuyển đến để xử lý.", r.Code)
		if t.DueAt != nil {
			title = fmt.Sprintf("Hồ sơ %s được chuyển đến để xử lý (hạn %s).", r.Code, t.DueAt.In(cds.VietnamTZ).Format("15:04 02/01/2006"))
		}
		if err := a.NotifyAgencyStaff(ctx, StaffNotice{DedupePrefix: fmt.Sprintf("%s#%d/task/%s", r.WorkflowID, r.Seq, t.StepKey),
			Agency: t.AgencyCode, Roles: []string{t.Role}, Kind: "application.task", Title: title,
			Payload: map[string]any{"code": r.Code, "step": t.StepKey, "action": t.Action, "due_at": t.DueAt}}); err != nil {
			return err
		}
	}
	return nil
}

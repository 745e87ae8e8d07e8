package activities

import (
	"context"
	"fmt"

	cds "github.com/caobang/congdanso"
)

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

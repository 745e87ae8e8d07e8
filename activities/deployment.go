package activities

import (
	"context"
	"fmt"
	"strings"
	"time"

	cds "github.com/caobang/congdanso"
)

// DeploymentCampaign is an Appendix I campaign the reminder workflow looks at.
type DeploymentCampaign struct {
	Code     string    `json:"code"`
	Title    string    `json:"title"`
	Deadline time.Time `json:"deadline"`
}

// DeploymentCampaignsDue returns the campaigns whose deadline lies within
// 8 days after now or 3 days before it: the window in which reminders
// (7, 3, 1 days before) and the after-deadline notice can fall.
func (a *Activities) DeploymentCampaignsDue(ctx context.Context, now time.Time) ([]DeploymentCampaign, error) {
	list, err := a.DB.ReportCampaignsDueBetween(ctx, now.Add(-3*24*time.Hour), now.Add(8*24*time.Hour))
	if err != nil {
		return nil, err
	}
	out := make([]DeploymentCampaign, len(list))
	for i, c := range list {
		out[i] = DeploymentCampaign{Code: c.Code, Title: c.Title, Deadline: c.Deadline}
	}
	return out, nil
}

// DeploymentReminderInput asks to remind a campaign's missing units at a milestone.
type DeploymentReminderInput struct {
	Campaign  DeploymentCampaign `json:"campaign"`
	Milestone int                `json:"milestone"` // days before the deadline: 7, 3 or 1
}

// DeploymentReminderResult says which units were reminded.
type DeploymentReminderResult struct {
	Units []string `json:"units"`
}

// RemindMissingUnits enqueues a reminder to the reporters of every unit that
// has not submitted. The dedupe key (campaign, unit, milestone, user) makes
// each reminder go out once per unit per milestone, however often the
// schedule runs or the activity is retried. A unit without a reporter account
// still gets one unaddressed row (user 0) so the outbox log shows it.
func (a *Activities) RemindMissingUnits(ctx context.Context, in DeploymentReminderInput) (DeploymentReminderResult, error) {
	missing, err := a.DB.MissingDeploymentUnits(ctx, in.Campaign.Code)
	if err != nil {
		return DeploymentReminderResult{}, err
	}
	res := DeploymentReminderResult{Units: []string{}}
	dl := in.Campaign.Deadline.In(cds.VietnamTZ).Format("15:04 02/01/2006")
	for _, m := range missing {
		users := m.Reporters
		if len(users) == 0 {
			users = []int64{0}
		}
		for _, u := range users {
			err := a.Notify(ctx, NotifyInput{
				DedupeKey: fmt.Sprintf("deployment-reminder/%s/%s/d%d/u%d", in.Campaign.Code, m.Code, in.Milestone, u),
				UserID:    u, Kind: "deployment_reminder",
				Title: fmt.Sprintf("Nhắc báo cáo: còn %d ngày đến hạn / Reminder: %d day(s) to the deadline", in.Milestone, in.Milestone),
				Body: fmt.Sprintf("%s chưa nộp báo cáo \"%s\" (hạn %s). / %s has not submitted the report (due %s).",
					m.Name, in.Campaign.Title, dl, m.Code, dl),
				Payload: map[string]any{"campaign": in.Campaign.Code, "unit_code": m.Code, "milestone": in.Milestone},
			})
			if err != nil {
				return DeploymentReminderResult{}, err
			}
		}
		res.Units = append(res.Units, m.Code)
	}
	return res, nil
}

// NotifySteeringMissing tells every steering committee member which units
// are still missing after the deadline, once per campaign (dedupe key).
func (a *Activities) NotifySteeringMissing(ctx context.Context, c DeploymentCampaign) (DeploymentReminderResult, error) {
	missing, err := a.DB.MissingDeploymentUnits(ctx, c.Code)
	if err != nil {
		return DeploymentReminderResult{}, err
	}
	res := DeploymentReminderResult{Units: []string{}}
	if len(missing) == 0 {
		return res, nil
	}
	names := make([]string, len(missing))
	for i, m := range missing {
		names[i] = m.Name
		res.Units = append(res.Units, m.Code)
	}
	steering, err := a.DB.ReportUsersWithRole(ctx, "steering")
	if err != nil {
		return res, err
	}
	for _, u := range steering {
		err := a.Notify(ctx, NotifyInput{
			DedupeKey: fmt.Sprintf("deployment-missing/%s/u%d", c.Code, u),
			UserID:    u, Kind: "deployment_missing",
			Title:   fmt.Sprintf("%d đơn vị chưa báo cáo sau hạn / %d unit(s) missing after the deadline", len(missing), len(missing)),
			Body:    fmt.Sprintf("Đợt \"%s\": chưa báo cáo: %s.", c.Title, strings.Join(names, "; ")),
			Payload: map[string]any{"campaign": c.Code, "units": res.Units},
		})
		if err != nil {
			return res, err
		}
	}
	return res, nil
}

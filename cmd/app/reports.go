package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	cds "github.com/caobang/congdanso"
	"github.com/caobang/congdanso/postgres"
	"github.com/caobang/congdanso/reports"
	"github.com/caobang/congdanso/workflows"
)

func init() {
	AddHook(reportsHook)
	AddDemoSeed(seedReports)
}

// reportsReminderHourUTC is 01:00 UTC = 08:00 in Vietnam, the start of the working
// day. The spec is in UTC so the server needs no time-zone database.
const reportsReminderHourUTC = 1

// reportsHook creates the daily reminder schedule once. It is idempotent: a
// schedule that already exists (another instance, a restart) is left as is.
// Temporal being unreachable must not stop the API from starting, so the
// error is logged and the next start tries again.
func reportsHook(ctx context.Context, a *App) error {
	if a.Temporal == nil {
		return nil
	}
	if err := EnsureReminderSchedule(ctx, a.Temporal); err != nil {
		a.Logger.Warn("deployment reminder schedule not created", "err", err)
	}
	return nil
}

// EnsureReminderSchedule creates the Temporal schedule that runs the
// DeploymentReminders workflow every morning, unless it exists.
func EnsureReminderSchedule(ctx context.Context, tc client.Client) error {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	_, err := tc.ScheduleClient().Create(ctx, client.ScheduleOptions{
		ID: workflows.DeploymentRemindersScheduleID,
		Spec: client.ScheduleSpec{Calendars: []client.ScheduleCalendarSpec{{
			Hour: []client.ScheduleRange{{Start: reportsReminderHourUTC}}, Comment: "08:00 Asia/Ho_Chi_Minh",
		}}},
		Action: &client.ScheduleWorkflowAction{
			ID:                       "deployment-report-reminders",
			Workflow:                 workflows.DeploymentRemindersWorkflowName,
			TaskQueue:                workflows.TaskQueue,
			WorkflowExecutionTimeout: time.Hour,
		},
		// A missed morning (server down) is caught up within a day; the
		// workflow's milestones and dedupe keys make a late run harmless.
		CatchupWindow: 24 * time.Hour,
	})
	if errors.Is(err, temporal.ErrScheduleAlreadyRunning) {
		return nil
	}
	return err
}

// Demo campaigns: the one of seed 000 (deadline 30/3/2025) and a current one
// whose deadline is 10 days after the seed runs, so reminders can be seen.
const (
	reportsDemoCampaign        = "BC-CDS-CB-2025"
	reportsDemoCurrentCampaign = "BC-CDS-CB-HIENTAI"
	reportsDemoCampaignTitle   = "Báo cáo kết quả triển khai cài đặt ứng dụng Công dân số Cao Bằng"
)

// The 2025 campaign (deadline 30/3/2025) addresses the units of that time:
// the districts and the city, abolished on 1 July 2025. The current campaign
// addresses the wards and communes in force since then.
var (
	reportsDemoUnits2025 = []string{"SXD", "SNNMT", "SYT", "SCT", "CAT", "HND", "H-TPCB", "H-HOAAN", "H-TRUNGKHANH"}
	reportsDemoUnits     = []string{"SXD", "SNNMT", "SYT", "SCT", "CAT", "HND", "MTTQ", "P-THUCPHAN", "X-HOAAN", "X-TRUNGKHANH"}
)

func reportsDemoInt(v int64) *int64 { return &v }

// seedReports adds the demo campaigns with a few entries. It is idempotent:
// an existing campaign is left alone.
func seedReports(ctx context.Context, a *App, out io.Writer) error {
	deadline := time.Date(2025, 3, 30, 23, 59, 59, 0, cds.VietnamTZ)
	camps := []postgres.ReportCampaign{
		// Period: from the platform's launch (31/10/2024, seed 000) to the deadline.
		{Code: reportsDemoCampaign, Title: reportsDemoCampaignTitle, Deadline: deadline, Units: reportsDemoUnits2025, PeriodFrom: "2024-10-31", PeriodTo: "2025-03-30"},
		{Code: reportsDemoCurrentCampaign, Title: reportsDemoCampaignTitle + " (đợt hiện tại)", Deadline: time.Now().AddDate(0, 0, 10), Units: reportsDemoUnits},
	}
	for _, c := range camps {
		if _, err := a.DB.GetReportCampaign(ctx, c.Code); err == nil {
			continue
		} else if cds.ErrorCode(err) != cds.ENOTFOUND {
			return err
		}
		if _, err := a.DB.CreateReportCampaign(ctx, c, 0); err != nil {
			return err
		}
		if c.Code != reportsDemoCampaign {
			continue
		}
		entries := []struct {
			unit   string
			at     time.Time
			submit bool
			d      reports.DeploymentData
		}{
			{"SXD", deadline.AddDate(0, 0, -5), true, reports.DeploymentData{PlanNumber: "2358/KH-UBND ngày 09/9/2024", DocumentNumber: "412/SXD-VP ngày 15/11/2024",
				Forms: []string{reports.FormInPerson, reports.FormConference}, TotalOfficials: reportsDemoInt(86), OfficialsInstalled: reportsDemoInt(81), Trainings: reportsDemoInt(2), Materials: reportsDemoInt(6),
				Advantages: "Lãnh đạo Sở quan tâm chỉ đạo; cán bộ sử dụng thành thạo điện thoại thông minh.", Difficulties: "Một số viên chức lớn tuổi còn lúng túng khi đăng nhập bằng VNeID.",
				Proposals: "Đề nghị tổ chức thêm buổi hướng dẫn trực tiếp."}},
			{"H-HOAAN", deadline.AddDate(0, 0, -1), true, reports.DeploymentData{PlanNumber: "2358/KH-UBND ngày 09/9/2024", DocumentNumber: "57/UBND-VP",
				Forms: []string{reports.FormInPerson, reports.FormOnline, reports.FormConference}, TotalOfficials: reportsDemoInt(24), OfficialsInstalled: reportsDemoInt(24), CitizensInstalled: reportsDemoInt(1350),
				Trainings: reportsDemoInt(6), Materials: reportsDemoInt(18), Advantages: "Tổ công nghệ số cộng đồng hỗ trợ tận thôn, xóm.",
				Difficulties: "Nhiều hộ dân chưa có điện thoại thông minh; sóng di động yếu ở các xóm vùng cao.", Proposals: "Hỗ trợ thiết bị cho Tổ công nghệ số cộng đồng."}},
			{"SYT", time.Time{}, false, reports.DeploymentData{DocumentNumber: "88/SYT-VP", TotalOfficials: reportsDemoInt(120)}},
		}
		for _, e := range entries {
			b, err := json.Marshal(e.d)
			if err != nil {
				return err
			}
			if e.submit {
				_, _, err = a.DB.SubmitDeployment(ctx, c.Code, e.unit, b, 0, e.at)
			} else {
				err = a.DB.SaveDeploymentDraft(ctx, c.Code, e.unit, b, 0)
			}
			if err != nil {
				return fmt.Errorf("demo deployment report %s: %w", e.unit, err)
			}
		}
	}
	fmt.Fprintf(out, "Báo cáo Phụ lục I mẫu / demo Appendix I campaigns: %s, %s\n", reportsDemoCampaign, reportsDemoCurrentCampaign)
	return nil
}

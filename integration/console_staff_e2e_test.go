package integration

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	cds "github.com/caobang/congdanso"
	"github.com/caobang/congdanso/cmd/app/apptest"
)

func activeSessions(t *testing.T, env *apptest.Env, userID int64) int {
	t.Helper()
	var n int
	if err := env.DB.Pool.QueryRow(context.Background(), `SELECT count(*) FROM sessions WHERE user_id = $1 AND revoked_at IS NULL`, userID).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func auditCount(t *testing.T, env *apptest.Env, action string, userID int64) int {
	t.Helper()
	var n int
	if err := env.DB.Pool.QueryRow(context.Background(), `SELECT count(*) FROM audit_log WHERE action = $1 AND object_id = $2`,
		action, fmt.Sprint(userID)).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestConsoleStaffE2E: the unit admin of Sở Xây dựng creates an officer and
// promotes a colleague (whose open session ends), cannot grant the admin role
// nor open another unit's staff; the provincial admin moves the new officer
// to another agency. Every change is in the audit log.
func TestConsoleStaffE2E(t *testing.T) {
	env := apptest.New(t)
	const pw = "Cao-Bang-2026!"
	staffWithPassword(t, env, "0912000401", "Vi Thị Quản Trị", "SXD", cds.RoleUnitAdmin, pw)
	colleague := staffWithPassword(t, env, "0912000402", "Mã Văn Đồng", "SXD", cds.RoleOfficer, pw)
	other := staffWithPassword(t, env, "0912000403", "Lô Thị Khác", "SYT", cds.RoleOfficer, pw)
	staffWithPassword(t, env, "0912000404", "Triệu Văn Tỉnh", "UBND-CB", cds.RoleAdmin, pw)
	b := newBrowserRun(t, env, "staff")
	b.pw = pw

	// The colleague is signed in (a session that the role change must end).
	b.login("0912000402")
	b.run("drop cookies", network.ClearBrowserCookies())
	if activeSessions(t, env, colleague.UserID) == 0 {
		t.Fatal("the colleague has no session")
	}

	b.login("0912000401")
	b.run("staff list", chromedp.Navigate(b.baseURL+"/console/staff"), chromedp.WaitVisible(`#staff-list`, chromedp.ByQuery), b.screenshot("unit-admin-staff"))
	if list := b.text(`#staff-list`); !strings.Contains(list, "Mã Văn Đồng") || strings.Contains(list, "Lô Thị Khác") {
		t.Fatalf("unit admin's list shows other units or misses their own: %s", list)
	}
	var adminBox int
	b.run("new staff", chromedp.Click(`#staff-new`, chromedp.ByQuery), chromedp.WaitVisible(`#staff-form`, chromedp.ByQuery),
		chromedp.Evaluate(`document.querySelectorAll("#role-admin, #role-steering, #role-unit_admin").length`, &adminBox))
	if adminBox != 0 {
		t.Fatalf("a unit admin is offered %d roles it may not grant", adminBox)
	}
	b.run("create", chromedp.SendKeys(`#full_name`, "Bế Văn Mới", chromedp.ByQuery), chromedp.SendKeys(`#username`, "be.van.moi", chromedp.ByQuery),
		chromedp.Click(`#staff-save`, chromedp.ByQuery), chromedp.WaitVisible(`#initial-password`, chromedp.ByQuery), b.screenshot("unit-admin-created"))
	var newID int64
	if err := env.DB.Pool.QueryRow(context.Background(), `SELECT id FROM users WHERE username = 'be.van.moi' AND agency_code = 'SXD'`).Scan(&newID); err != nil {
		t.Fatalf("created account: %v", err)
	}
	if auditCount(t, env, "staff-create", newID) != 1 {
		t.Fatal("no audit line for the creation")
	}
	// Promote the colleague to leader: their session ends.
	b.run("promote", chromedp.Navigate(fmt.Sprintf("%s/console/staff/%d", b.baseURL, colleague.UserID)), chromedp.WaitVisible(`#role-leader`, chromedp.ByQuery),
		chromedp.Click(`#role-leader`, chromedp.ByQuery), chromedp.Click(`#staff-save`, chromedp.ByQuery), waitFlash("Đã lưu tài khoản Mã Văn Đồng"),
		b.screenshot("unit-admin-promoted"))
	if n := activeSessions(t, env, colleague.UserID); n != 0 {
		t.Fatalf("the colleague still has %d active sessions after the role change", n)
	}
	if auditCount(t, env, "staff-roles", colleague.UserID) != 1 {
		t.Fatal("no audit line for the role change")
	}
	// Another unit's account is out of reach.
	b.run("other unit", chromedp.Navigate(fmt.Sprintf("%s/console/staff/%d", b.baseURL, other.UserID)), chromedp.WaitNotPresent(`#staff-form`, chromedp.ByQuery))
	b.logout()

	// The provincial admin sees every unit and moves the new officer.
	b.login("0912000404")
	b.run("all staff", chromedp.Navigate(b.baseURL+"/console/staff"), chromedp.WaitVisible(`#staff-list`, chromedp.ByQuery))
	if list := b.text(`#staff-list`); !strings.Contains(list, "Lô Thị Khác") || !strings.Contains(list, "Bế Văn Mới") {
		t.Fatalf("provincial admin's list: %s", list)
	}
	b.run("move", chromedp.Navigate(fmt.Sprintf("%s/console/staff/%d", b.baseURL, newID)), chromedp.WaitVisible(`#agency_code`, chromedp.ByQuery),
		chromedp.SetValue(`#agency_code`, "SYT", chromedp.ByQuery), chromedp.Click(`#staff-save`, chromedp.ByQuery),
		waitFlash("Đã lưu tài khoản Bế Văn Mới"), b.screenshot("admin-moved"))
	var agency string
	if err := env.DB.Pool.QueryRow(context.Background(), `SELECT agency_code FROM users WHERE id = $1`, newID).Scan(&agency); err != nil || agency != "SYT" {
		t.Fatalf("moved account's agency = %q (%v)", agency, err)
	}
	if auditCount(t, env, "staff-update", newID) != 1 {
		t.Fatal("no audit line for the move")
	}

	// The policies page: readable grants, one added then revoked (audited).
	line := `tr[data-line="reporter,SYT,report,case_stats"]`
	b.run("policies", chromedp.Navigate(b.baseURL+"/console/policies"), chromedp.WaitVisible(`#policy-add`, chromedp.ByQuery),
		chromedp.SetValue(`#role`, "reporter", chromedp.ByQuery), chromedp.SetValue(`#domain`, "SYT", chromedp.ByQuery),
		chromedp.SetValue(`#object`, "report", chromedp.ByQuery), chromedp.SendKeys(`#action`, "case_stats", chromedp.ByQuery),
		chromedp.Click(`#policy-add-submit`, chromedp.ByQuery), chromedp.WaitVisible(line, chromedp.ByQuery), b.screenshot("admin-policy-added"))
	if row := b.text(line); !strings.Contains(row, "Sở Y tế") || !strings.Contains(row, "Báo cáo") {
		t.Fatalf("policy row in words: %q", row)
	}
	b.run("revoke", chromedp.Click(line+` button`, chromedp.ByQuery), waitFlash("Đã thu hồi quyền"), chromedp.WaitNotPresent(line, chromedp.ByQuery))
	var n int
	if err := env.DB.Pool.QueryRow(context.Background(), `SELECT count(*) FROM audit_log WHERE action IN ('policy-add', 'policy-remove') AND object_id = 'p, reporter, SYT, report, case_stats'`).Scan(&n); err != nil || n != 2 {
		t.Fatalf("policy audit lines = %d (%v), want 2", n, err)
	}
}

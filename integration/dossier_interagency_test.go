package integration

import (
	"net/http"
	"strings"
	"testing"
	"time"

	cds "github.com/caobang/congdanso"
	"github.com/caobang/congdanso/cmd/app/apptest"
	"github.com/caobang/congdanso/workflows"
)

// TestDossierInterAgencyTransfer: a transfer (liên thông) is a hand-off, on
// the real stack with one working hour = 1 s. The ward accepts a birth
// registration (HT-KS, 8 working hours; the specialist step 60 % = 4.8 h)
// and at once sends it to Sở Xây dựng for half a working day (4 h). The
// dossier is "Đang xử lý liên thông" at the department, which has its own
// step: its reminder and lateness fire (at 3 h and 4 h), while the ward's
// step, whose clock stopped, fires nothing; the dossier's own clock runs on
// (reminder at 6 h, overdue at 8 h). Statistics keep the dossier at the ward.
// The department hands it back: the ward's step resumes with what was left
// of its 4.8 h. The control sheet shows the department's part and its time.
func TestDossierInterAgencyTransfer(t *testing.T) {
	env := dossierEnv(t, time.Second)
	citizen, ctok := env.Citizen("Lục Văn Tài")
	_, deskTok := env.Staff("Cán bộ Một cửa", "P-THUCPHAN", cds.RoleOfficer)
	_, leaderTok := env.Staff("Chủ tịch phường", "P-THUCPHAN", cds.RoleLeader)
	_, sxdTok := env.Staff("Chuyên viên Sở Xây dựng", "SXD", cds.RoleOfficer)
	appAddMedia(t, env, "lt-1", citizen.UserID)
	appAddMedia(t, env, "lt-2", citizen.UserID)
	id, code := dossierSubmit(t, env, ctok, "lt-1", "lt-2")
	appAct(t, env, id, deskTok, "actions/accept", map[string]any{}, http.StatusOK)
	appAct(t, env, id, deskTok, "actions/transfer", map[string]any{"to_agency": "SXD", "reason": "Cần ý kiến Sở Xây dựng", "deadline_days": 61}, http.StatusBadRequest)
	appAct(t, env, id, deskTok, "actions/transfer", map[string]any{"to_agency": "SXD", "reason": "Cần ý kiến Sở Xây dựng", "deadline_days": 0.5}, http.StatusOK)

	d := appGet(t, env, id, sxdTok)
	if d.Application.Status != "transferred" || d.Application.AgencyCode != "SXD" {
		t.Fatalf("after transfer: %s at %s, want transferred at SXD", d.Application.Status, d.Application.AgencyCode)
	}
	if info := cds.AppStatus("transferred").Info(); info.Name != "Đang xử lý liên thông" || info.Number != 4 || cds.AppStatus("transferred").NationalCode() != cds.AppProcessing {
		t.Fatalf("status info %+v", info)
	}
	open := func(agency string) string {
		var s string
		if err := env.DB.Pool.QueryRow(t.Context(), `SELECT COALESCE(string_agg(action, ','), '') FROM tasks WHERE case_code = $1 AND status = 'open' AND agency_code = $2`,
			code, agency).Scan(&s); err != nil {
			t.Fatal(err)
		}
		return s
	}
	if a, b := open("SXD"), open("P-THUCPHAN"); a != "complete_transfer" || b != "" {
		t.Fatalf("open tasks: SXD %q, ward %q; want complete_transfer at SXD only", a, b)
	}
	// The ward, which leads the dossier, still opens it in the console while
	// the department holds it, as its JSON API lets it read it
	// (cases.StaffCanReadCase; before, the console answered 404).
	staffWithPassword(t, env, "0912000401", "Cán bộ Một cửa (console)", "P-THUCPHAN", cds.RoleOfficer, "Cao-Bang-2026!")
	wardConsole, _ := consoleLogin(t, env, "0912000401", "Cao-Bang-2026!")
	if resp, page := fetch(t, wardConsole, http.MethodGet, env.URL+"/console/cases/application/"+code, nil); resp.StatusCode != http.StatusOK || !strings.Contains(page, code) {
		t.Errorf("the leading ward's console page of the transferred dossier: %d", resp.StatusCode)
	}
	// Statistics (Circular 01/2018/TT-VPCP): in progress at the ward, nothing at the department.
	now := time.Now()
	from := now.AddDate(0, 0, -1)
	stats := func(root string) (n int) {
		rows, err := env.DB.ApplicationStats(t.Context(), root, from, now.AddDate(0, 0, 1))
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rows {
			n += r.InProgress.Total
		}
		return n
	}
	if w, s := stats("P-THUCPHAN"), stats("SXD"); w != 1 || s != 0 {
		t.Fatalf("in progress: ward %d, department %d; want 1, 0", w, s)
	}

	apptest.Eventually(t, 60*time.Second, "dossier overdue", func() bool {
		return appCount(t, env, `SELECT count(*) FROM cases WHERE code = $1 AND overdue`, code) == 1
	})
	if got, want := dossierTimeline(t, env, id, sxdTok), "submit,accept,transfer,step_reminder,step_overdue,reminder,overdue"; got != want {
		t.Fatalf("timeline %s, want %s", got, want)
	}
	if n := appCount(t, env, `SELECT count(*) FROM case_events WHERE workflow_id = $1 AND action IN ('step_reminder', 'step_overdue')
		AND detail->>'step' = 'interagency'`, workflows.ApplicationWorkflowID(code)); n != 2 {
		t.Fatalf("%d step deadlines of the department's part, want 2 (the ward's step is paused)", n)
	}

	appAct(t, env, id, sxdTok, "actions/complete_transfer", map[string]any{"note": "Đã có ý kiến thống nhất"}, http.StatusOK)
	d = appGet(t, env, id, deskTok)
	if d.Application.Status != "new" || d.Application.AgencyCode != "P-THUCPHAN" {
		t.Fatalf("after hand-back: %s at %s, want new at P-THUCPHAN", d.Application.Status, d.Application.AgencyCode)
	}
	// The ward's step resumes with 4.8 h less what it used before the transfer.
	var acceptAt, transferAt, backAt, due time.Time
	q := `SELECT at FROM case_events WHERE workflow_id = $1 AND action = $2`
	for _, p := range []struct {
		action string
		t      *time.Time
	}{{"accept", &acceptAt}, {"transfer", &transferAt}, {"complete_transfer", &backAt}} {
		if err := env.DB.Pool.QueryRow(t.Context(), q, workflows.ApplicationWorkflowID(code), p.action).Scan(p.t); err != nil {
			t.Fatal(err)
		}
	}
	if err := env.DB.Pool.QueryRow(t.Context(), `SELECT due_at FROM tasks WHERE case_code = $1 AND status = 'open' AND step_key LIKE 'specialist#%'`, code).Scan(&due); err != nil {
		t.Fatal(err)
	}
	want := backAt.Add(4800*time.Millisecond - transferAt.Sub(acceptAt))
	// (event times are taken when each event is written, after the
	// transition's calendar lookups: allow 150 ms)
	if diff := due.Sub(want); diff < -150*time.Millisecond || diff > 150*time.Millisecond {
		t.Fatalf("the ward's step is due %s, want %s (what was left of 4.8 h)", due, want)
	}

	r := env.Do(http.MethodGet, "/api/v1/applications/"+itoa(id)+"/control-sheet.html", deskTok, nil)
	if r.Status != http.StatusOK {
		t.Fatalf("control sheet %d", r.Status)
	}
	page := string(r.Body)
	for _, s := range []string{"Xử lý liên thông", "Sở Xây dựng", "THỜI GIAN GIẢI QUYẾT THEO CƠ QUAN", "<td>Liên thông / Inter-agency part</td><td>4,0</td>",
		"Cơ quan (bộ phận) giải quyết hồ sơ: Phường Thục Phán"} {
		if !strings.Contains(page, s) {
			t.Errorf("control sheet lacks %q", s)
		}
	}
	if r := env.Do(http.MethodGet, "/api/v1/applications/"+itoa(id)+"/control-sheet.xlsx", deskTok, nil); r.Status != http.StatusOK {
		t.Fatalf("control sheet xlsx %d", r.Status)
	}

	appAct(t, env, id, deskTok, "actions/forward", map[string]any{}, http.StatusOK)
	appAct(t, env, id, leaderTok, "actions/approve", map[string]any{}, http.StatusOK)
	appAct(t, env, id, deskTok, "actions/issue_result", map[string]any{"document_ids": []string{}}, http.StatusOK)
	appAct(t, env, id, deskTok, "actions/return_result", map[string]any{"method": "in_person"}, http.StatusOK)
	appAct(t, env, id, ctok, "rating", map[string]any{"score": 4}, http.StatusOK)
	waitClosed(t, env, workflows.ApplicationWorkflowID(code))
	appRecordHistory(t, env, workflows.ApplicationWorkflowID(code), "application_interagency"+appHistoryVersion)
}

package integration

import (
	"context"
	"encoding/csv"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	cds "github.com/caobang/congdanso"
	"github.com/caobang/congdanso/cmd/app/apptest"
	"github.com/caobang/congdanso/workflows"
)

// addMedia inserts an uploaded document owned by userID (the upload endpoint
// belongs to the feedback feature).
func appAddMedia(t *testing.T, env *apptest.Env, id string, owner int64) {
	t.Helper()
	if _, err := env.DB.Pool.Exec(context.Background(), `INSERT INTO media (id, owner_id, content_type, size, sha256) VALUES ($1, $2, 'application/pdf', 100, 'x')`, id, owner); err != nil {
		t.Fatal(err)
	}
}

func appCount(t *testing.T, env *apptest.Env, q string, args ...any) int {
	t.Helper()
	var n int
	if err := env.DB.Pool.QueryRow(context.Background(), q, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

type appDetail struct {
	Application struct {
		ID               int64          `json:"id"`
		Code             string         `json:"code"`
		Status           string         `json:"status"`
		AgencyCode       string         `json:"agency_code"`
		ProcedureVersion *int           `json:"procedure_version"`
		AppointmentAt    *time.Time     `json:"appointment_at"`
		Timeliness       *string        `json:"timeliness"`
		Rating           *int           `json:"rating"`
		Forms            map[string]any `json:"forms"`
		DocumentIDs      []string       `json:"document_ids"`
	} `json:"application"`
	Timeline []struct {
		Action string `json:"action"`
	} `json:"timeline"`
	ApplicationControlSheet []struct {
		At         time.Time  `json:"at"`
		FromStep   string     `json:"from_step"`
		ToStep     string     `json:"to_step"`
		SenderName string     `json:"sender_name"`
		StepDue    *time.Time `json:"step_due"`
		Timeliness string     `json:"timeliness"`
	} `json:"control_sheet"`
}

func appGet(t *testing.T, env *apptest.Env, id int64, tok string) appDetail {
	t.Helper()
	r := env.Do(http.MethodGet, fmt.Sprintf("/api/v1/applications/%d", id), tok, nil)
	if r.Status != http.StatusOK {
		t.Fatalf("GET application = %d %s", r.Status, r.Body)
	}
	var d appDetail
	r.JSON(t, &d)
	return d
}

func appAct(t *testing.T, env *apptest.Env, id int64, tok, path string, body any, want int) map[string]any {
	t.Helper()
	r := env.Do(http.MethodPost, fmt.Sprintf("/api/v1/applications/%d/%s", id, path), tok, body)
	if r.Status != want {
		t.Fatalf("POST %s = %d %s, want %d", path, r.Status, r.Body, want)
	}
	return r.Map(t)
}

func appBirthForm() map[string]any {
	return map[string]any{"child_full_name": "Nông Gia Bảo", "child_birth_date": "2026-01-15", "child_gender": "Nam",
		"birth_place": "Bệnh viện Đa khoa tỉnh Cao Bằng", "mother_name": "Nông Thị Hoa", "requester_id": "004190001234",
		"requester_phone": "0912345678", "commune_code": "P-THUCPHAN"}
}

// TestApplicationHTTPFlow goes from submission through supplementation and
// approval to the result returned and rated, on real PostgreSQL and an
// in-process Temporal server, and checks the control sheet's marks.
func TestApplicationHTTPFlow(t *testing.T) {
	env := apptest.New(t)
	citizen, ctok := env.Citizen("Nông Thị Hoa")
	_, otherTok := env.Citizen("Người Lạ")
	_, officerTok := env.Staff("Cán bộ Một cửa", "P-THUCPHAN", cds.RoleOfficer)
	_, leaderTok := env.Staff("Chủ tịch phường", "P-THUCPHAN", cds.RoleLeader)
	_, strangerTok := env.Staff("Cán bộ xã khác", "X-HOAAN", cds.RoleOfficer)
	appAddMedia(t, env, "doc-tk", citizen.UserID)
	appAddMedia(t, env, "doc-gcs", citizen.UserID)
	appAddMedia(t, env, "doc-bs", citizen.UserID)
	appAddMedia(t, env, "doc-foreign", 0)

	r := env.Do(http.MethodGet, "/api/v1/procedures", "", nil)
	var cat struct {
		Items []cds.Procedure `json:"items"`
	}
	r.JSON(t, &cat)
	if r.Status != http.StatusOK || len(cat.Items) < 5 {
		t.Fatalf("catalogue %d: %d procedures", r.Status, len(cat.Items))
	}

	// Strict validation: every bad field reported, nothing written.
	bad := appBirthForm()
	bad["child_gender"], bad["requester_id"], bad["extra"] = "X", "12", "y"
	delete(bad, "mother_name")
	r = env.Do(http.MethodPost, "/api/v1/applications", ctok, map[string]any{"procedure_code": "HT-KS", "form": bad, "document_ids": []string{"doc-tk", "doc-foreign"}})
	e := r.Map(t)["error"].(map[string]any)
	fields, _ := e["fields"].(map[string]any)
	for _, f := range []string{"form.child_gender", "form.requester_id", "form.extra", "form.mother_name", "document_ids"} {
		if _, ok := fields[f]; !ok || r.Status != http.StatusBadRequest {
			t.Errorf("status %d, field %s not reported: %v", r.Status, f, fields)
		}
	}
	if n := appCount(t, env, `SELECT count(*) FROM cases`); n != 0 {
		t.Fatalf("a rejected submission wrote %d cases", n)
	}

	body := map[string]any{"procedure_code": "HT-KS", "form": appBirthForm(), "document_ids": []string{"doc-tk", "doc-gcs"}}
	r = env.Do(http.MethodPost, "/api/v1/applications", ctok, body, "Idempotency-Key", "k-1")
	if r.Status != http.StatusCreated {
		t.Fatalf("submit = %d %s", r.Status, r.Body)
	}
	var created struct {
		ID     int64  `json:"id"`
		Code   string `json:"code"`
		Status string `json:"status"`
	}
	r.JSON(t, &created)
	wantPrefix := "P-THUCPHAN-" + time.Now().In(cds.VietnamTZ).Format("060102") + "-"
	if !strings.HasPrefix(created.Code, wantPrefix) || len(created.Code) != len(wantPrefix)+4 || created.Status != "receiving" {
		t.Fatalf("created %+v", created)
	}
	again := env.Do(http.MethodPost, "/api/v1/applications", ctok, body, "Idempotency-Key", "k-1")
	if again.Status != http.StatusCreated || again.Map(t)["code"] != created.Code || appCount(t, env, `SELECT count(*) FROM cases`) != 1 {
		t.Fatalf("idempotent retry: %d %s", again.Status, again.Body)
	}
	id := created.ID

	// Visible to the owner and to staff of the agency; 404 for anyone else.
	if d := appGet(t, env, id, ctok); d.Application.Status != "receiving" {
		t.Fatalf("status %s", d.Application.Status)
	}
	for _, tok := range []string{otherTok, strangerTok} {
		if r := env.Do(http.MethodGet, fmt.Sprintf("/api/v1/applications/%d", id), tok, nil); r.Status != http.StatusNotFound {
			t.Errorf("stranger read = %d", r.Status)
		}
	}
	if r := env.Do(http.MethodPost, fmt.Sprintf("/api/v1/applications/%d/withdraw", id), otherTok, map[string]any{"reason": "x"}); r.Status != http.StatusNotFound {
		t.Errorf("stranger withdraw = %d", r.Status)
	}
	appAct(t, env, id, ctok, "actions/accept", map[string]any{}, http.StatusForbidden)
	appAct(t, env, id, officerTok, "actions/forward", map[string]any{}, http.StatusConflict)

	v := appAct(t, env, id, officerTok, "actions/accept", map[string]any{"note": "Đủ hồ sơ"}, http.StatusOK)
	if v["status"] != "new" || v["due_at"] == nil {
		t.Fatalf("accepted view %v", v)
	}
	d := appGet(t, env, id, ctok)
	if d.Application.AppointmentAt == nil || d.Application.Forms["form01"] == nil || *d.Application.ProcedureVersion != 1 {
		t.Fatalf("after accept %+v", d.Application)
	}
	if n := appCount(t, env, `SELECT count(*) FROM tasks WHERE case_code = $1 AND status = 'open' AND step_key LIKE 'specialist#%' AND agency_code = 'P-THUCPHAN'`, created.Code); n != 1 {
		t.Errorf("open specialist tasks = %d", n)
	}
	if n := appCount(t, env, `SELECT count(*) FROM tasks WHERE case_code = $1 AND status = 'closed' AND step_key = 'reception#1'`, created.Code); n != 1 {
		t.Errorf("reception task not closed")
	}

	// Supplementation: the clock pauses until the citizen answers.
	appAct(t, env, id, officerTok, "actions/request_supplement", map[string]any{"reason": "Thiếu bản sao", "items": []string{}}, http.StatusBadRequest)
	v = appAct(t, env, id, officerTok, "actions/request_supplement", map[string]any{"reason": "Giấy chứng sinh mờ", "items": []string{"Giấy chứng sinh bản rõ nét"}}, http.StatusOK)
	if v["status"] != "waiting" || v["clock_paused"] != true {
		t.Fatalf("waiting view %v", v)
	}
	if n := appCount(t, env, `SELECT count(*) FROM tasks WHERE case_code = $1 AND status = 'open'`, created.Code); n != 0 {
		t.Errorf("%d tasks open while waiting for the citizen", n)
	}
	appAct(t, env, id, ctok, "supplement", map[string]any{"document_ids": []string{"doc-foreign"}}, http.StatusBadRequest)
	v = appAct(t, env, id, ctok, "supplement", map[string]any{"document_ids": []string{"doc-bs"}, "note": "Đã bổ sung"}, http.StatusOK)
	if v["status"] != "new" || v["clock_paused"] != false {
		t.Fatalf("after supplement %v", v)
	}

	fw := env.Do(http.MethodPost, fmt.Sprintf("/api/v1/applications/%d/actions/forward", id), officerTok, map[string]any{"note": "Đề xuất cấp"}, "Idempotency-Key", "fw-1")
	fw2 := env.Do(http.MethodPost, fmt.Sprintf("/api/v1/applications/%d/actions/forward", id), officerTok, map[string]any{"note": "Đề xuất cấp"}, "Idempotency-Key", "fw-1")
	if fw.Status != http.StatusOK || fw2.Status != http.StatusOK || fw2.Map(t)["step"] != "leader" {
		t.Fatalf("forward with a retried key: %d %s / %d %s", fw.Status, fw.Body, fw2.Status, fw2.Body)
	}
	appAct(t, env, id, officerTok, "actions/approve", map[string]any{}, http.StatusForbidden) // Casbin: officers do not approve
	appAct(t, env, id, leaderTok, "actions/approve", map[string]any{"note": "Đồng ý"}, http.StatusOK)
	v = appAct(t, env, id, officerTok, "actions/issue_result", map[string]any{"document_ids": []string{}}, http.StatusOK)
	if v["status"] != "releasing" {
		t.Fatalf("issued %v", v)
	}
	appAct(t, env, id, ctok, "rating", map[string]any{"score": 5}, http.StatusConflict)
	appAct(t, env, id, officerTok, "actions/return_result", map[string]any{"method": "online"}, http.StatusOK)
	appAct(t, env, id, ctok, "rating", map[string]any{"score": 9}, http.StatusBadRequest)
	appAct(t, env, id, ctok, "rating", map[string]any{"score": 5, "comment": "Rất nhanh"}, http.StatusOK)

	d = appGet(t, env, id, ctok)
	if d.Application.Status != "done" || d.Application.Rating == nil || *d.Application.Rating != 5 || d.Application.Timeliness == nil {
		t.Fatalf("final %+v", d.Application)
	}
	if len(d.Application.DocumentIDs) != 3 {
		t.Errorf("documents %v", d.Application.DocumentIDs)
	}
	var steps []string
	for _, row := range d.ApplicationControlSheet {
		steps = append(steps, row.FromStep+">"+row.ToStep)
		if row.StepDue == nil || row.SenderName == "" {
			t.Errorf("incomplete control sheet row %+v", row)
			continue
		}
		if want := string(cds.ClassifyTimeliness(row.At, *row.StepDue)); row.Timeliness != want {
			t.Errorf("%s: mark %q, want %q (at %v, due %v)", row.FromStep, row.Timeliness, want, row.At, row.StepDue)
		}
		if row.Timeliness == "late" {
			t.Errorf("%s marked late in a dossier handled within minutes", row.FromStep)
		}
	}
	if got := strings.Join(steps, ","); got != "reception>specialist,specialist>leader,leader>result,result>citizen" {
		t.Errorf("control sheet steps %s", got)
	}
	if n := appCount(t, env, `SELECT count(*) FROM tasks WHERE case_code = $1 AND status = 'open'`, created.Code); n != 0 {
		t.Errorf("%d tasks left open", n)
	}

	// The export carries the same rows with Vietnamese marks.
	r = env.Do(http.MethodGet, fmt.Sprintf("/api/v1/applications/%d/control-sheet.csv", id), officerTok, nil)
	recs, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(string(r.Body), "\ufeff"))).ReadAll()
	if r.Status != http.StatusOK || err != nil || len(recs) != 5 {
		t.Fatalf("csv %d %v %d rows", r.Status, err, len(recs))
	}
	labels := map[string]string{"early": "Trước hạn", "on_time": "Đúng hạn", "late": "Quá hạn"}
	for i, row := range d.ApplicationControlSheet {
		if recs[i+1][10] != labels[row.Timeliness] || recs[i+1][3] != row.FromStep {
			t.Errorf("csv row %d = %v", i+1, recs[i+1])
		}
	}

	// Biểu 06 statistics for the ward.
	r = env.Do(http.MethodGet, "/api/v1/applications/stats?agency=P-THUCPHAN", leaderTok, nil)
	var st struct {
		Rows []struct {
			AgencyCode string         `json:"agency_code"`
			Received   map[string]int `json:"received"`
			Resolved   map[string]int `json:"resolved"`
		} `json:"rows"`
	}
	r.JSON(t, &st)
	if r.Status != http.StatusOK || len(st.Rows) != 1 || st.Rows[0].Received["online"] != 1 || st.Rows[0].Resolved["total"] != 1 {
		t.Errorf("stats %d %s", r.Status, r.Body)
	}
	if r := env.Do(http.MethodGet, "/api/v1/applications/stats", ctok, nil); r.Status != http.StatusForbidden {
		t.Errorf("citizen stats = %d", r.Status)
	}
	if r := env.Do(http.MethodGet, "/api/v1/me/applications", ctok, nil); r.Status != http.StatusOK || !strings.Contains(string(r.Body), created.Code) {
		t.Errorf("my applications %d %s", r.Status, r.Body)
	}
	appRecordHistory(t, env, workflows.ApplicationWorkflowID(created.Code), "application_http_flow"+appHistoryVersion)
}

// TestApplicationProcedureVersionChange: a new procedure version does not
// alter dossiers already accepted; dossiers accepted afterwards pin it.
func TestApplicationProcedureVersionChange(t *testing.T) {
	env := apptest.New(t)
	citizen, ctok := env.Citizen("Hoàng Văn Nam")
	_, officerTok := env.Staff("Cán bộ Một cửa", "X-HOAAN", cds.RoleOfficer)
	_, adminTok := env.Staff("Quản trị", "UBND-CB", cds.RoleAdmin)
	appAddMedia(t, env, "kh-1", citizen.UserID)
	form := map[string]any{"husband_name": "Hoàng Văn Nam", "husband_id": "004090001111", "wife_name": "Lục Thị Mai", "wife_id": "004190002222", "commune_code": "X-HOAAN"}
	submit := func() int64 {
		r := env.Do(http.MethodPost, "/api/v1/applications", ctok, map[string]any{"procedure_code": "HT-KH", "form": form, "document_ids": []string{"kh-1"}})
		if r.Status != http.StatusCreated {
			t.Fatalf("submit %d %s", r.Status, r.Body)
		}
		return int64(r.Map(t)["id"].(float64))
	}
	a := submit()
	appAct(t, env, a, officerTok, "actions/accept", map[string]any{}, http.StatusOK)
	before := appGet(t, env, a, ctok)

	// Publish version 2: ten working days and a new legal basis.
	r := env.Do(http.MethodGet, "/api/v1/procedures/HT-KH", "", nil)
	var cur struct {
		Procedure cds.Procedure `json:"procedure"`
	}
	r.JSON(t, &cur)
	p := cur.Procedure
	p.Duration, p.EffectiveFrom = 10, time.Now().Add(-time.Second)
	p.LegalBasis = append(p.LegalBasis, "Nghị định sửa đổi (thử nghiệm)")
	if r := env.Do(http.MethodPost, "/api/v1/procedures/HT-KH/versions", officerTok, p); r.Status != http.StatusForbidden {
		t.Errorf("officer publish = %d", r.Status)
	}
	r = env.Do(http.MethodPost, "/api/v1/procedures/HT-KH/versions", adminTok, p)
	if r.Status != http.StatusCreated || r.Map(t)["version"].(float64) != 2 {
		t.Fatalf("publish %d %s", r.Status, r.Body)
	}

	// Dossier A keeps version 1 and its appointment while it moves on.
	appAct(t, env, a, officerTok, "actions/forward", map[string]any{}, http.StatusOK)
	after := appGet(t, env, a, ctok)
	if *after.Application.ProcedureVersion != 1 || !after.Application.AppointmentAt.Equal(*before.Application.AppointmentAt) {
		t.Errorf("version change altered an accepted dossier: %+v → %+v", before.Application, after.Application)
	}
	// Dossier B, accepted now, pins version 2 with the longer time.
	b := submit()
	appAct(t, env, b, officerTok, "actions/accept", map[string]any{}, http.StatusOK)
	nb := appGet(t, env, b, ctok)
	if *nb.Application.ProcedureVersion != 2 || !nb.Application.AppointmentAt.After(*after.Application.AppointmentAt) {
		t.Errorf("new dossier %+v, old appointment %v", nb.Application, after.Application.AppointmentAt)
	}
	appAct(t, env, a, ctok, "withdraw", map[string]any{"reason": "Đổi ngày"}, http.StatusOK)
	if d := appGet(t, env, a, ctok); d.Application.Status != "cancelled" {
		t.Errorf("withdrawn status %s", d.Application.Status)
	}
	appRecordHistory(t, env, workflows.ApplicationWorkflowID(after.Application.Code), "application_version_withdraw"+appHistoryVersion)
}

// appRecordHistory records a dossier's history once it closed
// (record_test.go). The names carry the newest GetVersion change
// (appHistoryVersion); histories of older versions keep their names and
// stay as recorded.
func appRecordHistory(t *testing.T, env *apptest.Env, wfID, name string) {
	if !recordingHistories("application") {
		return
	}
	ctx := context.Background()
	apptest.Eventually(t, 20*time.Second, "workflow closed", func() bool {
		d, err := env.Temporal.DescribeWorkflowExecution(ctx, wfID, "")
		return err == nil && d.WorkflowExecutionInfo.CloseTime != nil
	})
	writeRecording(t, env.Temporal, wfID, testdataDir, name)
}

// TestApplicationDeskTransferFeeApology: a dossier received in person at the
// desk is transferred to another commune for its part (liên thông,
// application-interagency-handoff), which hands it back; it then waits for a
// fee paid through the fee-paid signal (as BillPayment sends it), gets an
// apology with a new date approved by a leader, and is stopped.
func TestApplicationDeskTransferFeeApology(t *testing.T) {
	env := apptest.New(t)
	citizen, ctok := env.Citizen("Lương Văn Tài")
	desk, deskTok := env.Staff("Cán bộ Một cửa", "X-TRUNGKHANH", cds.RoleOfficer)
	_, otherDeskTok := env.Staff("Cán bộ Hòa An", "X-HOAAN", cds.RoleOfficer)
	_, leaderTok := env.Staff("Chủ tịch xã Trùng Khánh", "X-TRUNGKHANH", cds.RoleLeader)
	appAddMedia(t, env, "scan-1", desk.UserID)
	appAddMedia(t, env, "scan-2", desk.UserID)
	appAddMedia(t, env, "scan-3", desk.UserID)
	form := map[string]any{"owner_name": "Lương Văn Tài", "owner_id": "004080003333", "land_parcel": "Thửa 12, tờ 5",
		"address": "Xóm Pác Ngà", "floor_area": 120, "floors": 2, "commune_code": "X-TRUNGKHANH"}
	r := env.Do(http.MethodPost, "/api/v1/applications", ctok, map[string]any{"procedure_code": "XD-GPXD", "form": form, "document_ids": []string{"scan-1", "scan-2", "scan-3"}})
	if r.Status != http.StatusBadRequest { // the citizen does not own the desk's scans
		t.Fatalf("citizen with foreign scans = %d", r.Status)
	}
	r = env.Do(http.MethodPost, "/api/v1/applications", deskTok, map[string]any{"citizen_id": citizen.UserID, "procedure_code": "XD-GPXD", "form": form, "document_ids": []string{"scan-1", "scan-2", "scan-3"}})
	if r.Status != http.StatusCreated {
		t.Fatalf("desk submit %d %s", r.Status, r.Body)
	}
	id := int64(r.Map(t)["id"].(float64))
	code := r.Map(t)["code"].(string)
	if ch := appCount(t, env, `SELECT count(*) FROM cases WHERE code = $1 AND channel = 'in_person' AND citizen_id = $2`, code, citizen.UserID); ch != 1 {
		t.Fatalf("in-person case not recorded for the citizen")
	}
	appAct(t, env, id, deskTok, "actions/accept", map[string]any{}, http.StatusOK)
	appointment := *appGet(t, env, id, ctok).Application.AppointmentAt

	// Transfer: the other commune sees it now and has its own task; the
	// dossier's clock keeps running; the sending commune still reads it.
	appAct(t, env, id, otherDeskTok, "actions/forward", map[string]any{}, http.StatusNotFound)
	appAct(t, env, id, deskTok, "actions/transfer", map[string]any{"to_agency": "X-NOWHERE", "reason": "x"}, http.StatusBadRequest)
	appAct(t, env, id, deskTok, "actions/transfer", map[string]any{"to_agency": "X-HOAAN", "reason": "Thửa đất thuộc địa bàn xã Hòa An"}, http.StatusOK)
	d := appGet(t, env, id, otherDeskTok)
	if d.Application.AgencyCode != "X-HOAAN" || d.Application.Status != "transferred" || !d.Application.AppointmentAt.Equal(appointment) {
		t.Fatalf("after transfer %+v", d.Application)
	}
	if n := appCount(t, env, `SELECT count(*) FROM tasks WHERE case_code = $1 AND status = 'open' AND agency_code = 'X-HOAAN'`, code); n != 1 {
		t.Errorf("open tasks at the receiving commune = %d", n)
	}
	if r := env.Do(http.MethodGet, fmt.Sprintf("/api/v1/applications/%d", id), deskTok, nil); r.Status != http.StatusOK {
		t.Errorf("the sending commune cannot read the dossier it leads: %d", r.Status)
	}
	appAct(t, env, id, deskTok, "actions/request_fee", map[string]any{"amount": 75000}, http.StatusForbidden) // not its part now
	appAct(t, env, id, otherDeskTok, "actions/request_fee", map[string]any{"amount": 75000}, http.StatusConflict)
	appAct(t, env, id, otherDeskTok, "actions/complete_transfer", map[string]any{"note": "Đã xác minh thửa đất"}, http.StatusOK)
	if d := appGet(t, env, id, deskTok); d.Application.AgencyCode != "X-TRUNGKHANH" || d.Application.Status != "new" {
		t.Fatalf("after hand-back %+v", d.Application)
	}

	// Fee: waits until the payment signal arrives.
	v := appAct(t, env, id, deskTok, "actions/request_fee", map[string]any{"amount": 75000}, http.StatusOK)
	if v["status"] != "paying" || appCount(t, env, `SELECT count(*) FROM cases WHERE code = $1 AND fee_due = 75000`, code) != 1 {
		t.Fatalf("fee request %v", v)
	}
	appAct(t, env, id, deskTok, "actions/forward", map[string]any{}, http.StatusConflict)
	if err := env.Temporal.SignalWorkflow(context.Background(), workflows.ApplicationWorkflowID(code), "", workflows.SignalFeePaid,
		workflows.FeePaid{PaymentID: "VNP-0001", Amount: 75000, PaidAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
	apptest.Eventually(t, 10*time.Second, "fee paid", func() bool {
		return appCount(t, env, `SELECT count(*) FROM cases WHERE code = $1 AND fee_due IS NULL AND status = 'new'`, code) == 1
	})

	// Apology (form 04): drafted by staff, approved by the leader, new date.
	newDue := appointment.Add(72 * time.Hour)
	appAct(t, env, id, deskTok, "actions/draft_apology", map[string]any{"reason": "Cần xác minh thực địa", "new_due": newDue}, http.StatusOK)
	appAct(t, env, id, deskTok, "actions/approve_apology", map[string]any{}, http.StatusForbidden)
	appAct(t, env, id, leaderTok, "actions/approve_apology", map[string]any{}, http.StatusOK)
	d = appGet(t, env, id, ctok)
	if !d.Application.AppointmentAt.Equal(newDue) || d.Application.Forms["form04"] == nil {
		t.Fatalf("after apology %+v", d.Application)
	}
	appAct(t, env, id, leaderTok, "actions/stop", map[string]any{"reason": "Quy hoạch thay đổi"}, http.StatusOK)
	d = appGet(t, env, id, ctok)
	if d.Application.Status != "unresolved" || d.Application.Forms["form05"] == nil {
		t.Fatalf("stopped %+v", d.Application)
	}
	if n := appCount(t, env, `SELECT count(*) FROM tasks WHERE case_code = $1 AND status = 'open'`, code); n != 0 {
		t.Errorf("%d tasks open after stop", n)
	}
	appAct(t, env, id, ctok, "withdraw", map[string]any{"reason": "x"}, http.StatusConflict)
	appRecordHistory(t, env, workflows.ApplicationWorkflowID(code), "application_desk_handoff_fee_apology"+appHistoryVersion)
}

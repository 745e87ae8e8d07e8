package integration

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	cds "github.com/caobang/congdanso"
	"github.com/caobang/congdanso/cmd/app"
	"github.com/caobang/congdanso/cmd/app/apptest"
)

// TestObjectLevelAccess runs the routes that take an ID against real objects
// of someone else: two citizens, two departments (SXD, SYT), two communes,
// a leader of the parent agency (UBND-CB), two Open311 clients. Each line
// says who calls what and what must happen; a refusal is 403 or 404, leaks
// none of the owner's data and changes nothing.
func TestObjectLevelAccess(t *testing.T) {
	env := apptest.New(t, func(o *app.Options) { o.API.Demo = true })
	const ownerName = "Nguyễn Thị Riêng Tư"
	owner, aTok := env.Citizen(ownerName)
	_, bTok := env.Citizen("Trần Văn Khác")
	_, sxdOfficer := env.Staff("Cán bộ Xây dựng", "SXD", cds.RoleOfficer)
	_, sxdLeader := env.Staff("Lãnh đạo Xây dựng", "SXD", cds.RoleLeader)
	_, sytOfficer := env.Staff("Cán bộ Y tế", "SYT", cds.RoleOfficer)
	_, sytLeader := env.Staff("Lãnh đạo Y tế", "SYT", cds.RoleLeader)
	_, parentLeader := env.Staff("Lãnh đạo UBND tỉnh", "UBND-CB", cds.RoleLeader)
	_, wardOfficer := env.Staff("Cán bộ Một cửa Thục Phán", "P-THUCPHAN", cds.RoleOfficer)
	_, otherWard := env.Staff("Cán bộ Hòa An", "X-HOAAN", cds.RoleOfficer)
	_, skhcnReporter := env.Staff("Báo cáo viên Sở KH&CN", "SKHCN", cds.RoleReporter)
	_, steering := env.Staff("Ban Chỉ đạo", "BCD-CDS", cds.RoleSteering)
	_, admin := env.Staff("Quản trị", "UBND-CB", cds.RoleAdmin)

	// The owner's objects: a report with a photo, a dossier, a payment.
	up := uploadPhoto(t, env, aTok, pngBytes(t))
	photo, _ := up.Map(t)["id"].(string)
	fb := fbSubmit(t, env, aTok)
	appAddMedia(t, env, "own-doc-1", owner.UserID)
	appAddMedia(t, env, "own-doc-2", owner.UserID)
	r := env.Do(http.MethodPost, "/api/v1/applications", aTok, map[string]any{"procedure_code": "HT-KS", "form": appBirthForm(), "document_ids": []string{"own-doc-1", "own-doc-2"}})
	if r.Status != http.StatusCreated {
		t.Fatalf("submit application %d %s", r.Status, r.Body)
	}
	appID := int64(r.Map(t)["id"].(float64))
	appAct(t, env, appID, wardOfficer, "actions/accept", map[string]any{}, http.StatusOK)
	var bills struct {
		Items []struct {
			ID string `json:"id"`
		} `json:"items"`
	}
	env.Do(http.MethodGet, "/api/v1/bills?provider=PCCB&customer_code=PC01CB0001", aTok, nil).JSON(t, &bills)
	if len(bills.Items) == 0 {
		t.Fatal("no demo bill")
	}
	pay := createPayment(t, env, aTok, map[string]any{"bill_ids": []string{bills.Items[0].ID}})
	acceptTask, _ := openTask(t, env, fb, "accept")
	if acceptTask == 0 {
		t.Fatal("no accept task")
	}

	a := fmt.Sprintf("/api/v1/applications/%d", appID)
	f := "/api/v1/feedback/" + fb
	refused := func(who, method, path, tok string, body any) {
		t.Helper()
		r := env.Do(method, path, tok, body)
		if r.Status != http.StatusForbidden && r.Status != http.StatusNotFound {
			t.Errorf("%s %s %s: %d %s, want 403/404", who, method, path, r.Status, r.Body)
		}
		if strings.Contains(string(r.Body), ownerName) || strings.Contains(string(r.Body), "Nông Gia Bảo") {
			t.Errorf("%s %s %s: the refusal leaks the owner's data: %s", who, method, path, r.Body)
		}
	}
	allowed := func(who, method, path, tok string, body any, want int) {
		t.Helper()
		if r := env.Do(method, path, tok, body); r.Status != want {
			t.Errorf("%s %s %s: %d %s, want %d", who, method, path, r.Status, r.Body, want)
		}
	}

	// Feedback: another citizen, another department, a leader of another department.
	refused("citizen B", http.MethodGet, f, bTok, nil)
	refused("citizen B", http.MethodPost, f+"/info", bTok, map[string]any{"note": "x"})
	refused("citizen B", http.MethodPost, f+"/rating", bTok, map[string]any{"score": 1})
	refused("citizen B", http.MethodPost, f+"/withdraw", bTok, map[string]any{"reason": "x"})
	refused("citizen B", http.MethodPost, f+"/actions/accept", bTok, map[string]any{})
	refused("citizen B", http.MethodGet, "/api/v1/media/"+photo, bTok, nil) // not published yet
	refused("SYT officer", http.MethodGet, f, sytOfficer, nil)
	refused("SYT officer", http.MethodPost, f+"/actions/accept", sytOfficer, map[string]any{})
	refused("SYT leader", http.MethodPost, f+"/actions/reject", sytLeader, map[string]any{"note": "x"})
	refused("SYT leader", http.MethodPost, f+"/media/"+photo+"/redaction", sytLeader, map[string]any{"redacted": true})
	refused("SYT officer", http.MethodGet, fmt.Sprintf("/api/v1/tasks/%d", acceptTask), sytOfficer, nil)
	refused("SYT officer", http.MethodPost, fmt.Sprintf("/api/v1/tasks/%d/claim", acceptTask), sytOfficer, map[string]any{})
	refused("SYT leader", http.MethodPost, fmt.Sprintf("/api/v1/tasks/%d/assign", acceptTask), sytLeader, map[string]any{"assignee_id": owner.UserID})
	refused("SXD officer", http.MethodPost, f+"/withdraw", sxdOfficer, map[string]any{"reason": "x"})

	// Console posts: a citizen with a token, and a signed-in officer of
	// another department with a valid session and CSRF token.
	refused("citizen B (console)", http.MethodPost, "/console/cases/feedback/"+fb+"/actions/accept", bTok, url.Values{}.Encode())
	refused("citizen B (console)", http.MethodPost, fmt.Sprintf("/console/tasks/%d/claim", acceptTask), bTok, url.Values{}.Encode())
	staffWithPassword(t, env, "0912000301", "Cán bộ Y tế (console)", "SYT", cds.RoleOfficer, "Cao-Bang-2026!")
	c, csrf := consoleLogin(t, env, "0912000301", "Cao-Bang-2026!")
	for _, p := range []string{"/console/cases/feedback/" + fb + "/actions/accept", fmt.Sprintf("/console/tasks/%d/claim", acceptTask)} {
		// The console answers a refused form post with 403/404 or a redirect
		// back with an error; what counts is that nothing changed (below).
		resp, page := fetch(t, c, http.MethodPost, env.URL+p, url.Values{"csrf": {csrf}})
		if resp.StatusCode != http.StatusForbidden && resp.StatusCode != http.StatusNotFound && resp.StatusCode != http.StatusSeeOther {
			t.Errorf("SYT officer console POST %s: %d, want 403/404 or 303 back", p, resp.StatusCode)
		}
		if strings.Contains(page, ownerName) {
			t.Errorf("SYT officer console POST %s leaks the reporter's name", p)
		}
	}
	resp, page := fetch(t, c, http.MethodGet, env.URL+"/console/cases/feedback/"+fb, nil)
	if (resp.StatusCode != http.StatusForbidden && resp.StatusCode != http.StatusNotFound) || strings.Contains(page, ownerName) {
		t.Errorf("SYT officer console case page: %d", resp.StatusCode)
	}
	// The steering committee reads every report (feedback/read_all) in the
	// JSON API, and so in the console (cases.StaffCanReadCase; before, 404).
	staffWithPassword(t, env, "0912000302", "Ban Chỉ đạo (console)", "BCD-CDS", cds.RoleSteering, "Cao-Bang-2026!")
	sc, _ := consoleLogin(t, env, "0912000302", "Cao-Bang-2026!")
	if resp, page := fetch(t, sc, http.MethodGet, env.URL+"/console/cases/feedback/"+fb, nil); resp.StatusCode != http.StatusOK || !strings.Contains(page, fb) {
		t.Errorf("steering member's console case page: %d", resp.StatusCode)
	}
	if rc := readCase(t, env, fb); rc.Status != "routed" {
		t.Fatalf("refused calls changed the report: %+v", rc)
	}
	if _, holder := openTask(t, env, fb, "accept"); holder != 0 {
		t.Fatalf("refused claim took the task (holder %d)", holder)
	}

	// Applications: another citizen, another commune, staff on citizen-only routes.
	refused("citizen B", http.MethodGet, a, bTok, nil)
	refused("citizen B", http.MethodGet, a+"/control-sheet.csv", bTok, nil)
	refused("citizen B", http.MethodPost, a+"/supplement", bTok, map[string]any{"document_ids": []string{"own-doc-1"}})
	refused("citizen B", http.MethodPost, a+"/rating", bTok, map[string]any{"score": 1})
	refused("citizen B", http.MethodPost, a+"/withdraw", bTok, map[string]any{"reason": "x"})
	refused("X-HOAAN officer", http.MethodGet, a, otherWard, nil)
	refused("X-HOAAN officer", http.MethodGet, a+"/control-sheet.csv", otherWard, nil)
	refused("X-HOAAN officer", http.MethodPost, a+"/actions/forward", otherWard, map[string]any{})
	refused("SYT leader", http.MethodPost, a+"/actions/stop", sytLeader, map[string]any{"reason": "x"})
	refused("ward officer", http.MethodPost, a+"/withdraw", wardOfficer, map[string]any{"reason": "x"})
	refused("ward officer", http.MethodPost, a+"/rating", wardOfficer, map[string]any{"score": 5})
	if st := appGet(t, env, appID, aTok).Application.Status; st != "new" {
		t.Fatalf("refused calls changed the dossier: %s", st)
	}

	// Payments and exports belong to whoever started them.
	refused("citizen B", http.MethodGet, fmt.Sprintf("/api/v1/payments/%d", pay.ID), bTok, nil)
	refused("citizen B", http.MethodGet, fmt.Sprintf("/api/v1/payments/%d/receipt", pay.ID), bTok, nil)
	r = env.Do(http.MethodPost, "/api/v1/reports/case-exports", sxdLeader, map[string]any{"from": "2025-01-01", "to": "2025-03-31", "format": "csv"})
	if r.Status != http.StatusAccepted {
		t.Fatalf("export %d %s", r.Status, r.Body)
	}
	poll := r.Map(t)["poll_url"].(string)
	refused("SYT leader", http.MethodGet, poll, sytLeader, nil)
	refused("SYT leader", http.MethodGet, poll+"/file", sytLeader, nil)

	// Deployment reports: a unit's reporter writes only its own entry.
	deadline := time.Now().Add(10 * 24 * time.Hour).Format(time.RFC3339)
	allowed("steering", http.MethodPost, "/api/v1/deployment-campaigns", steering,
		map[string]any{"code": "OBJ-2026", "title": "Báo cáo thử", "deadline": deadline, "units": []string{"SXD", "SKHCN"}}, http.StatusCreated)
	refused("SKHCN reporter", http.MethodPut, "/api/v1/deployment-reports/OBJ-2026/SXD", skhcnReporter, map[string]any{"submit": false, "total_officials": 1})
	refused("SKHCN reporter", http.MethodGet, "/api/v1/deployment-reports/OBJ-2026/SXD", skhcnReporter, nil)

	// Workplaces: only the named unit's admin, leader or reporter sees and
	// decides a declaration; another unit cannot reach it through its own path.
	allowed("citizen A", http.MethodPut, "/api/v1/me/workplace", aTok, map[string]any{"unit_code": "SXD", "position": "Chuyên viên"}, http.StatusOK)
	wp := fmt.Sprintf("/api/v1/units/SXD/workplaces/%d", owner.UserID)
	refused("SYT leader", http.MethodGet, "/api/v1/units/SXD/workplaces", sytLeader, nil)
	refused("SYT leader", http.MethodPost, wp+"/confirm", sytLeader, map[string]any{})
	refused("SYT leader", http.MethodPost, fmt.Sprintf("/api/v1/units/SYT/workplaces/%d/confirm", owner.UserID), sytLeader, map[string]any{})
	refused("SKHCN reporter", http.MethodPost, wp+"/reject", skhcnReporter, map[string]any{"reason": "x"})
	refused("SKHCN reporter", http.MethodPut, "/api/v1/units/SXD/staff-list", skhcnReporter, map[string]any{})
	refused("SXD officer", http.MethodPost, wp+"/confirm", sxdOfficer, map[string]any{})
	var mine struct {
		Status string `json:"status"`
	}
	env.Do(http.MethodGet, "/api/v1/me/workplace", aTok, nil).JSON(t, &mine)
	if mine.Status != "pending" {
		t.Fatalf("refused calls decided the declaration: %q", mine.Status)
	}
	allowed("SXD leader", http.MethodGet, "/api/v1/units/SXD/workplaces", sxdLeader, nil, http.StatusOK)

	// Businesses: a tax code held by A is neither listed for B nor taken by B.
	biz := map[string]any{"tax_code": "0100233488", "name": "Công ty TNHH Riêng Tư", "commune_code": "X-HOAAN"}
	allowed("citizen A", http.MethodPost, "/api/v1/businesses", aTok, biz, http.StatusCreated)
	if r := env.Do(http.MethodPost, "/api/v1/businesses", bTok, biz); r.Status != http.StatusConflict || strings.Contains(string(r.Body), ownerName) {
		t.Errorf("citizen B registers A's tax code: %d %s, want 409 without A's name", r.Status, r.Body)
	}
	if r := env.Do(http.MethodGet, "/api/v1/me/businesses", bTok, nil); r.Status != http.StatusOK || strings.Contains(string(r.Body), "0100233488") {
		t.Errorf("citizen B's businesses list A's: %d %s", r.Status, r.Body)
	}

	// Open311: a second client can neither update nor close the first one's report.
	keyOf := func(name string) string {
		r := env.Do(http.MethodPost, "/api/v1/admin/open311/clients", admin, map[string]any{"name": name})
		if r.Status != http.StatusCreated {
			t.Fatalf("client %d %s", r.Status, r.Body)
		}
		return r.Map(t)["api_key"].(string)
	}
	key1, key2 := keyOf("Ứng dụng 1"), keyOf("Ứng dụng 2")
	r = env.Do(http.MethodPost, "/open311/v2/requests.json", "", url.Values{"api_key": {key1}, "service_code": {"traffic"}, "lat": {"22.6660"}, "long": {"106.2580"},
		"description": {"Ổ gà trước chợ"}, "first_name": {"Lan"}, "attribute[danger]": {"high"}}.Encode())
	var made []map[string]any
	r.JSON(t, &made)
	if r.Status != http.StatusOK || len(made) != 1 {
		t.Fatalf("open311 request %d %s", r.Status, r.Body)
	}
	o311 := fmt.Sprint(made[0]["service_request_id"])
	for _, st := range []string{"", "CLOSED"} {
		v := url.Values{"api_key": {key2}, "service_request_id": {o311}, "description": {"Cập nhật của ứng dụng khác"}}
		if st != "" {
			v.Set("status", st)
		}
		refused("Open311 client 2", http.MethodPost, "/open311/v2/servicerequestupdates.json", "", v.Encode())
	}
	if st := open311Status(t, env, o311); st == "withdrawn" {
		t.Fatalf("the second client closed the first one's report")
	}

	// Positive controls: the owner, the handling agency and the parent's leader.
	allowed("citizen A", http.MethodGet, f, aTok, nil, http.StatusOK)
	allowed("SXD officer", http.MethodGet, f, sxdOfficer, nil, http.StatusOK)
	allowed("UBND-CB leader", http.MethodGet, f, parentLeader, nil, http.StatusOK)
	allowed("UBND-CB leader", http.MethodPost, f+"/actions/accept", parentLeader, map[string]any{}, http.StatusOK)
	allowed("citizen A", http.MethodGet, a+"/control-sheet.csv", aTok, nil, http.StatusOK)
	allowed("ward officer", http.MethodGet, a+"/control-sheet.csv", wardOfficer, nil, http.StatusOK)
	allowed("UBND-CB leader", http.MethodGet, a, parentLeader, nil, http.StatusOK)
	allowed("citizen A", http.MethodGet, fmt.Sprintf("/api/v1/payments/%d", pay.ID), aTok, nil, http.StatusOK)
}

// consoleLogin signs a staff member in to the console and returns the
// browser-like client and the session's CSRF token.
func consoleLogin(t *testing.T, env *apptest.Env, phone, password string) (*http.Client, string) {
	t.Helper()
	c := browserClient(t)
	_, page := fetch(t, c, http.MethodGet, env.URL+"/console/login", nil)
	m := csrfRe.FindStringSubmatch(page)
	if m == nil {
		t.Fatal("no csrf on the login page")
	}
	resp, _ := fetch(t, c, http.MethodPost, env.URL+"/console/login", url.Values{"csrf": {m[1]}, "phone": {phone}, "password": {password}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("console login %d", resp.StatusCode)
	}
	// The reports page opens for every staff role; its layout carries the
	// session's CSRF token (the logout form).
	_, page = fetch(t, c, http.MethodGet, env.URL+"/console/reports", nil)
	if m = csrfRe.FindStringSubmatch(page); m == nil {
		t.Fatal("no csrf on the reports page")
	}
	return c, m[1]
}

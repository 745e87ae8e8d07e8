package integration

import (
	"context"
	"net/http"
	"strconv"
	"testing"
	"time"

	cds "github.com/caobang/congdanso"
	"github.com/caobang/congdanso/cmd/app/apptest"
)

func auditLines(t *testing.T, env *apptest.Env, action, objID string) int {
	t.Helper()
	var n int
	if err := env.DB.Pool.QueryRow(context.Background(), `SELECT count(*) FROM audit_log WHERE action = $1 AND object_id = $2`, action, objID).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// followUps are a category's issue-21 settings as stored (migration 00130).
type followUps struct {
	Info, Grace, Complaint float64
	ClockFrom              string
}

func storedFollowUps(t *testing.T, env *apptest.Env, code string) followUps {
	t.Helper()
	var f followUps
	if err := env.DB.Pool.QueryRow(context.Background(), `SELECT info_days, info_grace_days, complaint_days, clock_from
		FROM feedback_categories WHERE code = $1`, code).Scan(&f.Info, &f.Grace, &f.Complaint, &f.ClockFrom); err != nil {
		t.Fatal(err)
	}
	return f
}

// TestCategoryAdminAPI: the provincial admin creates and changes a feedback
// category with its routing and SLAs; bad input is 400 with the fields and
// writes nothing; a repeated create with the same Idempotency-Key creates
// one category; another code taken is 409; an officer is refused; every
// change has its audit line. Values come from the request, and 1 working
// day = 8 working hours (Decree 30/2020's 8-hour day, worktime.HoursPerDay).
// The follow-up settings (info days 1–30, grace 1–15, complaint days 1–90,
// clock from submission or acceptance) round-trip through create, list and
// update; a PUT that leaves them out keeps them; a create that leaves them
// out gets migration 00130's defaults (5, 2, 7, submission).
func TestCategoryAdminAPI(t *testing.T) {
	env := apptest.New(t)
	_, admin := env.Staff("Quản trị tỉnh", "UBND-CB", cds.RoleAdmin)
	_, officer := env.Staff("Cán bộ", "SXD", cds.RoleOfficer)
	ctx := context.Background()
	good := map[string]any{"code": "chieu_sang", "name": "Chiếu sáng công cộng", "name_en": "Street lighting", "level": "province",
		"agency_code": "SXD", "accept_days": 1, "answer_days": 10, "urgent_accept_hours": 2, "urgent_answer_hours": 8,
		"reminder_pct": 80, "dup_radius_m": 150, "sort": 20, "active": true,
		"info_days": 10, "info_grace_days": 3, "complaint_days": 14, "clock_from": "acceptance"}
	with := func(k string, v any) map[string]any {
		m := map[string]any{}
		for a, b := range good {
			m[a] = b
		}
		m[k] = v
		return m
	}
	if r := env.Do(http.MethodPost, "/api/v1/admin/feedback-categories", officer, good); r.Status != http.StatusForbidden {
		t.Fatalf("officer create = %d", r.Status)
	}
	for field, bad := range map[string]map[string]any{
		"code":         with("code", "Chiếu Sáng"),
		"level":        with("level", "district"),
		"agency_code":  with("agency_code", "KHONG-CO"),
		"answer_days":  with("answer_days", 0.5),
		"reminder_pct": with("reminder_pct", 100),
		"name_en":      with("name_en", ""),
		// The follow-up settings: zero, negative, above the bound, not one of the two clocks.
		"info_days":       with("info_days", 0),
		"info_grace_days": with("info_grace_days", -1),
		"complaint_days":  with("complaint_days", 91),
		"clock_from":      with("clock_from", "publication"),
	} {
		r := env.Do(http.MethodPost, "/api/v1/admin/feedback-categories", admin, bad)
		if r.Status != http.StatusBadRequest {
			t.Fatalf("bad %s: %d %s", field, r.Status, r.Body)
		}
		e := r.Map(t)["error"].(map[string]any)
		if f, _ := e["fields"].(map[string]any); f[field] == nil || e["message"] == "" || e["message_en"] == "" {
			t.Errorf("bad %s: error %v", field, e)
		}
	}
	var n int
	if err := env.DB.Pool.QueryRow(ctx, `SELECT count(*) FROM feedback_categories WHERE code = 'chieu_sang'`).Scan(&n); err != nil || n != 0 {
		t.Fatalf("rejected input wrote %d rows (%v)", n, err)
	}
	for i := 0; i < 2; i++ {
		r := env.Do(http.MethodPost, "/api/v1/admin/feedback-categories", admin, good, "Idempotency-Key", "cat-1")
		if r.Status != http.StatusCreated {
			t.Fatalf("create #%d = %d %s", i, r.Status, r.Body)
		}
	}
	var accept, answer float64
	var level, agency string
	var remind int
	if err := env.DB.Pool.QueryRow(ctx, `SELECT k.accept_hours, k.answer_hours, k.level, k.reminder_pct, r.agency_code FROM feedback_categories k
		JOIN feedback_routes r ON r.category_code = k.code AND r.commune_code = '*' WHERE k.code = 'chieu_sang'`).Scan(&accept, &answer, &level, &remind, &agency); err != nil {
		t.Fatal(err)
	}
	if accept != 8 || answer != 80 || level != "province" || remind != 80 || agency != "SXD" {
		t.Errorf("stored: accept %v h, answer %v h, level %s, reminder %d%%, agency %s", accept, answer, level, remind, agency)
	}
	if f := storedFollowUps(t, env, "chieu_sang"); f != (followUps{10, 3, 14, "acceptance"}) {
		t.Errorf("stored follow-ups after create: %+v", f)
	}
	if n := auditLines(t, env, "category-create", "chieu_sang"); n != 1 {
		t.Errorf("category-create audit lines = %d, want 1 (the repeat must not write again)", n)
	}
	if r := env.Do(http.MethodPost, "/api/v1/admin/feedback-categories", admin, good, "Idempotency-Key", "cat-2"); r.Status != http.StatusConflict {
		t.Errorf("second create of the code = %d %s", r.Status, r.Body)
	}
	// Change: commune level, the coordinator triages the rest, 20 days.
	ch := with("level", "commune")
	ch["agency_code"], ch["answer_days"] = "", 20
	ch["info_days"], ch["info_grace_days"], ch["complaint_days"], ch["clock_from"] = 4.5, 1, 30, "submission"
	if r := env.Do(http.MethodPut, "/api/v1/admin/feedback-categories/chieu_sang", admin, ch); r.Status != http.StatusOK {
		t.Fatalf("update = %d %s", r.Status, r.Body)
	}
	if err := env.DB.Pool.QueryRow(ctx, `SELECT answer_hours, level, (SELECT count(*) FROM feedback_routes WHERE category_code = 'chieu_sang')
		FROM feedback_categories WHERE code = 'chieu_sang'`).Scan(&answer, &level, &n); err != nil {
		t.Fatal(err)
	}
	if answer != 160 || level != "commune" || n != 0 {
		t.Errorf("after update: answer %v h, level %s, routes %d", answer, level, n)
	}
	changed := followUps{4.5, 1, 30, "submission"}
	if f := storedFollowUps(t, env, "chieu_sang"); f != changed {
		t.Errorf("stored follow-ups after update: %+v", f)
	}
	if n := auditLines(t, env, "category-update", "chieu_sang"); n != 1 {
		t.Errorf("category-update audit lines = %d", n)
	}
	// A bad update changes nothing: an SLA out of range, or good SLAs with
	// bad follow-ups (each field named in the error).
	if r := env.Do(http.MethodPut, "/api/v1/admin/feedback-categories/chieu_sang", admin, with("accept_days", 40)); r.Status != http.StatusBadRequest {
		t.Errorf("bad update = %d", r.Status)
	}
	badFollow := with("level", "province")
	badFollow["info_days"], badFollow["info_grace_days"], badFollow["complaint_days"], badFollow["clock_from"] = 31, 16, 0, ""
	if r := env.Do(http.MethodPut, "/api/v1/admin/feedback-categories/chieu_sang", admin, badFollow); r.Status != http.StatusBadRequest {
		t.Errorf("bad follow-up update = %d %s", r.Status, r.Body)
	} else if f, _ := r.Map(t)["error"].(map[string]any)["fields"].(map[string]any); len(f) != 4 ||
		f["info_days"] == nil || f["info_grace_days"] == nil || f["complaint_days"] == nil || f["clock_from"] == nil {
		t.Errorf("bad follow-up update: fields %v, want the four", f)
	}
	if f := storedFollowUps(t, env, "chieu_sang"); f != changed {
		t.Errorf("a refused update changed the follow-ups: %+v", f)
	}
	if r := env.Do(http.MethodPut, "/api/v1/admin/feedback-categories/khong_co", admin, good); r.Status != http.StatusNotFound {
		t.Errorf("update of an unknown code = %d", r.Status)
	}
	if err := env.DB.Pool.QueryRow(ctx, `SELECT level FROM feedback_categories WHERE code = 'chieu_sang'`).Scan(&level); err != nil || level != "commune" {
		t.Errorf("bad update changed the level to %s (%v)", level, err)
	}
	if n := auditLines(t, env, "category-update", "chieu_sang"); n != 1 {
		t.Errorf("a refused update was audited: %d lines", n)
	}
	r := env.Do(http.MethodGet, "/api/v1/admin/feedback-categories", admin, nil)
	if r.Status != http.StatusOK || len(r.Map(t)["items"].([]any)) != 10 { // the 9 seeded + the new one
		t.Fatalf("list = %d %s", r.Status, r.Body)
	}
	listed := false
	for _, it := range r.Map(t)["items"].([]any) {
		if m := it.(map[string]any); m["code"] == "chieu_sang" {
			listed = true
			if m["info_days"] != 4.5 || m["info_grace_days"] != 1.0 || m["complaint_days"] != 30.0 || m["clock_from"] != "submission" {
				t.Errorf("listed follow-ups: %v %v %v %v", m["info_days"], m["info_grace_days"], m["complaint_days"], m["clock_from"])
			}
		}
	}
	if !listed {
		t.Error("chieu_sang not listed")
	}
	// A PUT without the follow-up fields keeps them.
	old := with("level", "commune")
	old["agency_code"], old["answer_days"] = "", 20
	for _, k := range []string{"info_days", "info_grace_days", "complaint_days", "clock_from"} {
		delete(old, k)
	}
	if r := env.Do(http.MethodPut, "/api/v1/admin/feedback-categories/chieu_sang", admin, old); r.Status != http.StatusOK {
		t.Fatalf("update without follow-ups = %d %s", r.Status, r.Body)
	}
	if f := storedFollowUps(t, env, "chieu_sang"); f != changed {
		t.Errorf("an update without follow-ups changed them: %+v", f)
	}
	// A create without them gets the defaults of migration 00130.
	plain := map[string]any{"code": "cay_xanh", "name": "Cây xanh đô thị", "name_en": "Urban trees", "level": "commune",
		"accept_days": 1, "answer_days": 10, "urgent_accept_hours": 2, "urgent_answer_hours": 8}
	if r := env.Do(http.MethodPost, "/api/v1/admin/feedback-categories", admin, plain, "Idempotency-Key", "cat-3"); r.Status != http.StatusCreated {
		t.Fatalf("create without follow-ups = %d %s", r.Status, r.Body)
	}
	if f := storedFollowUps(t, env, "cay_xanh"); f != (followUps{5, 2, 7, "submission"}) {
		t.Errorf("defaults of a new category: %+v", f)
	}
}

// TestProcedurePublishOperation: a version effective before today, or with
// a bad time unit, is 400 and publishes nothing; a good one is audited in
// the same step as the version, and a repeat with the same key publishes once.
func TestProcedurePublishOperation(t *testing.T) {
	env := apptest.New(t)
	_, admin := env.Staff("Quản trị tỉnh", "UBND-CB", cds.RoleAdmin)
	r := env.Do(http.MethodGet, "/api/v1/procedures/HT-KH", "", nil)
	var cur struct {
		Procedure cds.Procedure `json:"procedure"`
	}
	r.JSON(t, &cur)
	p := cur.Procedure
	p.EffectiveFrom = time.Now().AddDate(0, 0, -3)
	if r := env.Do(http.MethodPost, "/api/v1/procedures/HT-KH/versions", admin, p); r.Status != http.StatusBadRequest {
		t.Errorf("past effective date = %d %s", r.Status, r.Body)
	}
	p.EffectiveFrom, p.Unit = time.Now().AddDate(0, 0, 1), "weeks"
	if r := env.Do(http.MethodPost, "/api/v1/procedures/HT-KH/versions", admin, p); r.Status != http.StatusBadRequest {
		t.Errorf("bad unit = %d %s", r.Status, r.Body)
	}
	if n := auditLines(t, env, "procedure.publish", "HT-KH"); n != 0 {
		t.Fatalf("refused publications were audited: %d", n)
	}
	p.Unit, p.Fee = "working_days", 15000
	for i := 0; i < 2; i++ {
		r := env.Do(http.MethodPost, "/api/v1/procedures/HT-KH/versions", admin, p, "Idempotency-Key", "pub-1")
		if r.Status != http.StatusCreated || r.Map(t)["version"].(float64) != 2 {
			t.Fatalf("publish #%d = %d %s", i, r.Status, r.Body)
		}
	}
	if n := auditLines(t, env, "procedure.publish", "HT-KH"); n != 1 {
		t.Errorf("procedure.publish audit lines = %d, want 1", n)
	}
}

// TestOpen311ClientAudit: creating and revoking a client write their audit
// lines; revoking an unknown client is 404 and writes none.
func TestOpen311ClientAudit(t *testing.T) {
	env := apptest.New(t)
	_, admin := env.Staff("Quản trị tỉnh", "UBND-CB", cds.RoleAdmin)
	if r := env.Do(http.MethodPost, "/api/v1/admin/open311/clients", admin, map[string]any{"name": "ab"}); r.Status != http.StatusBadRequest {
		t.Errorf("short name = %d", r.Status)
	}
	r := env.Do(http.MethodPost, "/api/v1/admin/open311/clients", admin, map[string]any{"name": "Ứng dụng thử"})
	if r.Status != http.StatusCreated || r.Map(t)["api_key"] == "" {
		t.Fatalf("create = %d %s", r.Status, r.Body)
	}
	id := int64(r.Map(t)["id"].(float64))
	idStr := strconv.FormatInt(id, 10)
	if r := env.Do(http.MethodPost, "/api/v1/admin/open311/clients/999999/revoke", admin, nil); r.Status != http.StatusNotFound {
		t.Errorf("revoke unknown = %d", r.Status)
	}
	if r := env.Do(http.MethodPost, "/api/v1/admin/open311/clients/"+idStr+"/revoke", admin, nil); r.Status != http.StatusOK {
		t.Fatalf("revoke = %d %s", r.Status, r.Body)
	}
	if auditLines(t, env, "open311.client.create", idStr) != 1 || auditLines(t, env, "open311.client.revoke", idStr) != 1 {
		t.Error("missing audit lines for the client")
	}
	if auditLines(t, env, "open311.client.revoke", "999999") != 0 {
		t.Error("the refused revoke was audited")
	}
}

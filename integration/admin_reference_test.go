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

// TestCategoryAdminAPI: the provincial admin creates and changes a feedback
// category with its routing and SLAs; bad input is 400 with the fields and
// writes nothing; a repeated create with the same Idempotency-Key creates
// one category; another code taken is 409; an officer is refused; every
// change has its audit line. Values come from the request, and 1 working
// day = 8 working hours (Decree 30/2020's 8-hour day, worktime.HoursPerDay).
func TestCategoryAdminAPI(t *testing.T) {
	env := apptest.New(t)
	_, admin := env.Staff("Quản trị tỉnh", "UBND-CB", cds.RoleAdmin)
	_, officer := env.Staff("Cán bộ", "SXD", cds.RoleOfficer)
	ctx := context.Background()
	good := map[string]any{"code": "chieu_sang", "name": "Chiếu sáng công cộng", "name_en": "Street lighting", "level": "province",
		"agency_code": "SXD", "accept_days": 1, "answer_days": 10, "urgent_accept_hours": 2, "urgent_answer_hours": 8,
		"reminder_pct": 80, "dup_radius_m": 150, "sort": 20, "active": true}
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
	if n := auditLines(t, env, "category-create", "chieu_sang"); n != 1 {
		t.Errorf("category-create audit lines = %d, want 1 (the repeat must not write again)", n)
	}
	if r := env.Do(http.MethodPost, "/api/v1/admin/feedback-categories", admin, good, "Idempotency-Key", "cat-2"); r.Status != http.StatusConflict {
		t.Errorf("second create of the code = %d %s", r.Status, r.Body)
	}
	// Change: commune level, the coordinator triages the rest, 20 days.
	ch := with("level", "commune")
	ch["agency_code"], ch["answer_days"] = "", 20
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
	if n := auditLines(t, env, "category-update", "chieu_sang"); n != 1 {
		t.Errorf("category-update audit lines = %d", n)
	}
	// A bad update changes nothing.
	if r := env.Do(http.MethodPut, "/api/v1/admin/feedback-categories/chieu_sang", admin, with("accept_days", 40)); r.Status != http.StatusBadRequest {
		t.Errorf("bad update = %d", r.Status)
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
		t.Errorf("list = %d %s", r.Status, r.Body)
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

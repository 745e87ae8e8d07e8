package integration

import (
	"context"
	"net/http"
	"strings"
	"testing"

	cds "github.com/caobang/congdanso"
	"github.com/caobang/congdanso/cmd/app/apptest"
)

// TestFeedbackModeration: a leader hides a published report (every public
// view loses it, staff and the reporter keep it), shows it again and edits
// its public text; each decision keeps its reason, a retry with the same
// Idempotency-Key records nothing twice, bad input writes nothing.
func TestFeedbackModeration(t *testing.T) {
	env := apptest.New(t)
	ctx := context.Background()
	_, ctok := env.Citizen("Hà Văn Sơn")
	_, otherTok := env.Citizen("Lý Thị Dung")
	officer, otok := env.Staff("Cán bộ Xây dựng", "SXD", cds.RoleOfficer)
	_, ltok := env.Staff("Lãnh đạo Sở Xây dựng", "SXD", cds.RoleLeader)
	_, farTok := env.Staff("Cán bộ Khoa học", "SKHCN", cds.RoleOfficer)
	_, steerTok := env.Staff("Thành viên Ban chỉ đạo", "BCD-CDS", cds.RoleSteering)
	photo := uploadPhoto(t, env, ctok, pngBytes(t)).Map(t)["id"].(string)
	sub := env.Do(http.MethodPost, "/api/v1/feedback", ctok, submitBody("traffic", "P-THUCPHAN", []string{photo}))
	if sub.Status != 201 {
		t.Fatalf("submit %d %s", sub.Status, sub.Body)
	}
	code := sub.Map(t)["code"].(string)
	publishFeedback(t, env, code, otok, ltok, officer.UserID)
	logCount := func() int {
		t.Helper()
		var n int
		if err := env.DB.Pool.QueryRow(ctx, `SELECT count(*) FROM feedback_moderation`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	mod := func(tok, key string, body map[string]any) apptest.Response {
		h := []string{}
		if key != "" {
			h = append(h, "Idempotency-Key", key)
		}
		return env.Do(http.MethodPost, "/api/v1/feedback/"+code+"/moderation", tok, body, h...)
	}
	publicViews := func() map[string]string {
		return map[string]string{
			"list":    string(env.Do(http.MethodGet, "/api/v1/public/feedback", "", nil).Body),
			"nearby":  string(env.Do(http.MethodGet, "/api/v1/feedback/nearby?lat=22.6658&lng=106.2571&category_code=traffic", otherTok, nil).Body),
			"open311": string(env.Do(http.MethodGet, "/open311/v2/requests.json", "", nil).Body),
		}
	}
	hide := map[string]any{"action": "hide", "reason": "Nội dung xúc phạm cá nhân cán bộ"}

	// Who may moderate, and bad input: nothing written.
	if r := mod(ctok, "", hide); r.Status != 403 {
		t.Fatalf("citizen moderates: %d", r.Status)
	}
	// A steering member reads every report (feedback/read_all) but may not
	// moderate one; an officer of another agency does not see it at all.
	if r := env.Do(http.MethodGet, "/api/v1/feedback/"+code, steerTok, nil); r.Status != 200 {
		t.Fatalf("steering member reads the report: %d %s", r.Status, r.Body)
	}
	if r := mod(steerTok, "", hide); r.Status != 403 {
		t.Fatalf("a steering member moderates: %d %s", r.Status, r.Body)
	}
	if r := mod(farTok, "", hide); r.Status != 404 {
		t.Fatalf("an officer of another agency moderates: %d %s", r.Status, r.Body)
	}
	if r := mod(ltok, "", map[string]any{"action": "hide", "reason": "xấu"}); r.Status != 400 || errField(t, r, "reason") == "" {
		t.Fatalf("short reason: %d %s", r.Status, r.Body)
	}
	if r := mod(ltok, "", map[string]any{"action": "edit_text", "reason": "Che thông tin cá nhân", "title": "x"}); r.Status != 400 ||
		errField(t, r, "title") == "" || errField(t, r, "content") == "" {
		t.Fatalf("bad edit: %d %s", r.Status, r.Body)
	}
	if n := logCount(); n != 0 {
		t.Fatalf("refused moderation wrote %d entries", n)
	}

	// Hide, retried with the same key: one entry.
	first := mod(ltok, "m-1", hide)
	again := mod(ltok, "m-1", hide)
	if first.Status != 200 || again.Status != 200 || first.Map(t)["id"] != again.Map(t)["id"] || logCount() != 1 {
		t.Fatalf("hide %d %s / retry %d %s / entries %d", first.Status, first.Body, again.Status, again.Body, logCount())
	}
	if r := mod(ltok, "m-1", map[string]any{"action": "unhide", "reason": "Dùng lại khóa cho việc khác"}); r.Status != 409 {
		t.Fatalf("key reused for another action: %d", r.Status)
	}
	for name, body := range publicViews() {
		if strings.Contains(body, code) {
			t.Errorf("hidden report in public %s", name)
		}
	}
	if r := env.Do(http.MethodGet, "/api/v1/media/"+photo, "", nil); r.Status != 404 {
		t.Fatalf("photo of a hidden report is public: %d", r.Status)
	}
	for who, tok := range map[string]string{"reporter": ctok, "staff": otok} {
		r := env.Do(http.MethodGet, "/api/v1/feedback/"+code, tok, nil)
		if r.Status != 200 || r.Map(t)["case"].(map[string]any)["hidden"] != true {
			t.Fatalf("%s view of the hidden report: %d %s", who, r.Status, r.Body)
		}
	}

	// Shown again by the handling agency's officer (issue 18: officers and
	// leaders moderate), then its public text edited; the original stays
	// for staff.
	if r := mod(otok, "m-2", map[string]any{"action": "unhide", "reason": "Đã xác minh, nội dung không vi phạm"}); r.Status != 200 {
		t.Fatalf("unhide %d %s", r.Status, r.Body)
	}
	edit := map[string]any{"action": "edit_text", "reason": "Bỏ tên người bị nêu trong phản ánh",
		"title": "Ổ gà trên đường Hoàng Đình Giong", "content": "Ổ gà sâu trên đường, đề nghị sửa chữa."}
	if r := mod(ltok, "m-3", edit); r.Status != 200 {
		t.Fatalf("edit %d %s", r.Status, r.Body)
	}
	views := publicViews()
	if !strings.Contains(views["list"], "Ổ gà trên đường Hoàng Đình Giong") || strings.Contains(views["list"], "Ổ gà lớn trên đường") ||
		!strings.Contains(views["open311"], "Ổ gà sâu trên đường, đề nghị sửa chữa.") || !strings.Contains(views["nearby"], code) {
		t.Fatalf("public views after the edit %v", views)
	}
	staff := env.Do(http.MethodGet, "/api/v1/feedback/"+code, ltok, nil).Map(t)["case"].(map[string]any)
	if staff["title"] != "Ổ gà lớn trên đường Hoàng Đình Giong" || staff["public_title"] != "Ổ gà trên đường Hoàng Đình Giong" {
		t.Fatalf("staff view after the edit %v", staff)
	}
	var log struct {
		Items []struct {
			Action, Reason string
			Before, After  struct {
				Hidden bool
				Title  string
			}
		}
	}
	env.Do(http.MethodGet, "/api/v1/feedback/"+code+"/moderation", ltok, nil).JSON(t, &log)
	if len(log.Items) != 3 || log.Items[0].Action != "hide" || log.Items[0].Reason != "Nội dung xúc phạm cá nhân cán bộ" || !log.Items[0].After.Hidden ||
		log.Items[2].Before.Title != "Ổ gà lớn trên đường Hoàng Đình Giong" || log.Items[2].After.Title != "Ổ gà trên đường Hoàng Đình Giong" {
		t.Fatalf("moderation log %+v", log.Items)
	}
	var audited int
	if err := env.DB.Pool.QueryRow(ctx, `SELECT count(*) FROM audit_log WHERE object_id = $1 AND action LIKE 'feedback.moderate.%' AND detail->>'reason' <> ''`, code).Scan(&audited); err != nil || audited != 3 {
		t.Fatalf("audit rows %d %v", audited, err)
	}
}

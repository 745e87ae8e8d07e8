package integration

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	cds "github.com/caobang/congdanso"
	"github.com/caobang/congdanso/cmd/app/apptest"
)

// The terms version and the confirmation text come from docs/personal-data.md.
const (
	docTermsVersion = "2026-01-01"
	docDeleteText   = "XÓA TÀI KHOẢN"
)

func readZip(t *testing.T, b []byte) map[string][]byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatalf("export is not a zip: %v", err)
	}
	out := map[string][]byte{}
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		out[f.Name], err = io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
	}
	return out
}

// TestPersonalDataRights walks Law 91/2025/QH15 rights through the real
// stack: consent recorded at registration and withdrawn, export as a zip,
// staff reads of ID numbers audited, and account deletion.
func TestPersonalDataRights(t *testing.T) {
	env := apptest.New(t)
	ctx := context.Background()
	count := func(q string, args ...any) int {
		t.Helper()
		var n int
		if err := env.DB.Pool.QueryRow(ctx, q, args...).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	_, otok := env.Staff("Cán bộ Xây dựng", "SXD", cds.RoleOfficer)
	_, ltok := env.Staff("Lãnh đạo Sở Xây dựng", "SXD", cds.RoleLeader)
	_, hoTok := env.Staff("Cán bộ Một cửa", "X-HOAAN", cds.RoleOfficer)

	// Consent: stale terms refused with nothing written; the current ones recorded with the time.
	reg := map[string]any{"full_name": "Đàm Thị Lan", "phone": "0918 765 432", "password": "Caobang2026", "terms_version": "2019-01-01"}
	if r := env.Do(http.MethodPost, "/api/v1/auth/register", "", reg); r.Status != 400 || errField(t, r, "terms_version") == "" {
		t.Fatalf("stale terms: %d %s", r.Status, r.Body)
	}
	if n := count(`SELECT count(*) FROM users WHERE phone = '+84918765432'`); n != 0 {
		t.Fatal("a refused registration wrote an account")
	}
	reg["terms_version"], reg["consents"] = docTermsVersion, map[string]bool{"notifications": true}
	before := env.SMSCount("0918765432")
	r := env.Do(http.MethodPost, "/api/v1/auth/register", "", reg)
	if r.Status != 202 {
		t.Fatalf("register %d %s", r.Status, r.Body)
	}
	// The account is active once the SMS code is verified; the consents
	// given with the form are recorded with it.
	r = env.Do(http.MethodPost, "/api/v1/auth/register/verify", "", map[string]string{"phone": "0918765432", "code": env.SMSCode("0918765432", before)})
	if r.Status != 201 {
		t.Fatalf("verify %d %s", r.Status, r.Body)
	}
	var toks struct {
		AccessToken  string `json:"access_token"`
		RefreshToken string `json:"refresh_token"`
		User         struct {
			ID int64 `json:"id"`
		} `json:"user"`
	}
	r.JSON(t, &toks)
	ctok, uid := toks.AccessToken, toks.User.ID
	var cons struct {
		Current string `json:"current_terms_version"`
		Items   []struct {
			Purpose, Version string
			Granted          bool
			GrantedAt        time.Time `json:"granted_at"`
		}
		History []map[string]any
	}
	env.Do(http.MethodGet, "/api/v1/me/consents", ctok, nil).JSON(t, &cons)
	if len(cons.Items) != 2 || cons.Items[0].Purpose != "notifications" || !cons.Items[0].Granted || cons.Items[1].Purpose != "terms" ||
		cons.Items[1].Version != docTermsVersion || time.Since(cons.Items[1].GrantedAt) > time.Minute {
		t.Fatalf("consents %+v", cons)
	}
	if r := env.Do(http.MethodPut, "/api/v1/me/consents/terms", ctok, map[string]any{"granted": false}); r.Status != 409 {
		t.Fatalf("withdrawing the terms: %d", r.Status)
	}

	// A report with a photo, and a marriage registration with two ID numbers.
	up := uploadPhoto(t, env, ctok, pngBytes(t))
	photo := up.Map(t)["id"].(string)
	sub := env.Do(http.MethodPost, "/api/v1/feedback", ctok, submitBody("traffic", "P-THUCPHAN", []string{photo}))
	if sub.Status != 201 {
		t.Fatalf("submit %d %s", sub.Status, sub.Body)
	}
	code := sub.Map(t)["code"].(string)
	appAddMedia(t, env, "pd-kh-1", uid)
	form := map[string]any{"husband_name": "Hoàng Văn Nam", "husband_id": "004090001111", "wife_name": "Đàm Thị Lan", "wife_id": "004190002222", "commune_code": "X-HOAAN"}
	ar := env.Do(http.MethodPost, "/api/v1/applications", ctok, map[string]any{"procedure_code": "HT-KH", "form": form, "document_ids": []string{"pd-kh-1"}})
	if ar.Status != 201 {
		t.Fatalf("application %d %s", ar.Status, ar.Body)
	}
	appCode := ar.Map(t)["code"].(string)

	// A staff member reading the ID numbers is audited; the citizen reading them is not.
	env.Do(http.MethodGet, "/api/v1/applications/"+appCode, ctok, nil)
	if r := env.Do(http.MethodGet, "/api/v1/applications/"+appCode, hoTok, nil); r.Status != 200 {
		t.Fatalf("staff read %d", r.Status)
	}
	var fields string
	if err := env.DB.Pool.QueryRow(ctx, `SELECT string_agg(detail->>'fields', ';') FROM audit_log WHERE action = 'personal-data-read' AND object_id = $1`,
		appCode).Scan(&fields); err != nil || fields != `["husband_id", "wife_id"]` {
		t.Fatalf("audit of the staff read: %q %v", fields, err)
	}

	// Withdrawn consent: no notification for the step taken meanwhile.
	if r := env.Do(http.MethodPut, "/api/v1/me/consents/notifications", ctok, map[string]any{"granted": false}); r.Status != 200 {
		t.Fatalf("withdraw %d %s", r.Status, r.Body)
	}
	if r := act(env, code, "accept", otok, nil); r.Status != 200 {
		t.Fatalf("accept %d %s", r.Status, r.Body)
	}
	if r := env.Do(http.MethodPut, "/api/v1/me/consents/notifications", ctok, map[string]any{"granted": true}); r.Status != 200 {
		t.Fatalf("grant %d", r.Status)
	}
	officerID := int64(0)
	if err := env.DB.Pool.QueryRow(ctx, `SELECT id FROM users WHERE full_name = 'Cán bộ Xây dựng'`).Scan(&officerID); err != nil {
		t.Fatal(err)
	}
	for _, s := range []struct {
		action, tok string
		body        map[string]any
	}{{"assign", ltok, map[string]any{"assignee_id": officerID}}, {"start", otok, nil},
		{"draft_answer", otok, map[string]any{"answer": "Đã vá ổ gà."}}, {"approve_answer", ltok, nil}} {
		if r := act(env, code, s.action, s.tok, s.body); r.Status != 200 {
			t.Fatalf("%s %d %s", s.action, r.Status, r.Body)
		}
	}
	apptest.Eventually(t, 20*time.Second, "published notice", func() bool {
		return count(`SELECT count(*) FROM notifications WHERE user_id = $1 AND kind = 'feedback.published'`, uid) == 1
	})
	var kinds string
	if err := env.DB.Pool.QueryRow(ctx, `SELECT string_agg(kind, ',' ORDER BY id) FROM notifications WHERE user_id = $1 AND kind NOT LIKE 'otp.%'`, uid).Scan(&kinds); err != nil ||
		kinds != "feedback.routed,feedback.in_progress,feedback.published" {
		t.Fatalf("notifications with consent withdrawn during accept: %q %v", kinds, err)
	}

	// Before the account is deleted, staff may cache the photo a little.
	if r := env.Do(http.MethodGet, "/api/v1/media/"+photo, otok, nil); r.Status != 200 || r.Header.Get("Cache-Control") != "private, max-age=300" {
		t.Fatalf("staff photo before deletion: %d %q", r.Status, r.Header.Get("Cache-Control"))
	}

	// Export: a zip with profile, cases and public timelines, payments, notifications and own media.
	ex := env.Do(http.MethodGet, "/api/v1/me/export", ctok, nil)
	if ex.Status != 200 || ex.Header.Get("Content-Type") != "application/zip" {
		t.Fatalf("export %d %s", ex.Status, ex.Header.Get("Content-Type"))
	}
	z := readZip(t, ex.Body)
	for _, f := range []string{"profile.json", "cases.json", "payments.json", "notifications.json", "media.json", "media/" + photo + ".png"} {
		if _, ok := z[f]; !ok {
			t.Fatalf("export lacks %s (has %d files)", f, len(z))
		}
	}
	// The stored photo (re-encoded without metadata on upload) is what the export carries.
	if stored := env.Do(http.MethodGet, "/api/v1/media/"+photo, ctok, nil); stored.Status != 200 || !bytes.Equal(z["media/"+photo+".png"], stored.Body) ||
		!bytes.HasPrefix(stored.Body, []byte("\x89PNG")) {
		t.Fatal("exported photo differs from the stored file")
	}
	if p := string(z["profile.json"]); !strings.Contains(p, "Đàm Thị Lan") || !strings.Contains(p, "+84918765432") || !strings.Contains(p, docTermsVersion) {
		t.Fatalf("profile.json %s", p)
	}
	var exCases []struct {
		Code     string
		Kind     string
		Timeline []struct {
			Action string
			Public bool
		}
	}
	if err := json.Unmarshal(z["cases.json"], &exCases); err != nil || len(exCases) != 2 {
		t.Fatalf("cases.json %v %s", err, z["cases.json"])
	}
	for _, c := range exCases {
		for _, e := range c.Timeline {
			// "assign" and "draft_answer" are internal steps the citizen never sees.
			if !e.Public || e.Action == "assign" || e.Action == "draft_answer" {
				t.Fatalf("internal event %s exported for %s", e.Action, c.Code)
			}
		}
	}
	if !strings.Contains(string(z["notifications.json"]), "feedback.published") || !strings.Contains(string(z["cases.json"]), "004090001111") {
		t.Fatal("notifications or the citizen's own form missing from the export")
	}

	// Deletion: confirmation required, staff accounts are not self-deleted.
	if r := env.Do(http.MethodDelete, "/api/v1/me", ctok, map[string]any{"confirm": "xoa"}); r.Status != 400 {
		t.Fatalf("unconfirmed delete %d", r.Status)
	}
	if r := env.Do(http.MethodDelete, "/api/v1/me", otok, map[string]any{"confirm": docDeleteText}); r.Status != 403 {
		t.Fatalf("staff self-delete %d", r.Status)
	}
	if r := env.Do(http.MethodDelete, "/api/v1/me", ctok, map[string]any{"confirm": docDeleteText}); r.Status != 204 {
		t.Fatalf("delete %d %s", r.Status, r.Body)
	}
	// Every session ended: the access token, the refresh token and the password.
	if r := env.Do(http.MethodGet, "/api/v1/me", ctok, nil); r.Status != 401 {
		t.Fatalf("access token after deletion %d", r.Status)
	}
	if r := env.Do(http.MethodPost, "/api/v1/auth/refresh", "", map[string]string{"refresh_token": toks.RefreshToken}); r.Status != 401 {
		t.Fatalf("refresh after deletion %d", r.Status)
	}
	if r := env.Do(http.MethodPost, "/api/v1/auth/login", "", map[string]string{"phone": "0918765432", "password": "Caobang2026"}); r.Status != 401 {
		t.Fatalf("login after deletion %d", r.Status)
	}
	if n := count(`SELECT count(*) FROM users WHERE id = $1 AND phone IS NULL AND email = '' AND password_hash = '' AND full_name <> 'Đàm Thị Lan' AND status = 'deleted'`, uid); n != 1 {
		t.Fatal("profile not anonymised")
	}
	// Records kept without personal fields.
	if n := count(`SELECT count(*) FROM cases WHERE citizen_id = $1`, uid); n != 2 {
		t.Fatalf("case records kept: %d", n)
	}
	var kept map[string]any
	if err := env.DB.Pool.QueryRow(ctx, `SELECT form FROM applications WHERE code = $1`, appCode).Scan(&kept); err != nil {
		t.Fatal(err)
	}
	if _, ok := kept["husband_id"]; ok || kept["wife_id"] != nil || kept["wife_name"] == "Đàm Thị Lan" || kept["commune_code"] != "X-HOAAN" {
		t.Fatalf("kept form %v", kept)
	}
	pub := string(env.Do(http.MethodGet, "/api/v1/public/feedback", "", nil).Body)
	if !strings.Contains(pub, code) || strings.Contains(pub, "Lan") || strings.Contains(pub, photo) {
		t.Fatalf("public list after deletion %s", pub)
	}
	// Photos: withheld from the public and from staff without a recorded need.
	if r := env.Do(http.MethodGet, "/api/v1/media/"+photo, "", nil); r.Status != 404 {
		t.Fatalf("public photo after deletion %d", r.Status)
	}
	if r := env.Do(http.MethodGet, "/api/v1/media/"+photo, otok, nil); r.Status != 403 {
		t.Fatalf("staff photo without need %d", r.Status)
	}
	if r := env.Do(http.MethodGet, "/api/v1/media/"+photo+"?need=Xác+minh+khiếu+nại+số+12", otok, nil); r.Status != 200 {
		t.Fatalf("staff photo with need %d", r.Status)
	} else if cc := r.Header.Get("Cache-Control"); cc != "no-store" {
		// Every read of a withheld photo is its own audited request: no cache keeps it.
		t.Fatalf("withheld photo served with Cache-Control %q, want no-store", cc)
	}
	if n := count(`SELECT count(*) FROM audit_log WHERE action = 'withheld-media-read' AND object_id = $1 AND detail->>'need' = 'Xác minh khiếu nại số 12'`, photo); n != 1 {
		t.Fatal("withheld read not audited with its need")
	}
}

package integration

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	cds "github.com/caobang/congdanso"
	"github.com/caobang/congdanso/cmd/app"
	"github.com/caobang/congdanso/cmd/app/apptest"
)

// TestDossierTaskAssignmentTellsOfficer: a leader hands a dossier's task to
// an officer; the officer finds it in the inbox and by e-mail (staff
// defaults: e-mail + push), once, even when the assignment is retried.
func TestDossierTaskAssignmentTellsOfficer(t *testing.T) {
	env := apptest.New(t, func(o *app.Options) { o.API.Demo = true })
	ctx := context.Background()
	citizen, ctok := env.Citizen("Hoàng Văn Lực")
	officer, otok := env.Staff("Cán bộ Một cửa Thục Phán", "P-THUCPHAN", cds.RoleOfficer)
	_, ltok := env.Staff("Lãnh đạo phường Thục Phán", "P-THUCPHAN", cds.RoleLeader)
	if _, err := env.DB.Pool.Exec(ctx, `UPDATE users SET email = 'motcua.thucphan@demo.caobang.gov.vn' WHERE id = $1`, officer.UserID); err != nil {
		t.Fatal(err)
	}
	appAddMedia(t, env, "doc-as1", citizen.UserID)
	appAddMedia(t, env, "doc-as2", citizen.UserID)
	r := env.Do(http.MethodPost, "/api/v1/applications", ctok, map[string]any{"procedure_code": "HT-KS", "form": appBirthForm(),
		"document_ids": []string{"doc-as1", "doc-as2"}}, "Idempotency-Key", "as-1")
	if r.Status != http.StatusCreated {
		t.Fatalf("submit %d %s", r.Status, r.Body)
	}
	var created struct{ Code string }
	r.JSON(t, &created)
	var taskID int64
	apptest.Eventually(t, 20*time.Second, "the dossier's open task", func() bool {
		_ = env.DB.Pool.QueryRow(ctx, `SELECT id FROM tasks WHERE case_code = $1 AND status = 'open'`, created.Code).Scan(&taskID)
		return taskID != 0
	})
	for i := 0; i < 2; i++ { // the retry (same key) must not tell twice
		if r := env.Do(http.MethodPost, fmt.Sprintf("/api/v1/tasks/%d/assign", taskID), ltok, map[string]any{"user_id": officer.UserID},
			"Idempotency-Key", "as-assign-1"); r.Status != 200 {
			t.Fatalf("assign %d %s", r.Status, r.Body)
		}
	}
	want := "Bạn được giao xử lý hồ sơ " + created.Code
	apptest.Eventually(t, 30*time.Second, "assignment e-mail", func() bool {
		return countChannel(simReceived(t, env, "motcua.thucphan@demo.caobang.gov.vn"), "email") >= 1
	})
	mail := simReceived(t, env, "motcua.thucphan@demo.caobang.gov.vn")
	if len(mail) != 1 || !strings.Contains(mail[0].Title, want) {
		t.Fatalf("officer e-mail %+v", mail)
	}
	var page struct {
		Items []struct{ Kind, Title string }
	}
	env.Do(http.MethodGet, "/api/v1/me/notifications", otok, nil).JSON(t, &page)
	if len(page.Items) != 1 || page.Items[0].Kind != "staff.task_assigned" || !strings.Contains(page.Items[0].Title, want) {
		t.Fatalf("officer inbox %+v", page.Items)
	}
}

// TestFollowerWithdrawnConsent: a follower who withdrew consent to optional
// notifications gets nothing about the case they follow (no inbox entry, no
// delivery), while the case owner and a follower who consents get the step.
func TestFollowerWithdrawnConsent(t *testing.T) {
	env := apptest.New(t, func(o *app.Options) { o.API.Demo = true })
	ctx := context.Background()
	owner, ctok := env.Citizen("Đàm Văn Chủ")
	withdrawn, wtok := env.Citizen("Lục Thị Rút") // created first: followers are told in id order
	keeps, ktok := env.Citizen("Bế Văn Theo")
	_, otok := env.Staff("Cán bộ Xây dựng", "SXD", cds.RoleOfficer)
	sub := env.Do(http.MethodPost, "/api/v1/feedback", ctok, submitBody("traffic", "P-THUCPHAN", nil), "Idempotency-Key", "fw-1")
	if sub.Status != 201 {
		t.Fatalf("submit %d %s", sub.Status, sub.Body)
	}
	code := sub.Map(t)["code"].(string)
	waitNotice(t, env.DB.Pool, code, "feedback.routed") // the followers join after routing
	for _, tok := range []string{wtok, ktok} {
		if r := env.Do(http.MethodPost, "/api/v1/feedback/"+code+"/follow", tok, nil); r.Status != 200 {
			t.Fatalf("follow %d %s", r.Status, r.Body)
		}
	}
	if r := env.Do(http.MethodPut, "/api/v1/me/consents/notifications", wtok, map[string]any{"granted": false}); r.Status != 200 {
		t.Fatalf("withdraw %d %s", r.Status, r.Body)
	}
	if r := act(env, code, "accept", otok, nil); r.Status != 200 {
		t.Fatalf("accept %d %s", r.Status, r.Body)
	}
	count := func(uid int64) int {
		var n int
		if err := env.DB.Pool.QueryRow(ctx, `SELECT count(*) FROM notifications WHERE user_id = $1 AND kind = 'feedback.accepted'`, uid).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	// The consenting follower comes after the withdrawn one in the same
	// activity, so once they are told the withdrawn one has been passed over.
	apptest.Eventually(t, 30*time.Second, "owner and consenting follower told", func() bool {
		return count(owner.UserID) == 1 && count(keeps.UserID) == 1
	})
	var rows, deliveries int
	if err := env.DB.Pool.QueryRow(ctx, `SELECT count(*), (SELECT count(*) FROM notification_deliveries d JOIN notifications n ON n.id = d.notification_id WHERE n.user_id = $1)
		FROM notifications WHERE user_id = $1`, withdrawn.UserID).Scan(&rows, &deliveries); err != nil {
		t.Fatal(err)
	}
	if rows != 0 || deliveries != 0 {
		t.Fatalf("follower who withdrew consent got %d notifications, %d deliveries", rows, deliveries)
	}
}

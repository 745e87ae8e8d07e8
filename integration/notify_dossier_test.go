package integration

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	cds "github.com/caobang/congdanso"
	"github.com/caobang/congdanso/cmd/app/apptest"
)

// TestDossierStepsReachCitizen: a dossier's public steps (accepted, asked
// to supplement) reach the citizen by push and Zalo, and the inbox lists
// them, newest first.
func TestDossierStepsReachCitizen(t *testing.T) {
	env := apptest.New(t)
	citizen, ctok := env.Citizen("Nông Thị Hoa")
	_, officerTok := env.Staff("Cán bộ Một cửa", "P-THUCPHAN", cds.RoleOfficer)
	appAddMedia(t, env, "doc-n1", citizen.UserID)
	appAddMedia(t, env, "doc-n2", citizen.UserID)
	if r := env.Do(http.MethodPost, "/api/v1/me/devices", ctok, map[string]any{"token": "fcm-dossier-citizen-01"}); r.Status != 201 {
		t.Fatalf("device %d %s", r.Status, r.Body)
	}
	r := env.Do(http.MethodPost, "/api/v1/applications", ctok, map[string]any{"procedure_code": "HT-KS", "form": appBirthForm(),
		"document_ids": []string{"doc-n1", "doc-n2"}}, "Idempotency-Key", "nd-1")
	if r.Status != http.StatusCreated {
		t.Fatalf("submit %d %s", r.Status, r.Body)
	}
	var created struct {
		ID   int64  `json:"id"`
		Code string `json:"code"`
	}
	r.JSON(t, &created)
	appAct(t, env, created.ID, officerTok, "actions/accept", map[string]any{"note": "Đủ hồ sơ"}, http.StatusOK)
	appAct(t, env, created.ID, officerTok, "actions/request_supplement", map[string]any{"reason": "Giấy chứng sinh mờ", "items": []string{"Giấy chứng sinh bản rõ nét"}}, http.StatusOK)

	phone := simPhone(t, env, citizen.UserID)
	apptest.Eventually(t, 30*time.Second, "dossier pushes and Zalo", func() bool {
		return countChannel(simReceived(t, env, "fcm-dossier-citizen-01"), "push") == 2 && countChannel(simReceived(t, env, phone), "zalo") == 2
	})
	kinds := map[string]bool{}
	for _, it := range simReceived(t, env, "fcm-dossier-citizen-01") {
		kinds[it.Data["kind"]] = true
		if it.Data["code"] != created.Code {
			t.Errorf("push for another code: %+v", it)
		}
	}
	if !kinds["application.accepted"] || !kinds["application.supplement"] {
		t.Fatalf("push kinds %v", kinds)
	}
	for _, it := range simReceived(t, env, phone) {
		if it.Data["ma_ho_so"] != created.Code || !strings.HasPrefix(it.Title, "Mẫu ZNS 300002") {
			t.Errorf("ZNS %+v (want the dossier template)", it)
		}
	}
	var page struct {
		Items []struct{ Kind string }
	}
	env.Do(http.MethodGet, "/api/v1/me/notifications", ctok, nil).JSON(t, &page)
	if got := fmt.Sprint(page.Items); got != "[{application.supplement} {application.accepted}]" {
		t.Fatalf("inbox %s", got)
	}
}

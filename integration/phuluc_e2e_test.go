package integration

import (
	"crypto/rand"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	cds "github.com/caobang/congdanso"
	"github.com/caobang/congdanso/cmd/app/apptest"
	"github.com/caobang/congdanso/reports"
	"github.com/caobang/congdanso/reports/reportstest"
)

// cellsInOrder lists a sheet's non-empty cells, rows then columns.
func cellsInOrder(t *testing.T, f *excelize.File, sh string) []string {
	return reportstest.SheetCells(t, f, sh)
}

// registerCitizen signs up over the API with a fresh mobile number and an
// optional commune, and returns the phone (local form) and an access token.
func registerCitizen(t *testing.T, env *apptest.Env, name, commune string) (string, string) {
	t.Helper()
	buf := make([]byte, 3)
	_, _ = rand.Read(buf)
	phone := fmt.Sprintf("098%07d", (int(buf[0])<<16|int(buf[1])<<8|int(buf[2]))%10000000)
	// Registration through the SMS code, as the app does it.
	wantStatus(t, "register "+name, env.Register(name, phone, "Caobang2026"), http.StatusCreated)
	r := env.Do(http.MethodPost, "/api/v1/auth/login", "", map[string]string{"phone": phone, "password": "Caobang2026"})
	wantStatus(t, "login "+name, r, http.StatusOK)
	tok, _ := r.Map(t)["access_token"].(string)
	if commune != "" {
		wantStatus(t, "commune of "+name, env.Do(http.MethodPatch, "/api/v1/me", tok, map[string]any{"commune_code": commune}), http.StatusOK)
	}
	return phone, tok
}

// TestPhuLucIEndToEnd: an official registers, declares and gets the
// workplace confirmed; a business registers; the unit submits Phụ lục I; the
// campaign closes; the workbook counts them, keeps every template line, and
// shows the same figures on a later download although accounts were added.
func TestPhuLucIEndToEnd(t *testing.T) {
	env := apptest.New(t)
	_, steering := env.Staff("Thành viên BCĐ", "BCD-CDS", cds.RoleSteering)
	_, reporter := env.Staff("Báo cáo viên Hòa An", "X-HOAAN", cds.RoleReporter)
	_, admin := env.Staff("Quản trị xã Hòa An", "X-HOAAN", cds.RoleAdmin)

	// The official: a citizen account of Xã Hòa An working at its People's Committee.
	_, official := registerCitizen(t, env, "Đàm Văn Cán", "X-HOAAN")
	r := env.Do(http.MethodPut, "/api/v1/me/workplace", official, map[string]any{"unit_code": "X-HOAAN", "position": "Công chức Văn phòng - Thống kê"})
	wantStatus(t, "declare", r, http.StatusOK)
	uid := int64(r.Map(t)["user_id"].(float64))
	wantStatus(t, "confirm", env.Do(http.MethodPost, fmt.Sprintf("/api/v1/units/X-HOAAN/workplaces/%d/confirm", uid), admin, nil), http.StatusOK)
	// The business, registered by another citizen of the commune.
	_, owner := registerCitizen(t, env, "Hoàng Thị Doanh", "X-HOAAN")
	wantStatus(t, "business", env.Do(http.MethodPost, "/api/v1/businesses", owner,
		map[string]any{"tax_code": "0100233488", "name": "HTX Nông sản Hòa An", "commune_code": "X-HOAAN"}), http.StatusCreated)
	// A citizen who has not said where they live: the "chưa xác định xã" row.
	registerCitizen(t, env, "Người chưa chọn xã", "")

	// A campaign counted as of 30/3/2025 cannot name a commune created on 1/7/2025.
	old := map[string]any{"code": "BC-OLD", "title": "Đợt 2025", "deadline": "2025-03-30T23:59:59+07:00", "units": []string{"X-HOAAN"}}
	wantStatus(t, "2025 campaign naming a 2025-07 commune", env.Do(http.MethodPost, "/api/v1/deployment-campaigns", steering, old), http.StatusBadRequest)
	old["units"] = []string{"H-HOAAN", "SXD"}
	wantStatus(t, "2025 campaign naming the district", env.Do(http.MethodPost, "/api/v1/deployment-campaigns", steering, old), http.StatusCreated)

	camp := map[string]any{"code": "BC-E2E", "title": "Báo cáo kết quả triển khai cài đặt ứng dụng Công dân số Cao Bằng",
		"deadline": time.Now().Add(24 * time.Hour).Format(time.RFC3339), "units": []string{"X-HOAAN", "SXD"},
		"period_from": "2026-01-01", "period_to": time.Now().Format("2006-01-02")}
	wantStatus(t, "campaign", env.Do(http.MethodPost, "/api/v1/deployment-campaigns", steering, camp), http.StatusCreated)
	wantStatus(t, "submit", env.Do(http.MethodPut, "/api/v1/deployment-reports/BC-E2E/X-HOAAN", reporter, entryBody(true, true)), http.StatusOK)
	wantStatus(t, "reporter cannot close", env.Do(http.MethodPost, "/api/v1/deployment-campaigns/BC-E2E/close", reporter, nil), http.StatusForbidden)
	for i := 0; i < 2; i++ { // closing twice changes nothing
		r = env.Do(http.MethodPost, "/api/v1/deployment-campaigns/BC-E2E/close", steering, nil)
		wantStatus(t, "close", r, http.StatusOK)
	}
	closedAt := r.Map(t)["closed_at"]

	download := func() *excelize.File {
		return openXLSX(t, env.Do(http.MethodGet, "/api/v1/reports/appendix-1.xlsx?campaign=BC-E2E", steering, nil))
	}
	f := download()
	// Counted figures include them: 1 confirmed official, 2 citizens, 1 business.
	hoa := summaryRow(t, f, "Xã Hòa An")
	if hoa["F"] != "1" || hoa["H"] != "2" || hoa["I"] != "1" || hoa["G"] != "500" {
		t.Fatalf("Xã Hòa An row: %v", hoa)
	}
	if nc := summaryRow(t, f, reports.NoCommuneText); nc["H"] != "1" {
		t.Fatalf("chưa xác định xã row: %v", nc)
	}
	if all := summaryRow(t, f, reports.ProvinceAllText); all["F"] != "1" || all["H"] != "3" || all["I"] != "1" {
		t.Fatalf("province row: %v", all)
	}
	if !strings.Contains(cellOf(t, f, reports.SummarySheet, "A8"), "đã chốt") {
		t.Fatalf("as-of line: %q", cellOf(t, f, reports.SummarySheet, "A8"))
	}
	// Every template line, word for word, in order, on the unit's sheet.
	reportstest.AssertLinesInOrder(t, f, "X-HOAAN", reportstest.PhuLucILines(t))
	cells := cellsInOrder(t, f, "X-HOAAN")
	before := strings.Join(cellsInOrder(t, f, reports.SummarySheet), "|") + strings.Join(cells, "|")

	// Later: more accounts, another confirmed official, another business.
	_, late := registerCitizen(t, env, "Người đến sau", "X-HOAAN")
	r = env.Do(http.MethodPut, "/api/v1/me/workplace", late, map[string]any{"unit_code": "X-HOAAN"})
	lateID := int64(r.Map(t)["user_id"].(float64))
	wantStatus(t, "confirm late", env.Do(http.MethodPost, fmt.Sprintf("/api/v1/units/X-HOAAN/workplaces/%d/confirm", lateID), admin, nil), http.StatusOK)
	wantStatus(t, "business late", env.Do(http.MethodPost, "/api/v1/businesses", late,
		map[string]any{"tax_code": "0314409058-002", "name": "Chi nhánh", "commune_code": "X-HOAAN"}), http.StatusCreated)
	g := download()
	after := strings.Join(cellsInOrder(t, g, reports.SummarySheet), "|") + strings.Join(cellsInOrder(t, g, "X-HOAAN"), "|")
	if before != after {
		t.Fatalf("the figures moved after closing:\nbefore %s\nafter  %s", before, after)
	}
	r = env.Do(http.MethodPost, "/api/v1/deployment-campaigns/BC-E2E/close", steering, nil)
	if r.Map(t)["closed_at"] != closedAt {
		t.Fatalf("closing again moved closed_at: %v → %v", closedAt, r.Map(t)["closed_at"])
	}
}

package integration

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	cds "github.com/caobang/congdanso"
	"github.com/caobang/congdanso/cmd/app/apptest"
)

// staffListXLSX writes a staff list the way a unit types it: a title row,
// then a header, columns in the unit's own order, phones in local form.
func staffListXLSX(t *testing.T, rows [][]string) []byte {
	t.Helper()
	f := excelize.NewFile()
	sh := f.GetSheetName(0)
	_ = f.SetSheetRow(sh, "A1", &[]any{"DANH SÁCH CÁN BỘ, CÔNG CHỨC, VIÊN CHỨC"})
	_ = f.SetSheetRow(sh, "A2", &[]any{"STT", "Họ và tên", "Chức vụ", "Số điện thoại"})
	for i, r := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+3)
		_ = f.SetSheetRow(sh, cell, &[]any{i + 1, r[0], r[1], r[2]})
	}
	var b bytes.Buffer
	if err := f.Write(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// localPhone turns the canonical +84… form into the 0… form units type.
func localPhone(p string) string { return "0" + strings.TrimPrefix(p, "+84") }

func phoneOf(t *testing.T, env *apptest.Env, id int64) string {
	t.Helper()
	var p string
	if err := env.DB.Pool.QueryRow(context.Background(), `SELECT phone FROM users WHERE id = $1`, id).Scan(&p); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestWorkplaceDeclareConfirmAndStaffList(t *testing.T) {
	env := apptest.New(t)
	a1, tok1 := env.Citizen("Nông Văn Một")
	a2, tok2 := env.Citizen("Lục Thị Hai")
	_, tok3 := env.Citizen("Hoàng Văn Ba")
	_, sxdAdmin := env.Staff("Quản trị Sở Xây dựng", "SXD", cds.RoleAdmin)
	_, sytAdmin := env.Staff("Quản trị Sở Y tế", "SYT", cds.RoleAdmin)

	// Bad input: nothing written, Vietnamese first.
	r := env.Do(http.MethodPut, "/api/v1/me/workplace", tok1, map[string]any{"unit_code": ""})
	wantStatus(t, "empty unit", r, http.StatusBadRequest)
	wantStatus(t, "ceased unit", env.Do(http.MethodPut, "/api/v1/me/workplace", tok1, map[string]any{"unit_code": "H-HOAAN"}), http.StatusBadRequest)
	wantStatus(t, "none yet", env.Do(http.MethodGet, "/api/v1/me/workplace", tok1, nil), http.StatusNotFound)

	// Declare twice (a retry): one pending declaration.
	for i := 0; i < 2; i++ {
		r = env.Do(http.MethodPut, "/api/v1/me/workplace", tok1, map[string]any{"unit_code": "SXD", "position": "Chuyên viên"})
		wantStatus(t, "declare", r, http.StatusOK)
	}
	if m := r.Map(t); m["status"] != "pending" || m["unit_name"] != "Sở Xây dựng" || strings.Contains(m["phone"].(string), localPhone(phoneOf(t, env, a1.UserID))[3:]) {
		t.Fatalf("declaration %s", r.Body)
	}
	wantStatus(t, "declare 2", env.Do(http.MethodPut, "/api/v1/me/workplace", tok2, map[string]any{"unit_code": "SXD"}), http.StatusOK)
	wantStatus(t, "declare 3", env.Do(http.MethodPut, "/api/v1/me/workplace", tok3, map[string]any{"unit_code": "SXD"}), http.StatusOK)

	// Another unit's admin sees and decides nothing of SXD's.
	wantStatus(t, "other unit list", env.Do(http.MethodGet, "/api/v1/units/SXD/workplaces", sytAdmin, nil), http.StatusForbidden)
	wantStatus(t, "other unit confirm", env.Do(http.MethodPost, "/api/v1/units/SXD/workplaces/"+itoa(a1.UserID)+"/confirm", sytAdmin, nil), http.StatusForbidden)
	wantStatus(t, "own unit, other's claim", env.Do(http.MethodPost, "/api/v1/units/SYT/workplaces/"+itoa(a1.UserID)+"/confirm", sytAdmin, nil), http.StatusNotFound)
	wantStatus(t, "citizen confirms", env.Do(http.MethodPost, "/api/v1/units/SXD/workplaces/"+itoa(a1.UserID)+"/confirm", tok2, nil), http.StatusForbidden)

	// The unit's admin confirms one (twice: idempotent).
	for i := 0; i < 2; i++ {
		r = env.Do(http.MethodPost, "/api/v1/units/SXD/workplaces/"+itoa(a1.UserID)+"/confirm", sxdAdmin, nil)
		wantStatus(t, "confirm", r, http.StatusOK)
	}
	if m := r.Map(t); m["status"] != "confirmed" || m["source"] != "admin" {
		t.Fatalf("confirmed %s", r.Body)
	}
	wantStatus(t, "reject without reason", env.Do(http.MethodPost, "/api/v1/units/SXD/workplaces/"+itoa(a2.UserID)+"/reject", sxdAdmin, nil), http.StatusBadRequest)

	// A staff list with a bad phone is refused whole.
	bad := staffListXLSX(t, [][]string{{"Lục Thị Hai", "Kế toán", localPhone(phoneOf(t, env, a2.UserID))}, {"Sai Số", "", "12345"}})
	r = env.Do(http.MethodPut, "/api/v1/units/SXD/staff-list", sxdAdmin, bad, "Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	wantStatus(t, "bad list", r, http.StatusBadRequest)
	if !strings.Contains(string(r.Body), "row_4") {
		t.Fatalf("bad list names no row: %s", r.Body)
	}
	if got := confirmedAt(t, env, "SXD"); got != 1 {
		t.Fatalf("a refused list confirmed someone: %d", got)
	}
	// The good list confirms Hai; Ba is not on it and stays pending.
	good := staffListXLSX(t, [][]string{{"Lục Thị Hai", "Kế toán", localPhone(phoneOf(t, env, a2.UserID))}, {"Người Khác", "Văn thư", "0987 654 321"}})
	r = env.Do(http.MethodPut, "/api/v1/units/SXD/staff-list", sxdAdmin, good, "Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	wantStatus(t, "good list", r, http.StatusOK)
	if m := r.Map(t); m["entries"] != float64(2) || m["confirmed"] != float64(1) {
		t.Fatalf("upload result %s", r.Body)
	}
	if got := confirmedAt(t, env, "SXD"); got != 2 {
		t.Fatalf("confirmed after list: %d, want 2", got)
	}
	// A later declaration by someone on the list is confirmed at once.
	late := env.CreateUser("citizen", "+84987654321", "Người Khác", "")
	r = env.Do(http.MethodPut, "/api/v1/me/workplace", env.Token(late), map[string]any{"unit_code": "SXD"})
	if wantStatus(t, "listed declares", r, http.StatusOK); r.Map(t)["source"] != "staff_list" {
		t.Fatalf("listed declaration %s", r.Body)
	}
	r = env.Do(http.MethodGet, "/api/v1/units/SXD/workplaces?status=pending", sxdAdmin, nil)
	wantStatus(t, "pending list", r, http.StatusOK)
	if items := r.Map(t)["items"].([]any); len(items) != 1 {
		t.Fatalf("pending: %s", r.Body)
	}
}

func confirmedAt(t *testing.T, env *apptest.Env, unit string) int {
	t.Helper()
	var n int
	if err := env.DB.Pool.QueryRow(context.Background(), `SELECT count(*) FROM workplaces WHERE unit_code = $1 AND status = 'confirmed'`, unit).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestBusinessRegistration(t *testing.T) {
	env := apptest.New(t)
	_, tok := env.Citizen("Chủ doanh nghiệp")
	_, other := env.Citizen("Người khác")
	body := map[string]any{"tax_code": "0100233488", "name": "Công ty TNHH Non Nước", "commune_code": "X-HOAAN"}
	wantStatus(t, "check digit", env.Do(http.MethodPost, "/api/v1/businesses", tok, map[string]any{"tax_code": "0100233480", "name": "X", "commune_code": "X-HOAAN"}), http.StatusBadRequest)
	wantStatus(t, "district", env.Do(http.MethodPost, "/api/v1/businesses", tok, map[string]any{"tax_code": "0100233488", "name": "X", "commune_code": "SXD"}), http.StatusBadRequest)
	wantStatus(t, "register", env.Do(http.MethodPost, "/api/v1/businesses", tok, body), http.StatusCreated)
	wantStatus(t, "retry", env.Do(http.MethodPost, "/api/v1/businesses", tok, body), http.StatusOK)
	body["tax_code"] = "01.00.233.488"
	wantStatus(t, "other owner", env.Do(http.MethodPost, "/api/v1/businesses", other, body), http.StatusConflict)
	r := env.Do(http.MethodGet, "/api/v1/me/businesses", tok, nil)
	wantStatus(t, "mine", r, http.StatusOK)
	if items := r.Map(t)["items"].([]any); len(items) != 1 || items[0].(map[string]any)["commune_name"] != "Xã Hòa An" {
		t.Fatalf("mine %s", r.Body)
	}
	var n int
	if err := env.DB.Pool.QueryRow(context.Background(), `SELECT count(*) FROM businesses`).Scan(&n); err != nil || n != 1 {
		t.Fatalf("businesses %d %v", n, err)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// TestFeedbackTwoLevelRouting: a category handled at commune level goes to
// the ward or commune where the case is; a provincial one to its department;
// "other" goes to the province coordinator; a former district is refused.
func TestFeedbackTwoLevelRouting(t *testing.T) {
	env := apptest.New(t)
	_, tok := env.Citizen("Người phản ánh")
	cases := []struct{ category, commune, want string }{
		{"environment", "X-BAOLAM", "X-BAOLAM"},
		{"land", "X-DONGKHE", "X-DONGKHE"},
		{"public_order", "P-TANGIANG", "P-TANGIANG"},
		{"traffic", "X-BAOLAM", "SXD"},
		{"other", "X-BAOLAM", "TTPVHCC"},
	}
	for _, c := range cases {
		r := env.Do(http.MethodPost, "/api/v1/feedback", tok, submitBody(c.category, c.commune, nil))
		if r.Status != http.StatusCreated {
			t.Fatalf("%s/%s: %d %s", c.category, c.commune, r.Status, r.Body)
		}
		if got := r.Map(t)["agency_code"]; got != c.want {
			t.Errorf("%s in %s routed to %v, want %s", c.category, c.commune, got, c.want)
		}
	}
	wantStatus(t, "abolished district", env.Do(http.MethodPost, "/api/v1/feedback", tok, submitBody("environment", "H-HOAAN", nil)), http.StatusBadRequest)
	r := env.Do(http.MethodGet, "/api/v1/feedback/categories", "", nil)
	if !strings.Contains(string(r.Body), `"level":"commune"`) {
		t.Errorf("categories do not say their level: %s", r.Body)
	}
}

// TestDirectoryReferenceData: the directory shows the official code, what is
// not confirmed, and the letter's support contacts (seed 000, section 4).
func TestDirectoryReferenceData(t *testing.T) {
	env := apptest.New(t)
	get := func(code string) map[string]any {
		r := env.Do(http.MethodGet, "/api/v1/agencies/"+code, "", nil)
		wantStatus(t, code, r, http.StatusOK)
		return r.Map(t)["agency"].(map[string]any)
	}
	if a := get("X-DONGKHE"); a["admin_code"] != "01786" || a["verified"] != true {
		t.Errorf("Xã Đông Khê: %v", a)
	}
	if a := get("SNGV"); a["verified"] != false || a["ref_note"] == "" {
		t.Errorf("an unconfirmed unit must say so: %v", a)
	}
	if a := get("H-QUANGHOA"); a["in_force_to"] != "2025-06-30" || a["admin_code"] != "049" {
		t.Errorf("Huyện Quảng Hòa: %v", a)
	}
	// The districts are former units: hidden from the default list, listed
	// when asked for by type. Codes from the national list before 1/7/2025
	// (docs/reference-data.md §2).
	wantDistricts := map[string]bool{"040": true, "042": true, "043": true, "045": true, "047": true,
		"048": true, "049": true, "051": true, "052": true, "053": true}
	var page struct {
		Items []map[string]any `json:"items"`
	}
	r := env.Do(http.MethodGet, "/api/v1/agencies?type=district", "", nil)
	wantStatus(t, "type=district", r, http.StatusOK)
	r.JSON(t, &page)
	if len(page.Items) != len(wantDistricts) {
		t.Errorf("type=district lists %d units, want %d", len(page.Items), len(wantDistricts))
	}
	for _, it := range page.Items {
		if !wantDistricts[fmt.Sprint(it["admin_code"])] || it["type"] != "district" || it["in_force_to"] != "2025-06-30" || it["type_name"] == "" {
			t.Errorf("type=district: %v", it)
		}
	}
	page.Items = nil
	env.Do(http.MethodGet, "/api/v1/agencies?q=huyen", "", nil).JSON(t, &page)
	for _, it := range page.Items {
		if it["type"] == "district" {
			t.Errorf("the default list shows a former district: %v", it["code"])
		}
	}
	// An admin may correct a district's entry but not create a district.
	_, adminTok := env.Staff("Quản trị", "UBND-CB", cds.RoleAdmin)
	wantStatus(t, "edit district", env.Do(http.MethodPatch, "/api/v1/agencies/H-HOAAN", adminTok,
		map[string]any{"address": "Thị trấn Nước Hai (cũ)"}), http.StatusOK)
	wantStatus(t, "new district", env.Do(http.MethodPost, "/api/v1/agencies", adminTok,
		map[string]any{"code": "H-MOI", "name": "Huyện Mới", "type": "district", "parent_code": "UBND-CB"}), http.StatusBadRequest)
	wantStatus(t, "commune into district", env.Do(http.MethodPatch, "/api/v1/agencies/X-DONGKHE", adminTok,
		map[string]any{"type": "district"}), http.StatusBadRequest)
	if a := get("H-HOAAN"); a["in_force_to"] != "2025-06-30" || a["type"] != "district" {
		t.Errorf("editing a district changed its validity: %v", a)
	}

	for code, want := range map[string]string{"VNPT-CB-TTKD": "Hoàng Thị Bích Hạnh", "TT-CNSTT": "0915.260.483"} {
		r := env.Do(http.MethodGet, "/api/v1/agencies/"+code, "", nil)
		if !strings.Contains(string(r.Body), want) {
			t.Errorf("%s lacks the support contact %q: %s", code, want, r.Body)
		}
	}
}

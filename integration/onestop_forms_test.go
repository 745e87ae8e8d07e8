package integration

import (
	"bytes"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	cds "github.com/caobang/congdanso"
	"github.com/caobang/congdanso/cmd/app/apptest"
)

// TestOneStopForms: a dossier's control sheet (Mẫu số 05) and the desk's
// tracking book (Mẫu số 06) as xlsx and printable HTML, with the receiver
// of each hand-off named, names instead of codes, and the book scoped to
// staff of the agency.
func TestOneStopForms(t *testing.T) {
	env := apptest.New(t)
	citizen, ctok := env.Citizen("Ma Thị <Thu>")
	_, officerTok := env.Staff("Lục Văn Tiếp", "X-HOAAN", cds.RoleOfficer)
	_, leaderTok := env.Staff("Đinh Văn Duyệt", "X-HOAAN", cds.RoleLeader)
	_, strangerTok := env.Staff("Cán bộ phường khác", "P-THUCPHAN", cds.RoleOfficer)
	appAddMedia(t, env, "os-1", citizen.UserID)
	form := map[string]any{"husband_name": "Vi Văn Tài", "husband_id": "004090005555", "wife_name": "Ma Thị Thu", "wife_id": "004190006666", "commune_code": "X-HOAAN"}
	r := env.Do(http.MethodPost, "/api/v1/applications", ctok, map[string]any{"procedure_code": "HT-KH", "form": form, "document_ids": []string{"os-1"}})
	if r.Status != 201 {
		t.Fatalf("submit %d %s", r.Status, r.Body)
	}
	id := int64(r.Map(t)["id"].(float64))
	code := r.Map(t)["code"].(string)
	appAct(t, env, id, officerTok, "actions/accept", map[string]any{}, http.StatusOK)
	appAct(t, env, id, officerTok, "actions/forward", map[string]any{}, http.StatusOK)
	appAct(t, env, id, leaderTok, "actions/approve", map[string]any{}, http.StatusOK)

	x := env.Do(http.MethodGet, fmt.Sprintf("/api/v1/applications/%d/control-sheet.xlsx", id), officerTok, nil)
	if x.Status != 200 {
		t.Fatalf("control sheet xlsx %d %s", x.Status, x.Body)
	}
	f, err := excelize.OpenReader(bytes.NewReader(x.Body))
	if err != nil {
		t.Fatal(err)
	}
	rows, err := f.GetRows("Phiếu kiểm soát")
	if err != nil {
		t.Fatal(err)
	}
	// Row 13 is the heading; three hand-offs follow: accept, forward, approve.
	if len(rows) != 16 || rows[12][3] != "NGƯỜI NHẬN (ký, ghi rõ họ tên)" {
		t.Fatalf("control sheet has %d rows: %q", len(rows), rows)
	}
	if !strings.HasPrefix(rows[13][2], "Lục Văn Tiếp") || !strings.HasPrefix(rows[13][3], "Lục Văn Tiếp") ||
		!strings.HasPrefix(rows[14][3], "Đinh Văn Duyệt") || !strings.Contains(rows[13][0], "Tiếp nhận hồ sơ (Bộ phận Một cửa)") ||
		strings.Contains(rows[13][0], "reception") || !strings.Contains(rows[8][0], "Hòa An") {
		t.Fatalf("hand-offs %q / agency line %q", rows[13:], rows[8])
	}
	h := env.Do(http.MethodGet, fmt.Sprintf("/api/v1/applications/%d/control-sheet.html", id), ctok, nil)
	if h.Status != 200 || !strings.HasPrefix(h.Header.Get("Content-Type"), "text/html") || !strings.Contains(string(h.Body), "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ") ||
		!strings.Contains(string(h.Body), "Đinh Văn Duyệt") || !strings.Contains(string(h.Body), "@page") {
		t.Fatalf("control sheet html %d", h.Status)
	}

	// The tracking book: staff of the agency only.
	q := "?agency=X-HOAAN"
	if r := env.Do(http.MethodGet, "/api/v1/tracking-book.xlsx"+q, ctok, nil); r.Status != 403 {
		t.Fatalf("citizen reads the book %d", r.Status)
	}
	if r := env.Do(http.MethodGet, "/api/v1/tracking-book.xlsx"+q, strangerTok, nil); r.Status != 403 {
		t.Fatalf("another commune reads the book %d", r.Status)
	}
	if r := env.Do(http.MethodGet, "/api/v1/tracking-book.xlsx?agency=X-HOAAN&from=hôm-qua", officerTok, nil); r.Status != 400 {
		t.Fatalf("bad date %d", r.Status)
	}
	b := env.Do(http.MethodGet, "/api/v1/tracking-book.xlsx"+q, officerTok, nil)
	if b.Status != 200 {
		t.Fatalf("book %d %s", b.Status, b.Body)
	}
	if f, err = excelize.OpenReader(bytes.NewReader(b.Body)); err != nil {
		t.Fatal(err)
	}
	book, err := f.GetRows("Sổ theo dõi")
	if err != nil {
		t.Fatal(err)
	}
	if len(book) != 10 || book[9][1] != code || book[9][2] != "Đăng ký kết hôn" || book[9][4] != "Ma Thị <Thu>" ||
		strings.Contains(book[9][5], citizen.Name) || book[9][7] == "" || book[9][9] == "" || book[9][10] == "" || book[9][11] != "" {
		t.Fatalf("book rows %q", book)
	}
	hb := env.Do(http.MethodGet, "/api/v1/tracking-book.html"+q, leaderTok, nil)
	if hb.Status != 200 || strings.Contains(string(hb.Body), "<Thu>") || !strings.Contains(string(hb.Body), "Ma Thị &lt;Thu&gt;") {
		t.Fatalf("book html %d", hb.Status)
	}
}

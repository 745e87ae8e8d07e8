package integration

import (
	"bytes"
	"fmt"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"

	cds "github.com/caobang/congdanso"
	"github.com/caobang/congdanso/cmd/app/apptest"
)

// handPDF is a one-page PDF written by hand (ISO 32000-1 §7.5) with extra
// objects appended.
func handPDF(title string, extra ...string) []byte {
	var b strings.Builder
	b.WriteString("%PDF-1.7\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n2 0 obj\n<< /Type /Pages /Kids [3 0 R] /Count 1 >>\nendobj\n")
	b.WriteString("3 0 obj\n<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>\nendobj\n")
	fmt.Fprintf(&b, "4 0 obj\n<< /Title (%s) >>\nendobj\n", title)
	for _, x := range extra {
		b.WriteString(x)
	}
	b.WriteString("trailer\n<< /Root 1 0 R /Info 4 0 R >>\n%%EOF\n")
	return []byte(b.String())
}

func uploadFile(t *testing.T, env *apptest.Env, tok, name string, data []byte) apptest.Response {
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, _ := mw.CreateFormFile("file", name)
	_, _ = fw.Write(data)
	_ = mw.Close()
	return env.Do(http.MethodPost, "/api/v1/media", tok, body.Bytes(), "Content-Type", mw.FormDataContentType())
}

// TestPDFDocumentsAndResults: a citizen files a dossier with a PDF document
// (checked by content, kept byte for byte), active PDFs are refused, the
// result is issued as a PDF the officer uploaded, and the citizen's
// download of it is served and recorded.
func TestPDFDocumentsAndResults(t *testing.T) {
	env := apptest.New(t)
	_, ctok := env.Citizen("Triệu Văn Hùng")
	_, otherTok := env.Citizen("Người Lạ")
	_, officerTok := env.Staff("Cán bộ Một cửa", "X-HOAAN", cds.RoleOfficer)
	_, leaderTok := env.Staff("Chủ tịch xã", "X-HOAAN", cds.RoleLeader)

	for name, data := range map[string][]byte{
		"javascript": handPDF("x", "5 0 obj\n<< /S /JavaScript /JS (app.alert(1)) >>\nendobj\n"),
		"embedded":   handPDF("x", "5 0 obj\n<< /Type /EmbeddedFile /Length 3 >>\nendobj\n"),
		"launch":     handPDF("x", "5 0 obj\n<< /S /Launch /F (calc.exe) >>\nendobj\n"),
		"truncated":  handPDF("x")[:150],
	} {
		r := uploadFile(t, env, ctok, "giay-to.pdf", data)
		if r.Status != http.StatusUnsupportedMediaType || !strings.Contains(string(r.Body), "PDF") {
			t.Errorf("%s PDF: %d %s", name, r.Status, r.Body)
		}
	}
	doc := handPDF("To khai dang ky ket hon")
	up := uploadFile(t, env, ctok, "to-khai.jpg", doc) // the name lies; the content decides
	if up.Status != 201 || up.Map(t)["content_type"] != "application/pdf" {
		t.Fatalf("PDF document %d %s", up.Status, up.Body)
	}
	docID := up.Map(t)["id"].(string)
	if r := env.Do(http.MethodGet, "/api/v1/media/"+docID, ctok, nil); r.Status != 200 || !bytes.Equal(r.Body, doc) {
		t.Fatalf("the original is not kept: %d", r.Status)
	}

	form := map[string]any{"husband_name": "Triệu Văn Hùng", "husband_id": "004090003333", "wife_name": "Nông Thị Hà", "wife_id": "004190004444", "commune_code": "X-HOAAN"}
	r := env.Do(http.MethodPost, "/api/v1/applications", ctok, map[string]any{"procedure_code": "HT-KH", "form": form, "document_ids": []string{docID}})
	if r.Status != 201 {
		t.Fatalf("submit %d %s", r.Status, r.Body)
	}
	id := int64(r.Map(t)["id"].(float64))
	appAct(t, env, id, officerTok, "actions/accept", map[string]any{"note": "Đủ hồ sơ"}, http.StatusOK)
	appAct(t, env, id, officerTok, "actions/forward", map[string]any{"note": "Đề xuất"}, http.StatusOK)
	appAct(t, env, id, leaderTok, "actions/approve", map[string]any{"note": "Đồng ý"}, http.StatusOK)

	// The result must be a PDF the officer uploaded: a photo or someone else's file is refused.
	photo := uploadPhoto(t, env, officerTok, pngBytes(t)).Map(t)["id"].(string)
	appAct(t, env, id, officerTok, "actions/issue_result", map[string]any{"document_ids": []string{photo}}, http.StatusBadRequest)
	appAct(t, env, id, officerTok, "actions/issue_result", map[string]any{"document_ids": []string{docID}}, http.StatusBadRequest)
	result := handPDF("Giay chung nhan ket hon")
	resUp := uploadFile(t, env, officerTok, "ket-qua.pdf", result)
	if resUp.Status != 201 {
		t.Fatalf("result upload %d %s", resUp.Status, resUp.Body)
	}
	resID := resUp.Map(t)["id"].(string)
	appAct(t, env, id, officerTok, "actions/issue_result", map[string]any{"document_ids": []string{resID}}, http.StatusOK)

	path := fmt.Sprintf("/api/v1/applications/%d/results/%s", id, resID)
	if r := env.Do(http.MethodGet, path, otherTok, nil); r.Status != 404 {
		t.Fatalf("a stranger downloads the result: %d", r.Status)
	}
	if r := env.Do(http.MethodGet, fmt.Sprintf("/api/v1/applications/%d/results/%s", id, docID), ctok, nil); r.Status != 404 {
		t.Fatalf("a non-result file served as result: %d", r.Status)
	}
	dl := env.Do(http.MethodGet, path, ctok, nil)
	if dl.Status != 200 || dl.Header.Get("Content-Type") != "application/pdf" || !bytes.Equal(dl.Body, result) ||
		!strings.Contains(dl.Header.Get("Content-Disposition"), "attachment") {
		t.Fatalf("download %d %s %q", dl.Status, dl.Header.Get("Content-Type"), dl.Header.Get("Content-Disposition"))
	}
	if n := appCount(t, env, `SELECT count(*) FROM application_downloads WHERE media_id = $1 AND by_owner`, resID); n != 1 {
		t.Fatalf("citizen downloads recorded: %d", n)
	}
}

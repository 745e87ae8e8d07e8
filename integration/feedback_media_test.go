package integration

import (
	"context"
	"net/http"
	"strings"
	"testing"

	cds "github.com/caobang/congdanso"
	"github.com/caobang/congdanso/cmd/app/apptest"
)

// TestFeedbackMediaImagesOnly: the upload route takes a PDF (dossier
// documents and results need it), but a feedback report and a feedback
// answer take photos only: a PDF among media_ids is a 400 on that field and
// nothing is written; a photo is accepted.
func TestFeedbackMediaImagesOnly(t *testing.T) {
	env := apptest.New(t)
	ctx := context.Background()
	_, ctok := env.Citizen("Lương Thị Mai")
	officer, otok := env.Staff("Cán bộ Xây dựng", "SXD", cds.RoleOfficer)
	_, ltok := env.Staff("Lãnh đạo Sở Xây dựng", "SXD", cds.RoleLeader)
	upload := func(tok, name string, data []byte, wantType string) string {
		t.Helper()
		r := uploadFile(t, env, tok, name, data)
		if r.Status != http.StatusCreated || r.Map(t)["content_type"] != wantType {
			t.Fatalf("upload %s: %d %s", name, r.Status, r.Body)
		}
		return r.Map(t)["id"].(string)
	}
	refusedPDF := func(what string, r apptest.Response) {
		t.Helper()
		if r.Status != http.StatusBadRequest || !strings.Contains(string(r.Body), "media_ids") || !strings.Contains(string(r.Body), "chỉ nhận ảnh") {
			t.Fatalf("%s with a PDF: %d %s", what, r.Status, r.Body)
		}
	}
	cases := func() (n int) {
		t.Helper()
		if err := env.DB.Pool.QueryRow(ctx, `SELECT count(*) FROM cases WHERE kind = 'feedback'`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}

	pdf := upload(ctok, "anh-hien-truong.jpg", handPDF("Khong phai anh"), "application/pdf")
	photo := upload(ctok, "anh.png", pngBytes(t), "image/png")
	refusedPDF("report", env.Do(http.MethodPost, "/api/v1/feedback", ctok, submitBody("traffic", "P-THUCPHAN", []string{photo, pdf})))
	if n := cases(); n != 0 {
		t.Fatalf("a refused report opened %d cases", n)
	}
	sub := env.Do(http.MethodPost, "/api/v1/feedback", ctok, submitBody("traffic", "P-THUCPHAN", []string{photo}))
	if sub.Status != http.StatusCreated {
		t.Fatalf("report with a photo: %d %s", sub.Status, sub.Body)
	}
	code := sub.Map(t)["code"].(string)

	for _, s := range []struct {
		action, tok string
		body        map[string]any
	}{{"accept", otok, nil}, {"assign", ltok, map[string]any{"assignee_id": officer.UserID}}, {"start", otok, nil}} {
		if r := act(env, code, s.action, s.tok, s.body); r.Status != http.StatusOK {
			t.Fatalf("%s: %d %s", s.action, r.Status, r.Body)
		}
	}
	answerPDF := upload(otok, "cong-van.pdf", handPDF("Cong van tra loi"), "application/pdf")
	answerPhoto := upload(otok, "da-va.png", pngBytes(t), "image/png")
	refusedPDF("answer", act(env, code, "draft_answer", otok, map[string]any{"answer": "Đã vá ổ gà.", "media_ids": []string{answerPDF}}))
	if r := act(env, code, "draft_answer", otok, map[string]any{"answer": "Đã vá ổ gà.", "media_ids": []string{answerPhoto}}); r.Status != http.StatusOK {
		t.Fatalf("answer with a photo: %d %s", r.Status, r.Body)
	}
}

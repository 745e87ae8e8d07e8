package integration

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	cds "github.com/caobang/congdanso"
	"github.com/caobang/congdanso/cmd/app/apptest"
)

// Auth abuse already covered elsewhere (not duplicated here):
//   - expired, forged and alg=none tokens: TestAccessTokenForgeries (accounts_test.go)
//   - refresh reuse revokes the family: TestAccountsCitizenFlow (accounts_test.go)
//   - login rate limit under 200 parallel attempts: TestLoginRateLimitParallel (accounts_test.go)
//   - route × role matrix, IDOR on accounts and staff: TestRouteRoleMatrix, TestIDORAccountsAndAgencies (matrix_test.go)
// TestAbuseFeedbackIDOR below adds IDOR across citizens and agencies on cases and media.

// rawHTTP writes raw bytes to addr and returns what the server answers
// before it closes the connection or the deadline passes.
func rawHTTP(t *testing.T, addr, req string, wait time.Duration) (string, time.Duration) {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	start := time.Now()
	if _, err := io.WriteString(c, req); err != nil {
		t.Fatal(err)
	}
	_ = c.SetReadDeadline(time.Now().Add(wait))
	b, _ := io.ReadAll(bufio.NewReader(c))
	return string(b), time.Since(start)
}

// TestAbuseOversizedBodies: bodies over the limit are refused with 413, a
// declared Content-Length over the limit before the body is even sent.
func TestAbuseOversizedBodies(t *testing.T) {
	env := apptest.New(t)
	_, tok := env.Citizen("Người gửi lớn")
	addr := strings.TrimPrefix(env.URL, "http://")
	// Early: only the headers (5 MB announced) and 10 bytes are sent.
	resp, took := rawHTTP(t, addr, "POST /api/v1/feedback HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer "+tok+
		"\r\nContent-Type: application/json\r\nContent-Length: 5000000\r\n\r\n{\"title\":", 5*time.Second)
	if !strings.HasPrefix(resp, "HTTP/1.1 413") {
		t.Fatalf("announced 5 MB body: %q", head1(resp))
	}
	t.Logf("5 MB announced: 413 after %s without reading the body", took.Round(time.Millisecond))
	// Chunked (no length): cut by the reader at 1 MB.
	big := `{"title":"` + strings.Repeat("a", 2<<20) + `"}`
	req, _ := http.NewRequest(http.MethodPost, env.URL+"/api/v1/feedback", io.MultiReader(strings.NewReader(big)))
	req.Header.Set("Authorization", "Bearer "+tok)
	req.Header.Set("Content-Type", "application/json")
	req.ContentLength = -1
	r, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	r.Body.Close()
	if r.StatusCode != http.StatusRequestEntityTooLarge {
		t.Fatalf("2 MB chunked body: %d", r.StatusCode)
	}
	// Uploads have their own 10 MB cap.
	photo := append(pngBytes(t), bytes.Repeat([]byte{0}, 11<<20)...)
	if up := uploadPhoto(t, env, tok, photo); up.Status != http.StatusRequestEntityTooLarge {
		t.Fatalf("11 MB upload: %d %s", up.Status, up.Body)
	}
}

// TestAbuseSlowClients: the real http.Server (app.HTTPServer) cuts a
// slowloris that trickles its headers, and has every timeout set.
func TestAbuseSlowClients(t *testing.T) {
	env := apptest.New(t)
	def := env.App.HTTPServer("127.0.0.1:0")
	if def.ReadHeaderTimeout <= 0 || def.ReadTimeout <= 0 || def.WriteTimeout <= 0 || def.IdleTimeout <= 0 || def.MaxHeaderBytes <= 0 {
		t.Fatalf("timeouts not all set: %+v", def)
	}
	srv := env.App.HTTPServer("127.0.0.1:0")
	srv.ReadHeaderTimeout = 700 * time.Millisecond // lowered for the test
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = srv.Serve(ln) }()
	defer srv.Close()
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	start := time.Now()
	_, _ = io.WriteString(c, "GET /readyz HTTP/1.1\r\nHost: x\r\n")
	closed := false
	for i := 0; i < 100; i++ { // one header byte every 100 ms, never finishing
		if _, err := io.WriteString(c, "X"); err != nil {
			closed = true
			break
		}
		_ = c.SetReadDeadline(time.Now().Add(100 * time.Millisecond))
		var b [256]byte
		if _, err := c.Read(b[:]); err != nil {
			if ne, ok := err.(net.Error); !ok || !ne.Timeout() {
				closed = true
				break
			}
		} else {
			closed = true // the server answered (408) and closes
			break
		}
	}
	took := time.Since(start)
	if !closed || took > 5*time.Second {
		t.Fatalf("slowloris connection still open after %s", took)
	}
	t.Logf("slowloris cut after %s (ReadHeaderTimeout %s)", took.Round(time.Millisecond), srv.ReadHeaderTimeout)
	// A slow body is cut by ReadTimeout the same way: the server sets it (checked above).
}

// TestAbuseInjectionTraversalUploadsHeaders: SQL metacharacters in filters
// and IDs are harmless; HTML in content comes back escaped; media IDs with
// path traversal fail; polyglot and fake-extension uploads are refused;
// security headers are on every answer.
func TestAbuseInjectionTraversalUploadsHeaders(t *testing.T) {
	env := apptest.New(t)
	cit, ctok := env.Citizen("Nông Văn Thử")
	_ = cit
	_, otok := env.Staff("Chuyên viên SXD", "SXD", cds.RoleOfficer)
	body := submitBody("traffic", "P-THUCPHAN", nil)
	body["title"] = `<script>alert("xss")</script> Ổ gà`
	body["content"] = `<img src=x onerror=alert(1)> '; DROP TABLE cases; -- ổ gà sâu`
	r := env.Do(http.MethodPost, "/api/v1/feedback", ctok, body)
	if r.Status != http.StatusCreated {
		t.Fatalf("submit: %d %s", r.Status, r.Body)
	}
	code := r.Map(t)["code"].(string)

	// SQL metacharacters in filters, cursors and IDs: no 500, no extra rows.
	inj := []string{`' OR '1'='1`, `1; DROP TABLE cases; --`, `PA-2026-000001' UNION SELECT password_hash FROM users --`, `\x00`, "nul\x00byte", `%`, `_`}
	for _, s := range inj {
		q := url.QueryEscape(s)
		for _, p := range []struct {
			path, tok string
			wantEmpty bool
		}{
			{"/api/v1/public/feedback?cursor=" + q, "", false},
			{"/api/v1/me/feedback?cursor=" + q, ctok, false},
			{"/api/v1/feedback/nearby?lat=22.6657&lng=106.2570&category_code=" + q, ctok, true},
			{"/api/v1/feedback/" + url.PathEscape(s), otok, false},
			{"/api/v1/news?q=" + q + "&category=" + q, "", false},
			{"/api/v1/me/applications?cursor=" + q, ctok, false},
		} {
			r := env.Do(http.MethodGet, p.path, p.tok, nil)
			if r.Status >= 500 {
				t.Errorf("GET %s: %d %s", p.path, r.Status, r.Body)
			}
			if strings.Contains(strings.ToLower(string(r.Body)), "password") || strings.Contains(string(r.Body), "SQLSTATE") {
				t.Errorf("GET %s leaks: %s", p.path, r.Body)
			}
			if p.wantEmpty && r.Status == 200 && strings.Contains(string(r.Body), code) {
				t.Errorf("GET %s matched a case through an injected filter", p.path)
			}
		}
	}
	var n int
	if err := env.DB.Pool.QueryRow(t.Context(), `SELECT count(*) FROM cases`).Scan(&n); err != nil || n != 1 {
		t.Fatalf("cases after injection attempts: %d %v", n, err)
	}

	// HTML comes back as data, escaped, on every output of the case.
	for _, p := range []struct{ path, tok string }{{"/api/v1/feedback/" + code, ctok}, {"/api/v1/feedback/" + code, otok}, {"/api/v1/me/feedback", ctok}} {
		r := env.Do(http.MethodGet, p.path, p.tok, nil)
		if r.Status != 200 || bytes.Contains(r.Body, []byte("<script")) || bytes.Contains(r.Body, []byte("<img")) {
			t.Errorf("GET %s: %d raw HTML in %s", p.path, r.Status, head1(string(r.Body)))
		}
		if !strings.Contains(r.Header.Get("Content-Type"), "application/json") {
			t.Errorf("GET %s: content type %q", p.path, r.Header.Get("Content-Type"))
		}
	}
	var title string
	if err := env.DB.Pool.QueryRow(t.Context(), `SELECT title FROM cases WHERE code = $1`, code).Scan(&title); err != nil || !strings.Contains(title, "<script>") {
		t.Fatalf("the title is stored as typed (escaping is on output): %q %v", title, err)
	}
	// Atom (XML): a news title with markup is escaped.
	_, editor := env.Staff("Biên tập viên", "SKHCN", cds.RoleEditor)
	nr := env.Do(http.MethodPost, "/api/v1/news", editor, map[string]any{"title": `<script>alert(1)</script> Tin & "sự kiện"`, "summary": "<b>tóm tắt</b>",
		"body": "Nội dung <script>x()</script>", "category": "chuyen-doi-so"})
	if nr.Status != http.StatusCreated {
		t.Fatalf("news create: %d %s", nr.Status, nr.Body)
	}
	nid := fmt.Sprint(nr.Map(t)["id"])
	if pr := env.Do(http.MethodPost, "/api/v1/news/"+nid+"/publish", editor, map[string]any{}); pr.Status != 200 {
		t.Fatalf("publish: %d %s", pr.Status, pr.Body)
	}
	feed := env.Do(http.MethodGet, "/feeds/news.atom", "", nil)
	if feed.Status != 200 || bytes.Contains(feed.Body, []byte("<script")) || !bytes.Contains(feed.Body, []byte("&lt;script&gt;")) {
		t.Errorf("Atom feed escaping: %d %s", feed.Status, head1(string(feed.Body)))
	}

	// Path traversal in media IDs.
	up := uploadPhoto(t, env, ctok, pngBytes(t))
	if up.Status != http.StatusCreated {
		t.Fatalf("upload: %d %s", up.Status, up.Body)
	}
	for _, id := range []string{"../../../../etc/passwd", "..%2f..%2f..%2fetc%2fpasswd", "%2e%2e%2f%2e%2e%2fetc%2fpasswd", "....//....//etc/passwd",
		"..\\..\\etc\\passwd", "%00", url.PathEscape("../" + fmt.Sprint(up.Map(t)["id"]))} {
		r := env.Do(http.MethodGet, "/api/v1/media/"+id, ctok, nil)
		if r.Status != http.StatusNotFound && r.Status != http.StatusBadRequest && r.Status != http.StatusMovedPermanently {
			t.Errorf("media %q: %d", id, r.Status)
		}
		if bytes.Contains(r.Body, []byte("root:")) || bytes.Contains(r.Body, []byte("\x89PNG")) {
			t.Errorf("media %q served a file", id)
		}
	}

	// Polyglot and fake-extension uploads.
	png := pngBytes(t)
	for name, data := range map[string][]byte{
		"html named photo.jpg":   []byte("<!doctype html><html><body><script>alert(1)</script></body></html>"),
		"png + zip polyglot":     append(append([]byte{}, png...), []byte("PK\x03\x04\x14\x00\x00\x00\x08\x00evil.php")...),
		"png + php":              append(append([]byte{}, png...), []byte("<?php system($_GET['c']); ?>")...),
		"jpeg magic, html body":  append([]byte("\xFF\xD8\xFF\xE0"), []byte("<html><script>x</script></html>\xFF\xD9")...),
		"svg":                    []byte(`<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>`),
		"truncated png":          png[:len(png)/2],
		"gif (not accepted)":     []byte("GIF89a\x01\x00\x01\x00\x00\x00\x00;"),
		"pdf named photo.jpg":    []byte("%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF"),
		"empty file":             {},
		"webp header, junk body": []byte("RIFF\x10\x00\x00\x00WEBPVP8 \x04\x00\x00\x00junk"),
	} {
		r := uploadPhoto(t, env, ctok, data)
		if r.Status != http.StatusUnsupportedMediaType && r.Status != http.StatusBadRequest {
			t.Errorf("%s: %d %s", name, r.Status, r.Body)
		}
	}

	// Security headers (the staff console is not merged on this branch; the
	// same middleware serves it, so the API answers are checked).
	for _, p := range []string{"/readyz", "/api/v1/feedback/categories", "/api/v1/nope", "/feeds/news.atom"} {
		r := env.Do(http.MethodGet, p, "", nil)
		for h, want := range map[string]string{"X-Content-Type-Options": "nosniff", "X-Frame-Options": "DENY", "Referrer-Policy": "same-origin"} {
			if got := r.Header.Get(h); got != want {
				t.Errorf("GET %s: %s = %q, want %q", p, h, got, want)
			}
		}
	}
}

// TestAbuseFeedbackIDOR: another citizen, staff of another agency and an
// anonymous caller get 404/401 on a citizen's case, its actions and its
// photos — never the data.
func TestAbuseFeedbackIDOR(t *testing.T) {
	env := apptest.New(t)
	_, atok := env.Citizen("Công dân A")
	_, btok := env.Citizen("Công dân B")
	_, sxd := env.Staff("Chuyên viên SXD", "SXD", cds.RoleOfficer)
	_, syt := env.Staff("Chuyên viên SYT", "SYT", cds.RoleOfficer)
	_, sytLeader := env.Staff("Lãnh đạo SYT", "SYT", cds.RoleLeader)
	up := uploadPhoto(t, env, atok, pngBytes(t))
	mediaID := fmt.Sprint(up.Map(t)["id"])
	body := submitBody("traffic", "P-THUCPHAN", []string{mediaID})
	body["content"] = "Bí mật của A: ổ gà trước nhà số 7."
	r := env.Do(http.MethodPost, "/api/v1/feedback", atok, body)
	if r.Status != http.StatusCreated {
		t.Fatalf("submit: %d %s", r.Status, r.Body)
	}
	code := r.Map(t)["code"].(string)
	if r := env.Do(http.MethodGet, "/api/v1/feedback/"+code, sxd, nil); r.Status != 200 {
		t.Fatalf("own agency staff: %d", r.Status)
	}
	// B cannot use A's photo in a report either.
	if r := env.Do(http.MethodPost, "/api/v1/feedback", btok, submitBody("traffic", "P-THUCPHAN", []string{mediaID})); r.Status != http.StatusBadRequest {
		t.Errorf("B submits with A's photo: %d", r.Status)
	}
	probes := []struct {
		method, path, tok string
		body              any
		want              []int
	}{
		{"GET", "/api/v1/feedback/" + code, btok, nil, []int{404}},
		{"GET", "/api/v1/feedback/" + code, syt, nil, []int{404}},
		{"GET", "/api/v1/feedback/" + code, "", nil, []int{401}},
		{"POST", "/api/v1/feedback/" + code + "/withdraw", btok, map[string]any{"note": "x"}, []int{404}},
		{"POST", "/api/v1/feedback/" + code + "/rating", btok, map[string]any{"score": 1}, []int{404}},
		{"POST", "/api/v1/feedback/" + code + "/info", btok, map[string]any{"note": "x"}, []int{404}},
		{"POST", "/api/v1/feedback/" + code + "/actions/accept", syt, map[string]any{}, []int{403, 404}},
		{"POST", "/api/v1/feedback/" + code + "/actions/reject", sytLeader, map[string]any{"note": "x"}, []int{403, 404}},
		{"POST", "/api/v1/feedback/" + code + "/actions/accept", btok, map[string]any{}, []int{403, 404}},
		{"GET", "/api/v1/media/" + mediaID, btok, nil, []int{404}},
		{"GET", "/api/v1/media/" + mediaID, syt, nil, []int{404}},
		{"GET", "/api/v1/media/" + mediaID, "", nil, []int{404}},
	}
	for _, p := range probes {
		r := env.Do(p.method, p.path, p.tok, p.body)
		ok := false
		for _, w := range p.want {
			ok = ok || r.Status == w
		}
		if !ok || bytes.Contains(r.Body, []byte("Bí mật của A")) || bytes.Contains(r.Body, []byte("\x89PNG")) {
			t.Errorf("%s %s: %d %s", p.method, p.path, r.Status, head1(string(r.Body)))
		}
	}
	if rm := env.Do(http.MethodGet, "/api/v1/me/feedback", btok, nil); bytes.Contains(rm.Body, []byte(code)) {
		t.Error("B's list shows A's case")
	}
	var status string
	_ = env.DB.Pool.QueryRow(t.Context(), `SELECT status FROM cases WHERE code = $1`, code).Scan(&status)
	if status != "routed" {
		t.Fatalf("refused actions changed the case: %s", status)
	}
}

func head1(s string) string {
	if len(s) > 300 {
		return s[:300]
	}
	return s
}

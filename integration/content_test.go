package integration

import (
	"bytes"
	"context"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/mmcdole/gofeed"
	"github.com/mmcdole/gofeed/atom"
	"go.temporal.io/sdk/client"

	cds "github.com/caobang/congdanso"
	"github.com/caobang/congdanso/activities"
	"github.com/caobang/congdanso/cmd/app"
	"github.com/caobang/congdanso/cmd/app/apptest"
	"github.com/caobang/congdanso/postgres"
	"github.com/caobang/congdanso/workflows"
)

type newsJSON struct {
	ID       int64    `json:"id"`
	Slug     string   `json:"slug"`
	Title    string   `json:"title"`
	Status   string   `json:"status"`
	BodyHTML string   `json:"body_html"`
	Category string   `json:"category"`
	Tags     []string `json:"tags"`
	Agency   string   `json:"agency_code"`
	Cover    *string  `json:"cover_media_id"`
}

type newsPage struct {
	Items      []newsJSON `json:"items"`
	NextCursor *string    `json:"next_cursor"`
}

func wantStatus(t *testing.T, what string, r apptest.Response, status int) {
	t.Helper()
	if r.Status != status {
		t.Fatalf("%s: status %d, want %d: %s", what, r.Status, status, r.Body)
	}
}

func publicNews(t *testing.T, env *apptest.Env, query string) newsPage {
	t.Helper()
	r := env.Do(http.MethodGet, "/api/v1/news"+query, "", nil)
	wantStatus(t, "GET /api/v1/news"+query, r, http.StatusOK)
	var p newsPage
	r.JSON(t, &p)
	return p
}

func titles(p newsPage) []string {
	var out []string
	for _, n := range p.Items {
		out = append(out, n.Title)
	}
	return out
}

func TestContentNewsEditorialFlowSearchAndCaching(t *testing.T) {
	env := apptest.New(t)
	_, editor := env.Staff("Biên tập viên Sở KH&CN", "SKHCN", cds.RoleEditor)
	_, otherEditor := env.Staff("Biên tập viên Sở Y tế", "SYT", cds.RoleEditor)
	_, officer := env.Staff("Chuyên viên", "SKHCN", cds.RoleOfficer)
	_, citizen := env.Citizen("Nguyễn Văn A")

	body := map[string]any{
		"title": "Cao Bằng công bố nền tảng Công dân số", "summary": "Kênh tương tác giữa người dân và chính quyền.",
		"body": "Lễ công bố tại **Đông Khê**.\n\n<script>alert(1)</script>", "category": "chuyen-doi-so", "tags": []string{"công dân số"},
	}
	// Without rights.
	wantStatus(t, "anonymous create", env.Do(http.MethodPost, "/api/v1/news", "", body), http.StatusUnauthorized)
	wantStatus(t, "citizen create", env.Do(http.MethodPost, "/api/v1/news", citizen, body), http.StatusForbidden)
	wantStatus(t, "officer create", env.Do(http.MethodPost, "/api/v1/news", officer, body), http.StatusForbidden)
	withAgency := map[string]any{"title": "x", "category": "thong-bao", "agency_code": "SKHCN"}
	wantStatus(t, "editor of another agency", env.Do(http.MethodPost, "/api/v1/news", otherEditor, withAgency), http.StatusForbidden)
	r := env.Do(http.MethodPost, "/api/v1/news", editor, map[string]any{"title": "", "category": "nope"})
	wantStatus(t, "invalid article", r, http.StatusBadRequest)
	if e := r.Map(t)["error"].(map[string]any)["fields"].(map[string]any); e["title"] == nil || e["category"] == nil {
		t.Fatalf("field errors missing: %s", r.Body)
	}

	// Create (idempotent), slug from the Vietnamese title.
	r = env.Do(http.MethodPost, "/api/v1/news", editor, body, "Idempotency-Key", "news-1")
	wantStatus(t, "create", r, http.StatusCreated)
	var a1 newsJSON
	r.JSON(t, &a1)
	if a1.Slug != "cao-bang-cong-bo-nen-tang-cong-dan-so" || a1.Status != "draft" || a1.Agency != "SKHCN" {
		t.Fatalf("created %+v", a1)
	}
	if strings.Contains(a1.BodyHTML, "<script") || !strings.Contains(a1.BodyHTML, "<strong>Đông Khê</strong>") {
		t.Fatalf("body_html not sanitised/rendered: %q", a1.BodyHTML)
	}
	var again newsJSON
	env.Do(http.MethodPost, "/api/v1/news", editor, body, "Idempotency-Key", "news-1").JSON(t, &again)
	if again.ID != a1.ID {
		t.Fatalf("idempotent retry created a new article: %d vs %d", again.ID, a1.ID)
	}
	// Same title again: a distinct slug.
	var dup newsJSON
	env.Do(http.MethodPost, "/api/v1/news", editor, body).JSON(t, &dup)
	if dup.Slug != a1.Slug+"-2" {
		t.Fatalf("duplicate title slug = %q", dup.Slug)
	}

	// A draft is hidden from the public and from other agencies' editors.
	id1 := fmt.Sprint(a1.ID)
	wantStatus(t, "anonymous draft detail", env.Do(http.MethodGet, "/api/v1/news/"+id1, "", nil), http.StatusNotFound)
	wantStatus(t, "citizen draft detail", env.Do(http.MethodGet, "/api/v1/news/"+a1.Slug, citizen, nil), http.StatusNotFound)
	wantStatus(t, "editor draft detail", env.Do(http.MethodGet, "/api/v1/news/"+id1, editor, nil), http.StatusOK)
	wantStatus(t, "other editor edits", env.Do(http.MethodPut, "/api/v1/news/"+id1, otherEditor, body), http.StatusForbidden)
	wantStatus(t, "citizen publishes", env.Do(http.MethodPost, "/api/v1/news/"+id1+"/publish", citizen, nil), http.StatusForbidden)
	wantStatus(t, "anonymous status filter", env.Do(http.MethodGet, "/api/v1/news?status=draft", "", nil), http.StatusForbidden)
	if n := len(publicNews(t, env, "").Items); n != 0 {
		t.Fatalf("public list shows %d drafts", n)
	}

	// Edit keeps the slug; cover image must be a stored media id.
	if _, err := env.DB.Pool.Exec(context.Background(), `INSERT INTO media (id, content_type, size, sha256) VALUES ('cover-1', 'image/jpeg', 10, 'x')`); err != nil {
		t.Fatal(err)
	}
	body["cover_media_id"] = "missing"
	wantStatus(t, "unknown cover", env.Do(http.MethodPut, "/api/v1/news/"+id1, editor, body), http.StatusBadRequest)
	body["cover_media_id"] = "cover-1"
	body["title"] = "Cao Bằng công bố nền tảng Công dân số tại Thục Phán"
	r = env.Do(http.MethodPut, "/api/v1/news/"+id1, editor, body)
	wantStatus(t, "edit", r, http.StatusOK)
	var edited newsJSON
	r.JSON(t, &edited)
	if edited.Slug != a1.Slug || edited.Cover == nil || *edited.Cover != "cover-1" {
		t.Fatalf("edited %+v", edited)
	}

	// Publish now → public; detail by id and by slug.
	wantStatus(t, "publish", env.Do(http.MethodPost, "/api/v1/news/"+id1+"/publish", editor, nil), http.StatusOK)
	var pub newsJSON
	r = env.Do(http.MethodGet, "/api/v1/news/"+a1.Slug, "", nil)
	wantStatus(t, "public detail by slug", r, http.StatusOK)
	r.JSON(t, &pub)
	if pub.ID != a1.ID || pub.Status != "published" {
		t.Fatalf("public detail %+v", pub)
	}
	if strings.Contains(string(r.Body), "body_markdown") {
		t.Fatal("the public sees the Markdown source")
	}
	if r := env.Do(http.MethodGet, "/api/v1/news/"+id1, editor, nil); !strings.Contains(string(r.Body), `"body_markdown":"Lễ công bố`) {
		t.Fatalf("the editor does not get the Markdown source of a published article: %s", r.Body)
	}

	// A second article, published; a third scheduled for tomorrow.
	var a2, a3 newsJSON
	env.Do(http.MethodPost, "/api/v1/news", editor, map[string]any{"title": "Lịch tiếp công dân tháng 7", "category": "thong-bao",
		"body": "Tiếp công dân tại Hòa An."}).JSON(t, &a2)
	wantStatus(t, "publish 2", env.Do(http.MethodPost, fmt.Sprintf("/api/v1/news/%d/publish", a2.ID), editor, nil), http.StatusOK)
	env.Do(http.MethodPost, "/api/v1/news", editor, map[string]any{"title": "Thông báo hẹn giờ", "category": "thong-bao"}).JSON(t, &a3)
	r = env.Do(http.MethodPost, fmt.Sprintf("/api/v1/news/%d/publish", a3.ID), editor, map[string]any{"publish_at": time.Now().Add(24 * time.Hour)})
	wantStatus(t, "schedule", r, http.StatusOK)
	if st := r.Map(t)["status"]; st != "scheduled" {
		t.Fatalf("scheduled article status %v", st)
	}
	wantStatus(t, "publish in the past", env.Do(http.MethodPost, fmt.Sprintf("/api/v1/news/%d/publish", a3.ID), editor,
		map[string]any{"publish_at": time.Now().Add(-24 * time.Hour)}), http.StatusBadRequest)
	wantStatus(t, "scheduled detail public", env.Do(http.MethodGet, fmt.Sprintf("/api/v1/news/%d", a3.ID), "", nil), http.StatusNotFound)
	var sched newsPage
	env.Do(http.MethodGet, "/api/v1/news?status=scheduled", editor, nil).JSON(t, &sched)
	if len(sched.Items) != 1 || sched.Items[0].ID != a3.ID {
		t.Fatalf("editor's scheduled list: %v", titles(sched))
	}

	list := publicNews(t, env, "")
	if len(list.Items) != 2 || list.Items[0].ID != a2.ID || list.Items[1].ID != a1.ID {
		t.Fatalf("public list (newest first) = %v", titles(list))
	}
	// Category filter and paging.
	if p := publicNews(t, env, "?category=thong-bao"); len(p.Items) != 1 || p.Items[0].ID != a2.ID {
		t.Fatalf("category filter: %v", titles(p))
	}
	wantStatus(t, "bad category", env.Do(http.MethodGet, "/api/v1/news?category=zzz", "", nil), http.StatusBadRequest)
	p1 := publicNews(t, env, "?limit=1")
	if len(p1.Items) != 1 || p1.NextCursor == nil {
		t.Fatalf("page 1: %+v", p1)
	}
	p2 := publicNews(t, env, "?limit=1&cursor="+url.QueryEscape(*p1.NextCursor))
	if len(p2.Items) != 1 || p2.Items[0].ID == p1.Items[0].ID || p2.NextCursor != nil {
		t.Fatalf("page 2: %+v", p2)
	}

	// Full-text search without diacritics finds accented words, in title and body.
	for q, want := range map[string]int64{"cao bang": a1.ID, "Cao Bằng": a1.ID, "dong khe": a1.ID, "thuc phan": a1.ID, "hoa an": a2.ID, "tiep cong dan": a2.ID} {
		p := publicNews(t, env, "?q="+url.QueryEscape(q))
		if len(p.Items) != 1 || p.Items[0].ID != want {
			t.Errorf("search %q = %v, want article %d", q, titles(p), want)
		}
	}
	if p := publicNews(t, env, "?q=hen+gio"); len(p.Items) != 0 {
		t.Errorf("search finds a scheduled article: %v", titles(p))
	}
	if p := publicNews(t, env, "?q=xyzzy"); len(p.Items) != 0 {
		t.Errorf("search for nonsense: %v", titles(p))
	}

	// ETag / Last-Modified → 304; a change gives a new ETag.
	r = env.Do(http.MethodGet, "/api/v1/news", "", nil)
	etag, lm := r.Header.Get("ETag"), r.Header.Get("Last-Modified")
	if etag == "" || lm == "" {
		t.Fatalf("no validators: %v", r.Header)
	}
	wantStatus(t, "If-None-Match", env.Do(http.MethodGet, "/api/v1/news", "", nil, "If-None-Match", etag), http.StatusNotModified)
	wantStatus(t, "If-Modified-Since", env.Do(http.MethodGet, "/api/v1/news", "", nil, "If-Modified-Since", lm), http.StatusNotModified)
	dr := env.Do(http.MethodGet, "/api/v1/news/"+id1, "", nil)
	wantStatus(t, "detail If-None-Match", env.Do(http.MethodGet, "/api/v1/news/"+id1, "", nil, "If-None-Match", dr.Header.Get("ETag")), http.StatusNotModified)

	// Unpublish: gone from the public, the cache validators change.
	wantStatus(t, "unpublish", env.Do(http.MethodPost, fmt.Sprintf("/api/v1/news/%d/unpublish", a2.ID), editor, nil), http.StatusOK)
	wantStatus(t, "unpublish twice", env.Do(http.MethodPost, fmt.Sprintf("/api/v1/news/%d/unpublish", a2.ID), editor, nil), http.StatusConflict)
	wantStatus(t, "unpublished detail", env.Do(http.MethodGet, fmt.Sprintf("/api/v1/news/%d", a2.ID), "", nil), http.StatusNotFound)
	r = env.Do(http.MethodGet, "/api/v1/news", "", nil, "If-None-Match", etag)
	wantStatus(t, "stale ETag after unpublish", r, http.StatusOK)
	var after newsPage
	r.JSON(t, &after)
	if len(after.Items) != 1 || after.Items[0].ID != a1.ID {
		t.Fatalf("after unpublish: %v", titles(after))
	}

	// The Atom feed parses with a standard parser and carries the public articles only.
	r = env.Do(http.MethodGet, "/feeds/news.atom", "", nil)
	wantStatus(t, "atom", r, http.StatusOK)
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/atom+xml") {
		t.Fatalf("atom content type %q", ct)
	}
	feed, err := (&atom.Parser{}).Parse(bytes.NewReader(r.Body))
	if err != nil {
		t.Fatalf("atom parse: %v\n%s", err, r.Body)
	}
	if feed.Title == "" || feed.ID == "" || feed.UpdatedParsed == nil || len(feed.Entries) != 1 {
		t.Fatalf("feed: title %q id %q updated %v entries %d", feed.Title, feed.ID, feed.UpdatedParsed, len(feed.Entries))
	}
	e := feed.Entries[0]
	if e.Title != edited.Title || e.ID == "" || e.UpdatedParsed == nil || e.PublishedParsed == nil || e.Content == nil ||
		!strings.Contains(e.Content.Value, "Đông Khê") || len(e.Authors) == 0 || len(e.Links) == 0 {
		t.Fatalf("entry: %+v", e)
	}
	universal, err := gofeed.NewParser().Parse(bytes.NewReader(r.Body))
	if err != nil || universal.FeedType != "atom" {
		t.Fatalf("gofeed detects %v: %v", universal, err)
	}
	// Atom's required elements, checked against the schema's names with encoding/xml.
	var strict struct {
		XMLName xml.Name `xml:"http://www.w3.org/2005/Atom feed"`
		ID      string   `xml:"http://www.w3.org/2005/Atom id"`
		Updated string   `xml:"http://www.w3.org/2005/Atom updated"`
		Entries []struct {
			ID      string `xml:"http://www.w3.org/2005/Atom id"`
			Title   string `xml:"http://www.w3.org/2005/Atom title"`
			Updated string `xml:"http://www.w3.org/2005/Atom updated"`
		} `xml:"http://www.w3.org/2005/Atom entry"`
	}
	if err := xml.Unmarshal(r.Body, &strict); err != nil || strict.ID == "" || len(strict.Entries) != 1 || strict.Entries[0].Updated == "" {
		t.Fatalf("strict decode: %v %+v", err, strict)
	}
	if _, err := time.Parse(time.RFC3339, strict.Updated); err != nil {
		t.Fatalf("feed updated %q is not RFC 3339", strict.Updated)
	}
	wantStatus(t, "atom 304", env.Do(http.MethodGet, "/feeds/news.atom", "", nil, "If-None-Match", r.Header.Get("ETag")), http.StatusNotModified)

	// Every change is audited.
	var audits int
	if err := env.DB.Pool.QueryRow(context.Background(), `SELECT count(*) FROM audit_log WHERE object_type = 'news' AND object_id = $1`, id1).Scan(&audits); err != nil || audits < 3 {
		t.Fatalf("audit rows for article: %d, %v", audits, err)
	}
}

type dirItem struct {
	Code         string              `json:"code"`
	Name         string              `json:"name"`
	Type         string              `json:"type"`
	ParentCode   string              `json:"parent_code"`
	Address      string              `json:"address"`
	Phones       map[string]string   `json:"phones"`
	PolicePhones []map[string]string `json:"police_phones"`
	Children     []dirItem           `json:"children"`
}

type dirPage struct {
	Items     []dirItem `json:"items"`
	Emergency []struct {
		Number string `json:"number"`
	} `json:"emergency_numbers"`
}

func TestContentDirectory(t *testing.T) {
	env := apptest.New(t)
	ctx := context.Background()
	if err := env.DB.FillDirectory(ctx, postgres.DemoDirectory); err != nil {
		t.Fatal(err)
	}
	get := func(q string) dirPage {
		t.Helper()
		r := env.Do(http.MethodGet, "/api/v1/agencies"+q, "", nil)
		wantStatus(t, "directory"+q, r, http.StatusOK)
		var p dirPage
		r.JSON(t, &p)
		return p
	}
	all := get("")
	if len(all.Items) != len(postgres.DemoAgencies) {
		t.Fatalf("directory has %d entries, want %d", len(all.Items), len(postgres.DemoAgencies))
	}
	nums := ""
	for _, e := range all.Emergency {
		nums += e.Number + " "
	}
	if nums != "113 114 115 " {
		t.Fatalf("emergency numbers %q", nums)
	}
	for _, it := range all.Items {
		if it.Address == "" || it.Phones["switchboard"] == "" || len(it.PolicePhones) == 0 {
			t.Errorf("%s has no contact details: %+v", it.Code, it)
		}
	}
	communes := get("?type=commune")
	if len(communes.Items) != 10 {
		t.Fatalf("communes: %d", len(communes.Items))
	}
	for _, it := range communes.Items {
		if it.Type != "commune" {
			t.Fatalf("type filter leaks %s", it.Code)
		}
	}
	wantStatus(t, "bad type", env.Do(http.MethodGet, "/api/v1/agencies?type=zzz", "", nil), http.StatusBadRequest)
	for q, code := range map[string]string{"dong khe": "X-DONGKHE", "Đông Khê": "X-DONGKHE", "thuc phan": "P-THUCPHAN", "so y te": "SYT", "nung tri": "P-NUNGTRICAO"} {
		p := get("?q=" + url.QueryEscape(q))
		if len(p.Items) != 1 || p.Items[0].Code != code {
			t.Errorf("search %q found %+v, want %s", q, p.Items, code)
		}
	}
	tree := get("?view=tree")
	if len(tree.Items) != 1 || tree.Items[0].Code != postgres.ProvinceCode || len(tree.Items[0].Children) != len(postgres.DemoAgencies)-1 {
		t.Fatalf("tree roots %d", len(tree.Items))
	}
	r := env.Do(http.MethodGet, "/api/v1/agencies/SXD", "", nil)
	wantStatus(t, "detail", r, http.StatusOK)
	if m := r.Map(t); m["agency"].(map[string]any)["name"] != "Sở Xây dựng" || m["parent_name"] != "Ủy ban nhân dân tỉnh Cao Bằng" {
		t.Fatalf("detail %s", r.Body)
	}
	wantStatus(t, "unknown agency", env.Do(http.MethodGet, "/api/v1/agencies/NOPE", "", nil), http.StatusNotFound)

	// Edits: admins only.
	admin, adminTok := env.Staff("Quản trị", postgres.ProvinceCode, cds.RoleAdmin)
	_, editor := env.Staff("Biên tập", "SKHCN", cds.RoleEditor)
	_, citizen := env.Citizen("Trần Thị B")
	patch := map[string]any{"phones": map[string]string{"switchboard": "0206.3852.999", "hotline": "0206.3852.998"}}
	wantStatus(t, "anonymous patch", env.Do(http.MethodPatch, "/api/v1/agencies/SXD", "", patch), http.StatusUnauthorized)
	wantStatus(t, "citizen patch", env.Do(http.MethodPatch, "/api/v1/agencies/SXD", citizen, patch), http.StatusForbidden)
	wantStatus(t, "editor patch", env.Do(http.MethodPatch, "/api/v1/agencies/SXD", editor, patch), http.StatusForbidden)
	r = env.Do(http.MethodPatch, "/api/v1/agencies/SXD", adminTok, patch)
	wantStatus(t, "admin patch", r, http.StatusOK)
	var got dirItem
	env.Do(http.MethodGet, "/api/v1/agencies/SXD", "", nil).JSON(t, &struct {
		Agency *dirItem `json:"agency"`
	}{&got})
	if got.Phones["hotline"] != "0206.3852.998" || got.Address == "" || got.Name != "Sở Xây dựng" {
		t.Fatalf("patch not visible at once or clobbered other fields: %+v", got)
	}
	var before, afterJSON []byte
	if err := env.DB.Pool.QueryRow(ctx, `SELECT detail->'before'->'phones', detail->'after'->'phones' FROM audit_log
		WHERE action = 'agency.update' AND object_id = 'SXD' AND actor_id = $1`, admin.UserID).Scan(&before, &afterJSON); err != nil {
		t.Fatalf("audit: %v", err)
	}
	if !strings.Contains(string(afterJSON), "0206.3852.998") || strings.Contains(string(before), "0206.3852.998") {
		t.Fatalf("audit before %s after %s", before, afterJSON)
	}
	// Validation: cycles, bad e-mail, code change.
	wantStatus(t, "cycle", env.Do(http.MethodPatch, "/api/v1/agencies/"+postgres.ProvinceCode, adminTok, map[string]any{"parent_code": "SXD"}), http.StatusBadRequest)
	wantStatus(t, "bad email", env.Do(http.MethodPatch, "/api/v1/agencies/SXD", adminTok, map[string]any{"email": "not an email"}), http.StatusBadRequest)
	wantStatus(t, "unknown field", env.Do(http.MethodPatch, "/api/v1/agencies/SXD", adminTok, map[string]any{"nope": 1}), http.StatusBadRequest)
	full := map[string]any{"code": "SXD2", "name": "Sở Xây dựng", "type": "department", "parent_code": postgres.ProvinceCode}
	wantStatus(t, "put code change", env.Do(http.MethodPut, "/api/v1/agencies/SXD", adminTok, full), http.StatusBadRequest)
	full["code"] = "SXD"
	full["address"] = "Số 1 đường Bế Văn Đàn, phường Thục Phán"
	wantStatus(t, "put", env.Do(http.MethodPut, "/api/v1/agencies/SXD", adminTok, full), http.StatusOK)

	// A new ward: created, audited, searchable and known to the authorizer at once.
	ward := map[string]any{"code": "P-THUNGHIEM", "name": "Phường Thử Nghiệm", "type": "commune", "parent_code": postgres.ProvinceCode,
		"address": "Tổ 1, phường Thử Nghiệm", "phones": map[string]string{"switchboard": "0206.3800.001"},
		"police_phones": []map[string]string{{"name": "Công an phường Thử Nghiệm", "phone": "0206.3800.113"}}, "lat": 22.67, "lng": 106.25}
	wantStatus(t, "editor creates", env.Do(http.MethodPost, "/api/v1/agencies", editor, ward), http.StatusForbidden)
	wantStatus(t, "admin creates", env.Do(http.MethodPost, "/api/v1/agencies", adminTok, ward, "Idempotency-Key", "w1"), http.StatusCreated)
	wantStatus(t, "idempotent replay", env.Do(http.MethodPost, "/api/v1/agencies", adminTok, ward, "Idempotency-Key", "w1"), http.StatusCreated)
	wantStatus(t, "duplicate code", env.Do(http.MethodPost, "/api/v1/agencies", adminTok, ward), http.StatusConflict)
	if p := get("?q=thu+nghiem"); len(p.Items) != 1 || p.Items[0].Code != "P-THUNGHIEM" {
		t.Fatalf("new ward not in the directory: %+v", p.Items)
	}
	if !env.App.Authz.Within("P-THUNGHIEM", postgres.ProvinceCode) {
		t.Fatal("the authorizer's hierarchy was not refreshed")
	}
}

type camJSON struct {
	ID         int64   `json:"id"`
	Name       string  `json:"name"`
	Status     string  `json:"status"`
	Visibility string  `json:"visibility"`
	StreamURL  *string `json:"stream_url"`
	Expires    string  `json:"stream_expires_at"`
	RTSP       string  `json:"rtsp_url"`
}

func TestContentCameras(t *testing.T) {
	env := apptest.New(t, func(o *app.Options) {
		o.Content.CameraStreamTTL = 3 * time.Second // the expiry test waits this long
	})
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/vnd.apple.mpegurl")
		_, _ = w.Write([]byte("#EXTM3U\n#EXT-X-VERSION:3\n"))
	}))
	defer upstream.Close()
	dead := httptest.NewServer(http.NotFoundHandler())
	deadURL := dead.URL + "/live.m3u8"
	dead.Close() // connection refused from now on

	_, adminTok := env.Staff("Quản trị", postgres.ProvinceCode, cds.RoleAdmin)
	_, officer := env.Staff("Chuyên viên", "P-THUCPHAN", cds.RoleOfficer)
	_, citizen := env.Citizen("Lê Văn C")
	mk := func(name, area, vis, hls string) camJSON {
		t.Helper()
		r := env.Do(http.MethodPost, "/api/v1/cameras", adminTok, map[string]any{"name": name, "area_code": area, "visibility": vis,
			"hls_url": hls, "rtsp_url": "rtsp://10.0.0.5:554/" + vis, "lat": 22.66, "lng": 106.25})
		wantStatus(t, "create camera "+name, r, http.StatusCreated)
		var c camJSON
		r.JSON(t, &c)
		return c
	}
	newCam := map[string]any{"name": "x", "area_code": "P-THUCPHAN"}
	wantStatus(t, "anonymous create", env.Do(http.MethodPost, "/api/v1/cameras", "", newCam), http.StatusUnauthorized)
	wantStatus(t, "citizen create", env.Do(http.MethodPost, "/api/v1/cameras", citizen, newCam), http.StatusForbidden)
	wantStatus(t, "officer create", env.Do(http.MethodPost, "/api/v1/cameras", officer, newCam), http.StatusForbidden)
	wantStatus(t, "invalid camera", env.Do(http.MethodPost, "/api/v1/cameras", adminTok,
		map[string]any{"name": "x", "area_code": "NOPE", "hls_url": "ftp://x", "visibility": "everyone"}), http.StatusBadRequest)
	pub := mk("Cầu Bằng Giang", "P-THUCPHAN", "public", upstream.URL+"/cam1/index.m3u8")
	signed := mk("Quốc lộ 3 Tân Giang", "P-TANGIANG", "signed_in", deadURL)
	staff := mk("Sảnh một cửa", "P-THUCPHAN", "staff", upstream.URL+"/cam3/index.m3u8")

	list := func(token, q string) ([]camJSON, []byte) {
		t.Helper()
		r := env.Do(http.MethodGet, "/api/v1/cameras"+q, token, nil)
		wantStatus(t, "cameras"+q, r, http.StatusOK)
		var p struct {
			Items []camJSON `json:"items"`
		}
		r.JSON(t, &p)
		return p.Items, r.Body
	}
	ids := func(cs []camJSON) []int64 {
		var out []int64
		for _, c := range cs {
			out = append(out, c.ID)
		}
		return out
	}
	anon, anonBody := list("", "")
	if len(anon) != 1 || anon[0].ID != pub.ID {
		t.Fatalf("anonymous sees %v", ids(anon))
	}
	cit, citBody := list(citizen, "")
	if len(cit) != 2 {
		t.Fatalf("citizen sees %v", ids(cit))
	}
	if off, _ := list(officer, ""); len(off) != 3 {
		t.Fatalf("staff sees %v", ids(off))
	}
	if area, _ := list(citizen, "?area=P-TANGIANG"); len(area) != 1 || area[0].ID != signed.ID {
		t.Fatalf("area filter: %v", ids(area))
	}
	for _, b := range [][]byte{anonBody, citBody} {
		if bytes.Contains(b, []byte("rtsp")) || bytes.Contains(b, []byte(upstream.URL)) {
			t.Fatalf("a citizen sees operator URLs: %s", b)
		}
	}
	if adm, _ := list(adminTok, ""); len(adm) != 3 || adm[0].RTSP == "" {
		t.Fatalf("operators should see RTSP: %+v", adm)
	}
	wantStatus(t, "anonymous staff camera", env.Do(http.MethodGet, fmt.Sprintf("/api/v1/cameras/%d", staff.ID), "", nil), http.StatusNotFound)
	wantStatus(t, "citizen staff camera", env.Do(http.MethodGet, fmt.Sprintf("/api/v1/cameras/%d", staff.ID), citizen, nil), http.StatusNotFound)
	wantStatus(t, "officer staff camera", env.Do(http.MethodGet, fmt.Sprintf("/api/v1/cameras/%d", staff.ID), officer, nil), http.StatusOK)

	// The signed link opens the stream (redirect followed to the HLS playlist)…
	link := *anon[0].StreamURL
	r := env.Do(http.MethodGet, strings.TrimPrefix(link, env.URL), "", nil)
	if r.Status != http.StatusOK || !strings.HasPrefix(string(r.Body), "#EXTM3U") {
		t.Fatalf("signed link: %d %s", r.Status, r.Body)
	}
	// …a tampered one or one moved to another camera does not…
	u, _ := url.Parse(link)
	q := u.Query()
	q.Set("exp", fmt.Sprint(mustInt(t, q.Get("exp"))+3600))
	wantStatus(t, "longer expiry", env.Do(http.MethodGet, u.Path+"?"+q.Encode(), "", nil), http.StatusForbidden)
	wantStatus(t, "other camera", env.Do(http.MethodGet, fmt.Sprintf("/api/v1/cameras/%d/stream?%s", staff.ID, u.RawQuery), "", nil), http.StatusForbidden)
	// …and the shared link stops working after it expires.
	exp, err := time.Parse(time.RFC3339, anon[0].Expires)
	if err != nil {
		t.Fatal(err)
	}
	if d := time.Until(exp); d > 4*time.Second || d < 0 {
		t.Fatalf("link lifetime %s, want ≤ the 3 s TTL", d)
	}
	time.Sleep(time.Until(exp) + 1100*time.Millisecond)
	r = env.Do(http.MethodGet, strings.TrimPrefix(link, env.URL), "", nil)
	wantStatus(t, "expired link", r, http.StatusForbidden)
	if !strings.Contains(string(r.Body), "hết hạn") {
		t.Fatalf("expired link message: %s", r.Body)
	}

	// The health check, run by its workflow on the worker, marks the dead stream offline.
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	run, err := env.Temporal.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: "camera-check-test", TaskQueue: workflows.TaskQueue},
		workflows.CameraHealthWorkflowName, activities.CheckCamerasInput{Timeout: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	var res activities.CheckCamerasResult
	if err := run.Get(ctx, &res); err != nil || res.Checked != 3 || res.Offline != 1 {
		t.Fatalf("health check %+v, %v", res, err)
	}
	cit, _ = list(citizen, "?area=P-TANGIANG")
	if cit[0].Status != "offline" {
		t.Fatalf("dead camera shows %s", cit[0].Status)
	}
	if _, err := env.Temporal.ScheduleClient().GetHandle(ctx, workflows.CameraHealthScheduleID).Describe(ctx); err != nil {
		t.Fatalf("the health-check schedule was not created: %v", err)
	}
	if err := app.EnsureCameraHealthSchedule(ctx, env.Temporal); err != nil {
		t.Fatalf("creating the schedule twice: %v", err)
	}

	// Maintenance: no stream link, the old link answers 503; delete → gone.
	maint := map[string]any{"name": pub.Name, "area_code": "P-THUCPHAN", "status": "maintenance", "visibility": "public", "hls_url": upstream.URL + "/cam1/index.m3u8"}
	wantStatus(t, "citizen update", env.Do(http.MethodPut, fmt.Sprintf("/api/v1/cameras/%d", pub.ID), citizen, maint), http.StatusForbidden)
	wantStatus(t, "maintenance", env.Do(http.MethodPut, fmt.Sprintf("/api/v1/cameras/%d", pub.ID), adminTok, maint), http.StatusOK)
	anon, _ = list("", "")
	if anon[0].Status != "maintenance" || anon[0].StreamURL != nil {
		t.Fatalf("maintenance camera %+v", anon[0])
	}
	wantStatus(t, "citizen delete", env.Do(http.MethodDelete, fmt.Sprintf("/api/v1/cameras/%d", staff.ID), citizen, nil), http.StatusForbidden)
	wantStatus(t, "delete", env.Do(http.MethodDelete, fmt.Sprintf("/api/v1/cameras/%d", staff.ID), adminTok, nil), http.StatusNoContent)
	wantStatus(t, "deleted", env.Do(http.MethodGet, fmt.Sprintf("/api/v1/cameras/%d", staff.ID), officer, nil), http.StatusNotFound)
}

func mustInt(t *testing.T, s string) int64 {
	t.Helper()
	var n int64
	if _, err := fmt.Sscan(s, &n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestContentDemoSeedIsIdempotent(t *testing.T) {
	env := apptest.New(t)
	ctx := context.Background()
	for i := 0; i < 2; i++ {
		if err := env.App.SeedDemo(ctx, io.Discard); err != nil {
			t.Fatal(err)
		}
	}
	if p := publicNews(t, env, ""); len(p.Items) != 4 {
		t.Fatalf("demo news: %v", titles(p))
	}
	if p := publicNews(t, env, "?q=cong+dan+so+cao+bang"); len(p.Items) == 0 {
		t.Fatal("demo news not searchable without diacritics")
	}
	var cams int
	if err := env.DB.Pool.QueryRow(ctx, `SELECT count(*) FROM cameras`).Scan(&cams); err != nil || cams != 4 {
		t.Fatalf("demo cameras: %d %v", cams, err)
	}
	r := env.Do(http.MethodGet, "/api/v1/agencies/P-THUCPHAN", "", nil)
	if !strings.Contains(string(r.Body), "0206.3") {
		t.Fatalf("directory not filled: %s", r.Body)
	}
}

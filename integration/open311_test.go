package integration

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"

	cds "github.com/caobang/congdanso"
	"github.com/caobang/congdanso/cmd/app/apptest"
	"github.com/caobang/congdanso/postgres"
)

// open311Schemas compiles the vendored GeoReport v2 schemas (see
// testdata/open311-schemas/README.md) with format assertions on.
func open311Schemas(t *testing.T) map[string]*jsonschema.Schema {
	t.Helper()
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	out := map[string]*jsonschema.Schema{}
	for _, name := range []string{"services", "service", "service-definition", "request", "requests"} {
		p, err := filepath.Abs(filepath.Join("testdata", "open311-schemas", name+".json"))
		if err != nil {
			t.Fatal(err)
		}
		sch, err := c.Compile(p)
		if err != nil {
			t.Fatalf("compile %s: %v", name, err)
		}
		out[name] = sch
	}
	return out
}

func open311Validate(t *testing.T, sch *jsonschema.Schema, what string, body []byte) {
	t.Helper()
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(body))
	if err != nil {
		t.Fatalf("%s: not JSON: %v\n%s", what, err, body)
	}
	if err := sch.Validate(v); err != nil {
		t.Fatalf("%s does not validate: %v\n%s", what, err, body)
	}
}

// open311Check asserts status and content type of a response.
func open311Check(t *testing.T, r apptest.Response, status int, format, what string) {
	t.Helper()
	want := "application/json; charset=utf-8"
	if format == "xml" {
		want = "text/xml; charset=utf-8"
	}
	if r.Status != status || r.Header.Get("Content-Type") != want {
		t.Fatalf("%s: %d %q, want %d %q\n%s", what, r.Status, r.Header.Get("Content-Type"), status, want, r.Body)
	}
	if format == "xml" && !bytes.HasPrefix(r.Body, []byte(`<?xml version="1.0" encoding="UTF-8"?>`)) {
		t.Fatalf("%s: no XML declaration: %s", what, r.Body)
	}
}

// open311XML is a generic XML tree for checking element names.
type open311XML struct {
	XMLName  xml.Name
	Text     string       `xml:",chardata"`
	Children []open311XML `xml:",any"`
}

func open311ParseXML(t *testing.T, body []byte, root, item string) open311XML {
	t.Helper()
	var doc open311XML
	if err := xml.Unmarshal(body, &doc); err != nil {
		t.Fatalf("XML does not parse: %v\n%s", err, body)
	}
	if doc.XMLName.Local != root {
		t.Fatalf("XML root %q, want %q: %s", doc.XMLName.Local, root, body)
	}
	for _, ch := range doc.Children {
		if item != "" && ch.XMLName.Local != item {
			t.Fatalf("XML child %q under %q, want %q", ch.XMLName.Local, root, item)
		}
	}
	return doc
}

// child returns the text of the named child element and whether it exists.
func (x open311XML) child(name string) (string, bool) {
	for _, ch := range x.Children {
		if ch.XMLName.Local == name {
			return strings.TrimSpace(ch.Text), true
		}
	}
	return "", false
}

func (x open311XML) node(name string) open311XML {
	for _, ch := range x.Children {
		if ch.XMLName.Local == name {
			return ch
		}
	}
	return open311XML{}
}

type open311ErrBody []struct {
	Code        int    `json:"code"`
	Description string `json:"description"`
}

// open311Fails asserts an Open311 error list with the given status.
func open311Fails(t *testing.T, r apptest.Response, status int, what string) {
	t.Helper()
	if r.Status != status {
		t.Fatalf("%s: status %d, want %d: %s", what, r.Status, status, r.Body)
	}
	if strings.HasPrefix(r.Header.Get("Content-Type"), "text/xml") {
		doc := open311ParseXML(t, r.Body, "errors", "error")
		code, _ := doc.Children[0].child("code")
		desc, _ := doc.Children[0].child("description")
		if code != fmt.Sprint(status) || desc == "" {
			t.Fatalf("%s: XML error %s", what, r.Body)
		}
		return
	}
	var e open311ErrBody
	if err := json.Unmarshal(r.Body, &e); err != nil || len(e) == 0 || e[0].Code != status || e[0].Description == "" {
		t.Fatalf("%s: error body %s (%v)", what, r.Body, err)
	}
}

func open311Requests(t *testing.T, r apptest.Response) []map[string]any {
	t.Helper()
	var out []map[string]any
	if err := json.Unmarshal(r.Body, &out); err != nil {
		t.Fatalf("requests: %v %s", err, r.Body)
	}
	return out
}

func open311IDs(items []map[string]any) string {
	var ids []string
	for _, it := range items {
		ids = append(ids, fmt.Sprint(it["service_request_id"]))
	}
	return strings.Join(ids, ",")
}

func open311Act(env *apptest.Env, code, action, tok string, body map[string]any) apptest.Response {
	if body == nil {
		body = map[string]any{}
	}
	return env.Do(http.MethodPost, "/api/v1/feedback/"+code+"/actions/"+action, tok, body)
}

func open311Status(t *testing.T, env *apptest.Env, code string) string {
	var st string
	if err := env.DB.Pool.QueryRow(context.Background(), `SELECT status FROM cases WHERE code = $1`, code).Scan(&st); err != nil {
		t.Fatal(err)
	}
	return st
}

func TestOpen311GeoReport(t *testing.T) {
	env := apptest.New(t)
	ctx := context.Background()
	schemas := open311Schemas(t)
	_, adminTok := env.Staff("Quản trị hệ thống", postgres.ProvinceCode, cds.RoleAdmin)
	_, ctok := env.Citizen("Nguyễn Văn An")
	officer, otok := env.Staff("Cán bộ Xây dựng", "SXD", cds.RoleOfficer)
	_, ltok := env.Staff("Lãnh đạo Sở Xây dựng", "SXD", cds.RoleLeader)

	// ---- API keys: issued by an admin, shown once, stored hashed ----
	if r := env.Do(http.MethodPost, "/api/v1/admin/open311/clients", ctok, map[string]any{"name": "Kẻ lạ"}); r.Status != http.StatusForbidden {
		t.Fatalf("citizen issued a key: %d %s", r.Status, r.Body)
	}
	r := env.Do(http.MethodPost, "/api/v1/admin/open311/clients", adminTok, map[string]any{"name": "FixMyStreet Cao Bằng"})
	if r.Status != http.StatusCreated {
		t.Fatalf("create client %d %s", r.Status, r.Body)
	}
	cl := r.Map(t)
	key := cl["api_key"].(string)
	var stored []byte
	var kind string
	if err := env.DB.Pool.QueryRow(ctx, `SELECT c.key_hash, u.kind FROM open311_clients c JOIN users u ON u.id = c.user_id WHERE c.id = $1`,
		int64(cl["id"].(float64))).Scan(&stored, &kind); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(stored, postgres.Open311KeyHash(key)) || bytes.Contains(stored, []byte(key)) || kind != "client_app" {
		t.Fatalf("key not stored as its SHA-256, or wrong submitter kind %q", kind)
	}
	if r := env.Do(http.MethodGet, "/api/v1/admin/open311/clients", adminTok, nil); r.Status != 200 || bytes.Contains(r.Body, []byte(key)) ||
		!bytes.Contains(r.Body, []byte("FixMyStreet Cao Bằng")) {
		t.Fatalf("client list %d %s", r.Status, r.Body)
	}

	// ---- discovery ----
	r = env.Do(http.MethodGet, "/open311/v2/discovery.json", "", nil)
	open311Check(t, r, 200, "json", "discovery.json")
	var disc struct {
		Changeset string `json:"changeset"`
		Endpoints []struct {
			Specification, URL, Changeset, Type string
			Formats                             []string
		} `json:"endpoints"`
	}
	r.JSON(t, &disc)
	dm := r.Map(t)
	if dm["contact"] == "" || dm["key_service"] == "" || len(disc.Endpoints) != 1 || disc.Endpoints[0].Specification != "http://wiki.open311.org/GeoReport_v2" ||
		disc.Endpoints[0].URL != env.URL+"/open311/v2" || strings.Join(disc.Endpoints[0].Formats, ",") != "text/xml,application/json" ||
		disc.Endpoints[0].Type != "production" {
		t.Fatalf("discovery %s", r.Body)
	}
	if cs, err := time.Parse(time.RFC3339, disc.Changeset); err != nil || !cs.Before(time.Now()) || !strings.HasSuffix(disc.Changeset, "+07:00") {
		t.Fatalf("changeset %q must be a past RFC 3339 date in +07:00", disc.Changeset)
	}
	r = env.Do(http.MethodGet, "/open311/v2/discovery.xml", "", nil)
	open311Check(t, r, 200, "xml", "discovery.xml")
	dx := open311ParseXML(t, r.Body, "discovery", "")
	ep := dx.node("endpoints").node("endpoint")
	if spec, _ := ep.child("specification"); spec != "http://wiki.open311.org/GeoReport_v2" || len(ep.node("formats").Children) != 2 ||
		ep.node("formats").Children[0].XMLName.Local != "format" {
		t.Fatalf("discovery.xml %s", r.Body)
	}
	for _, f := range []string{"changeset", "contact", "key_service"} {
		if v, ok := dx.child(f); !ok || v == "" {
			t.Fatalf("discovery.xml lacks %s", f)
		}
	}

	// ---- services ----
	r = env.Do(http.MethodGet, "/open311/v2/services.json", "", nil)
	open311Check(t, r, 200, "json", "services.json")
	open311Validate(t, schemas["services"], "services.json", r.Body)
	svcs := open311Requests(t, r)
	byCode := map[string]map[string]any{}
	for _, s := range svcs {
		byCode[s["service_code"].(string)] = s
	}
	if len(svcs) != 9 || byCode["traffic"]["metadata"] != true || byCode["other"]["metadata"] != false ||
		byCode["traffic"]["group"] != "Hạ tầng / Infrastructure" || !strings.Contains(byCode["traffic"]["keywords"].(string), "pothole") ||
		byCode["traffic"]["service_name"] != "Giao thông" || byCode["traffic"]["type"] != "realtime" {
		t.Fatalf("services %s", r.Body)
	}
	r = env.Do(http.MethodGet, "/open311/v2/services.xml?jurisdiction_id=caobang.gov.vn", "", nil)
	open311Check(t, r, 200, "xml", "services.xml")
	sx := open311ParseXML(t, r.Body, "services", "service")
	if len(sx.Children) != 9 {
		t.Fatalf("services.xml has %d services", len(sx.Children))
	}
	for _, f := range []string{"service_code", "service_name", "description", "metadata", "type", "keywords", "group"} {
		if _, ok := sx.Children[0].child(f); !ok {
			t.Fatalf("services.xml service lacks %s: %s", f, r.Body)
		}
	}
	open311Fails(t, env.Do(http.MethodGet, "/open311/v2/services.json?jurisdiction_id=hanoi.gov.vn", "", nil), 404, "unknown jurisdiction")

	// service definitions: with attributes, and an empty list
	r = env.Do(http.MethodGet, "/open311/v2/services/traffic.json", "", nil)
	open311Check(t, r, 200, "json", "services/traffic.json")
	open311Validate(t, schemas["service-definition"], "services/traffic.json", r.Body)
	var def struct {
		ServiceCode string `json:"service_code"`
		Attributes  []struct {
			Code, Datatype string
			Required       bool
			Order          int
			Values         []struct{ Key, Name string }
		} `json:"attributes"`
	}
	r.JSON(t, &def)
	if def.ServiceCode != "traffic" || len(def.Attributes) != 2 || def.Attributes[0].Code != "danger" || !def.Attributes[0].Required ||
		def.Attributes[0].Datatype != "singlevaluelist" || len(def.Attributes[0].Values) != 3 || def.Attributes[1].Order != 2 {
		t.Fatalf("definition %s", r.Body)
	}
	r = env.Do(http.MethodGet, "/open311/v2/services/other.json", "", nil)
	open311Validate(t, schemas["service-definition"], "services/other.json", r.Body)
	if !bytes.Contains(r.Body, []byte(`"attributes":[]`)) {
		t.Fatalf("other: %s", r.Body)
	}
	r = env.Do(http.MethodGet, "/open311/v2/services/water.xml", "", nil)
	open311Check(t, r, 200, "xml", "services/water.xml")
	wx := open311ParseXML(t, r.Body, "service_definition", "")
	attr := wx.node("attributes").node("attribute")
	if code, _ := attr.child("code"); code != "issue" || len(attr.node("values").Children) != 4 || attr.node("values").Children[0].XMLName.Local != "value" {
		t.Fatalf("services/water.xml %s", r.Body)
	}
	if v, _ := attr.node("values").Children[0].child("key"); v != "leak" {
		t.Fatalf("value key %q", v)
	}
	open311Fails(t, env.Do(http.MethodGet, "/open311/v2/services/nope.json", "", nil), 404, "unknown service json")
	open311Fails(t, env.Do(http.MethodGet, "/open311/v2/services/nope.xml", "", nil), 404, "unknown service xml")

	// ---- POST requests: errors ----
	post := func(format string, v url.Values, headers ...string) apptest.Response {
		return env.Do(http.MethodPost, "/open311/v2/requests."+format, "", v.Encode(), headers...)
	}
	base := func() url.Values {
		return url.Values{"api_key": {key}, "service_code": {"traffic"}, "lat": {"22.6660"}, "long": {"106.2580"},
			"attribute[danger]": {"high"}, "description": {"Ổ gà sâu giữa đường, gọi 0912 345 678."}}
	}
	noKey := base()
	noKey.Del("api_key")
	open311Fails(t, post("json", noKey), 403, "missing api_key")
	badKey := base()
	badKey.Set("api_key", "o311_not-a-key")
	open311Fails(t, post("xml", badKey), 403, "invalid api_key (xml)")
	unknown := base()
	unknown.Set("service_code", "nope")
	open311Fails(t, post("json", unknown), 404, "unknown service_code")
	noLoc := base()
	noLoc.Del("lat")
	noLoc.Del("long")
	open311Fails(t, post("json", noLoc), 400, "missing location")
	open311Fails(t, post("xml", noLoc), 400, "missing location (xml)")
	halfLoc := base()
	halfLoc.Del("long")
	open311Fails(t, post("json", halfLoc), 400, "lat without long")
	noAttr := base()
	noAttr.Del("attribute[danger]")
	open311Fails(t, post("json", noAttr), 400, "missing required attribute")
	badAttr := base()
	badAttr.Set("attribute[danger]", "apocalyptic")
	open311Fails(t, post("json", badAttr), 400, "attribute value outside the list")
	badMedia := base()
	badMedia.Set("media_url", "javascript:alert(1)")
	open311Fails(t, post("json", badMedia), 400, "bad media_url")
	long := base()
	long.Set("description", strings.Repeat("a", 4001))
	open311Fails(t, post("json", long), 400, "description over 4000")
	var n int
	_ = env.DB.Pool.QueryRow(ctx, `SELECT count(*) FROM cases`).Scan(&n)
	if n != 0 {
		t.Fatalf("refused requests wrote %d cases", n)
	}

	// ---- POST requests: three reports ----
	good := base()
	good.Set("media_url", "https://fixmystreet.example/photo/1.jpg")
	good.Set("first_name", "Lan")
	good.Set("email", "lan@example.org")
	good.Set("account_id", "fms-77")
	r = post("json", good, "Idempotency-Key", "fms-1")
	open311Check(t, r, 200, "json", "POST requests.json")
	var created []map[string]any
	r.JSON(t, &created)
	idA, _ := created[0]["service_request_id"].(string)
	if len(created) != 1 || idA == "" || created[0]["token"] != nil || created[0]["account_id"] != "fms-77" ||
		!strings.Contains(fmt.Sprint(created[0]["service_notice"]), "Sở Xây dựng") {
		t.Fatalf("created %s", r.Body)
	}
	if again := post("json", good, "Idempotency-Key", "fms-1"); !bytes.Contains(again.Body, []byte(`"`+idA+`"`)) {
		t.Fatalf("idempotent retry %s", again.Body)
	}
	var channel, field string
	var citizenKind string
	if err := env.DB.Pool.QueryRow(ctx, `SELECT c.channel, c.field, u.kind FROM cases c JOIN users u ON u.id = c.citizen_id WHERE c.code = $1`, idA).
		Scan(&channel, &field, &citizenKind); err != nil {
		t.Fatal(err)
	}
	if channel != "open311" || field != "traffic" || citizenKind != "client_app" || open311Status(t, env, idA) != "routed" {
		t.Fatalf("case %s: channel %s field %s submitter %s", idA, channel, field, citizenKind)
	}
	var wfStatus string
	_ = env.DB.Pool.QueryRow(ctx, `SELECT status FROM tasks WHERE case_code = $1 AND action = 'accept'`, idA).Scan(&wfStatus)
	if wfStatus != "open" {
		t.Fatalf("the FeedbackCase opened no accept task: %q", wfStatus)
	}

	r = post("xml", url.Values{"api_key": {key}, "service_code": {"other"}, "address_string": {"Chợ Xanh, phường Thục Phán"}, "description": {"Bán hàng lấn chiếm lối đi."}})
	open311Check(t, r, 200, "xml", "POST requests.xml")
	px := open311ParseXML(t, r.Body, "service_requests", "request")
	idB, _ := px.Children[0].child("service_request_id")
	if idB == "" || idB == idA {
		t.Fatalf("POST xml %s", r.Body)
	}
	water := url.Values{"api_key": {key}, "service_code": {"water"}, "lat": {"22.67"}, "long": {"106.26"},
		"attribute[issue][]": {"leak", "dirty"}, "jurisdiction_id": {"caobang.gov.vn"}}
	r = post("json", water)
	open311Check(t, r, 200, "json", "POST water")
	idC := open311Requests(t, r)[0]["service_request_id"].(string)
	var attrs string
	_ = env.DB.Pool.QueryRow(ctx, `SELECT attributes::text FROM open311_requests WHERE code = $1`, idC).Scan(&attrs)
	if !strings.Contains(attrs, `"leak"`) || !strings.Contains(attrs, `"dirty"`) {
		t.Fatalf("multi-value attribute stored as %s", attrs)
	}

	// A citizen's own app report: Open311 shows it, but not its unpublished text.
	sub := env.Do(http.MethodPost, "/api/v1/feedback", ctok, map[string]any{"title": "Đèn đường hỏng ở Kim Đồng", "content": "Đèn đường hỏng ba hôm nay, tối om.",
		"category_code": "electricity", "location": map[string]any{"lat": 22.668, "lng": 106.259, "address": "Kim Đồng", "commune_code": "P-THUCPHAN"}})
	if sub.Status != 201 {
		t.Fatalf("app submit %d %s", sub.Status, sub.Body)
	}
	idApp := sub.Map(t)["code"].(string)

	// ---- GET requests ----
	r = env.Do(http.MethodGet, "/open311/v2/requests.json", "", nil)
	open311Check(t, r, 200, "json", "GET requests.json")
	open311Validate(t, schemas["requests"], "requests.json", r.Body)
	all := open311Requests(t, r)
	if len(all) != 4 {
		t.Fatalf("requests: %s", open311IDs(all))
	}
	byID := map[string]map[string]any{}
	for _, it := range all {
		open311Validate(t, schemas["request"], "one request", mustJSON(t, it))
		byID[it["service_request_id"].(string)] = it
	}
	a := byID[idA]
	if a["status"] != "open" || a["service_code"] != "traffic" || a["lat"] != 22.666 || a["long"] != 106.258 ||
		a["media_url"] != "https://fixmystreet.example/photo/1.jpg" || a["agency_responsible"] != "Sở Xây dựng" ||
		!strings.HasSuffix(a["requested_datetime"].(string), "+07:00") || !strings.HasSuffix(fmt.Sprint(a["expected_datetime"]), "+07:00") ||
		strings.Contains(fmt.Sprint(a["description"]), "345 678") || !strings.Contains(fmt.Sprint(a["description"]), "Ổ gà sâu") {
		t.Fatalf("request A %v", a)
	}
	if b := byID[idB]; b["lat"] != nil || b["long"] != nil || b["address"] != "Chợ Xanh, phường Thục Phán" {
		t.Fatalf("address-only request B %v", b)
	}
	if app := byID[idApp]; app["description"] != nil || app["status"] != "open" || app["service_code"] != "electricity" {
		t.Fatalf("app report leaks its unpublished text: %v", app)
	}
	if _, ok := a["extended_attributes"]; ok {
		t.Fatal("extended attributes without extensions=true")
	}

	get := func(q string) apptest.Response {
		return env.Do(http.MethodGet, "/open311/v2/requests.json?"+q, "", nil)
	}
	// service_request_id overrides the other arguments (here status=closed)
	r = get("service_request_id=" + idA + "," + idB + "&status=closed&service_code=water")
	if got := open311Requests(t, r); len(got) != 2 || !strings.Contains(open311IDs(got), idA) || !strings.Contains(open311IDs(got), idB) {
		t.Fatalf("service_request_id list: %s", r.Body)
	}
	if got := open311Requests(t, get("service_code=traffic,water")); len(got) != 2 || strings.Contains(open311IDs(got), idB) {
		t.Fatalf("service_code list: %s", open311IDs(got))
	}
	if got := open311Requests(t, get("status=closed")); len(got) != 0 {
		t.Fatalf("status=closed: %s", open311IDs(got))
	}
	if got := open311Requests(t, get("status=open,closed&service_code=")); len(got) != 4 {
		t.Fatalf("status=open,closed with an empty argument: %s", open311IDs(got))
	}
	now := time.Now().In(cds.VietnamTZ)
	win := url.Values{"start_date": {now.Add(-time.Hour).Format(time.RFC3339)}, "end_date": {now.Add(time.Hour).Format(time.RFC3339)}}
	if got := open311Requests(t, get(win.Encode())); len(got) != 4 {
		t.Fatalf("date window: %s", open311IDs(got))
	}
	old := url.Values{"start_date": {now.AddDate(0, 0, -30).Format(time.RFC3339)}, "end_date": {now.AddDate(0, 0, -1).Format(time.RFC3339)}}
	if got := open311Requests(t, get(old.Encode())); len(got) != 0 {
		t.Fatalf("past window: %s", open311IDs(got))
	}
	if got := open311Requests(t, get("end_date="+url.QueryEscape(now.AddDate(0, 0, -91).Format(time.RFC3339)))); len(got) != 0 {
		t.Fatalf("end_date alone looks 90 days back: %s", open311IDs(got))
	}
	open311Fails(t, get("start_date=yesterday"), 400, "bad start_date")
	open311Fails(t, get("end_date=2026-13-45T00:00:00"), 400, "bad end_date")
	wide := url.Values{"start_date": {"2026-01-01T00:00:00+07:00"}, "end_date": {"2026-05-01T00:00:00+07:00"}}
	open311Fails(t, get(wide.Encode()), 400, "window over 90 days")
	open311Fails(t, env.Do(http.MethodGet, "/open311/v2/requests.xml?"+wide.Encode(), "", nil), 400, "window over 90 days (xml)")
	back := url.Values{"start_date": {"2026-05-01T00:00:00+07:00"}, "end_date": {"2026-04-01T00:00:00+07:00"}}
	open311Fails(t, get(back.Encode()), 400, "end before start")
	open311Fails(t, get("status=pending"), 400, "unknown status")
	open311Fails(t, get("page_size=5000"), 400, "page_size too big")
	open311Fails(t, get("api_key=wrong"), 403, "a wrong api_key on a read")
	p1, p2 := open311Requests(t, get("page_size=3&page=1")), open311Requests(t, get("page_size=3&page=2"))
	if len(p1) != 3 || len(p2) != 1 || strings.Contains(open311IDs(p1), open311IDs(p2)) {
		t.Fatalf("pages %s | %s", open311IDs(p1), open311IDs(p2))
	}

	r = env.Do(http.MethodGet, "/open311/v2/requests.xml", "", nil)
	open311Check(t, r, 200, "xml", "GET requests.xml")
	rx := open311ParseXML(t, r.Body, "service_requests", "request")
	if len(rx.Children) != 4 {
		t.Fatalf("requests.xml has %d", len(rx.Children))
	}
	for _, f := range []string{"service_request_id", "status", "status_notes", "service_name", "service_code", "description", "agency_responsible",
		"service_notice", "requested_datetime", "updated_datetime", "expected_datetime", "address", "address_id", "zipcode", "lat", "long", "media_url"} {
		if _, ok := rx.Children[0].child(f); !ok {
			t.Fatalf("request element lacks %s: %s", f, r.Body)
		}
	}

	// one request, both formats, and 404
	r = env.Do(http.MethodGet, "/open311/v2/requests/"+idA+".json", "", nil)
	open311Check(t, r, 200, "json", "requests/{id}.json")
	open311Validate(t, schemas["requests"], "requests/{id}.json", r.Body)
	if got := open311Requests(t, r); len(got) != 1 || got[0]["service_request_id"] != idA {
		t.Fatalf("one request %s", r.Body)
	}
	r = env.Do(http.MethodGet, "/open311/v2/requests/"+idB+".xml", "", nil)
	open311Check(t, r, 200, "xml", "requests/{id}.xml")
	if v, _ := open311ParseXML(t, r.Body, "service_requests", "request").Children[0].child("service_request_id"); v != idB {
		t.Fatalf("requests/{id}.xml %s", r.Body)
	}
	open311Fails(t, env.Do(http.MethodGet, "/open311/v2/requests/PA-1999-000001.json", "", nil), 404, "unknown request")
	open311Fails(t, env.Do(http.MethodGet, "/open311/v2/requests/PA-1999-000001.xml", "", nil), 404, "unknown request (xml)")
	open311Fails(t, env.Do(http.MethodGet, "/open311/v2/requests/"+idA+".yaml", "", nil), 404, "unknown format")

	// ---- tokens ----
	var token string
	if err := env.DB.Pool.QueryRow(ctx, `SELECT token FROM open311_requests WHERE code = $1`, idA).Scan(&token); err != nil {
		t.Fatal(err)
	}
	r = env.Do(http.MethodGet, "/open311/v2/tokens/"+token+".json", "", nil)
	open311Check(t, r, 200, "json", "tokens.json")
	if got := open311Requests(t, r); len(got) != 1 || got[0]["service_request_id"] != idA || got[0]["token"] != token {
		t.Fatalf("token %s", r.Body)
	}
	r = env.Do(http.MethodGet, "/open311/v2/tokens/"+token+".xml", "", nil)
	open311Check(t, r, 200, "xml", "tokens.xml")
	if v, _ := open311ParseXML(t, r.Body, "service_requests", "request").Children[0].child("service_request_id"); v != idA {
		t.Fatalf("tokens.xml %s", r.Body)
	}
	open311Fails(t, env.Do(http.MethodGet, "/open311/v2/tokens/nope.json", "", nil), 404, "unknown token")

	// ---- staff work the case; extended statuses follow ----
	ext := func(id string) map[string]any {
		got := open311Requests(t, env.Do(http.MethodGet, "/open311/v2/requests/"+id+".json?extensions=true", "", nil))
		e, _ := got[0]["extended_attributes"].(map[string]any)
		return e
	}
	if e := ext(idA); e["status"] != "OPEN" || e["internal_status"] != "routed" || e["channel"] != "open311" {
		t.Fatalf("extended after routing %v", e)
	}
	for _, step := range []struct {
		action, tok string
		body        map[string]any
		ext         string
	}{
		{"accept", otok, nil, "INVESTIGATING"},
		{"assign", ltok, map[string]any{"assignee_id": officer.UserID}, "ACTION_SCHEDULED"},
		{"start", otok, nil, "IN_PROGRESS"},
		{"request_info", otok, map[string]any{"note": "Xin ảnh chụp gần hơn, liên hệ 0987 654 321."}, "INVESTIGATING"},
	} {
		if r := open311Act(env, idA, step.action, step.tok, step.body); r.Status != 200 {
			t.Fatalf("%s: %d %s", step.action, r.Status, r.Body)
		}
		if e := ext(idA); e["status"] != step.ext {
			t.Fatalf("after %s: extended %v, want %s", step.action, e, step.ext)
		}
	}
	one := open311Requests(t, env.Do(http.MethodGet, "/open311/v2/requests/"+idA+".json", "", nil))[0]
	if one["status"] != "open" || !strings.Contains(fmt.Sprint(one["status_notes"]), "Xin ảnh") || strings.Contains(fmt.Sprint(one["status_notes"]), "654 321") {
		t.Fatalf("status_notes %v", one["status_notes"])
	}

	// ---- servicerequestupdates ----
	upd := func(method, format string, v url.Values) apptest.Response {
		if method == http.MethodGet {
			return env.Do(method, "/open311/v2/servicerequestupdates."+format+"?"+v.Encode(), "", nil)
		}
		return env.Do(method, "/open311/v2/servicerequestupdates."+format, "", v.Encode())
	}
	open311Fails(t, upd(http.MethodGet, "json", url.Values{}), 403, "updates without api_key")
	open311Fails(t, upd(http.MethodGet, "xml", url.Values{"api_key": {key}, "start_date": {"x"}}), 400, "updates bad date")
	r = upd(http.MethodGet, "json", url.Values{"api_key": {key}})
	open311Check(t, r, 200, "json", "GET servicerequestupdates.json")
	var ups []map[string]any
	r.JSON(t, &ups)
	var forA []string
	for _, u := range ups {
		if u["service_request_id"] == idA {
			forA = append(forA, fmt.Sprint(u["status"]))
		}
		if u["service_request_id"] == idApp {
			t.Fatal("updates of another submitter's case are shown")
		}
		if !strings.HasSuffix(u["updated_datetime"].(string), "+07:00") || u["update_id"] == "" {
			t.Fatalf("update %v", u)
		}
	}
	if len(forA) < 4 || forA[len(forA)-1] != "open" {
		t.Fatalf("updates for A: %v (%s)", forA, r.Body)
	}
	r = upd(http.MethodGet, "xml", url.Values{"api_key": {key}, "extensions": {"true"}})
	open311Check(t, r, 200, "xml", "GET servicerequestupdates.xml")
	ux := open311ParseXML(t, r.Body, "service_request_updates", "request_update")
	statuses := ""
	for _, u := range ux.Children {
		if id, _ := u.child("service_request_id"); id == idA {
			s, _ := u.child("status")
			statuses += s + ","
		}
		for _, f := range []string{"update_id", "service_request_id", "status", "updated_datetime", "description", "media_url", "external_status_code"} {
			if _, ok := u.child(f); !ok {
				t.Fatalf("request_update lacks %s", f)
			}
		}
	}
	if !strings.Contains(statuses, "IN_PROGRESS") || !strings.Contains(statuses, "INVESTIGATING") || strings.Contains(statuses, "ACTION_SCHEDULED") {
		t.Fatalf("extended update statuses %q (assignment is internal, so no ACTION_SCHEDULED)", statuses)
	}

	// The client posts an update: the case was waiting for the reporter, so
	// it reaches the workflow as the reply.
	open311Fails(t, upd(http.MethodPost, "json", url.Values{"service_request_id": {idA}, "description": {"x"}}), 403, "post update without key")
	open311Fails(t, upd(http.MethodPost, "json", url.Values{"api_key": {key}, "service_request_id": {idA}}), 400, "post update without description")
	open311Fails(t, upd(http.MethodPost, "json", url.Values{"api_key": {key}, "service_request_id": {idApp}, "description": {"Xin chào"}}), 404, "update on a case the client did not file")
	reply := url.Values{"api_key": {key}, "service_request_id": {idA}, "description": {"Đã gửi ảnh chụp gần: https://fms.example/p/2.jpg"},
		"update_id": {"fms-upd-9"}, "first_name": {"Lan"}, "media_url": {"https://fms.example/p/2.jpg"}}
	r = upd(http.MethodPost, "json", reply)
	open311Check(t, r, 200, "json", "POST servicerequestupdates.json")
	var uc []map[string]string
	r.JSON(t, &uc)
	if len(uc) != 1 || !strings.HasPrefix(uc[0]["update_id"], "C") {
		t.Fatalf("update created %s", r.Body)
	}
	if st := open311Status(t, env, idA); st != "in_progress" {
		t.Fatalf("the reply did not reach the workflow: status %s", st)
	}
	var info string
	_ = env.DB.Pool.QueryRow(ctx, `SELECT info_reply FROM feedback_reports r JOIN cases c ON c.workflow_id = r.workflow_id WHERE c.code = $1`, idA).Scan(&info)
	if !strings.Contains(info, "ảnh chụp gần") {
		t.Fatalf("info_reply %q", info)
	}
	if again := upd(http.MethodPost, "xml", reply); again.Status != 200 || !bytes.Contains(again.Body, []byte("<update_id>"+uc[0]["update_id"]+"</update_id>")) {
		t.Fatalf("resent update not deduplicated: %s", again.Body)
	}
	open311ParseXML(t, upd(http.MethodPost, "xml", reply).Body, "service_request_updates", "request_update")
	// The client's update can be read back.
	r = upd(http.MethodGet, "json", url.Values{"api_key": {key}})
	if !bytes.Contains(r.Body, []byte(`"update_id":"`+uc[0]["update_id"]+`"`)) || !bytes.Contains(r.Body, []byte("https://fms.example/p/2.jpg")) {
		t.Fatalf("client update not in the feed: %s", r.Body)
	}

	// The reporter closes B through the client: the case is withdrawn.
	r = upd(http.MethodPost, "json", url.Values{"api_key": {key}, "service_request_id": {idB}, "description": {"Đã tự giải quyết."}, "status": {"CLOSED"}})
	open311Check(t, r, 200, "json", "closing update")
	if st := open311Status(t, env, idB); st != "withdrawn" {
		t.Fatalf("B status %s", st)
	}
	b := open311Requests(t, env.Do(http.MethodGet, "/open311/v2/requests/"+idB+".json?extensions=true", "", nil))[0]
	if b["status"] != "closed" || b["expected_datetime"] != nil || b["extended_attributes"].(map[string]any)["status"] != "CANCELLED" {
		t.Fatalf("withdrawn B %v", b)
	}
	if got := open311Requests(t, get("status=closed")); open311IDs(got) != idB {
		t.Fatalf("status=closed after withdrawal: %s", open311IDs(got))
	}

	// ---- rate limit (per key, in PostgreSQL) and revocation ----
	r = env.Do(http.MethodPost, "/api/v1/admin/open311/clients", adminTok, map[string]any{"name": "Ứng dụng nghiên cứu", "rate_limit_per_minute": 2})
	slow := r.Map(t)
	skey := slow["api_key"].(string)
	var last apptest.Response
	for i := 0; i < 3; i++ {
		last = env.Do(http.MethodGet, "/open311/v2/servicerequestupdates.json?api_key="+url.QueryEscape(skey), "", nil)
	}
	open311Fails(t, last, 429, "third call in a minute")
	if last.Header.Get("Retry-After") == "" {
		t.Fatal("429 without Retry-After")
	}
	if r := env.Do(http.MethodPost, fmt.Sprintf("/api/v1/admin/open311/clients/%d/revoke", int64(slow["id"].(float64))), adminTok, map[string]any{}); r.Status != 200 {
		t.Fatalf("revoke %d %s", r.Status, r.Body)
	}
	open311Fails(t, env.Do(http.MethodGet, "/open311/v2/servicerequestupdates.json?api_key="+url.QueryEscape(skey), "", nil), 403, "revoked key")
}

func mustJSON(t *testing.T, v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

package integration

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/png"
	"mime/multipart"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"go.temporal.io/sdk/client"

	cds "github.com/caobang/congdanso"
	"github.com/caobang/congdanso/cmd/app/apptest"
	"github.com/caobang/congdanso/workflows"
)

func pngBytes(t *testing.T) []byte {
	var b bytes.Buffer
	if err := png.Encode(&b, image.NewRGBA(image.Rect(0, 0, 4, 4))); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func uploadPhoto(t *testing.T, env *apptest.Env, tok string, data []byte) apptest.Response {
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, _ := mw.CreateFormFile("file", "photo.jpg") // the name lies; the content decides
	_, _ = fw.Write(data)
	_ = mw.Close()
	return env.Do(http.MethodPost, "/api/v1/media", tok, body.Bytes(), "Content-Type", mw.FormDataContentType())
}

func submitBody(category, commune string, media []string) map[string]any {
	return map[string]any{"title": "Ổ gà lớn trên đường Hoàng Đình Giong", "content": "Ổ gà sâu trước số 12, gọi 0912 345 678 nếu cần.",
		"category_code": category, "location": map[string]any{"lat": 22.6657, "lng": 106.2570, "address": "12 Hoàng Đình Giong", "commune_code": commune},
		"media_ids": media}
}

// caseRow reads the read model row of a case.
type caseRow struct {
	Status, Agency      string
	Overdue, Closed     bool
	Rating              *int
	Timeliness          *string
	LastSeq, OpenTasks  int
	OpenTaskActions     string
	PublicEvents, Event int
}

func readCase(t *testing.T, env *apptest.Env, code string) caseRow {
	t.Helper()
	ctx := context.Background()
	var r caseRow
	wf := workflows.FeedbackWorkflowID(code)
	err := env.DB.Pool.QueryRow(ctx, `SELECT status, COALESCE(agency_code, ''), overdue, closed, rating, timeliness, last_seq,
		(SELECT count(*) FROM tasks WHERE workflow_id = $1 AND status = 'open'),
		(SELECT COALESCE(string_agg(action || '@' || agency_code, ','), '') FROM tasks WHERE workflow_id = $1 AND status = 'open'),
		(SELECT count(*) FROM case_events WHERE workflow_id = $1 AND public),
		(SELECT count(*) FROM case_events WHERE workflow_id = $1)
		FROM cases WHERE workflow_id = $1`, wf).Scan(&r.Status, &r.Agency, &r.Overdue, &r.Closed, &r.Rating, &r.Timeliness, &r.LastSeq,
		&r.OpenTasks, &r.OpenTaskActions, &r.PublicEvents, &r.Event)
	if err != nil {
		t.Fatalf("read case %s: %v", code, err)
	}
	return r
}

func timelineActions(t *testing.T, env *apptest.Env, code string) string {
	t.Helper()
	var s string
	if err := env.DB.Pool.QueryRow(context.Background(), `SELECT string_agg(action, ',' ORDER BY seq) FROM case_events WHERE workflow_id = $1`,
		workflows.FeedbackWorkflowID(code)).Scan(&s); err != nil {
		t.Fatal(err)
	}
	return s
}

// The recordings carry the newest version of the cases' one change id in
// their names: feedback-local-writes v5 ("_keep_timer") and
// application-local-writes v6 ("_step_records"). A new version changes its
// name and records a full set again (CDS_RECORD_HISTORY=feedback or
// =application records one kind); older sets ("_keep_timer" for dossiers,
// "_intake_plan", "_one_version" and before) keep their names and stay as
// recorded.
const (
	fbHistoryVersion  = "_keep_timer"
	appHistoryVersion = "_step_records.json"
)

// recordHistory records a feedback case's history once the notices of its
// last step went out (outbox.go), so the recording ends with that step
// complete (record_test.go).
func recordHistory(t *testing.T, tc client.Client, code, name string) {
	if !recordingHistories("feedback") {
		return
	}
	ctx := context.Background()
	deadline := time.Now().Add(20 * time.Second)
	for {
		d, err := tc.DescribeWorkflowExecution(ctx, workflows.FeedbackWorkflowID(code), "")
		if err != nil {
			t.Fatal(err)
		}
		if len(d.PendingActivities) == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: activities still pending: %v", code, d.PendingActivities)
		}
		time.Sleep(100 * time.Millisecond)
	}
	writeRecording(t, tc, workflows.FeedbackWorkflowID(code), testdataDir, "feedback_"+name+".json")
}

func act(env *apptest.Env, code, action, tok string, body map[string]any) apptest.Response {
	if body == nil {
		body = map[string]any{}
	}
	return env.Do(http.MethodPost, "/api/v1/feedback/"+code+"/actions/"+action, tok, body)
}

func TestFeedbackHTTPEndToEnd(t *testing.T) {
	env := apptest.New(t)
	ctx := context.Background()
	citizen, ctok := env.Citizen("Nguyễn Văn An")
	_, otherTok := env.Citizen("Trần Thị Bình")
	officer, otok := env.Staff("Cán bộ Xây dựng", "SXD", cds.RoleOfficer)
	_, ltok := env.Staff("Lãnh đạo Sở Xây dựng", "SXD", cds.RoleLeader)
	_, sytTok := env.Staff("Cán bộ Y tế", "SYT", cds.RoleOfficer)

	r := env.Do(http.MethodGet, "/api/v1/feedback/categories", "", nil)
	var cats struct{ Items []map[string]any }
	r.JSON(t, &cats)
	if r.Status != 200 || len(cats.Items) != 9 {
		t.Fatalf("categories %d %s", r.Status, r.Body)
	}

	// Bad input: 400 with fields in both languages, nothing written.
	bad := env.Do(http.MethodPost, "/api/v1/feedback", ctok, map[string]any{"title": "x", "category_code": "nope",
		"location": map[string]any{"lat": 123.0, "lng": 106.0, "commune_code": "SXD"}, "media_ids": []string{"zzz"}})
	be := bad.Map(t)["error"].(map[string]any)
	fields, _ := be["fields"].(map[string]any)
	for _, f := range []string{"title", "content", "category_code", "location.lat", "location.commune_code", "media_ids"} {
		if _, ok := fields[f]; !ok {
			t.Errorf("no field error for %s: %s", f, bad.Body)
		}
	}
	if bad.Status != 400 || be["message"] == "" || be["message_en"] == "" {
		t.Fatalf("bad submit %d %s", bad.Status, bad.Body)
	}
	var n int
	_ = env.DB.Pool.QueryRow(ctx, `SELECT count(*) FROM cases`).Scan(&n)
	if n != 0 {
		t.Fatal("a rejected submission wrote a case")
	}

	// Photos: a fake image is refused by content; a real PNG is stored.
	if r := uploadPhoto(t, env, ctok, []byte("not an image at all")); r.Status != http.StatusUnsupportedMediaType {
		t.Fatalf("fake photo %d %s", r.Status, r.Body)
	}
	up := uploadPhoto(t, env, ctok, pngBytes(t))
	if up.Status != 201 {
		t.Fatalf("upload %d %s", up.Status, up.Body)
	}
	photo := up.Map(t)["id"].(string)
	if r := env.Do(http.MethodGet, "/api/v1/media/"+photo, "", nil); r.Status != 404 {
		t.Fatalf("an unpublished photo is public: %d", r.Status)
	}
	// Someone else's photo cannot be attached.
	if r := env.Do(http.MethodPost, "/api/v1/feedback", otherTok, submitBody("traffic", "P-THUCPHAN", []string{photo})); r.Status != 400 {
		t.Fatalf("foreign media accepted: %d", r.Status)
	}

	// Submission: routed before the 201, idempotent.
	sub := env.Do(http.MethodPost, "/api/v1/feedback", ctok, submitBody("traffic", "P-THUCPHAN", []string{photo}), "Idempotency-Key", "k-1")
	if sub.Status != 201 {
		t.Fatalf("submit %d %s", sub.Status, sub.Body)
	}
	created := sub.Map(t)
	code := created["code"].(string)
	if !regexp.MustCompile(`^PA-\d{4}-\d{6}$`).MatchString(code) || created["status"] != "routed" || created["agency_code"] != "SXD" || created["due_at"] == "" {
		t.Fatalf("created %v", created)
	}
	again := env.Do(http.MethodPost, "/api/v1/feedback", ctok, submitBody("traffic", "P-THUCPHAN", []string{photo}), "Idempotency-Key", "k-1")
	if again.Status != 201 || again.Map(t)["code"] != code {
		t.Fatalf("idempotent retry %d %s", again.Status, again.Body)
	}
	rc := readCase(t, env, code)
	if rc.Status != "routed" || rc.Agency != "SXD" || rc.OpenTaskActions != "accept@SXD" || timelineActions(t, env, code) != "submit,route" {
		t.Fatalf("after submit %+v %s", rc, timelineActions(t, env, code))
	}

	// IDOR: another citizen and staff of another agency see nothing.
	if r := env.Do(http.MethodGet, "/api/v1/feedback/"+code, otherTok, nil); r.Status != 404 {
		t.Fatalf("other citizen sees the case: %d", r.Status)
	}
	if r := act(env, code, "accept", sytTok, nil); r.Status != 404 {
		t.Fatalf("other agency acts: %d %s", r.Status, r.Body)
	}
	// Nearby and follow instead of a duplicate.
	near := env.Do(http.MethodGet, "/api/v1/feedback/nearby?lat=22.6658&lng=106.2571&category_code=traffic", otherTok, nil)
	if near.Status != 200 || !strings.Contains(string(near.Body), code) {
		t.Fatalf("nearby %d %s", near.Status, near.Body)
	}
	if far := env.Do(http.MethodGet, "/api/v1/feedback/nearby?lat=22.70&lng=106.30&category_code=traffic", otherTok, nil); strings.Contains(string(far.Body), code) {
		t.Fatal("a report 5 km away counted as nearby")
	}
	if r := env.Do(http.MethodPost, "/api/v1/feedback/"+code+"/follow", otherTok, nil); r.Status != 200 {
		t.Fatalf("follow %d %s", r.Status, r.Body)
	}

	step := func(action, tok string, body map[string]any, wantStatus string, wantTasks string) {
		t.Helper()
		r := act(env, code, action, tok, body)
		if r.Status != 200 {
			t.Fatalf("%s: %d %s", action, r.Status, r.Body)
		}
		rc := readCase(t, env, code)
		if rc.Status != wantStatus || rc.OpenTaskActions != wantTasks {
			t.Fatalf("after %s: %+v, want %s / %s", action, rc, wantStatus, wantTasks)
		}
	}
	// A state conflict is a 409 with a message.
	if r := act(env, code, "approve_answer", ltok, nil); r.Status != 409 || r.Map(t)["error"].(map[string]any)["message"] == "" {
		t.Fatalf("approve in routed: %d %s", r.Status, r.Body)
	}
	step("accept", otok, nil, "accepted", "assign@SXD")
	if r := act(env, code, "assign", otok, map[string]any{"assignee_id": officer.UserID}); r.Status != 403 {
		t.Fatalf("officer may not assign: %d", r.Status)
	}
	step("assign", ltok, map[string]any{"assignee_id": officer.UserID}, "assigned", "start@SXD")
	step("start", otok, nil, "in_progress", "draft@SXD")
	step("request_info", otok, map[string]any{"note": "Xin ảnh chụp gần hơn"}, "awaiting_info", "")
	detail := env.Do(http.MethodGet, "/api/v1/feedback/"+code, ctok, nil).Map(t)
	if detail["case"].(map[string]any)["info_request"] != "Xin ảnh chụp gần hơn" {
		t.Fatalf("citizen does not see the request: %v", detail["case"])
	}
	if r := env.Do(http.MethodPost, "/api/v1/feedback/"+code+"/info", otherTok, map[string]any{"note": "x"}); r.Status != 404 {
		t.Fatalf("a stranger replied: %d", r.Status)
	}
	if r := env.Do(http.MethodPost, "/api/v1/feedback/"+code+"/info", ctok, map[string]any{"note": "Ổ gà rộng 1 m, sâu 20 cm"}); r.Status != 200 {
		t.Fatalf("reply %d %s", r.Status, r.Body)
	}
	if rc := readCase(t, env, code); rc.Status != "in_progress" || rc.OpenTaskActions != "draft@SXD" {
		t.Fatalf("after reply %+v", rc)
	}
	step("draft_answer", otok, map[string]any{"answer": "Đã vá ổ gà ngày 05/3, liên hệ 0203 3852 111."}, "answer_drafted", "approve@SXD")
	if c := env.Do(http.MethodGet, "/api/v1/feedback/"+code, ctok, nil).Map(t)["case"].(map[string]any); c["answer"] != nil && c["answer"] != "" {
		t.Fatalf("the citizen sees a draft: %v", c["answer"])
	}
	if r := act(env, code, "approve_answer", otok, nil); r.Status != 403 {
		t.Fatalf("officer approved: %d", r.Status)
	}
	step("approve_answer", ltok, nil, "published", "")

	// Publication: masked, photo visible until redacted.
	pub := env.Do(http.MethodGet, "/api/v1/public/feedback", "", nil)
	if pub.Status != 200 || !strings.Contains(string(pub.Body), code) || !strings.Contains(string(pub.Body), "N. V. An") ||
		strings.Contains(string(pub.Body), "Nguyễn Văn An") || strings.Contains(string(pub.Body), "345 678") || !strings.Contains(string(pub.Body), photo) {
		t.Fatalf("public list %s", pub.Body)
	}
	if r := env.Do(http.MethodGet, "/api/v1/media/"+photo, "", nil); r.Status != 200 || r.Header.Get("Content-Type") != "image/png" {
		t.Fatalf("published photo %d %s", r.Status, r.Header.Get("Content-Type"))
	}
	if r := env.Do(http.MethodPost, "/api/v1/feedback/"+code+"/media/"+photo+"/redaction", sytTok, map[string]any{"redacted": true}); r.Status != 404 {
		t.Fatalf("an officer of another agency redacted (want 404, the case is not theirs to see): %d", r.Status)
	}
	if r := env.Do(http.MethodPost, "/api/v1/feedback/"+code+"/media/"+photo+"/redaction", ltok, map[string]any{"redacted": true}); r.Status != 200 {
		t.Fatalf("redact %d %s", r.Status, r.Body)
	}
	if r := env.Do(http.MethodGet, "/api/v1/media/"+photo, "", nil); r.Status != 404 {
		t.Fatalf("redacted photo still public: %d", r.Status)
	}
	if r := env.Do(http.MethodGet, "/api/v1/media/"+photo, ctok, nil); r.Status != 200 {
		t.Fatalf("owner lost the photo: %d", r.Status)
	}
	if strings.Contains(string(env.Do(http.MethodGet, "/api/v1/public/feedback", "", nil).Body), photo) {
		t.Fatal("redacted photo listed publicly")
	}

	// Rating closes the case.
	if r := env.Do(http.MethodPost, "/api/v1/feedback/"+code+"/rating", ctok, map[string]any{"score": 9}); r.Status != 400 {
		t.Fatalf("score 9: %d", r.Status)
	}
	if r := env.Do(http.MethodPost, "/api/v1/feedback/"+code+"/rating", ctok, map[string]any{"score": 5, "comment": "Xử lý nhanh"}); r.Status != 200 {
		t.Fatalf("rating %d %s", r.Status, r.Body)
	}
	rc = readCase(t, env, code)
	if rc.Status != "closed" || !rc.Closed || rc.Rating == nil || *rc.Rating != 5 || rc.Timeliness == nil || rc.OpenTasks != 0 {
		t.Fatalf("final %+v", rc)
	}
	want := "submit,route,accept,assign,start,request_info,reply_info,draft_answer,approve_answer,publish,rate,close"
	if got := timelineActions(t, env, code); got != want {
		t.Fatalf("timeline\n got %s\nwant %s", got, want)
	}
	// The citizen's timeline hides the internal steps; staff see them all.
	var pubTL, staffTL struct {
		Timeline []map[string]any `json:"timeline"`
	}
	env.Do(http.MethodGet, "/api/v1/feedback/"+code, ctok, nil).JSON(t, &pubTL)
	env.Do(http.MethodGet, "/api/v1/feedback/"+code, ltok, nil).JSON(t, &staffTL)
	if len(pubTL.Timeline) != rc.PublicEvents || len(staffTL.Timeline) != 12 || len(pubTL.Timeline) >= 12 {
		t.Fatalf("timelines: citizen %d (public %d), staff %d", len(pubTL.Timeline), rc.PublicEvents, len(staffTL.Timeline))
	}
	// "Cá nhân": the owner and the follower both list it.
	for _, tok := range []string{ctok, otherTok} {
		if r := env.Do(http.MethodGet, "/api/v1/me/feedback", tok, nil); !strings.Contains(string(r.Body), code) {
			t.Fatalf("me/feedback %s", r.Body)
		}
	}
	// One notification per public step, delivered by the outbox.
	apptest.Eventually(t, 10*time.Second, "notifications sent", func() bool {
		var unsent int
		_ = env.DB.Pool.QueryRow(ctx, `SELECT count(*) FROM notifications WHERE sent_at IS NULL`).Scan(&unsent)
		return unsent == 0
	})
	var kinds string
	_ = env.DB.Pool.QueryRow(ctx, `SELECT string_agg(kind, ',' ORDER BY id) FROM notifications WHERE user_id = $1`, citizen.UserID).Scan(&kinds)
	if kinds != "feedback.routed,feedback.accepted,feedback.in_progress,feedback.awaiting_info,feedback.published,feedback.closed" {
		t.Fatalf("citizen notifications %s", kinds)
	}
	recordHistory(t, env.Temporal, code, "happy_path"+fbHistoryVersion)
}

func TestFeedbackFallbackNotOursTransferDuplicate(t *testing.T) {
	env := apptest.New(t)
	_, ctok := env.Citizen("Lê Văn Cường")
	_, coTok := env.Staff("Điều phối viên", "TTPVHCC", cds.RoleCoordinator)
	_, ltok := env.Staff("Lãnh đạo Sở Y tế", "SYT", cds.RoleLeader)

	// "other" has no route: the coordinator gets it.
	a := env.Do(http.MethodPost, "/api/v1/feedback", ctok, submitBody("other", "X-HOAAN", nil))
	b := env.Do(http.MethodPost, "/api/v1/feedback", ctok, submitBody("other", "X-HOAAN", nil))
	if a.Status != 201 || a.Map(t)["agency_code"] != workflows.CoordinatorAgency {
		t.Fatalf("fallback %d %s", a.Status, a.Body)
	}
	codeA, codeB := a.Map(t)["code"].(string), b.Map(t)["code"].(string)
	if r := act(env, codeA, "transfer", coTok, map[string]any{"agency_code": "SYT", "note": "Thuộc ngành y tế"}); r.Status != 200 {
		t.Fatalf("transfer %d %s", r.Status, r.Body)
	}
	if rc := readCase(t, env, codeA); rc.Status != "routed" || rc.Agency != "SYT" || rc.OpenTaskActions != "accept@SYT" {
		t.Fatalf("after transfer %+v", rc)
	}
	if r := act(env, codeA, "not_ours", ltok, map[string]any{"note": "Không thuộc thẩm quyền"}); r.Status != 200 {
		t.Fatalf("not_ours %d %s", r.Status, r.Body)
	}
	if rc := readCase(t, env, codeA); rc.Status != "transferred" || rc.Agency != workflows.CoordinatorAgency || rc.OpenTaskActions != "route@TTPVHCC" {
		t.Fatalf("after not_ours %+v", rc)
	}
	if r := act(env, codeA, "accept", coTok, nil); r.Status != 409 {
		t.Fatalf("accept while transferred: %d", r.Status)
	}
	if r := act(env, codeA, "transfer", coTok, map[string]any{"agency_code": "SXD"}); r.Status != 200 {
		t.Fatalf("re-route %d %s", r.Status, r.Body)
	}
	// B duplicates A: closed, linked, its reporter follows A.
	if r := act(env, codeB, "mark_duplicate", coTok, map[string]any{"original_code": codeA}); r.Status != 200 {
		t.Fatalf("duplicate %d %s", r.Status, r.Body)
	}
	rb := readCase(t, env, codeB)
	if rb.Status != "duplicate" || !rb.Closed || rb.OpenTasks != 0 {
		t.Fatalf("duplicate case %+v", rb)
	}
	var dupOf string
	_ = env.DB.Pool.QueryRow(context.Background(), `SELECT duplicate_of FROM feedback_reports WHERE workflow_id = $1`, workflows.FeedbackWorkflowID(codeB)).Scan(&dupOf)
	if dupOf != codeA {
		t.Fatalf("duplicate_of %q", dupOf)
	}
	if r := act(env, codeB, "accept", coTok, nil); r.Status != 409 {
		t.Fatalf("action on a finished case: %d %s", r.Status, r.Body)
	}
	if got := timelineActions(t, env, codeA); got != "submit,route,transfer,not_ours,transfer" {
		t.Fatalf("routing steps %s", got)
	}
	recordHistory(t, env.Temporal, codeB, "duplicate"+fbHistoryVersion)
	if r := env.Do(http.MethodPost, "/api/v1/feedback/"+codeA+"/withdraw", ctok, map[string]any{}); r.Status != 200 {
		t.Fatalf("withdraw %d %s", r.Status, r.Body)
	}
	recordHistory(t, env.Temporal, codeA, "transfer_withdraw"+fbHistoryVersion)
	_ = fmt.Sprint()
}

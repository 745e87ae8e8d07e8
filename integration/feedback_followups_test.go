package integration

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	cds "github.com/caobang/congdanso"
	"github.com/caobang/congdanso/cmd/app/apptest"
	"github.com/caobang/congdanso/workflows"
)

// Issue 21, the feedback follow-ups, on the real stack with SLAs divided by
// 86400 (one working day of 8 h → 1/3 s, one calendar day → 1 s).

func followupEnv(t *testing.T) *apptest.Env {
	t.Helper()
	return fastEnv(t)
}

// setCategory changes a setting of the traffic category (read at submission).
func setCategory(t *testing.T, env *apptest.Env, set string, args ...any) {
	t.Helper()
	if _, err := env.DB.Pool.Exec(context.Background(), `UPDATE feedback_categories SET `+set+` WHERE code = 'traffic'`, args...); err != nil {
		t.Fatal(err)
	}
}

// near: equal to the microsecond PostgreSQL keeps.
func near(a, b time.Time) bool {
	d := a.Sub(b)
	return d > -time.Millisecond && d < time.Millisecond
}

func dbInt(t *testing.T, env *apptest.Env, q string, args ...any) int {
	t.Helper()
	var n int
	if err := env.DB.Pool.QueryRow(context.Background(), q, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

// TestFeedbackAwaitingInfoDeadline: staff close a case waiting for the
// citizen with a note; another waits past its 5 working days, the citizen
// is reminded once, and after 2 more working days the case closes itself
// with a public reason.
func TestFeedbackAwaitingInfoDeadline(t *testing.T) {
	env := followupEnv(t)
	citizen, ctok := env.Citizen("Nguyễn Văn An")
	officer, otok := env.Staff("Cán bộ Xây dựng", "SXD", cds.RoleOfficer)
	_, ltok := env.Staff("Lãnh đạo Sở Xây dựng", "SXD", cds.RoleLeader)
	// Long accept and answer budgets: only the information deadline fires here.
	setCategory(t, env, `accept_hours = 80000, answer_hours = 800000, info_days = 1000`)
	toWaiting := func(code string) {
		fbStep(t, env, code, "accept", otok, nil, "accepted")
		fbStep(t, env, code, "assign", ltok, map[string]any{"assignee_id": officer.UserID}, "assigned")
		fbStep(t, env, code, "start", otok, nil, "in_progress")
		fbStep(t, env, code, "request_info", otok, map[string]any{"note": "Xin gửi ảnh chụp rõ vị trí ổ gà"}, "awaiting_info")
	}

	closed := fbSubmit(t, env, ctok)
	toWaiting(closed)
	// The console offers the new action on a waiting case, by its name.
	staffWithPassword(t, env, "0912000311", "Cán bộ Xây dựng (console)", "SXD", cds.RoleOfficer, "Cao-Bang-2026!")
	cc, _ := consoleLogin(t, env, "0912000311", "Cao-Bang-2026!")
	if resp, page := fetch(t, cc, http.MethodGet, env.URL+"/console/cases/feedback/"+closed, nil); resp.StatusCode != http.StatusOK ||
		!strings.Contains(page, "Đóng do công dân không bổ sung / Close: information not sent") {
		t.Fatalf("console case page %d does not offer close_unanswered by name", resp.StatusCode)
	}
	if r := act(env, closed, "close_unanswered", otok, map[string]any{}); r.Status != http.StatusBadRequest {
		t.Fatalf("close_unanswered without a note: %d %s", r.Status, r.Body)
	}
	fbStep(t, env, closed, "close_unanswered", otok, map[string]any{"note": "Công dân không phản hồi qua điện thoại"}, "closed")
	if got, want := timelineActions(t, env, closed), "submit,route,accept,assign,start,request_info,close_unanswered"; got != want {
		t.Fatalf("timeline\n got %s\nwant %s", got, want)
	}

	setCategory(t, env, `info_days = 5, info_grace_days = 2`)
	expired := fbSubmit(t, env, ctok)
	toWaiting(expired)
	apptest.Eventually(t, 30*time.Second, "closed after the information deadline", func() bool { return readCase(t, env, expired).Status == "closed" })
	if got, want := timelineActions(t, env, expired), "submit,route,accept,assign,start,request_info,info_reminder,info_expired"; got != want {
		t.Fatalf("timeline\n got %s\nwant %s", got, want)
	}
	wf := workflows.FeedbackWorkflowID(expired)
	if n := dbInt(t, env, `SELECT count(*) FROM notifications WHERE user_id = $1 AND kind = 'feedback.info_reminder' AND payload->>'code' = $2`, citizen.UserID, expired); n != 1 {
		t.Fatalf("%d reminders to the citizen, want 1", n)
	}
	if n := dbInt(t, env, `SELECT count(*) FROM case_events WHERE workflow_id = $1 AND action = 'info_expired' AND public AND note <> ''`, wf); n != 1 {
		t.Fatal("the closing step has no public reason")
	}
	// The reminder fired 5 working days (5 × 8 h / 86400) after the request, the close 2 more after it.
	var asked, reminded, ended time.Time
	if err := env.DB.Pool.QueryRow(context.Background(), `SELECT
		(SELECT at FROM case_events WHERE workflow_id = $1 AND action = 'request_info'),
		(SELECT at FROM case_events WHERE workflow_id = $1 AND action = 'info_reminder'),
		(SELECT at FROM case_events WHERE workflow_id = $1 AND action = 'info_expired')`, wf).Scan(&asked, &reminded, &ended); err != nil {
		t.Fatal(err)
	}
	day := 8 * time.Hour / 86400
	if d := reminded.Sub(asked); d < 5*day || d > 5*day+3*time.Second {
		t.Fatalf("reminder %v after the request, want 5 working days (%v)", d, 5*day)
	}
	if d := ended.Sub(asked); d < 7*day || d > 7*day+3*time.Second {
		t.Fatalf("closed %v after the request, want 5 + 2 working days (%v)", d, 7*day)
	}
	waitClosed(t, env, workflows.FeedbackWorkflowID(closed))
	waitClosed(t, env, wf)
	recordHistory(t, env.Temporal, closed, "close_unanswered"+fbHistoryVersion)
	recordHistory(t, env.Temporal, expired, "info_expired"+fbHistoryVersion)
}

// TestFeedbackComplaintReopens: a complaint within the window reopens the
// case to the leader who approved the answer, with its own answer clock; the
// complaint is idempotent; a 1–2 star rating reopens another; statistics
// count both as reopened.
func TestFeedbackComplaintReopens(t *testing.T) {
	env := followupEnv(t)
	_, ctok := env.Citizen("Nông Thị Hoa")
	officer, otok := env.Staff("Cán bộ Xây dựng", "SXD", cds.RoleOfficer)
	leader, ltok := env.Staff("Lãnh đạo Sở Xây dựng", "SXD", cds.RoleLeader)
	// 30 calendar days of complaint window → 30 s; long answer budget.
	setCategory(t, env, `accept_hours = 80000, answer_hours = 800000, complaint_days = 30`)
	publish := func(code string) {
		fbStep(t, env, code, "accept", otok, nil, "accepted")
		fbStep(t, env, code, "assign", ltok, map[string]any{"assignee_id": officer.UserID}, "assigned")
		fbStep(t, env, code, "draft_answer", otok, map[string]any{"answer": "Đã vá ổ gà."}, "answer_drafted")
		fbStep(t, env, code, "approve_answer", ltok, nil, "published")
	}
	complain := func(code string, body map[string]any) apptest.Response {
		return env.Do(http.MethodPost, "/api/v1/feedback/"+code+"/complaint", ctok, body)
	}

	code := fbSubmit(t, env, ctok)
	if r := complain(code, map[string]any{"reason": "Chưa vá"}); r.Status != http.StatusConflict {
		t.Fatalf("complaint before publication: %d %s", r.Status, r.Body)
	}
	publish(code)
	if r := complain(code, map[string]any{"reason": " "}); r.Status != http.StatusBadRequest {
		t.Fatalf("complaint without a reason: %d %s", r.Status, r.Body)
	}
	for i := 0; i < 2; i++ { // the second is a repeat: same outcome, nothing new
		r := complain(code, map[string]any{"reason": "Ổ gà vẫn còn, chưa được vá"})
		if r.Status != http.StatusOK || r.Map(t)["status"] != "reopened" {
			t.Fatalf("complaint %d: %d %s", i+1, r.Status, r.Body)
		}
	}
	wf := workflows.FeedbackWorkflowID(code)
	if n := dbInt(t, env, `SELECT count(*) FROM case_events WHERE workflow_id = $1 AND action = 'complain'`, wf); n != 1 {
		t.Fatalf("%d complaint events, want 1", n)
	}
	if n := dbInt(t, env, `SELECT count(*) FROM tasks WHERE workflow_id = $1 AND status = 'open' AND action = 'assign' AND assignee_id = $2`, wf, leader.UserID); n != 1 {
		t.Fatal("the reopened case is not with the leader who approved the answer")
	}
	// Its own SLA: the answer budget (800000 h / 86400) counted from the complaint.
	var complained, due time.Time
	if err := env.DB.Pool.QueryRow(context.Background(), `SELECT e.at, c.due_at FROM case_events e JOIN cases c USING (workflow_id)
		WHERE e.workflow_id = $1 AND e.action = 'complain'`, wf).Scan(&complained, &due); err != nil {
		t.Fatal(err)
	}
	if want := complained.Add(800000 * time.Hour / 86400); !near(due, want) {
		t.Fatalf("due %v, want %v", due, want)
	}
	fbStep(t, env, code, "assign", ltok, map[string]any{"assignee_id": officer.UserID}, "assigned")
	fbStep(t, env, code, "draft_answer", otok, map[string]any{"answer": "Đã vá lại ổ gà ngày 10/3."}, "answer_drafted")
	fbStep(t, env, code, "approve_answer", ltok, nil, "published")
	if r := env.Do(http.MethodPost, "/api/v1/feedback/"+code+"/rating", ctok, map[string]any{"score": 5}); r.Status != http.StatusOK {
		t.Fatalf("rating %d %s", r.Status, r.Body)
	}
	if got, want := timelineActions(t, env, code), "submit,route,accept,assign,draft_answer,approve_answer,publish,complain,assign,draft_answer,approve_answer,publish,rate,close"; got != want {
		t.Fatalf("timeline\n got %s\nwant %s", got, want)
	}

	low := fbSubmit(t, env, ctok)
	publish(low)
	if r := env.Do(http.MethodPost, "/api/v1/feedback/"+low+"/rating", ctok, map[string]any{"score": 2, "comment": "Chưa hài lòng"}); r.Status != http.StatusOK {
		t.Fatalf("rating %d %s", r.Status, r.Body)
	}
	if st := readCase(t, env, low).Status; st != "reopened" {
		t.Fatalf("after a 2-star rating: %s, want reopened", st)
	}
	if r := env.Do(http.MethodPost, "/api/v1/feedback/"+low+"/withdraw", ctok, map[string]any{"note": "Đã tự khắc phục"}); r.Status != http.StatusOK {
		t.Fatalf("withdraw %d %s", r.Status, r.Body)
	}
	if got, want := timelineActions(t, env, low), "submit,route,accept,assign,draft_answer,approve_answer,publish,rate,reopen,withdraw"; got != want {
		t.Fatalf("timeline\n got %s\nwant %s", got, want)
	}
	if n := dbInt(t, env, `SELECT count(*) FROM feedback_reports WHERE reopen_count = 1 AND workflow_id IN ($1, $2)`, wf, workflows.FeedbackWorkflowID(low)); n != 2 {
		t.Fatalf("%d cases counted as reopened, want 2", n)
	}
	from := time.Now().Add(-time.Hour)
	stats, err := env.DB.ReportCaseStats(context.Background(), from, time.Now().Add(time.Hour), "", false)
	if err != nil {
		t.Fatal(err)
	}
	var reopened int64
	for _, s := range stats {
		reopened += s.Reopened
	}
	if reopened != 2 {
		t.Fatalf("case statistics count %d reopened, want 2", reopened)
	}
	waitClosed(t, env, wf)
	waitClosed(t, env, workflows.FeedbackWorkflowID(low))
	recordHistory(t, env.Temporal, code, "complaint_reopen"+fbHistoryVersion)
	recordHistory(t, env.Temporal, low, "rating_reopen_withdraw"+fbHistoryVersion)
}

// TestFeedbackDuplicatesListedAndNotified: staff see the duplicates of an
// original, and the duplicate's reporter is told when the original's answer
// is published.
func TestFeedbackDuplicatesListedAndNotified(t *testing.T) {
	env := followupEnv(t)
	_, ctok := env.Citizen("Nguyễn Văn An")
	second, stok := env.Citizen("Hoàng Văn Bình")
	officer, otok := env.Staff("Cán bộ Xây dựng", "SXD", cds.RoleOfficer)
	_, ltok := env.Staff("Lãnh đạo Sở Xây dựng", "SXD", cds.RoleLeader)
	setCategory(t, env, `accept_hours = 80000, answer_hours = 800000`)

	orig := fbSubmit(t, env, ctok)
	dup := fbSubmit(t, env, stok)
	fbStep(t, env, dup, "mark_duplicate", ltok, map[string]any{"original_code": orig}, "duplicate")

	var staffView struct {
		Duplicates []struct{ Code, Status string } `json:"duplicates"`
	}
	r := env.Do(http.MethodGet, "/api/v1/feedback/"+orig, ltok, nil)
	if r.Status != http.StatusOK {
		t.Fatalf("get %d %s", r.Status, r.Body)
	}
	r.JSON(t, &staffView)
	if len(staffView.Duplicates) != 1 || staffView.Duplicates[0].Code != dup || staffView.Duplicates[0].Status != "duplicate" {
		t.Fatalf("duplicates %+v, want [%s duplicate]", staffView.Duplicates, dup)
	}
	if r := env.Do(http.MethodGet, "/api/v1/feedback/"+orig, ctok, nil); r.Status != http.StatusOK || strings.Contains(string(r.Body), `"duplicates"`) {
		t.Fatalf("the reporter's view lists duplicates: %d %s", r.Status, r.Body)
	}
	staffWithPassword(t, env, "0912000312", "Lãnh đạo Xây dựng (console)", "SXD", cds.RoleLeader, "Cao-Bang-2026!")
	cc, _ := consoleLogin(t, env, "0912000312", "Cao-Bang-2026!")
	if resp, page := fetch(t, cc, http.MethodGet, env.URL+"/console/cases/feedback/"+orig, nil); resp.StatusCode != http.StatusOK ||
		!strings.Contains(page, `id="case-duplicates"`) || !strings.Contains(page, "/console/cases/feedback/"+dup) {
		t.Fatalf("console case page %d does not list the duplicate %s", resp.StatusCode, dup)
	}

	fbStep(t, env, orig, "accept", otok, nil, "accepted")
	fbStep(t, env, orig, "assign", ltok, map[string]any{"assignee_id": officer.UserID}, "assigned")
	fbStep(t, env, orig, "draft_answer", otok, map[string]any{"answer": "Đã vá ổ gà."}, "answer_drafted")
	fbStep(t, env, orig, "approve_answer", ltok, nil, "published")
	var seq int
	if err := env.DB.Pool.QueryRow(context.Background(), `SELECT seq FROM case_events WHERE workflow_id = $1 AND action = 'publish'`,
		workflows.FeedbackWorkflowID(orig)).Scan(&seq); err != nil {
		t.Fatal(err)
	}
	apptest.Eventually(t, 20*time.Second, "the duplicate's reporter notified", func() bool {
		return dbInt(t, env, `SELECT count(*) FROM notifications WHERE user_id = $1 AND kind = 'feedback.duplicate_answered' AND payload->>'code' = $2`, second.UserID, orig) == 1
	})
	// One message for the step: keyed by step and recipient, and no follower copy besides.
	if n := dbInt(t, env, `SELECT count(*) FROM notifications WHERE user_id = $1 AND payload->>'code' = $2 AND dedupe_key LIKE $3`,
		second.UserID, orig, "%/"+itoa(int64(seq))+"/%"); n != 1 {
		t.Fatalf("%d notifications of the publication to the duplicate's reporter, want 1", n)
	}
	if n := dbInt(t, env, `SELECT count(*) FROM notifications WHERE user_id = $1 AND kind = 'feedback.duplicate_answered' AND dedupe_key LIKE $2`,
		second.UserID, "%/duplicate/"+itoa(second.UserID)); n != 1 {
		t.Fatal("the dedupe key is not per step and recipient")
	}
}

// TestFeedbackClockFromAcceptance: a category whose answer clock starts at
// acceptance shows a provisional due time (as if accepted at the accept
// deadline) and starts counting when an agency accepts; the default category
// counts from submission.
func TestFeedbackClockFromAcceptance(t *testing.T) {
	env := followupEnv(t)
	_, ctok := env.Citizen("Nguyễn Văn An")
	_, otok := env.Staff("Cán bộ Xây dựng", "SXD", cds.RoleOfficer)
	_, ltok := env.Staff("Lãnh đạo Sở Xây dựng", "SXD", cds.RoleLeader)
	// Budgets: accept 8000 h → 333 s, answer 80000 h → 3333 s (scaled by 86400).
	accept, answer := 8000*time.Hour/86400, 80000*time.Hour/86400
	setCategory(t, env, `accept_hours = 8000, answer_hours = 80000`)
	times := func(code string) (received, routed, accepted, due time.Time) {
		t.Helper()
		wf := workflows.FeedbackWorkflowID(code)
		if err := env.DB.Pool.QueryRow(context.Background(), `SELECT c.received_at,
			(SELECT at FROM case_events WHERE workflow_id = $1 AND action = 'route'),
			COALESCE((SELECT at FROM case_events WHERE workflow_id = $1 AND action = 'accept'), 'epoch'), c.due_at
			FROM cases c WHERE c.workflow_id = $1`, wf).Scan(&received, &routed, &accepted, &due); err != nil {
			t.Fatal(err)
		}
		return
	}

	byDefault := fbSubmit(t, env, ctok)
	if received, _, _, due := times(byDefault); !near(due, received.Add(answer)) {
		t.Fatalf("default category: due %v, want submission + %v", due, answer)
	}

	setCategory(t, env, `clock_from = 'acceptance'`)
	code := fbSubmit(t, env, ctok)
	_, routed, _, due := times(code)
	if want := routed.Add(accept).Add(answer); !near(due, want) {
		t.Fatalf("before acceptance: due %v, want the accept deadline + the answer budget %v", due, want)
	}
	var live struct {
		Live workflows.FeedbackView `json:"live"`
	}
	env.Do(http.MethodGet, "/api/v1/feedback/"+code, ltok, nil).JSON(t, &live)
	if !live.Live.ClockPaused {
		t.Fatal("the answer clock runs before acceptance")
	}
	fbStep(t, env, code, "accept", otok, nil, "accepted")
	_, _, accepted, due := times(code)
	if want := accepted.Add(answer); !near(due, want) {
		t.Fatalf("after acceptance: due %v, want acceptance + %v", due, want)
	}
	if n := dbInt(t, env, `SELECT count(*) FROM tasks WHERE workflow_id = $1 AND status = 'open' AND action = 'assign' AND abs(extract(epoch FROM due_at - $2)) < 0.001`,
		workflows.FeedbackWorkflowID(code), due); n != 1 {
		t.Fatal("the assign task does not carry the answer deadline")
	}
	fbStep(t, env, code, "reject", ltok, map[string]any{"note": "Không thuộc phạm vi"}, "rejected")
	fbStep(t, env, byDefault, "reject", ltok, map[string]any{"note": "Không thuộc phạm vi"}, "rejected")
	waitClosed(t, env, workflows.FeedbackWorkflowID(code))
	recordHistory(t, env.Temporal, code, "clock_acceptance"+fbHistoryVersion)
}

package integration

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"go.temporal.io/sdk/client"

	"github.com/caobang/congdanso/activities"

	cds "github.com/caobang/congdanso"
	"github.com/caobang/congdanso/api"
	"github.com/caobang/congdanso/cmd/app"
	"github.com/caobang/congdanso/cmd/app/apptest"
)

type simItem struct {
	Channel    string            `json:"channel"`
	Recipient  string            `json:"recipient"`
	RequestKey string            `json:"request_key"`
	Title      string            `json:"title"`
	Data       map[string]string `json:"data"`
	Repeat     bool              `json:"repeat"`
}

// simReceived lists what the demo simulator received for one recipient, oldest first.
func simReceived(t *testing.T, env *apptest.Env, to string) []simItem {
	t.Helper()
	var out struct{ Items []simItem }
	r := env.Do(http.MethodGet, "/notifysim/messages?to="+to, "", nil)
	if r.Status != 200 {
		t.Fatalf("notifysim: %d %s", r.Status, r.Body)
	}
	r.JSON(t, &out)
	for i, j := 0, len(out.Items)-1; i < j; i, j = i+1, j-1 {
		out.Items[i], out.Items[j] = out.Items[j], out.Items[i]
	}
	return out.Items
}

func countChannel(items []simItem, ch string) int {
	n := 0
	for _, it := range items {
		if it.Channel == ch && !it.Repeat {
			n++
		}
	}
	return n
}

// waitNotice waits until the case's notice of kind is enqueued. A notice is
// enqueued only once the step that caused it has been recorded
// (workflows/outbox.go): with the answer of the request that made the step,
// or by an activity for a deadline's. A test whose follower joins "after
// routing" waits for the routed notice first.
func waitNotice(t *testing.T, pool *pgxpool.Pool, code, kind string) {
	t.Helper()
	apptest.Eventually(t, 90*time.Second, kind+" notice of "+code, func() bool {
		var n int
		if err := pool.QueryRow(context.Background(), `SELECT count(*) FROM notifications WHERE kind = $1 AND payload->>'code' = $2`,
			kind, code).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n > 0
	})
}

// simPhone is the phone as the channel simulator names its person (no "+").
func simPhone(t *testing.T, env *apptest.Env, id int64) string {
	return strings.TrimPrefix(phoneOf(t, env, id), "+")
}

// TestNotificationsReachCitizenAndFollower: at each public step of a
// feedback case the citizen and a follower get a push (through the FCM
// protocol, OAuth JWT included) and a Zalo ZNS message (with token refresh),
// as received by the demo simulator; the inbox lists and marks them read;
// a follower's choice to drop Zalo is honoured; an unregistered push token
// is dropped; /metrics counts the outcomes.
func TestNotificationsReachCitizenAndFollower(t *testing.T) {
	env := apptest.New(t, func(o *app.Options) { o.API.Demo = true })
	ctx := context.Background()
	citizen, ctok := env.Citizen("Nguyễn Văn An")
	follower, ftok := env.Citizen("Trần Thị Bình")
	officer, otok := env.Staff("Cán bộ Xây dựng", "SXD", cds.RoleOfficer)
	_, ltok := env.Staff("Lãnh đạo Sở Xây dựng", "SXD", cds.RoleLeader)

	ctokDev, ftokDev := "fcm-citizen-device-0001", "fcm-follower-device-0001"
	for _, d := range []struct{ tok, dev string }{{ctok, ctokDev}, {ftok, ftokDev}, {ftok, "unregistered-follower-old-phone"}} {
		if r := env.Do(http.MethodPost, "/api/v1/me/devices", d.tok, map[string]any{"token": d.dev, "platform": "android"}); r.Status != 201 {
			t.Fatalf("device %s: %d %s", d.dev, r.Status, r.Body)
		}
	}
	if r := env.Do(http.MethodPost, "/api/v1/me/devices", ctok, map[string]any{"token": "short"}); r.Status != 400 {
		t.Fatalf("bad token accepted: %d", r.Status)
	}
	if _, err := env.DB.Pool.Exec(ctx, `UPDATE users SET email = 'canbo.sxd@demo.caobang.gov.vn' WHERE id = $1`, officer.UserID); err != nil {
		t.Fatal(err)
	}
	sub := env.Do(http.MethodPost, "/api/v1/feedback", ctok, submitBody("traffic", "P-THUCPHAN", nil), "Idempotency-Key", "n-1")
	if sub.Status != 201 {
		t.Fatalf("submit %d %s", sub.Status, sub.Body)
	}
	code := sub.Map(t)["code"].(string)
	waitNotice(t, env.DB.Pool, code, "feedback.routed")
	if r := env.Do(http.MethodPost, "/api/v1/feedback/"+code+"/follow", ftok, nil); r.Status != 200 {
		t.Fatalf("follow %d %s", r.Status, r.Body)
	}
	for _, s := range []struct {
		action, tok string
		body        map[string]any
	}{
		{"accept", otok, nil}, {"assign", ltok, map[string]any{"assignee_id": officer.UserID}}, {"start", otok, nil},
		{"draft_answer", otok, map[string]any{"answer": "Đã vá ổ gà."}}, {"approve_answer", ltok, nil},
	} {
		if r := act(env, code, s.action, s.tok, s.body); r.Status != 200 {
			t.Fatalf("%s: %d %s", s.action, r.Status, r.Body)
		}
	}
	// Public steps, from the feedback process (hand-written): routed,
	// accepted, in_progress, published; the follower joined after routing.
	cPhone, fPhone := simPhone(t, env, citizen.UserID), simPhone(t, env, follower.UserID)
	apptest.Eventually(t, 30*time.Second, "pushes and Zalo messages received", func() bool {
		c, cz := simReceived(t, env, ctokDev), simReceived(t, env, cPhone)
		f, fz := simReceived(t, env, ftokDev), simReceived(t, env, fPhone)
		return countChannel(c, "push") == 4 && countChannel(cz, "zalo") == 4 && countChannel(f, "push") == 3 && countChannel(fz, "zalo") == 3
	})
	// Deliveries run in parallel, so arrival order is not step order.
	got := map[string]int{}
	for _, it := range simReceived(t, env, ctokDev) {
		if it.Data["code"] != code || !strings.Contains(it.Title, code) || it.Repeat {
			t.Errorf("citizen push %+v", it)
		}
		got[it.Data["status"]]++
	}
	for _, step := range []string{"routed", "accepted", "in_progress", "published"} {
		if got[step] != 1 {
			t.Errorf("citizen push for %s: %d, want 1 (all: %v)", step, got[step], got)
		}
	}
	for _, it := range simReceived(t, env, cPhone) {
		if it.Data["ma_ho_so"] != code || it.Data["trang_thai"] == "" || strings.Contains(fmt.Sprint(it.Data), "Nguyễn") {
			t.Errorf("citizen ZNS carries %v", it.Data)
		}
	}
	var left int
	if err := env.DB.Pool.QueryRow(ctx, `SELECT count(*) FROM user_devices WHERE token LIKE 'unregistered-%'`).Scan(&left); err != nil || left != 0 {
		t.Fatalf("unregistered token kept: %d %v", left, err)
	}

	// Inbox: newest first, paged, unread count, mark one and all read.
	var page struct {
		Items []struct {
			ID         int64  `json:"id"`
			Kind       string `json:"kind"`
			Deliveries []struct{ Channel, Status string }
		}
		Unread     int     `json:"unread"`
		NextCursor *string `json:"next_cursor"`
	}
	env.Do(http.MethodGet, "/api/v1/me/notifications?limit=3", ctok, nil).JSON(t, &page)
	if len(page.Items) != 3 || page.Unread != 4 || page.NextCursor == nil || page.Items[0].Kind != "feedback.published" {
		t.Fatalf("inbox page 1: %+v", page)
	}
	for _, d := range page.Items[0].Deliveries {
		if !(d.Channel == "push" && d.Status == "sent") && !(d.Channel == "zalo" && (d.Status == "sent" || d.Status == "delivered")) {
			t.Fatalf("delivery %+v", d)
		}
	}
	// Zalo reports receipts (the simulator signs them as the OA webhook):
	// the citizen's ZNS deliveries become "delivered".
	apptest.Eventually(t, 20*time.Second, "ZNS receipts", func() bool {
		var n int
		_ = env.DB.Pool.QueryRow(ctx, `SELECT count(*) FROM notification_deliveries d JOIN notifications n ON n.id = d.notification_id
			WHERE n.user_id = $1 AND d.channel = 'zalo' AND d.status = 'delivered' AND d.delivered_at IS NOT NULL`, citizen.UserID).Scan(&n)
		return n == 4
	})
	if r := env.Do(http.MethodPost, "/api/v1/notifications/receipts/zalo", "", map[string]any{"app_id": "demo-app", "event_name": "user_received_message",
		"message": map[string]any{"msg_id": "forged"}}, "X-ZEvent-Signature", "mac=00"); r.Status != 400 {
		t.Fatalf("unsigned receipt: %d", r.Status)
	}
	first := page.Items[0].ID
	env.Do(http.MethodGet, "/api/v1/me/notifications?limit=3&cursor="+*page.NextCursor, ctok, nil).JSON(t, &page)
	if len(page.Items) != 1 || page.Items[0].Kind != "feedback.routed" || page.NextCursor != nil {
		t.Fatalf("inbox page 2: %+v", page)
	}
	if r := env.Do(http.MethodPost, fmt.Sprintf("/api/v1/me/notifications/%d/read", first), ftok, nil); r.Status != 404 {
		t.Fatalf("someone else's notification marked: %d", r.Status)
	}
	if r := env.Do(http.MethodPost, fmt.Sprintf("/api/v1/me/notifications/%d/read", first), ctok, nil); r.Status != 204 {
		t.Fatalf("mark read %d %s", r.Status, r.Body)
	}
	env.Do(http.MethodGet, "/api/v1/me/notifications", ctok, nil).JSON(t, &page)
	if page.Unread != 3 {
		t.Fatalf("unread after one read: %d", page.Unread)
	}
	if r := env.Do(http.MethodPost, "/api/v1/me/notifications/read", ctok, nil); r.Status != 200 || r.Map(t)["marked"] != float64(3) {
		t.Fatalf("read all %d %s", r.Status, r.Body)
	}

	// Preferences: the follower drops Zalo for case updates; quiet hours
	// validated; the closing step then reaches the follower by push only.
	if r := env.Do(http.MethodPut, "/api/v1/me/notification-preferences", ftok, map[string]any{
		"channels": map[string]any{"case": map[string]any{"zalo": false}, "gossip": map[string]any{"push": true}}}); r.Status != 400 {
		t.Fatalf("unknown topic accepted: %d", r.Status)
	}
	if r := env.Do(http.MethodPut, "/api/v1/me/notification-preferences", ftok, map[string]any{
		"channels": map[string]any{"case": map[string]any{"zalo": false}}}); r.Status != 200 {
		t.Fatalf("prefs %d %s", r.Status, r.Body)
	}
	if r := env.Do(http.MethodPost, "/api/v1/feedback/"+code+"/rating", ctok, map[string]any{"score": 5}); r.Status != 200 {
		t.Fatalf("rating %d %s", r.Status, r.Body)
	}
	apptest.Eventually(t, 30*time.Second, "closing step delivered", func() bool {
		return countChannel(simReceived(t, env, ftokDev), "push") == 4 && countChannel(simReceived(t, env, cPhone), "zalo") == 5
	})
	time.Sleep(time.Second) // a Zalo message to the follower would have arrived with the push
	if n := countChannel(simReceived(t, env, fPhone), "zalo"); n != 3 {
		t.Fatalf("follower got Zalo after opting out: %d", n)
	}
	var chans string
	if err := env.DB.Pool.QueryRow(ctx, `SELECT string_agg(d.channel, ',' ORDER BY d.channel) FROM notifications n
		JOIN notification_deliveries d ON d.notification_id = n.id WHERE n.user_id = $1 AND n.kind = 'feedback.closed'`, follower.UserID).Scan(&chans); err != nil || chans != "push" {
		t.Fatalf("follower closing deliveries %q %v", chans, err)
	}
	// Staff: the officer was told of the assignment by e-mail (through the
	// SMTP simulator); the push failed with its reason (no device). The
	// case's delivery log is staff's to read, not the citizen's.
	apptest.Eventually(t, 30*time.Second, "assignment deliveries settled", func() bool {
		var open int
		_ = env.DB.Pool.QueryRow(ctx, `SELECT count(*) FROM notification_deliveries d JOIN notifications n ON n.id = d.notification_id
			WHERE n.user_id = $1 AND d.status = 'queued'`, officer.UserID).Scan(&open)
		return open == 0
	})
	var officerPage struct {
		Items []struct {
			Kind       string
			Deliveries []struct{ Channel, Status, Reason string }
		}
	}
	env.Do(http.MethodGet, "/api/v1/me/notifications", otok, nil).JSON(t, &officerPage)
	if len(officerPage.Items) != 1 || officerPage.Items[0].Kind != "feedback.assigned" || len(officerPage.Items[0].Deliveries) != 2 {
		t.Fatalf("officer inbox %+v", officerPage)
	}
	for _, d := range officerPage.Items[0].Deliveries {
		if (d.Channel == "email" && d.Status != "sent") || (d.Channel == "push" && (d.Status != "failed" || d.Reason == "")) {
			t.Fatalf("officer delivery %+v", d)
		}
	}
	mail := simReceived(t, env, "canbo.sxd@demo.caobang.gov.vn")
	if len(mail) != 1 || mail[0].Channel != "email" || !strings.Contains(mail[0].Title, "Bạn được phân công xử lý phản ánh "+code) {
		t.Fatalf("officer e-mail %+v", mail)
	}
	var log struct {
		Items []struct {
			Kind, Recipient, Channel, Status string
			Follower                         bool
		}
	}
	// The delivery log is for feedback staff (403 for a citizen, even the
	// reporter); staff of another agency get the 404 of a missing case.
	if r := env.Do(http.MethodGet, "/api/v1/feedback/"+code+"/deliveries", ctok, nil); r.Status != 403 {
		t.Fatalf("citizen reads the delivery log: %d", r.Status)
	}
	_, other := env.Staff("Cán bộ Sở Y tế", "SYT", cds.RoleOfficer)
	if r := env.Do(http.MethodGet, "/api/v1/feedback/"+code+"/deliveries", other, nil); r.Status != 404 {
		t.Fatalf("officer of another agency reads the delivery log: %d", r.Status)
	}
	env.Do(http.MethodGet, "/api/v1/feedback/"+code+"/deliveries", ltok, nil).JSON(t, &log)
	followerSent := 0
	for _, it := range log.Items {
		if it.Follower && it.Recipient == "Trần Thị Bình" && (it.Status == "sent" || it.Status == "delivered") {
			followerSent++
		}
	}
	if followerSent != 7 { // accepted, in_progress, published: push + zalo; closed: push
		t.Fatalf("follower deliveries in the log: %d, want 7 (%+v)", followerSent, log.Items)
	}
	// /metrics has its own listener (CONGDANSO_METRICS_ADDR): read it from its handler.
	rec := httptest.NewRecorder()
	api.MetricsHandler("").ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	m := rec.Body.String()
	for _, want := range []string{`congdanso_notification_deliveries_total{channel="push",outcome="sent"}`,
		`congdanso_notification_deliveries_total{channel="zalo",outcome="sent"}`,
		`congdanso_notification_deliveries_total{channel="push",outcome="token_dropped"}`} {
		if !strings.Contains(m, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	recordDelivery(t, env.Temporal, "feedback/"+code+"/2/"+fmt.Sprint(citizen.UserID)+"#push", "sent")
	if r := env.Do(http.MethodGet, "/notifysim/", "", nil); r.Status != 200 || !strings.Contains(string(r.Body), "Hộp thư mô phỏng") ||
		!strings.Contains(string(r.Body), code) || !strings.Contains(string(r.Body), "Trần Thị Bình") {
		t.Fatalf("simulator page %d", r.Status)
	}
}

// recordDelivery records a delivery workflow's history (record_test.go).
func recordDelivery(t *testing.T, tc client.Client, key, name string) {
	if !recordingHistories("delivery") {
		return
	}
	writeRecording(t, tc, activities.DeliveryWorkflowID(key), testdataDir, "delivery_"+name+".json")
}

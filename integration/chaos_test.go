package integration

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"go.temporal.io/sdk/client"

	cds "github.com/caobang/congdanso"
)

// TestChaosKillUnderLoad is the crash test of issue 12. It runs the real
// binary (`congdanso serve`, embedded Temporal on SQLite, a fresh PostgreSQL
// database, SLAs divided by 3600 so the answer deadline is two minutes),
// submits 1,000 feedback reports and 200 applications over HTTP with
// Idempotency-Keys while staff accept, assign, answer and approve, and
// SIGKILLs the process at 5 random moments (seeded; the seed is printed),
// restarting it each time. Requests cut by a kill are retried with the same
// key; a staff action answered 409 after a retry counts only if its event is
// in the case's timeline. After quiescence it checks: every submission
// answered 201 exists exactly once; every case ended where its flow leads
// (feedback answered, published and closed by its own timer, or overdue when left accepted or
// untouched; applications accepted and overdue, or done) with one citizen
// notification per public transition; the read model equals each
// workflow's queried state; case_events equal the events of each replayed
// workflow history; every notification was delivered.
//
// CHAOS_SEED, CHAOS_FEEDBACK, CHAOS_APPS, CHAOS_KILLS, CHAOS_CLIENTS override
// the defaults for local runs.
func TestChaosKillUnderLoad(t *testing.T) {
	if testing.Short() {
		t.Skip("crash test: not in -short")
	}
	seed := int64(envInt("CHAOS_SEED", int(time.Now().UnixNano()%1e9)))
	nFeedback, nApps := envInt("CHAOS_FEEDBACK", 1000), envInt("CHAOS_APPS", 200)
	nKills, clients := envInt("CHAOS_KILLS", 5), envInt("CHAOS_CLIENTS", 8)
	rng := rand.New(rand.NewSource(seed))
	report(t, "chaos: seed=%d feedback=%d applications=%d kills=%d clients=%d (rerun with CHAOS_SEED=%d)", seed, nFeedback, nApps, nKills, clients, seed)

	dir := t.TempDir()
	tport, hport := freePort(t), freePort(t)
	httpAddr := fmt.Sprintf("127.0.0.1:%d", hport)
	logPath := filepath.Join(dir, "serve.log")
	dbName := fmt.Sprintf("cds_chaos_%d", time.Now().UnixNano())
	dsn := "postgres://postgres@127.0.0.1:5432/" + dbName + "?sslmode=disable"
	secret := "chaos-test-secret-0123456789abcdef0123456789"
	t.Cleanup(func() { dropDatabase(dbName) })
	hook := newWebhookCounter(t)
	env := []string{"DATABASE_URL=" + dsn, "CONGDANSO_WEBHOOK_URL=" + hook.srv.URL, "CONGDANSO_TOKEN_SECRET=" + secret}
	p := startProc(t, logPath, env, httpAddr, "serve", "--data-dir", dir, "--http", httpAddr,
		"--temporal-port", fmt.Sprint(tport), "--temporal-ui-port", "0", "--sla-scale", "3600", "--log-level", "warn")
	t.Cleanup(func() {
		if t.Failed() {
			if b, err := os.ReadFile(logPath); err == nil {
				if len(b) > 6000 {
					b = b[len(b)-6000:]
				}
				t.Logf("serve log tail:\n%s", b)
			}
		}
	})

	ctx := context.Background()
	conn, err := pgxpool.New(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	users := newSeedUsers(t, conn, secret)
	officer, otok := users.user("staff", "", "Chuyên viên SXD", "SXD", cds.RoleOfficer)
	_, ltok := users.user("staff", "", "Lãnh đạo SXD", "SXD", cds.RoleLeader)
	_, _ = users.user("staff", "", "Điều phối viên", "TTPVHCC", cds.RoleCoordinator)
	_, wtok := users.user("staff", "", "Một cửa phường Thục Phán", "P-THUCPHAN", cds.RoleOfficer)
	_, wltok := users.user("staff", "", "Chủ tịch phường Thục Phán", "P-THUCPHAN", cds.RoleLeader)
	ctoks := make([]string, 50)
	for i := range ctoks {
		_, ctoks[i] = users.user("citizen", fmt.Sprintf("+8491300%04d", i), fmt.Sprintf("Công dân %d", i), "", cds.RoleCitizen)
	}
	atoks := make([]string, nApps)
	for i := range atoks {
		a, tok := users.user("citizen", fmt.Sprintf("+8491400%04d", i), fmt.Sprintf("Người nộp %d", i), "", cds.RoleCitizen)
		atoks[i] = tok
		for _, d := range []string{"tk", "gcs"} {
			if _, err := conn.Exec(ctx, `INSERT INTO media (id, owner_id, content_type, size, sha256) VALUES ($1, $2, 'application/pdf', 100, 'x')`,
				fmt.Sprintf("chaos-%s-%d", d, i), a.UserID); err != nil {
				t.Fatal(err)
			}
		}
	}

	cl := newChaosClient(func() string { return p.HTTP })
	jobs := make([]*chaosJob, 0, nFeedback+nApps)
	for i := 0; i < nFeedback; i++ {
		flow := 0
		switch r := rng.Intn(10); {
		case r < 3:
			flow = 2
		case r < 5:
			flow = 1
		}
		jobs = append(jobs, &chaosJob{kind: "feedback", i: i, key: fmt.Sprintf("fb-%d-%d", seed, i), title: fmt.Sprintf("Hỗn loạn %d: ổ gà số %d", seed, i), flow: flow})
	}
	for i := 0; i < nApps; i++ {
		jobs = append(jobs, &chaosJob{kind: "application", i: i, key: fmt.Sprintf("app-%d-%d", seed, i), flow: rng.Intn(10) / 7})
	}
	rng.Shuffle(len(jobs), func(i, j int) { jobs[i], jobs[j] = jobs[j], jobs[i] })

	loadCtx, cancelLoad := context.WithTimeout(ctx, 25*time.Minute)
	defer cancelLoad()
	var done atomic.Int64
	var failures []string
	var fmu sync.Mutex
	fail := func(format string, args ...any) {
		fmu.Lock()
		failures = append(failures, fmt.Sprintf(format, args...))
		fmu.Unlock()
	}
	queue := make(chan *chaosJob)
	var wg sync.WaitGroup
	for w := 0; w < clients; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range queue {
				runChaosJob(loadCtx, cl, j.kind, j.i, j.key, j.title, j.flow, ctoks, atoks, otok, ltok, wtok, wltok, officer.UserID,
					func(code string, appID int64) { j.code, j.appID, j.epoch = code, appID, cl.epoch.Load() },
					func() { j.stuck = true },
					func(err error) { j.actionErr = err; fail("%s %d: %v", j.kind, j.i, err) })
				done.Add(1)
			}
		}()
	}
	go func() {
		for _, j := range jobs {
			queue <- j
		}
		close(queue)
	}()

	// Kill at random points of the load (by progress, with a random jitter).
	marks := make([]int, nKills)
	for i := range marks {
		marks[i] = len(jobs)/20 + rng.Intn(len(jobs)*17/20+1)
	}
	sort.Ints(marks)
	start := time.Now()
	var downtime time.Duration
	for k, m := range marks {
		for done.Load() < int64(m) && loadCtx.Err() == nil {
			time.Sleep(20 * time.Millisecond)
		}
		time.Sleep(time.Duration(rng.Intn(400)) * time.Millisecond)
		cl.epoch.Add(1)
		p.kill()
		down := time.Now()
		p.restart(logPath)
		downtime += time.Since(down)
		report(t, "chaos: SIGKILL %d/%d at %.1fs after %d of %d submissions; ready again after %.1fs", k+1, nKills,
			time.Since(start).Seconds(), done.Load(), len(jobs), time.Since(down).Seconds())
	}
	wg.Wait()
	loadTime := time.Since(start)
	if loadCtx.Err() != nil {
		t.Fatalf("load did not finish in time; %d of %d done", done.Load(), len(jobs))
	}

	// The figures of the load itself.
	answered, stuck, beforeLastKill := 0, 0, 0
	byKind := map[string]int{}
	codes := map[string]*chaosJob{}
	dupAnswers := 0
	for _, j := range jobs {
		switch {
		case j.code != "":
			answered++
			byKind[j.kind]++
			if j.epoch < int64(nKills) {
				beforeLastKill++
			}
			if _, ok := codes[j.code]; ok {
				dupAnswers++
			}
			codes[j.code] = j
		case j.stuck:
			stuck++
		}
	}
	report(t, "chaos: load %.1fs (%.1fs restarting), answered 201: %d (feedback %d, applications %d), %d before the last kill, stuck keys %d; HTTP answers %s",
		loadTime.Seconds(), downtime.Seconds(), answered, byKind["feedback"], byKind["application"], beforeLastKill, stuck, cl.statuses())

	// Quiescence: every overdue timer due fired, every published report closed
	// itself, every flow's citizen notices enqueued, notifications all sent,
	// nothing moving.
	tc, err := client.Dial(client.Options{HostPort: fmt.Sprintf("127.0.0.1:%d", tport)})
	if err != nil {
		t.Fatal(err)
	}
	defer tc.Close()
	var last string
	stable := 0
	qDeadline := time.Now().Add(8 * time.Minute)
	for {
		timersPending := chaosPending(t, conn, jobs)
		noticesShort := chaosNoticesShort(t, conn, jobs)
		unsent := pgCount(t, conn, `SELECT count(*) FROM notifications WHERE sent_at IS NULL`)
		notes := pgCount(t, conn, `SELECT count(*) FROM notifications`)
		events := pgCount(t, conn, `SELECT count(*) FROM case_events`)
		distinct, _, _, _ := hook.figures()
		snap := fmt.Sprintf("timers_pending=%d notices_short=%d unsent=%d notifications=%d events=%d webhook=%d",
			timersPending, noticesShort, unsent, notes, events, distinct)
		if timersPending == 0 && noticesShort == 0 && unsent == 0 && distinct >= notes && snap == last {
			stable++
		} else {
			stable = 0
		}
		if stable >= 3 {
			break
		}
		if time.Now().After(qDeadline) {
			t.Errorf("no quiescence after 8 minutes: %s", snap)
			break
		}
		last = snap
		time.Sleep(2 * time.Second)
	}
	report(t, "chaos: quiescent %.1fs after the load", time.Since(start.Add(loadTime)).Seconds())

	// 1. Every 201 exists exactly once; nothing else but stuck keys' cases.
	type row struct {
		wf, kind, code, title, status, agency string
		citizen                               int64
		overdue                               bool
		lastSeq                               int
	}
	rows, err := conn.Query(ctx, `SELECT workflow_id, kind, code, title, status, COALESCE(agency_code, ''), COALESCE(citizen_id, 0), overdue, last_seq FROM cases`)
	if err != nil {
		t.Fatal(err)
	}
	cases, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (row, error) {
		var x row
		return x, r.Scan(&x.wf, &x.kind, &x.code, &x.title, &x.status, &x.agency, &x.citizen, &x.overdue, &x.lastSeq)
	})
	if err != nil {
		t.Fatal(err)
	}
	inDB := map[string]row{}
	titles := map[string]int{}
	for _, c := range cases {
		inDB[c.code] = c
		if c.kind == "feedback" {
			titles[c.title]++
		}
	}
	lost, duplicates := 0, dupAnswers
	for code, j := range codes {
		c, ok := inDB[code]
		if !ok {
			lost++
			t.Errorf("%s %d answered 201 with %s but the case is missing", j.kind, j.i, code)
			continue
		}
		if j.kind == "feedback" && c.title != j.title {
			t.Errorf("%s: title %q, submitted %q", code, c.title, j.title)
		}
	}
	for title, n := range titles {
		if n > 1 {
			duplicates += n - 1
			t.Errorf("feedback %q stored %d times", title, n)
		}
	}
	appPerCitizen := pgCount(t, conn, `SELECT COALESCE(max(n), 0) FROM (SELECT count(*) n FROM cases WHERE kind = 'application' GROUP BY citizen_id) x`)
	if appPerCitizen > 1 {
		duplicates += appPerCitizen - 1
		t.Errorf("an applicant has %d applications, submitted one", appPerCitizen)
	}
	orphans := len(cases) - answered
	if orphans < 0 || orphans > stuck {
		t.Errorf("%d cases in the read model, %d answered 201, %d stuck keys: unexplained cases", len(cases), answered, stuck)
	}

	// 2. The read model equals each workflow's queried state.
	mismatch := compareReadModel(t, tc, conn, 10)
	failed := failedWorkflows(t, tc)

	// 3. Every case ended where its flow leads, with its notifications.
	wrongEnd := checkFinalStates(t, conn, jobs)

	// 4. case_events equal the events each workflow's history writes
	// (replayed): nothing duplicated, missing or invented by a retry.
	dupEvents := compareEventsWithHistory(t, tc, conn)

	// 5. Notifications: all sent; the webhook saw each outbox row, repeats
	// only under the same Idempotency-Key.
	notes := pgCount(t, conn, `SELECT count(*) FROM notifications`)
	unsentNotes := pgCount(t, conn, `SELECT count(*) FROM notifications WHERE sent_at IS NULL`)
	distinct, deliveries, repeated, got := hook.figures()
	idRows, err := conn.Query(ctx, `SELECT id FROM notifications`)
	if err != nil {
		t.Fatal(err)
	}
	ids, err := pgx.CollectRows(idRows, pgx.RowTo[int64])
	if err != nil {
		t.Fatal(err)
	}
	missing := 0
	for _, id := range ids {
		if got[strconv.FormatInt(id, 10)] == 0 {
			missing++
		}
	}
	if unsentNotes != 0 || missing != 0 || distinct != notes {
		t.Errorf("notifications: %d rows, %d unsent, %d never delivered, webhook saw %d distinct keys", notes, unsentNotes, missing, distinct)
	}

	// Submissions are resumable: a retry takes over a key whose instance
	// died, so no key may stay "in progress" (and no case be orphaned).
	if stuck > 0 || orphans > 0 {
		t.Errorf("%d idempotency keys stuck in progress, %d cases without a 201", stuck, orphans)
	}
	if answered+stuck != len(jobs) || len(failures) > 0 {
		t.Errorf("%d answered + %d stuck of %d submissions; failures: %v", answered, stuck, len(jobs), head(failures, 10))
	}

	report(t, "chaos: RESULT seed=%d cases=%d (feedback %d, applications %d) kills=%d lost=%d duplicates=%d answered_before_last_kill=%d stuck_idempotency_keys=%d orphan_cases=%d read_model_mismatches=%d failed_workflows=%d timelines_unlike_history=%d wrong_final_states=%d",
		seed, len(cases), byKind["feedback"], byKind["application"], nKills, lost, duplicates, beforeLastKill, stuck, orphans, mismatch, failed, dupEvents, wrongEnd)
	report(t, "chaos: RESULT notifications=%d sent=%d webhook_distinct_keys=%d deliveries=%d redelivered_same_key=%d (at-least-once delivery across a kill: repeats carry the same Idempotency-Key, so the receiver drops them)",
		notes, notes-unsentNotes, distinct, deliveries, repeated)
}

// runChaosJob submits one case and runs its staff actions.
func runChaosJob(ctx context.Context, cl *chaosClient, kind string, i int, key, title string, flow int,
	ctoks, atoks []string, otok, ltok, wtok, wltok string, officerID int64,
	answered func(code string, appID int64), stuck func(), failed func(error)) {
	type step struct {
		action, tok string
		body        map[string]any
	}
	if kind == "feedback" {
		body := submitBody("traffic", "P-THUCPHAN", nil)
		body["title"] = title
		_, b, err := cl.create(ctx, "/api/v1/feedback", ctoks[i%len(ctoks)], key, body)
		if err == errStuck {
			stuck()
			return
		} else if err != nil {
			failed(err)
			return
		}
		var r struct{ Code string }
		if err := json.Unmarshal(b, &r); err != nil || r.Code == "" {
			failed(fmt.Errorf("201 without a code: %s", b))
			return
		}
		answered(r.Code, 0)
		steps := []step{
			{"accept", otok, map[string]any{}},
			{"assign", ltok, map[string]any{"assignee_id": officerID}},
			{"draft_answer", otok, map[string]any{"answer": "Đã vá ổ gà."}},
			{"approve_answer", ltok, map[string]any{}},
		}
		n := map[int]int{0: 0, 1: 1, 2: 4}[flow]
		for _, s := range steps[:n] {
			if err := cl.act(ctx, "/api/v1/feedback/"+r.Code+"/actions/"+s.action, s.tok, s.body, "/api/v1/feedback/"+r.Code, s.action); err != nil {
				failed(err)
				return
			}
		}
		return
	}
	body := map[string]any{"procedure_code": "HT-KS", "form": appBirthForm(),
		"document_ids": []string{fmt.Sprintf("chaos-tk-%d", i), fmt.Sprintf("chaos-gcs-%d", i)}}
	_, b, err := cl.create(ctx, "/api/v1/applications", atoks[i], key, body)
	if err == errStuck {
		stuck()
		return
	} else if err != nil {
		failed(err)
		return
	}
	var r struct {
		ID   int64
		Code string
	}
	if err := json.Unmarshal(b, &r); err != nil || r.Code == "" {
		failed(fmt.Errorf("201 without a code: %s", b))
		return
	}
	answered(r.Code, r.ID)
	steps := []step{
		{"accept", wtok, map[string]any{"note": "Đủ hồ sơ"}},
		{"forward", wtok, map[string]any{}},
		{"approve", wltok, map[string]any{}},
		{"issue_result", wtok, map[string]any{"document_ids": []string{}}},
		{"return_result", wtok, map[string]any{"method": "online"}},
	}
	if flow == 0 {
		steps = steps[:1]
	}
	detail := fmt.Sprintf("/api/v1/applications/%d", r.ID)
	for _, s := range steps {
		if err := cl.act(ctx, detail+"/actions/"+s.action, s.tok, s.body, detail, s.action); err != nil {
			failed(err)
			return
		}
	}
}

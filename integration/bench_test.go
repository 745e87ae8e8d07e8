package integration

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"

	cds "github.com/caobang/congdanso"
	"github.com/caobang/congdanso/activities"
	"github.com/caobang/congdanso/cmd/app"
	"github.com/caobang/congdanso/cmd/app/apptest"
	"github.com/caobang/congdanso/cmd/app/bench"
	"github.com/caobang/congdanso/workflows"
)

// benchAppEnv starts the test application with the benchmark's baseline
// workflow (BenchCounter) on its worker too, as `congdanso bench` does on
// its own worker: the product's workers never register it.
func benchAppEnv(t *testing.T) *apptest.Env {
	return apptest.New(t, func(o *app.Options) {
		o.Register = func(r worker.Registry, a *activities.Activities) {
			workflows.Register(r, a)
			workflows.RegisterBenchCounter(r)
		}
	})
}

// TestBenchFeedbackScenario runs the `congdanso bench` feedback scenario with
// N=5 against the test application, so the harness cannot silently rot: every
// call must succeed, every series must be complete, and the cases must really
// be published in the read model.
func TestBenchFeedbackScenario(t *testing.T) {
	env := benchAppEnv(t)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	_, c1 := env.Citizen("Công dân đo tải 1")
	_, c2 := env.Citizen("Công dân đo tải 2")
	officer, otok := env.Staff("Chuyên viên đo tải", bench.FeedbackAgency, cds.RoleOfficer)
	_, ltok := env.Staff("Lãnh đạo đo tải", bench.FeedbackAgency, cds.RoleLeader)
	pool := env.DB.Pool
	tg := &bench.Target{URL: env.URL, HTTP: bench.NewHTTPClient(2), Citizens: []string{c1, c2},
		Officer: otok, OfficerID: officer.UserID, Leader: ltok,
		QueueVisible: func(ctx context.Context, agency, code string) (bool, error) {
			var ok bool
			err := pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM tasks WHERE case_code = $1 AND agency_code = $2 AND status = 'open')`, code, agency).Scan(&ok)
			return ok, err
		}}

	rep := &bench.Report{Engine: "apptest", Concurrency: 2}
	rep.Add(bench.Run(ctx, bench.BaselineA, 5, 2, func(ctx context.Context, i int) error {
		run, err := env.Temporal.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: fmt.Sprintf("bench-test-ping-%d", i), TaskQueue: workflows.TaskQueue},
			workflows.PingWorkflowName, "b")
		if err != nil {
			return err
		}
		return run.Get(ctx, nil)
	}))
	// Baseline (c): 5 BenchCounter workflows × 5 Updates.
	rep.Add(bench.RunBaselineC(ctx, env.Temporal, workflows.TaskQueue, 5, 2, bench.StaffSteps))
	if err := bench.Feedback(ctx, tg, rep, 5, 2, 10); err != nil {
		t.Fatal(err)
	}
	rep.CheckTargets("feedback")

	if c := rep.Results[1]; c.Name != bench.BaselineC || c.N != 25 || c.Errors != 0 || c.PerSecond <= 0 || c.LatencyMS["p99"] <= 0 || c.CPUMSPerOp <= 0 {
		t.Fatalf("baseline (c) = %+v, want 25 Updates without errors", c)
	}
	rep.Results = append(rep.Results[:1], rep.Results[2:]...)
	want := []string{bench.BaselineA, "feedback_submit", "feedback_queue_visible", "feedback_accept", "feedback_assign", "feedback_start",
		"feedback_draft_answer", "feedback_approve_answer", "feedback_lifecycle", "feedback_submit_at_10_per_s"}
	if len(rep.Results) != len(want) {
		t.Fatalf("series %d, want %d: %+v", len(rep.Results), len(want), rep.Results)
	}
	for i, name := range want {
		r := rep.Results[i]
		if r.Name != name || r.N != 5 || r.Errors != 0 {
			t.Errorf("series %d = %s n=%d errors=%d, want %s n=5 errors=0", i, r.Name, r.N, r.Errors, name)
		}
		if name != "feedback_lifecycle" && (r.LatencyMS["p50"] <= 0 || r.LatencyMS["p99"] < r.LatencyMS["p50"] || r.LatencyMS["max"] < r.LatencyMS["p99"]) {
			t.Errorf("%s latencies %v", name, r.LatencyMS)
		}
	}
	if life, _ := rep.Find("feedback_lifecycle"); life.PerSecond <= 0 {
		t.Errorf("lifecycle %+v", life)
	}
	if q, _ := rep.Find("feedback_queue_visible"); q.LatencyMS["p50"] < 0 {
		t.Errorf("queue %+v", q)
	}
	for _, k := range []string{"feedback_intake/baseline_a", "feedback_lifecycle/baseline_a"} {
		if rep.Ratios[k] <= 0 {
			t.Errorf("ratio %s = %v", k, rep.Ratios[k])
		}
	}
	// intake, 5 steps × (throughput, p99), lifecycle model, fixed-rate p99, queue.
	if len(rep.Targets) != 14 {
		t.Errorf("targets %d, want 14: %v", len(rep.Targets), rep.Targets)
	}
	for _, st := range []string{"accept", "assign", "start", "draft_answer", "approve_answer"} {
		if rep.Ratios["feedback_"+st+"/baseline_c"] <= 0 || rep.Ratios["feedback_"+st+"_p99/baseline_c_p99"] <= 0 {
			t.Errorf("step %s ratios to (c) missing: %v", st, rep.Ratios)
		}
	}
	if rep.Ratios["feedback_lifecycle/model"] <= 0 {
		t.Errorf("lifecycle model ratio missing: %v", rep.Ratios)
	}
	// CPU per op: each measured phase did work, in this process and on
	// the machine.
	for _, name := range []string{bench.BaselineA, "feedback_submit", "feedback_accept", "feedback_lifecycle"} {
		if r, _ := rep.Find(name); r.CPUMSPerOp <= 0 || r.MachineCPUMSPerOp <= 0 {
			t.Errorf("%s CPU per op: process %v ms, machine %v ms", name, r.CPUMSPerOp, r.MachineCPUMSPerOp)
		}
	}
	// The test database is on this machine, and the staff steps write the
	// read model (25 steps, about 0.1 s of PostgreSQL CPU): the phase shows
	// PostgreSQL's share (BENCHMARKS.md T14).
	if r, _ := rep.Find("feedback_accept"); r.PGCPUMSPerOp <= 0 || r.PGCPUMSPerOp >= r.MachineCPUMSPerOp {
		t.Errorf("feedback_accept PostgreSQL CPU per op = %v ms of the machine's %v ms", r.PGCPUMSPerOp, r.MachineCPUMSPerOp)
	}
	if rep.CPUCost["feedback_intake/baseline_a"] <= 0 || rep.CPUCost["feedback_step/baseline_c"] <= 0 {
		t.Errorf("CPU cost ratios missing: %v", rep.CPUCost)
	}
	// What the harness counted is what happened: 5 published, 5 more routed
	// by the fixed-rate series, every published case without an open task.
	var published, routed, open int
	err := pool.QueryRow(ctx, `SELECT count(*) FILTER (WHERE status = 'published'), count(*) FILTER (WHERE status = 'routed'),
		(SELECT count(*) FROM tasks t JOIN cases c ON c.workflow_id = t.workflow_id WHERE c.status = 'published' AND t.status = 'open')
		FROM cases`).Scan(&published, &routed, &open)
	if err != nil {
		t.Fatal(err)
	}
	if published != 5 || routed != 5 || open != 0 {
		t.Fatalf("read model: published %d, routed %d, open tasks of published %d", published, routed, open)
	}
}

// TestBenchApplicationsScenario runs the `congdanso bench` applications
// scenario with N=3: documents uploaded over HTTP, every dossier filed, taken
// through intake and its steps to the result returned, and the read model
// agrees with what the harness counted.
func TestBenchApplicationsScenario(t *testing.T) {
	env := benchAppEnv(t)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	_, c1 := env.Citizen("Công dân đo tải hồ sơ 1")
	_, c2 := env.Citizen("Công dân đo tải hồ sơ 2")
	officer, otok := env.Staff("Cán bộ một cửa đo tải", bench.ApplicationsAgency, cds.RoleOfficer)
	_, ltok := env.Staff("Chủ tịch phường đo tải", bench.ApplicationsAgency, cds.RoleLeader)
	pool := env.DB.Pool
	tg := &bench.Target{URL: env.URL, HTTP: bench.NewHTTPClient(2), Citizens: []string{c1, c2},
		Officer: otok, OfficerID: officer.UserID, Leader: ltok,
		QueueVisible: func(ctx context.Context, agency, code string) (bool, error) {
			var ok bool
			err := pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM tasks WHERE case_code = $1 AND agency_code = $2 AND status = 'open')`, code, agency).Scan(&ok)
			return ok, err
		}}
	rep := &bench.Report{Engine: "apptest", Concurrency: 2}
	rep.Add(bench.Run(ctx, bench.BaselineA, 3, 2, func(ctx context.Context, i int) error {
		run, err := env.Temporal.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: fmt.Sprintf("bench-test-app-ping-%d", i), TaskQueue: workflows.TaskQueue},
			workflows.PingWorkflowName, "b")
		if err != nil {
			return err
		}
		return run.Get(ctx, nil)
	}))
	rep.Add(bench.RunBaselineC(ctx, env.Temporal, workflows.TaskQueue, 3, 2, bench.StaffSteps))
	if err := bench.Applications(ctx, tg, rep, 3, 2, 10); err != nil {
		t.Fatal(err)
	}
	rep.CheckTargets("applications")

	if c := rep.Results[1]; c.Name != bench.BaselineC || c.N != 15 || c.Errors != 0 {
		t.Fatalf("baseline (c) = %+v, want 15 Updates without errors", c)
	}
	rep.Results = append(rep.Results[:1], rep.Results[2:]...)
	want := []string{bench.BaselineA, "applications_submit", "applications_queue_visible", "applications_accept", "applications_forward",
		"applications_approve", "applications_issue_result", "applications_return_result", "applications_lifecycle", "applications_submit_at_10_per_s"}
	if len(rep.Results) != len(want) {
		t.Fatalf("series %d, want %d: %+v", len(rep.Results), len(want), rep.Results)
	}
	for i, name := range want {
		r := rep.Results[i]
		if r.Name != name || r.N != 3 || r.Errors != 0 {
			t.Errorf("series %d = %s n=%d errors=%d, want %s n=3 errors=0", i, r.Name, r.N, r.Errors, name)
		}
		if name != "applications_lifecycle" && (r.LatencyMS["p50"] <= 0 || r.LatencyMS["p99"] < r.LatencyMS["p50"] || r.LatencyMS["max"] < r.LatencyMS["p99"]) {
			t.Errorf("%s latencies %v", name, r.LatencyMS)
		}
	}
	if life, _ := rep.Find("applications_lifecycle"); life.PerSecond <= 0 {
		t.Errorf("lifecycle %+v", life)
	}
	for _, k := range []string{"applications_intake/baseline_a", "applications_lifecycle/baseline_a"} {
		if rep.Ratios[k] <= 0 {
			t.Errorf("ratio %s = %v", k, rep.Ratios[k])
		}
	}
	if len(rep.Targets) != 14 {
		t.Errorf("targets %d, want 14: %v", len(rep.Targets), rep.Targets)
	}
	// 3 dossiers returned, 3 more waiting at reception (the fixed-rate
	// series), no task left open on a returned dossier, 4 uploaded documents.
	var done, receiving, open, media int
	err := pool.QueryRow(ctx, `SELECT count(*) FILTER (WHERE status = 'done'), count(*) FILTER (WHERE status = 'receiving'),
		(SELECT count(*) FROM tasks t JOIN cases c ON c.workflow_id = t.workflow_id WHERE c.status = 'done' AND t.status = 'open'),
		(SELECT count(*) FROM media)
		FROM cases WHERE kind = 'application'`).Scan(&done, &receiving, &open, &media)
	if err != nil {
		t.Fatal(err)
	}
	if done != 3 || receiving != 3 || open != 0 || media != 4 {
		t.Fatalf("read model: done %d, receiving %d, open tasks of done %d, media %d", done, receiving, open, media)
	}
}

// TestBenchSweep runs `congdanso bench --sweep` with two tiny rates: every
// point of both series (submit, accept) is complete and error-free, the
// cases really were accepted, and the chart is written.
func TestBenchSweep(t *testing.T) {
	env := apptest.New(t)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	_, c1 := env.Citizen("Công dân đo tải đường cong")
	officer, otok := env.Staff("Chuyên viên đường cong", bench.FeedbackAgency, cds.RoleOfficer)
	_, ltok := env.Staff("Lãnh đạo đường cong", bench.FeedbackAgency, cds.RoleLeader)
	pool := env.DB.Pool
	tg := &bench.Target{URL: env.URL, HTTP: bench.NewHTTPClient(4), Citizens: []string{c1},
		Officer: otok, OfficerID: officer.UserID, Leader: ltok,
		QueueVisible: func(ctx context.Context, agency, code string) (bool, error) {
			var ok bool
			err := pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM tasks WHERE case_code = $1 AND agency_code = $2 AND status = 'open')`, code, agency).Scan(&ok)
			return ok, err
		}}
	sw := &bench.Sweep{Engine: "apptest", Seconds: 1}
	if err := bench.FeedbackSweep(ctx, tg, sw, []float64{2, 4}, 1); err != nil {
		t.Fatal(err)
	}
	if len(sw.Series) != 2 || sw.Series[0].Name != "feedback_submit" || sw.Series[1].Name != "feedback_accept" {
		t.Fatalf("series %+v", sw.Series)
	}
	for _, s := range sw.Series {
		if len(s.Points) != 2 || s.Knee == "" {
			t.Fatalf("%s: %+v", s.Name, s)
		}
		for i, wantN := range []int{2, 4} {
			p := s.Points[i]
			if p.N != wantN || p.Errors != 0 || p.P50 <= 0 || p.P99 < p.P50 || p.Achieved <= 0 {
				t.Errorf("%s point %d = %+v, want n=%d without errors", s.Name, i, p, wantN)
			}
		}
	}
	var accepted int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM cases WHERE status = 'accepted'`).Scan(&accepted); err != nil {
		t.Fatal(err)
	}
	if accepted != 6 {
		t.Fatalf("read model: %d accepted, want 6", accepted)
	}
	dir := t.TempDir()
	if err := sw.WriteJSON(filepath.Join(dir, "s-sweep.json")); err != nil {
		t.Fatal(err)
	}
	if err := sw.WriteSVGFile(filepath.Join(dir, "s-sweep.svg")); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(dir, "s-sweep.svg"))
	if err != nil || !strings.Contains(string(b), "feedback_accept p99") {
		t.Fatalf("svg: %v %.200s", err, b)
	}
}

package integration

import (
	"context"
	"fmt"
	"net/http"
	"testing"

	"go.temporal.io/sdk/client"

	cds "github.com/caobang/congdanso"
	"github.com/caobang/congdanso/cmd/app/apptest"
	"github.com/caobang/congdanso/workflows"
)

// forgetAnswer puts a key back where a first attempt leaves it when its
// instance dies after the case started and before the answer was stored:
// no status, the reserved code, no owner (so a retry takes it over at once).
func forgetAnswer(t *testing.T, env *apptest.Env, scope string, owner int64, key, code string) {
	t.Helper()
	tag, err := env.DB.Pool.Exec(context.Background(), `INSERT INTO idempotency_keys (scope, user_id, key, status_code, response)
		VALUES ($1, $2, $3, NULL, jsonb_build_object('reserved', jsonb_build_object('code', $4::text)))
		ON CONFLICT (scope, user_id, key) DO UPDATE SET status_code = NULL, response = EXCLUDED.response`, scope, owner, key, code)
	if err != nil || tag.RowsAffected() != 1 {
		t.Fatalf("forget the answer of %s: %v", key, err)
	}
}

func terminate(t *testing.T, env *apptest.Env, wfID string) {
	t.Helper()
	if err := env.Temporal.TerminateWorkflow(context.Background(), wfID, "", "test: the case ends before the answer is stored"); err != nil {
		t.Fatal(err)
	}
}

// TestSubmitRetryAfterTheCaseFinished: a submission's first attempt started
// the case and died before storing its answer, and the case then finished
// (terminated here). The retry with the same key meets a finished workflow.
//   - Feedback whose submission Update completed: Temporal answers the
//     retried Update ID with its first outcome (201, the same code).
//   - Feedback that never reached the read model (its workflow ended before
//     its first task): 409, saying to submit again, the same on every retry
//     (this answered 500 until the client gave up).
//   - A dossier: the start joins the finished run (the SDK returns it) and
//     the API's own first event is already stored: 201, the same dossier.
//
// Never a second case.
func TestSubmitRetryAfterTheCaseFinished(t *testing.T) {
	env := apptest.New(t)
	ctx := context.Background()
	citizen, ctok := env.Citizen("Hoàng Văn Thụ")
	body := submitBody("traffic", "P-THUCPHAN", nil)

	t.Run("feedback filed", func(t *testing.T) {
		r := env.Do(http.MethodPost, "/api/v1/feedback", ctok, body, "Idempotency-Key", "fb-done")
		if r.Status != http.StatusCreated {
			t.Fatalf("submit %d %s", r.Status, r.Body)
		}
		code := r.Map(t)["code"].(string)
		terminate(t, env, workflows.FeedbackWorkflowID(code))
		forgetAnswer(t, env, "feedback", citizen.UserID, "fb-done", code)
		again := env.Do(http.MethodPost, "/api/v1/feedback", ctok, body, "Idempotency-Key", "fb-done")
		m := again.Map(t)
		if again.Status != http.StatusCreated || m["code"] != code || m["status"] != "routed" || m["agency_code"] != "SXD" {
			t.Fatalf("retry after the case finished: %d %s", again.Status, again.Body)
		}
		if n := appCount(t, env, `SELECT count(*) FROM cases WHERE kind = 'feedback'`); n != 1 {
			t.Fatalf("%d feedback cases, want 1", n)
		}
	})

	t.Run("feedback never filed", func(t *testing.T) {
		// The first attempt's workflow started and ended before its first
		// task: nothing reached the read model under its code.
		code := "PA-2026-999991"
		if _, err := env.Temporal.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: workflows.FeedbackWorkflowID(code), TaskQueue: "no-worker-polls-this"},
			workflows.FeedbackWorkflowName, workflows.FeedbackInput{}); err != nil {
			t.Fatal(err)
		}
		terminate(t, env, workflows.FeedbackWorkflowID(code))
		forgetAnswer(t, env, "feedback", citizen.UserID, "fb-lost", code)
		for i := range 2 { // the same answer each time
			again := env.Do(http.MethodPost, "/api/v1/feedback", ctok, body, "Idempotency-Key", "fb-lost")
			e, _ := again.Map(t)["error"].(map[string]any)
			if again.Status != http.StatusConflict || e["message"] == "" || e["message_en"] == "" || e["message"] == e["message_en"] {
				t.Fatalf("try %d: %d %s, want 409 in Vietnamese and English", i, again.Status, again.Body)
			}
		}
		if n := appCount(t, env, `SELECT count(*) FROM cases WHERE code = $1`, code); n != 0 {
			t.Fatalf("%d cases under the lost code", n)
		}
		if r := env.Do(http.MethodPost, "/api/v1/feedback", ctok, body, "Idempotency-Key", "fb-new"); r.Status != http.StatusCreated {
			t.Fatalf("a new key after the 409: %d %s", r.Status, r.Body)
		}
	})

	t.Run("dossier filed", func(t *testing.T) {
		appAddMedia(t, env, "doc-fin-tk", citizen.UserID)
		appAddMedia(t, env, "doc-fin-gcs", citizen.UserID)
		ab := map[string]any{"procedure_code": "HT-KS", "form": appBirthForm(), "document_ids": []string{"doc-fin-tk", "doc-fin-gcs"}}
		r := env.Do(http.MethodPost, "/api/v1/applications", ctok, ab, "Idempotency-Key", "ap-done")
		if r.Status != http.StatusCreated {
			t.Fatalf("submit %d %s", r.Status, r.Body)
		}
		m := r.Map(t)
		code, id := m["code"].(string), m["id"]
		terminate(t, env, workflows.ApplicationWorkflowID(code))
		forgetAnswer(t, env, "applications.create", citizen.UserID, "ap-done", code)
		again := env.Do(http.MethodPost, "/api/v1/applications", ctok, ab, "Idempotency-Key", "ap-done")
		am := again.Map(t)
		if again.Status != http.StatusCreated || am["code"] != code || fmt.Sprint(am["id"]) != fmt.Sprint(id) ||
			am["status"] != string(cds.AppReceiving) || am["status_name"] == "" {
			t.Fatalf("retry after the dossier finished: %d %s", again.Status, again.Body)
		}
		if n := appCount(t, env, `SELECT count(*) FROM cases WHERE kind = 'application'`); n != 1 {
			t.Fatalf("%d dossiers, want 1", n)
		}
	})
}

// Package integration holds the tests that run the whole application against
// real PostgreSQL and an in-process Temporal server. They live in one package
// so the Temporal server is linked into one test binary only.
package integration

import (
	"context"
	"net/http"
	"testing"
	"time"

	"go.temporal.io/sdk/client"

	"github.com/caobang/congdanso/api"
	"github.com/caobang/congdanso/cmd/app/apptest"
	"github.com/caobang/congdanso/workflows"
)

func TestReadyAndTrivialWorkflow(t *testing.T) {
	env := apptest.New(t)
	r := env.Do(http.MethodGet, "/readyz", "", nil)
	if r.Status != http.StatusOK {
		t.Fatalf("/readyz = %d %s", r.Status, r.Body)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	run, err := env.Temporal.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: "ping-1", TaskQueue: workflows.TaskQueue}, workflows.PingWorkflowName, "x")
	if err != nil {
		t.Fatal(err)
	}
	var out string
	if err := run.Get(ctx, &out); err != nil || out != "pong:x" {
		t.Fatalf("ping = %q, %v", out, err)
	}
}

func TestUnknownRouteAndErrorShape(t *testing.T) {
	env := apptest.New(t)
	r := env.Do(http.MethodGet, "/api/v1/nope", "", nil)
	m := r.Map(t)
	e, _ := m["error"].(map[string]any)
	if r.Status != http.StatusNotFound || e["code"] != "ENOTFOUND" || e["message"] == "" || e["message_en"] == "" {
		t.Fatalf("unknown route: %d %s", r.Status, r.Body)
	}
}

// TestOpenAPIMatchesRouter fails when a route is missing from the OpenAPI
// document or the document lists a route the router does not serve.
func TestOpenAPIMatchesRouter(t *testing.T) {
	env := apptest.New(t)
	r := env.Do(http.MethodGet, "/openapi.json", "", nil)
	if r.Status != http.StatusOK {
		t.Fatalf("/openapi.json = %d", r.Status)
	}
	var doc struct {
		Paths map[string]map[string]any `json:"paths"`
	}
	r.JSON(t, &doc)
	served := map[string]bool{}
	for _, rt := range env.App.API.Routes() {
		key := rt.Method + " " + api.OpenAPIPath(rt.Path)
		served[key] = true
		ops, ok := doc.Paths[api.OpenAPIPath(rt.Path)]
		if !ok {
			t.Errorf("route %s is not in openapi.json", key)
			continue
		}
		if _, ok := ops[lower(rt.Method)]; !ok {
			t.Errorf("route %s: method missing in openapi.json", key)
		}
	}
	for p, ops := range doc.Paths {
		for m := range ops {
			if !served[upper(m)+" "+p] {
				t.Errorf("openapi.json lists %s %s, which the router does not serve", upper(m), p)
			}
		}
	}
}

package api

import (
	"context"
	"embed"
	"encoding/json"
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/gin-gonic/gin"
)

//go:embed openapi/*.json
var openapiFS embed.FS

// registerOps adds the routes every instance serves.
func (s *Server) registerOps() {
	{
		s.Handle(http.MethodGet, "/healthz", Public, func(c *gin.Context) {
			c.JSON(http.StatusOK, gin.H{"status": "ok"})
		})
		s.Handle(http.MethodGet, "/readyz", Public, s.readyz)
		s.Handle(http.MethodGet, "/openapi.json", Public, func(c *gin.Context) {
			doc, err := OpenAPI()
			if err != nil {
				WriteError(c, err)
				return
			}
			c.Data(http.StatusOK, "application/json; charset=utf-8", doc)
		})
	}
}

// readyz answers 200 only when PostgreSQL and Temporal both answer and
// every added check passes (serve adds: a worker answers, readiness.go).
func (s *Server) readyz(c *gin.Context) {
	ctx, cancel := context.WithTimeout(c.Request.Context(), 3*time.Second)
	defer cancel()
	checks := gin.H{}
	ok := true
	if err := s.DB.Ping(ctx); err != nil {
		checks["postgres"] = "down"
		ok = false
	} else {
		checks["postgres"] = "ok"
	}
	if _, err := s.Temporal.CheckHealth(ctx, nil); err != nil {
		checks["temporal"] = "down"
		ok = false
	} else {
		checks["temporal"] = "ok"
	}
	for _, rc := range s.readyChecks() {
		if err := rc.check(ctx); err != nil {
			checks[rc.name] = "down"
			ok = false
		} else {
			checks[rc.name] = "ok"
		}
	}
	status := http.StatusOK
	if !ok {
		status = http.StatusServiceUnavailable
	}
	c.JSON(status, gin.H{"ready": ok, "checks": checks})
}

var (
	openapiOnce sync.Once
	openapiDoc  []byte
	openapiErr  error
)

// OpenAPI merges the per-feature fragments in api/openapi/ into one
// OpenAPI 3 document. Each feature documents its own routes in its own file.
func OpenAPI() ([]byte, error) {
	openapiOnce.Do(func() {
		doc := map[string]any{
			"openapi": "3.0.3",
			"info": map[string]any{
				"title":       "Công dân số Cao Bằng API",
				"version":     "1.0.0",
				"description": "API của nền tảng Công dân số Cao Bằng / Public API of the Cao Bằng digital citizen platform.",
			},
			"components": map[string]any{
				"securitySchemes": map[string]any{"bearer": map[string]any{"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}},
				"schemas":         map[string]any{},
			},
		}
		paths := map[string]any{}
		schemas := doc["components"].(map[string]any)["schemas"].(map[string]any)
		entries, err := openapiFS.ReadDir("openapi")
		if err != nil {
			openapiErr = err
			return
		}
		names := make([]string, 0, len(entries))
		for _, e := range entries {
			names = append(names, e.Name())
		}
		sort.Strings(names)
		for _, name := range names {
			b, err := openapiFS.ReadFile("openapi/" + name)
			if err != nil {
				openapiErr = err
				return
			}
			var frag struct {
				Paths      map[string]map[string]any `json:"paths"`
				Components struct {
					Schemas map[string]any `json:"schemas"`
				} `json:"components"`
			}
			if err := json.Unmarshal(b, &frag); err != nil {
				openapiErr = err
				return
			}
			for p, ops := range frag.Paths {
				cur, _ := paths[p].(map[string]any)
				if cur == nil {
					cur = map[string]any{}
				}
				for m, op := range ops {
					cur[m] = op
				}
				paths[p] = cur
			}
			for k, v := range frag.Components.Schemas {
				schemas[k] = v
			}
		}
		doc["paths"] = paths
		openapiDoc, openapiErr = json.MarshalIndent(doc, "", "  ")
	})
	return openapiDoc, openapiErr
}

// OpenAPIPath converts a gin path (/a/:id/*rest) to OpenAPI form (/a/{id}/{rest}).
func OpenAPIPath(p string) string {
	parts := strings.Split(p, "/")
	for i, s := range parts {
		if strings.HasPrefix(s, ":") || strings.HasPrefix(s, "*") {
			parts[i] = "{" + s[1:] + "}"
		}
	}
	return strings.Join(parts, "/")
}

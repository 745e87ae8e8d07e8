package api_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/caobang/congdanso/api"
)

// TestMetricsHandler: the token is required when set (for the profiles
// too); any other path is 404.
func TestMetricsHandler(t *testing.T) {
	for _, c := range []struct {
		token, path, auth string
		want              int
	}{
		{"", "/metrics", "", 200},
		{"s3cret-scrape", "/metrics", "", 401},
		{"s3cret-scrape", "/metrics", "Bearer wrong", 401},
		{"s3cret-scrape", "/metrics", "Basic s3cret-scrape", 401},
		{"s3cret-scrape", "/metrics", "Bearer s3cret-scrape", 200},
		{"", "/api/v1/me", "", 404},
		{"", "/debug/pprof/heap", "", 200},
		{"", "/debug/pprof/heap?gc=1", "", 200},
		{"", "/debug/pprof/goroutine", "", 200},
		{"", "/debug/pprof/cmdline", "", 404},
		{"s3cret-scrape", "/debug/pprof/heap", "", 401},
		{"s3cret-scrape", "/debug/pprof/heap", "Bearer s3cret-scrape", 200},
	} {
		req := httptest.NewRequest(http.MethodGet, c.path, nil)
		if c.auth != "" {
			req.Header.Set("Authorization", c.auth)
		}
		rec := httptest.NewRecorder()
		api.MetricsHandler(c.token).ServeHTTP(rec, req)
		if rec.Code != c.want {
			t.Errorf("%q %s %q: %d, want %d", c.token, c.path, c.auth, rec.Code, c.want)
		}
		if c.want == 200 && strings.HasPrefix(c.path, "/debug/pprof/") {
			// A pprof profile is gzipped protobuf: it starts with the gzip magic.
			if b := rec.Body.Bytes(); len(b) < 2 || b[0] != 0x1f || b[1] != 0x8b {
				t.Errorf("%s: not a gzipped profile", c.path)
			}
			continue
		}
		if c.want == 200 && !strings.Contains(rec.Body.String(), "go_goroutines") {
			t.Errorf("%q: no go_goroutines in the exposition", c.token)
		}
	}
}

// TestMetricsOffThePublicRouter: the public API does not serve /metrics.
func TestMetricsOffThePublicRouter(t *testing.T) {
	s := api.New(api.Deps{})
	rec := httptest.NewRecorder()
	s.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	if rec.Code != http.StatusNotFound || strings.Contains(rec.Body.String(), "go_goroutines") {
		t.Fatalf("public /metrics: %d", rec.Code)
	}
	rec = httptest.NewRecorder()
	s.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/debug/pprof/heap", nil))
	if rec.Code != http.StatusNotFound {
		t.Fatalf("public /debug/pprof/heap: %d", rec.Code)
	}
	for _, r := range s.Routes() {
		if r.Path == "/metrics" || strings.HasPrefix(r.Path, "/debug/") {
			t.Fatal("/metrics is a route of the public API")
		}
	}
}

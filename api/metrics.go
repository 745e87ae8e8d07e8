package api

import (
	"crypto/subtle"
	"net/http"
	"strings"

	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// MetricsHandler serves the Prometheus metrics. It is not a route of the
// public API (which answers 404 for /metrics): cmd serves it on its own
// listen address (CONGDANSO_METRICS_ADDR). With a token, a scrape must
// send "Authorization: Bearer <token>" (401 otherwise).
func MetricsHandler(token string) http.Handler {
	prom := promhttp.Handler()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/metrics" {
			http.NotFound(w, r)
			return
		}
		if token != "" {
			scheme, got, _ := strings.Cut(r.Header.Get("Authorization"), " ")
			if !strings.EqualFold(scheme, "Bearer") || subtle.ConstantTimeCompare([]byte(got), []byte(token)) != 1 {
				w.Header().Set("WWW-Authenticate", `Bearer realm="metrics"`)
				http.Error(w, "Cần mã truy cập. / A bearer token is required.", http.StatusUnauthorized)
				return
			}
		}
		prom.ServeHTTP(w, r)
	})
}

package api

import (
	"crypto/subtle"
	"net/http"
	"runtime"
	"runtime/pprof"
	"strings"

	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// MetricsHandler serves the Prometheus metrics and two Go profiles. It is
// not a route of the public API (which answers 404 for /metrics and
// /debug/pprof/): cmd serves it on its own listen address
// (CONGDANSO_METRICS_ADDR). With a token, every request must send
// "Authorization: Bearer <token>" (401 otherwise).
//
// /debug/pprof/heap and /debug/pprof/goroutine write the runtime/pprof
// profile (protobuf, for `go tool pprof`); ?gc=1 on the heap profile runs a
// garbage collection first, so in-use figures are live memory, not garbage
// awaiting collection. The soak test diffs two heap profiles to find a leak.
// net/http/pprof is not imported: it registers itself on
// http.DefaultServeMux from init().
func MetricsHandler(token string) http.Handler {
	prom := promhttp.Handler()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		profile := ""
		switch r.URL.Path {
		case "/metrics":
		case "/debug/pprof/heap":
			profile = "heap"
		case "/debug/pprof/goroutine":
			profile = "goroutine"
		default:
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
		if profile == "" {
			prom.ServeHTTP(w, r)
			return
		}
		if profile == "heap" && r.URL.Query().Get("gc") == "1" {
			runtime.GC()
		}
		w.Header().Set("Content-Type", "application/octet-stream")
		w.Header().Set("Content-Disposition", `attachment; filename="`+profile+`.pb.gz"`)
		if err := pprof.Lookup(profile).WriteTo(w, 0); err != nil {
			http.Error(w, "Không ghi được hồ sơ. / Could not write the profile.", http.StatusInternalServerError)
		}
	})
}

package bench

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestMixedClosedLoop runs the window's closed loop (rate 0) against a
// stand-in API that answers every request after 20 ms and counts how many
// it holds at once. With c clients a closed loop never has more than c
// requests in flight, and in 300 ms each client sends at most 300/20 + 1;
// every request arrives in the first 5 s. (The open loop, the default, is
// run against the real product by TestBenchResidentScenario.)
func TestMixedClosedLoop(t *testing.T) {
	var inFlight, most, n atomic.Int64
	var mu sync.Mutex
	seen := map[string]int{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		cur := inFlight.Add(1)
		defer inFlight.Add(-1)
		for {
			m := most.Load()
			if cur <= m || most.CompareAndSwap(m, cur) {
				break
			}
		}
		k := n.Add(1)
		mu.Lock()
		seen[r.Method+" "+strings.SplitN(strings.TrimPrefix(r.URL.Path, "/api/v1/"), "/", 2)[0]]++
		mu.Unlock()
		time.Sleep(20 * time.Millisecond)
		w.Header().Set("Content-Type", "application/json")
		switch {
		case r.Method == http.MethodPost && r.URL.Path == "/api/v1/feedback":
			w.WriteHeader(http.StatusCreated)
			fmt.Fprintf(w, `{"code":"PA-2026-%06d","status":"routed","agency_code":%q}`, k, FeedbackAgency)
		case r.Method == http.MethodPost && r.URL.Path == "/api/v1/applications":
			w.WriteHeader(http.StatusCreated)
			fmt.Fprintf(w, `{"id":%d,"code":"HS-%d","status":"receiving"}`, k, k)
		default:
			fmt.Fprint(w, `{}`)
		}
	}))
	defer srv.Close()
	tgt := &Target{URL: srv.URL, HTTP: NewHTTPClient(4), Citizens: []string{"c1"}, Officer: "o1", Leader: "l1", OfficerID: 1}
	r := &Resident{Feedback: tgt, Dossier: tgt, run: "t", docs: [][]string{{"m1", "m2"}}}
	const clients = 2
	w := r.Mixed(context.Background(), "w", 300*time.Millisecond, clients, 0)
	if most.Load() > clients {
		t.Errorf("%d requests in flight at once, want at most %d", most.Load(), clients)
	}
	if w.All.N < clients || w.All.N > clients*(300/20+1) {
		t.Errorf("%d requests in 300 ms from %d clients at 20 ms each", w.All.N, clients)
	}
	if w.All.Errors != 0 || int64(w.All.N) != n.Load() {
		t.Errorf("%d requests measured with %d errors, the server answered %d", w.All.N, w.All.Errors, n.Load())
	}
	if w.First5s.N != w.All.N || w.After5s.N != 0 {
		t.Errorf("first 5 s %d, after %d, all %d", w.First5s.N, w.After5s.N, w.All.N)
	}
	sum := 0
	for _, k := range w.Kinds {
		sum += k.N
	}
	if sum != w.All.N || len(w.Kinds) != len(ResidentKinds) {
		t.Errorf("kinds %+v do not add up to %d", w.Kinds, w.All.N)
	}
	if seen["POST feedback"] == 0 || seen["POST applications"] == 0 || seen["GET tasks"] == 0 {
		t.Errorf("requests by kind %v: filings and the inbox are missing", seen)
	}
}

package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Target is the API a scenario drives and who drives it. In-process runs fill
// it with minted tokens and a database probe; runs against a running server
// log in over HTTP and probe the queue over HTTP.
type Target struct {
	URL  string
	HTTP *http.Client
	// Citizens are access tokens; case i is filed by Citizens[i%len].
	Citizens []string
	// Staff of the agency the scenario's cases are routed to.
	Officer   string
	OfficerID int64
	Leader    string
	// QueueVisible reports whether the case is an open task in agency's
	// queue. Nil skips the queue series.
	QueueVisible func(ctx context.Context, agency, code string) (bool, error)
}

// NewHTTPClient returns a client that keeps enough idle connections for c
// concurrent callers, so the harness does not measure TCP handshakes.
func NewHTTPClient(c int) *http.Client {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConns = 4*c + 16
	t.MaxIdleConnsPerHost = 4*c + 16
	return &http.Client{Transport: t, Timeout: 60 * time.Second}
}

// StatusError is a response with an unexpected status.
type StatusError struct {
	Method, Path string
	Status       int
	Body         string
}

func (e *StatusError) Error() string {
	b := e.Body
	if len(b) > 300 {
		b = b[:300]
	}
	return fmt.Sprintf("%s %s: %d %s", e.Method, e.Path, e.Status, strings.TrimSpace(b))
}

// Call sends a JSON request and decodes the JSON answer into out (if not
// nil). A status other than want is a *StatusError.
func (t *Target) Call(ctx context.Context, method, path, token string, body any, want int, out any, headers ...string) error {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, strings.TrimRight(t.URL, "/")+path, rd)
	if err != nil {
		return err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	hc := t.HTTP
	if hc == nil {
		hc = http.DefaultClient
	}
	resp, err := hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode != want {
		return &StatusError{Method: method, Path: path, Status: resp.StatusCode, Body: string(b)}
	}
	if out != nil {
		return json.Unmarshal(b, out)
	}
	return nil
}

// Series collects the latencies and errors of one measured operation.
type Series struct {
	name   string
	mu     sync.Mutex
	lat    []time.Duration
	errs   int64
	logged int64
}

// NewSeries returns an empty series.
func NewSeries(name string) *Series { return &Series{name: name} }

// Observe records one successful call.
func (s *Series) Observe(d time.Duration) {
	s.mu.Lock()
	s.lat = append(s.lat, d)
	s.mu.Unlock()
}

// Fail records one failed call (the first three are printed).
func (s *Series) Fail(err error) {
	atomic.AddInt64(&s.errs, 1)
	if atomic.AddInt64(&s.logged, 1) <= 3 {
		fmt.Fprintf(logOut, "bench %s: %v\n", s.name, err)
	}
}

// Count is the number of successful calls.
func (s *Series) Count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.lat)
}

// Result summarises the series; PerSecond is successes over elapsed (0 when
// elapsed is 0: a latency-only series).
func (s *Series) Result(elapsed time.Duration) Result {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := Result{Name: s.name, N: len(s.lat) + int(s.errs), Errors: s.errs, Seconds: round(elapsed.Seconds(), 3), LatencyMS: Percentiles(s.lat)}
	if elapsed > 0 {
		r.PerSecond = round(float64(len(s.lat))/elapsed.Seconds(), 2)
	}
	return r
}

// Parallel calls f(i) for i in [0, n) from c goroutines and returns the
// elapsed wall time.
func Parallel(ctx context.Context, n, c int, f func(ctx context.Context, i int)) time.Duration {
	if c < 1 {
		c = 1
	}
	var next int64 = -1
	var wg sync.WaitGroup
	start := time.Now()
	for w := 0; w < c; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(atomic.AddInt64(&next, 1))
				if i >= n || ctx.Err() != nil {
					return
				}
				f(ctx, i)
			}
		}()
	}
	wg.Wait()
	return time.Since(start)
}

// OpenLoop starts f(i) for i in [0, n) at a fixed arrival rate (requests/s),
// whether or not earlier calls have finished, so a slow server shows up as
// latency rather than as a lower arrival rate (no coordinated omission). It
// returns the elapsed time until the last call finished.
func OpenLoop(ctx context.Context, n int, rate float64, f func(ctx context.Context, i int)) time.Duration {
	var wg sync.WaitGroup
	start := time.Now()
	gap := time.Duration(float64(time.Second) / rate)
	for i := 0; i < n && ctx.Err() == nil; i++ {
		if d := time.Until(start.Add(time.Duration(i) * gap)); d > 0 {
			time.Sleep(d)
		}
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			f(ctx, i)
		}(i)
	}
	wg.Wait()
	return time.Since(start)
}

// WaitVisible polls probe every 5 ms until it reports true or timeout ends;
// it returns the time from t0 until the probe saw it.
func WaitVisible(ctx context.Context, t0 time.Time, timeout time.Duration, probe func(ctx context.Context) (bool, error)) (time.Duration, error) {
	deadline := t0.Add(timeout)
	for {
		ok, err := probe(ctx)
		if err != nil {
			return 0, err
		}
		if ok {
			return time.Since(t0), nil
		}
		if time.Now().After(deadline) {
			return 0, fmt.Errorf("not visible within %s", timeout)
		}
		select {
		case <-ctx.Done():
			return 0, ctx.Err()
		case <-time.After(5 * time.Millisecond):
		}
	}
}

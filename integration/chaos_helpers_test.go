package integration

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"go.temporal.io/sdk/client"

	cds "github.com/caobang/congdanso"
)

// envInt reads an integer override (smaller local runs of the chaos tests).
func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v >= 0 {
		return v
	}
	return def
}

// chaosClient calls a child `congdanso serve` over HTTP and retries what a
// crash or an outage cut off. It counts what it saw.
type chaosClient struct {
	base   func() string
	http   *http.Client
	epoch  atomic.Int64 // bumped on each kill/outage; an op that began before may have landed
	status sync.Map     // int status → *atomic.Int64 (every answer seen)
	netErr atomic.Int64
	landed atomic.Int64 // actions answered 409 after a retry, found in the timeline
}

func newChaosClient(base func() string) *chaosClient {
	return &chaosClient{base: base, http: &http.Client{Timeout: 90 * time.Second}}
}

func (c *chaosClient) count(status int) {
	v, _ := c.status.LoadOrStore(status, new(atomic.Int64))
	v.(*atomic.Int64).Add(1)
}

// statuses renders the counts of every answer status (for the printed figures).
func (c *chaosClient) statuses() string {
	m := map[int]int64{}
	c.status.Range(func(k, v any) bool { m[k.(int)] = v.(*atomic.Int64).Load(); return true })
	return fmt.Sprintf("%v transport_errors=%d actions_409_after_retry_found_in_timeline=%d", m, c.netErr.Load(), c.landed.Load())
}

// once sends one request. status 0 means a transport error (refused, reset, EOF).
func (c *chaosClient) once(method, path, tok string, body any, hdr ...string) (int, []byte) {
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, c.base()+path, rd)
	if tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	req.Header.Set("Content-Type", "application/json")
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := c.http.Do(req)
	if err != nil {
		c.netErr.Add(1)
		return 0, nil
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	c.count(resp.StatusCode)
	return resp.StatusCode, b
}

// retryable: a transport error or an answer that says "try again".
func retryable(status int) bool {
	return status == 0 || status >= 500 || status == http.StatusTooManyRequests
}

var errStuck = errors.New("idempotency key stuck in progress")

// create POSTs with an Idempotency-Key until it gets a final answer. A 409
// "in progress" after a crash means the key row was left without a response;
// it is retried for a while and then reported as stuck.
func (c *chaosClient) create(ctx context.Context, path, tok, key string, body any) (int, []byte, error) {
	var inProgressSince time.Time
	for delay := 100 * time.Millisecond; ; {
		st, b := c.once(http.MethodPost, path, tok, body, "Idempotency-Key", key)
		switch {
		case st == http.StatusCreated:
			return st, b, nil
		case retryable(st):
		case st == http.StatusConflict && bytes.Contains(b, []byte("in progress")):
			if inProgressSince.IsZero() {
				inProgressSince = time.Now()
			}
			if time.Since(inProgressSince) > 20*time.Second {
				return st, b, errStuck
			}
		default:
			return st, b, fmt.Errorf("POST %s: %d %s", path, st, b)
		}
		select {
		case <-ctx.Done():
			return st, b, fmt.Errorf("POST %s: gave up: %w (last %d %s)", path, ctx.Err(), st, b)
		case <-time.After(delay):
		}
		if delay < 2*time.Second {
			delay *= 2
		}
	}
}

// act POSTs a state-changing action until it gets a final answer. After a
// failed try the action may have landed, so a 409 after a retry is accepted
// only when the case's timeline (GET detail, same token) shows the action;
// otherwise it is an error.
func (c *chaosClient) act(ctx context.Context, path, tok string, body any, detail, action string) error {
	tried := false
	for delay := 100 * time.Millisecond; ; {
		st, b := c.once(http.MethodPost, path, tok, body)
		switch {
		case st == http.StatusOK:
			return nil
		case retryable(st):
			tried = true
		case st == http.StatusConflict && tried:
			landed, err := c.timelineHas(ctx, detail, tok, action)
			if err != nil {
				return fmt.Errorf("POST %s: 409 after a retry, and the timeline could not be read: %w", path, err)
			}
			if !landed {
				return fmt.Errorf("POST %s: 409 after a retry, but no %s in the timeline: %s", path, action, b)
			}
			c.landed.Add(1)
			return nil
		default:
			return fmt.Errorf("POST %s: %d %s", path, st, b)
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("POST %s: gave up: %w", path, ctx.Err())
		case <-time.After(delay):
		}
		if delay < 2*time.Second {
			delay *= 2
		}
	}
}

// timelineHas reads a case's detail (retrying through an outage) and says
// whether its timeline holds action.
func (c *chaosClient) timelineHas(ctx context.Context, detail, tok, action string) (bool, error) {
	for delay := 100 * time.Millisecond; ; {
		st, b := c.once(http.MethodGet, detail, tok, nil)
		if st == http.StatusOK {
			var d struct {
				Timeline []struct {
					Action string `json:"action"`
				} `json:"timeline"`
			}
			if err := json.Unmarshal(b, &d); err != nil {
				return false, err
			}
			for _, e := range d.Timeline {
				if e.Action == action {
					return true, nil
				}
			}
			return false, nil
		}
		if !retryable(st) {
			return false, fmt.Errorf("GET %s: %d %s", detail, st, b)
		}
		select {
		case <-ctx.Done():
			return false, ctx.Err()
		case <-time.After(delay):
		}
		if delay < 2*time.Second {
			delay *= 2
		}
	}
}

// webhookCounter is the notification receiver: deliveries per
// Idempotency-Key. Delivery is at least once, so a key may come again; it
// must then carry the same content (else the receiver could not drop it),
// which the cleanup checks.
type webhookCounter struct {
	mu    sync.Mutex
	got   map[string]int
	first map[string]string
	bad   []string
	srv   *httptest.Server
}

func newWebhookCounter(t *testing.T) *webhookCounter {
	w := &webhookCounter{got: map[string]int{}, first: map[string]string{}}
	w.srv = httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		b, err := io.ReadAll(r.Body)
		if err != nil { // the sender was killed in the middle of the POST
			rw.WriteHeader(http.StatusBadRequest)
			return
		}
		k := r.Header.Get("Idempotency-Key")
		w.mu.Lock()
		if prev, ok := w.first[k]; k == "" || (ok && prev != string(b)) {
			w.bad = append(w.bad, fmt.Sprintf("key %q: %s", k, b))
		} else if !ok {
			w.first[k] = string(b)
		}
		w.got[k]++
		w.mu.Unlock()
		rw.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(func() {
		w.srv.Close()
		w.mu.Lock()
		defer w.mu.Unlock()
		if len(w.bad) > 0 {
			t.Errorf("webhook deliveries without a key or a key re-sent with other content: %v", head(w.bad, 5))
		}
	})
	return w
}

// figures returns distinct keys, deliveries, keys delivered more than once.
func (w *webhookCounter) figures() (distinct, deliveries, repeated int, keys map[string]int) {
	w.mu.Lock()
	defer w.mu.Unlock()
	keys = map[string]int{}
	for k, n := range w.got {
		keys[k] = n
		distinct++
		deliveries += n
		if n > 1 {
			repeated++
		}
	}
	return
}

// seedUsers creates users directly in the child's database and signs their
// access tokens with the child's secret.
type seedUsers struct {
	t      *testing.T
	conn   *pgxpool.Pool
	signer *childSigner
}

func newSeedUsers(t *testing.T, conn *pgxpool.Pool, secret string) *seedUsers {
	return &seedUsers{t: t, conn: conn, signer: signerOnPool(t, conn, secret, 3*time.Hour)}
}

func (s *seedUsers) user(kind, phone, name, agency string, role cds.Role) (cds.Actor, string) {
	s.t.Helper()
	ctx := context.Background()
	var id int64
	var ag *string
	if agency != "" {
		ag = &agency
	}
	if err := s.conn.QueryRow(ctx, `INSERT INTO users (kind, phone, full_name, agency_code) VALUES ($1, NULLIF($2, ''), $3, $4) RETURNING id`,
		kind, phone, name, ag).Scan(&id); err != nil {
		s.t.Fatal(err)
	}
	dom := agency
	if dom == "" {
		dom = "*"
	}
	if _, err := s.conn.Exec(ctx, `INSERT INTO user_roles (user_id, role, agency_code) VALUES ($1, $2, $3)`, id, string(role), dom); err != nil {
		s.t.Fatal(err)
	}
	a := cds.Actor{UserID: id, Name: name, AgencyCode: agency, Roles: []cds.Role{role}}
	return a, s.signer.token(a)
}

// report prints a line to the test log and to stdout, so CI output shows it
// even without -v.
func report(t *testing.T, format string, args ...any) {
	t.Helper()
	t.Logf(format, args...)
	fmt.Printf(format+"\n", args...)
	// `go test ./...` hides the output of passing packages; `make test` sets
	// CONGDANSO_FIGURES and prints this file after the run.
	if path := os.Getenv("CONGDANSO_FIGURES"); path != "" {
		if f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644); err == nil {
			fmt.Fprintf(f, format+"\n", args...)
			f.Close()
		}
	}
}

// temporalClient dials the child's embedded Temporal frontend.
func temporalClient(t *testing.T, port int) client.Client {
	t.Helper()
	tc, err := client.Dial(client.Options{HostPort: fmt.Sprintf("127.0.0.1:%d", port)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(tc.Close)
	return tc
}

package bench

// Scenario `resident` (issue 22 part B): the load a province keeps open.
// These are the HTTP parts; the process handling (serve as a child, SIGKILL,
// restart) lives in cmd/congdanso/bench_resident.go.

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// Resident files and reads the open cases of the resident scenario.
// Feedback goes to FeedbackAgency (officer/leader in Feedback), dossiers to
// ApplicationsAgency (officer/leader in Dossier); both share the citizens.
type Resident struct {
	Feedback *Target
	Dossier  *Target
	run      string
	docs     [][]string
	seq      int64 // case numbers already used (idempotency keys, titles)

	mu    sync.Mutex
	codes []string // feedback codes filed, for reads and actions
}

// NewResident uploads every citizen's two documents once (dossiers need them).
func NewResident(ctx context.Context, fb, dossier *Target) (*Resident, error) {
	r := &Resident{Feedback: fb, Dossier: dossier, run: strconv.FormatInt(time.Now().UnixNano(), 36)}
	img := tinyPNG()
	r.docs = make([][]string, len(dossier.Citizens))
	for k, tok := range dossier.Citizens {
		for j := 0; j < 2; j++ {
			id, err := dossier.Upload(ctx, tok, fmt.Sprintf("giay-to-%d.png", j), img)
			if err != nil {
				return nil, fmt.Errorf("resident: upload a document: %w", err)
			}
			r.docs[k] = append(r.docs[k], id)
		}
	}
	return r, nil
}

// Codes is the number of feedback reports filed so far.
func (r *Resident) Codes() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.codes)
}

func (r *Resident) next() int { return int(atomic.AddInt64(&r.seq, 1)) }

func (r *Resident) fileFeedback(ctx context.Context) error {
	i := r.next()
	code, err := r.Feedback.submitFeedback(ctx, i, r.run+"-f"+strconv.Itoa(i))
	if err != nil {
		return err
	}
	r.mu.Lock()
	r.codes = append(r.codes, code)
	r.mu.Unlock()
	return nil
}

func (r *Resident) fileDossier(ctx context.Context) error {
	i := r.next()
	t := r.Dossier
	var out appCreated
	k := i % len(t.Citizens)
	err := t.Call(ctx, http.MethodPost, "/api/v1/applications", t.Citizens[k], applicationBody(i, r.docs[k]), http.StatusCreated, &out, "Idempotency-Key", r.run+"-d"+strconv.Itoa(i))
	if err == nil && (out.ID == 0 || out.Status != "receiving") {
		err = fmt.Errorf("submit: unexpected answer %+v", out)
	}
	return err
}

// Seed files n open cases at concurrency c: even numbers are feedback
// reports, odd numbers dossiers. Every case goes through the product's API
// (cases.SubmitFeedback / cases.SubmitApplication, Temporal update-with-start).
func (r *Resident) Seed(ctx context.Context, name string, n, c int) Result {
	s := NewSeries(name)
	el := Parallel(ctx, n, c, func(ctx context.Context, i int) {
		t0 := time.Now()
		var err error
		if i%2 == 0 {
			err = r.fileFeedback(ctx)
		} else {
			err = r.fileDossier(ctx)
		}
		if err != nil {
			s.Fail(err)
			return
		}
		s.Observe(time.Since(t0))
	})
	res := s.Result(el)
	res.Note = "open cases filed over HTTP (half feedback, half dossiers)"
	return res
}

// FileFeedback files n feedback reports and returns their codes: with span
// > 0 they arrive open-loop, evenly over span (so deadlines set at filing
// spread over it as well); with span 0, c clients file them as fast as the
// server answers.
func (r *Resident) FileFeedback(ctx context.Context, name string, n, c int, span time.Duration) (Result, []string) {
	s := NewSeries(name)
	codes := make([]string, n)
	file := func(ctx context.Context, i int) {
		t0 := time.Now()
		k := r.next()
		code, err := r.Feedback.submitFeedback(ctx, k, r.run+"-t"+strconv.Itoa(k))
		if err != nil {
			s.Fail(err)
			return
		}
		s.Observe(time.Since(t0))
		codes[i] = code
	}
	var el time.Duration
	if span > 0 && n > 0 {
		el = OpenLoop(ctx, n, float64(n)/span.Seconds(), file)
	} else {
		el = Parallel(ctx, n, c, file)
	}
	return s.Result(el), codes
}

// ResidentKinds are the requests of the window after ready, in the order
// they are sent.
var ResidentKinds = []string{"submit_feedback", "submit_dossier", "inbox", "read_case", "accept_old_case"}

// residentSettle is the start of the window that is kept apart: requests
// that arrive in it meet the restart (cold caches, replays), the rest meet a
// warm server.
const residentSettle = 5 * time.Second

// Mixed sends the requests people send for d: file a report, file a
// dossier, the officer's inbox, read a case, accept a case filed earlier (a
// workflow that is not in the new worker's cache). With rate > 0 the
// requests arrive open-loop at rate per second, whatever the answers take
// (the ordinary load the restart is measured under); with rate 0, c clients
// send the next request as soon as the last is answered (the server at its
// capacity).
func (r *Resident) Mixed(ctx context.Context, prefix string, d time.Duration, c int, rate float64) Window {
	series := make([]*Series, len(ResidentKinds))
	for k, n := range ResidentKinds {
		series[k] = NewSeries(prefix + "_" + n)
	}
	all := NewSeries(prefix + "_all")
	early, late := NewSeries(prefix+"_all_first_5s"), NewSeries(prefix+"_all_after_5s")
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 7))
	start := time.Now()
	// at is when the request was due to arrive, counted from the start.
	send := func(ctx context.Context, k int, at time.Duration) {
		t0 := time.Now()
		sent, err := r.send(ctx, ResidentKinds[k], rng)
		if !sent {
			return
		}
		el := time.Since(t0)
		part := late
		if at < residentSettle {
			part = early
		}
		for _, s := range []*Series{series[k], all, part} {
			if err != nil {
				s.Fail(err)
			} else {
				s.Observe(el)
			}
		}
	}
	if rate > 0 {
		gap := time.Duration(float64(time.Second) / rate)
		OpenLoop(ctx, int(rate*d.Seconds()), rate, func(ctx context.Context, i int) {
			send(ctx, i%len(ResidentKinds), time.Duration(i)*gap)
		})
	} else {
		var op int64 = -1
		end := start.Add(d)
		var wg sync.WaitGroup
		for w := 0; w < c; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for time.Now().Before(end) && ctx.Err() == nil {
					send(ctx, int(atomic.AddInt64(&op, 1))%len(ResidentKinds), time.Since(start))
				}
			}()
		}
		wg.Wait()
	}
	el := time.Since(start)
	w := Window{All: all.Result(el), First5s: early.Result(el), After5s: late.Result(el)}
	for _, s := range series {
		w.Kinds = append(w.Kinds, s.Result(el))
	}
	return w
}

// Window is what Mixed measured: all requests, each kind (ResidentKinds
// order), and the requests that arrived in the first 5 s and after them.
type Window struct {
	All              Result
	Kinds            []Result
	First5s, After5s Result
}

// Results lists every series of the window, for the report.
func (w Window) Results() []Result {
	out := append([]Result{w.All}, w.Kinds...)
	return append(out, w.First5s, w.After5s)
}

// send sends one request of the given kind; sent is false when there was
// no earlier report to read or accept.
func (r *Resident) send(ctx context.Context, kind string, rng *rand.Rand) (sent bool, err error) {
	switch kind {
	case "submit_feedback":
		return true, r.fileFeedback(ctx)
	case "submit_dossier":
		return true, r.fileDossier(ctx)
	case "inbox":
		return true, r.Feedback.Call(ctx, http.MethodGet, "/api/v1/tasks", r.Feedback.Officer, nil, http.StatusOK, nil)
	case "read_case":
		if code := r.pick(rng, false); code != "" {
			return true, r.Feedback.Call(ctx, http.MethodGet, "/api/v1/feedback/"+code, r.Feedback.Officer, nil, http.StatusOK, nil)
		}
	case "accept_old_case":
		if code := r.pick(rng, true); code != "" {
			return true, r.Feedback.Call(ctx, http.MethodPost, "/api/v1/feedback/"+code+"/actions/accept", r.Feedback.Officer, map[string]any{}, http.StatusOK, nil)
		}
	}
	return false, nil
}

// pick returns a report filed earlier; take removes it for good (a report
// is accepted once).
func (r *Resident) pick(rng *rand.Rand, take bool) string {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.codes) == 0 {
		return ""
	}
	j := rng.IntN(len(r.codes))
	code := r.codes[j]
	if take {
		r.codes[j] = r.codes[len(r.codes)-1]
		r.codes = r.codes[:len(r.codes)-1]
	}
	return code
}

// Inbox measures k sequential calls of each staff queue read of the feedback
// agency: the officer's inbox page, the badge counts and the leader's overview.
func (r *Resident) Inbox(ctx context.Context, prefix string, k int) []Result {
	probes := []struct {
		name, path string
		leader     bool
	}{
		{"inbox", "/api/v1/tasks", false},
		{"inbox_counts", "/api/v1/tasks/counts", false},
		{"inbox_overview", "/api/v1/tasks/overview", true},
	}
	var out []Result
	for _, p := range probes {
		s := NewSeries(prefix + "_" + p.name)
		tok := r.Feedback.Officer
		if p.leader {
			tok = r.Feedback.Leader
		}
		t0 := time.Now()
		for i := 0; i < k && ctx.Err() == nil; i++ {
			c0 := time.Now()
			if err := r.Feedback.Call(ctx, http.MethodGet, p.path, tok, nil, http.StatusOK, nil); err != nil {
				s.Fail(err)
				continue
			}
			s.Observe(time.Since(c0))
		}
		out = append(out, s.Result(time.Since(t0)))
	}
	return out
}

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

// FileFeedback files n feedback reports at concurrency c and returns their codes.
func (r *Resident) FileFeedback(ctx context.Context, name string, n, c int) (Result, []string) {
	s := NewSeries(name)
	codes := make([]string, n)
	el := Parallel(ctx, n, c, func(ctx context.Context, i int) {
		t0 := time.Now()
		k := r.next()
		code, err := r.Feedback.submitFeedback(ctx, k, r.run+"-t"+strconv.Itoa(k))
		if err != nil {
			s.Fail(err)
			return
		}
		s.Observe(time.Since(t0))
		codes[i] = code
	})
	return s.Result(el), codes
}

// Mixed sends the requests people send, from c clients for d: file a report,
// file a dossier, the officer's inbox, read a case, accept a case filed
// earlier (a workflow that is not in the new worker's cache). It returns one
// series per kind and one for all requests.
func (r *Resident) Mixed(ctx context.Context, prefix string, d time.Duration, c int) []Result {
	kinds := []string{"submit_feedback", "submit_dossier", "inbox", "read_case", "accept_old_case"}
	series := make([]*Series, len(kinds))
	for k, n := range kinds {
		series[k] = NewSeries(prefix + "_" + n)
	}
	all := NewSeries(prefix + "_all")
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 7))
	// pick returns a report filed earlier; take removes it for good (a
	// report is accepted once).
	pick := func(take bool) string {
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
	var op int64 = -1
	end := time.Now().Add(d)
	var wg sync.WaitGroup
	start := time.Now()
	for w := 0; w < c; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for time.Now().Before(end) && ctx.Err() == nil {
				k := int(atomic.AddInt64(&op, 1)) % len(kinds)
				t0 := time.Now()
				var err error
				switch kinds[k] {
				case "submit_feedback":
					err = r.fileFeedback(ctx)
				case "submit_dossier":
					err = r.fileDossier(ctx)
				case "inbox":
					err = r.Feedback.Call(ctx, http.MethodGet, "/api/v1/tasks", r.Feedback.Officer, nil, http.StatusOK, nil)
				case "read_case":
					code := pick(false)
					if code == "" {
						continue
					}
					err = r.Feedback.Call(ctx, http.MethodGet, "/api/v1/feedback/"+code, r.Feedback.Officer, nil, http.StatusOK, nil)
				case "accept_old_case":
					code := pick(true)
					if code == "" {
						continue
					}
					err = r.Feedback.Call(ctx, http.MethodPost, "/api/v1/feedback/"+code+"/actions/accept", r.Feedback.Officer, map[string]any{}, http.StatusOK, nil)
				}
				el := time.Since(t0)
				if err != nil {
					series[k].Fail(err)
					all.Fail(err)
					continue
				}
				series[k].Observe(el)
				all.Observe(el)
			}
		}()
	}
	wg.Wait()
	el := time.Since(start)
	out := []Result{all.Result(el)}
	for _, s := range series {
		out = append(out, s.Result(el))
	}
	return out
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

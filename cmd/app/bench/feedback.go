package bench

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"time"
)

// FeedbackAgency is where the scenario's reports are routed: category
// "traffic" in ward Thục Phán goes to the Department of Construction.
const FeedbackAgency = "SXD"

// feedbackSteps are the staff actions that take a routed report to
// publication, in order, with who performs them.
var feedbackSteps = []struct {
	Action string
	Leader bool
}{
	{"accept", false},
	{"assign", true},
	{"start", false},
	{"draft_answer", false},
	{"approve_answer", true},
}

func feedbackBody(i int) map[string]any {
	return map[string]any{
		"title":         "Đèn đường hỏng số " + strconv.Itoa(i),
		"content":       "Đèn đường trước nhà số 12 Hoàng Đình Giong không sáng từ ba ngày nay, đề nghị sửa chữa.",
		"category_code": "traffic",
		"location":      map[string]any{"lat": 22.6657, "lng": 106.2570, "address": "12 Hoàng Đình Giong", "commune_code": "P-THUCPHAN"},
	}
}

type submitted struct {
	Code   string `json:"code"`
	Status string `json:"status"`
	Agency string `json:"agency_code"`
}

// submitFeedback files report i and checks it came back routed to the agency.
func (t *Target) submitFeedback(ctx context.Context, i int, key string) (string, error) {
	var out submitted
	err := t.Call(ctx, http.MethodPost, "/api/v1/feedback", t.Citizens[i%len(t.Citizens)], feedbackBody(i), http.StatusCreated, &out, "Idempotency-Key", key)
	if err != nil {
		return "", err
	}
	if out.Code == "" || out.Status != "routed" || out.Agency != FeedbackAgency {
		return "", fmt.Errorf("submit: unexpected answer %+v", out)
	}
	return out.Code, nil
}

// Feedback runs scenario `feedback`: n citizens file reports at concurrency
// c (intake: submit until routed, and until the case is in the agency
// queue); staff then take every report to publication over HTTP; finally a
// fixed-rate series files reports at rate/s (open loop) for the p99 target.
func Feedback(ctx context.Context, t *Target, rep *Report, n, c int, rate float64) error {
	if len(t.Citizens) == 0 || t.Officer == "" || t.Leader == "" || t.OfficerID == 0 {
		return fmt.Errorf("feedback scenario: citizens, officer and leader are required")
	}
	run := strconv.FormatInt(time.Now().UnixNano(), 36)
	submit := NewSeries("feedback_submit")
	queue := NewSeries("feedback_queue_visible")
	codes := make([]string, n)
	cpu0 := ReadCPU()
	intake := Parallel(ctx, n, c, func(ctx context.Context, i int) {
		t0 := time.Now()
		code, err := t.submitFeedback(ctx, i, run+"-"+strconv.Itoa(i))
		if err != nil {
			submit.Fail(err)
			return
		}
		submit.Observe(time.Since(t0))
		codes[i] = code
		if t.QueueVisible != nil {
			d, err := WaitVisible(ctx, t0, 10*time.Second, func(ctx context.Context) (bool, error) {
				return t.QueueVisible(ctx, FeedbackAgency, code)
			})
			if err != nil {
				queue.Fail(fmt.Errorf("%s: %w", code, err))
				return
			}
			queue.Observe(d)
		}
	})
	intakeCPU := ReadCPU().Since(cpu0)
	rep.Add(submit.Result(intake).WithCPU(intakeCPU))
	if t.QueueVisible != nil {
		r := queue.Result(0)
		r.Note = "submit start until the open task is in the agency queue"
		rep.Add(r)
	}

	steps := make([]*Series, len(feedbackSteps))
	for k, s := range feedbackSteps {
		steps[k] = NewSeries("feedback_" + s.Action)
	}
	published := NewSeries("feedback_lifecycle")
	cpu0 = ReadCPU()
	staff := Parallel(ctx, n, c, func(ctx context.Context, i int) {
		code := codes[i]
		if code == "" {
			return
		}
		for k, s := range feedbackSteps {
			tok, body := t.Officer, map[string]any{}
			if s.Leader {
				tok = t.Leader
			}
			switch s.Action {
			case "assign":
				body["assignee_id"] = t.OfficerID
			case "draft_answer":
				body["answer"] = "Đã thay bóng đèn ngày 05/3. Cảm ơn ông/bà đã phản ánh."
			}
			var out struct {
				Status string `json:"status"`
			}
			t0 := time.Now()
			if err := t.Call(ctx, http.MethodPost, "/api/v1/feedback/"+code+"/actions/"+s.Action, tok, body, http.StatusOK, &out); err != nil {
				steps[k].Fail(err)
				published.Fail(err)
				return
			}
			steps[k].Observe(time.Since(t0))
			if s.Action == "approve_answer" {
				if out.Status != "published" {
					published.Fail(fmt.Errorf("%s: status %q after approve", code, out.Status))
					return
				}
				published.Observe(0)
			}
		}
	})
	staffCPU := ReadCPU().Since(cpu0)
	for _, s := range steps {
		rep.Add(s.Result(staff).WithCPU(staffCPU))
	}
	// Full lifecycle: filed and published cases over intake + staff time.
	life := published.Result(intake + staff).WithCPU(intakeCPU.Plus(staffCPU))
	life.LatencyMS = nil
	life.Errors += submit.Result(0).Errors
	life.Note = "cases filed and published per second (intake + staff phases)"
	rep.Add(life)

	if rate > 0 {
		fixed := NewSeries(fmt.Sprintf("feedback_submit_at_%g_per_s", rate))
		el := OpenLoop(ctx, n, rate, func(ctx context.Context, i int) {
			t0 := time.Now()
			if _, err := t.submitFeedback(ctx, n+i, run+"-r-"+strconv.Itoa(i)); err != nil {
				fixed.Fail(err)
				return
			}
			fixed.Observe(time.Since(t0))
		})
		r := fixed.Result(el)
		r.Note = "open-loop arrivals at a fixed rate"
		rep.Add(r)
	}
	rep.Ratio("feedback_intake/baseline_a", "feedback_submit", BaselineA)
	rep.Ratio("feedback_intake/baseline_b", "feedback_submit", BaselineB)
	rep.Ratio("feedback_lifecycle/baseline_a", "feedback_lifecycle", BaselineA)
	rep.Ratio("feedback_lifecycle/baseline_b", "feedback_lifecycle", BaselineB)
	return nil
}

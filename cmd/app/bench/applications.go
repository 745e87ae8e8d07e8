package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"mime/multipart"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// ApplicationsAgency handles the scenario's dossiers: birth registration
// (HT-KS) is a commune procedure, filed for ward Thục Phán.
const ApplicationsAgency = "P-THUCPHAN"

// ApplicationsProcedure is the procedure the scenario files.
const ApplicationsProcedure = "HT-KS"

// applicationSteps take an accepted-at-intake dossier to its result returned:
// intake (accept at the one-stop desk), specialist forwards, leader approves,
// the result is issued and handed back.
var applicationSteps = []struct {
	Action string
	Leader bool
	Want   string // status after the step ("" = not checked)
}{
	{"accept", false, "new"},
	{"forward", false, ""},
	{"approve", true, ""},
	{"issue_result", false, "releasing"},
	{"return_result", false, "done"},
}

func applicationBody(i int, docs []string) map[string]any {
	return map[string]any{
		"procedure_code": ApplicationsProcedure,
		"form": map[string]any{"child_full_name": "Nông Gia Bảo " + strconv.Itoa(i), "child_birth_date": "2026-01-15", "child_gender": "Nam",
			"birth_place": "Bệnh viện Đa khoa tỉnh Cao Bằng", "mother_name": "Nông Thị Hoa", "requester_id": "004190001234",
			"requester_phone": "0912345678", "commune_code": ApplicationsAgency},
		"document_ids": docs,
	}
}

func applicationStepBody(action string) map[string]any {
	switch action {
	case "accept":
		return map[string]any{"note": "Đủ hồ sơ / complete"}
	case "forward":
		return map[string]any{"note": "Đề xuất cấp / propose to grant"}
	case "approve":
		return map[string]any{"note": "Đồng ý / approved"}
	case "issue_result":
		return map[string]any{"document_ids": []string{}}
	case "return_result":
		return map[string]any{"method": "online"}
	}
	return map[string]any{}
}

// tinyPNG is a valid 2×2 PNG, the smallest document the upload accepts.
func tinyPNG() []byte {
	img := image.NewRGBA(image.Rect(0, 0, 2, 2))
	img.Set(0, 0, color.RGBA{R: 200, A: 255})
	var b bytes.Buffer
	_ = png.Encode(&b, img)
	return b.Bytes()
}

// Upload posts file as multipart field "file" to POST /api/v1/media and
// returns the media id.
func (t *Target) Upload(ctx context.Context, token, name string, file []byte) (string, error) {
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, err := mw.CreateFormFile("file", name)
	if err != nil {
		return "", err
	}
	if _, err := fw.Write(file); err != nil {
		return "", err
	}
	if err := mw.Close(); err != nil {
		return "", err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimRight(t.URL, "/")+"/api/v1/media", &body)
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+token)
	hc := t.HTTP
	if hc == nil {
		hc = http.DefaultClient
	}
	resp, err := hc.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return "", err
	}
	if resp.StatusCode != http.StatusCreated {
		return "", &StatusError{Method: http.MethodPost, Path: "/api/v1/media", Status: resp.StatusCode, Body: string(b)}
	}
	var out struct {
		ID string `json:"id"`
	}
	if err := json.Unmarshal(b, &out); err != nil || out.ID == "" {
		return "", fmt.Errorf("upload: unexpected answer %s", b)
	}
	return out.ID, nil
}

type appCreated struct {
	ID     int64  `json:"id"`
	Code   string `json:"code"`
	Status string `json:"status"`
}

// submitApplication files dossier i with its citizen's documents.
func (t *Target) submitApplication(ctx context.Context, i int, docs [][]string, key string) (appCreated, error) {
	var out appCreated
	k := i % len(t.Citizens)
	err := t.Call(ctx, http.MethodPost, "/api/v1/applications", t.Citizens[k], applicationBody(i, docs[k]), http.StatusCreated, &out, "Idempotency-Key", key)
	if err != nil {
		return out, err
	}
	if out.ID == 0 || out.Code == "" || out.Status != "receiving" {
		return out, fmt.Errorf("submit: unexpected answer %+v", out)
	}
	return out, nil
}

// Applications runs scenario `applications`: every citizen uploads two
// documents (a small PNG each, POST /api/v1/media); n dossiers are then filed
// at concurrency c (intake: submit until the reception task is open at the
// ward's one-stop desk); staff take each dossier through intake (accept) and
// the procedure's steps to the result returned; finally a fixed-rate series.
func Applications(ctx context.Context, t *Target, rep *Report, n, c int, rate float64) error {
	if len(t.Citizens) == 0 || t.Officer == "" || t.Leader == "" {
		return fmt.Errorf("applications scenario: citizens, officer and leader are required")
	}
	img := tinyPNG()
	docs := make([][]string, len(t.Citizens))
	for k, tok := range t.Citizens {
		for j := 0; j < 2; j++ {
			id, err := t.Upload(ctx, tok, fmt.Sprintf("giay-to-%d.png", j), img)
			if err != nil {
				return fmt.Errorf("applications scenario: upload a document: %w", err)
			}
			docs[k] = append(docs[k], id)
		}
	}
	run := strconv.FormatInt(time.Now().UnixNano(), 36)
	submit := NewSeries("applications_submit")
	queue := NewSeries("applications_queue_visible")
	created := make([]appCreated, n)
	cpu0 := ReadCPU()
	intake := Parallel(ctx, n, c, func(ctx context.Context, i int) {
		t0 := time.Now()
		a, err := t.submitApplication(ctx, i, docs, run+"-"+strconv.Itoa(i))
		if err != nil {
			submit.Fail(err)
			return
		}
		submit.Observe(time.Since(t0))
		created[i] = a
		if t.QueueVisible != nil {
			d, err := WaitVisible(ctx, t0, 10*time.Second, func(ctx context.Context) (bool, error) {
				return t.QueueVisible(ctx, ApplicationsAgency, a.Code)
			})
			if err != nil {
				queue.Fail(fmt.Errorf("%s: %w", a.Code, err))
				return
			}
			queue.Observe(d)
		}
	})
	intakeCPU := ReadCPU().Since(cpu0)
	rep.Add(submit.Result(intake).WithCPU(intakeCPU))
	if t.QueueVisible != nil {
		r := queue.Result(0)
		r.Note = "submit start until the reception task is in the ward's queue"
		rep.Add(r)
	}

	steps := make([]*Series, len(applicationSteps))
	for k, s := range applicationSteps {
		steps[k] = NewSeries("applications_" + s.Action)
	}
	done := NewSeries("applications_lifecycle")
	cpu0 = ReadCPU()
	staff := Parallel(ctx, n, c, func(ctx context.Context, i int) {
		a := created[i]
		if a.ID == 0 {
			return
		}
		for k, s := range applicationSteps {
			tok := t.Officer
			if s.Leader {
				tok = t.Leader
			}
			var out struct {
				Status string `json:"status"`
			}
			t0 := time.Now()
			path := fmt.Sprintf("/api/v1/applications/%d/actions/%s", a.ID, s.Action)
			if err := t.Call(ctx, http.MethodPost, path, tok, applicationStepBody(s.Action), http.StatusOK, &out); err != nil {
				steps[k].Fail(err)
				done.Fail(err)
				return
			}
			steps[k].Observe(time.Since(t0))
			if s.Want != "" && out.Status != s.Want {
				err := fmt.Errorf("%s: status %q after %s, want %q", a.Code, out.Status, s.Action, s.Want)
				steps[k].Fail(err)
				done.Fail(err)
				return
			}
		}
		done.Observe(0)
	})
	staffCPU := ReadCPU().Since(cpu0)
	for _, s := range steps {
		rep.Add(s.Result(staff).WithCPU(staffCPU))
	}
	life := done.Result(intake + staff).WithCPU(intakeCPU.Plus(staffCPU))
	life.LatencyMS = nil
	life.Errors += submit.Result(0).Errors
	life.Note = "dossiers filed and returned per second (intake + staff phases)"
	rep.Add(life)

	if rate > 0 {
		fixed := NewSeries(fmt.Sprintf("applications_submit_at_%g_per_s", rate))
		el := OpenLoop(ctx, n, rate, func(ctx context.Context, i int) {
			t0 := time.Now()
			if _, err := t.submitApplication(ctx, n+i, docs, run+"-r-"+strconv.Itoa(i)); err != nil {
				fixed.Fail(err)
				return
			}
			fixed.Observe(time.Since(t0))
		})
		r := fixed.Result(el)
		r.Note = "open-loop arrivals at a fixed rate"
		rep.Add(r)
	}
	rep.Ratio("applications_intake/baseline_a", "applications_submit", BaselineA)
	rep.Ratio("applications_intake/baseline_b", "applications_submit", BaselineB)
	rep.Ratio("applications_lifecycle/baseline_a", "applications_lifecycle", BaselineA)
	rep.Ratio("applications_lifecycle/baseline_b", "applications_lifecycle", BaselineB)
	return nil
}

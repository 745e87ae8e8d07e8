package workflows

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/sdk/client"
)

// A case started by this code records one version marker and one
// TemporalChangeVersion upsert (feedback-local-writes v4,
// application-local-writes v4): each change id costs both in the first
// workflow task, and a fifth id used to cost five. A new feedback case's
// first task runs two local activities (plan and record) where v3 ran four.
// The numbers are written by hand; the histories were recorded from real
// runs (integration tests with CONGDANSO_RECORD_HISTORY=1 /
// CDS_RECORD_HISTORY=1).
func TestNewCasesRecordOneVersionMarker(t *testing.T) {
	for _, c := range []struct {
		glob       string
		firstLocal int // local-activity markers in the first workflow task; -1: not checked
	}{
		{"feedback_*_intake_plan.json", 2},
		{"application_*_one_version.json", -1},
		{"feedback_*_keep_timer.json", 2},
		{"application_*_keep_timer.json", -1},
		{"application_*_step_records.json", -1},
	} {
		for f, h := range recordedHistories(t, c.glob) {
			versions, upserts, firstLocal, tasks := 0, 0, 0, 0
			for _, ev := range h.Events {
				switch ev.EventType {
				case enumspb.EVENT_TYPE_WORKFLOW_TASK_COMPLETED:
					tasks++
				case enumspb.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES:
					upserts++
				case enumspb.EVENT_TYPE_MARKER_RECORDED:
					switch ev.GetMarkerRecordedEventAttributes().MarkerName {
					case "Version":
						versions++
					case "LocalActivity":
						if tasks == 1 {
							firstLocal++
						}
					}
				}
			}
			if versions != 1 || upserts != 1 {
				t.Errorf("%s: %d version markers and %d search-attribute upserts, want 1 and 1", f, versions, upserts)
			}
			if c.firstLocal >= 0 && firstLocal != c.firstLocal {
				t.Errorf("%s: %d local activities in the first workflow task, want %d", f, firstLocal, c.firstLocal)
			}
		}
	}
}

// TestRecordedCasesKeepOneTimer: in the histories recorded from real runs
// since the keep-timer versions (v5), a case never has more than one
// deadline timer pending (a timer is cancelled when the deadline moves),
// and it starts fewer timers than it takes steps. Before them every step
// started a timer and none was cancelled; one recording of that is checked
// too, so the counting itself is shown to see the difference.
func TestRecordedCasesKeepOneTimer(t *testing.T) {
	for _, c := range []struct {
		glob string
		keep bool
	}{
		{"feedback_*_keep_timer.json", true},
		{"application_*_keep_timer.json", true},
		{"application_*_step_records.json", true},
		{"feedback_happy_path_intake_plan.json", false},
	} {
		for f, h := range recordedHistories(t, c.glob) {
			pending, most, started, cancelled := map[int64]bool{}, 0, 0, 0
			for _, ev := range h.Events {
				switch ev.EventType {
				case enumspb.EVENT_TYPE_TIMER_STARTED:
					started++
					pending[ev.EventId] = true
				case enumspb.EVENT_TYPE_TIMER_FIRED:
					delete(pending, ev.GetTimerFiredEventAttributes().StartedEventId)
				case enumspb.EVENT_TYPE_TIMER_CANCELED:
					cancelled++
					delete(pending, ev.GetTimerCanceledEventAttributes().StartedEventId)
				case enumspb.EVENT_TYPE_WORKFLOW_TASK_STARTED:
					// Counted between workflow tasks: the commands of one
					// task (a cancel and a start) are all in by the next.
					most = max(most, len(pending))
				}
			}
			most = max(most, len(pending))
			if c.keep && most > 1 {
				t.Errorf("%s: %d deadline timers pending at once (%d started, %d cancelled), want at most one", f, most, started, cancelled)
			}
			if !c.keep && (most < 2 || cancelled != 0) {
				t.Errorf("%s: before v5, %d pending at once and %d cancelled; want several and none", f, most, cancelled)
			}
		}
	}
}

// recordedHistories reads every recorded history matching glob (at least one).
func recordedHistories(t *testing.T, glob string) map[string]*historypb.History {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("testdata", glob))
	if err != nil || len(files) == 0 {
		t.Fatalf("no histories %s: %v", glob, err)
	}
	out := map[string]*historypb.History{}
	for _, f := range files {
		r, err := os.Open(f)
		if err != nil {
			t.Fatal(err)
		}
		h, err := client.HistoryFromJSON(r, client.HistoryJSONOptions{})
		r.Close()
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		out[f] = h
	}
	return out
}

// TestDossierStepsRecordFewerMarkers: from application-local-writes v6 a
// dossier step's plan and the paused clock at issue_result are computed in
// the local activity that writes the step's record, so the bench's five
// steps record 8 local-activity markers instead of 12 (BENCHMARKS.md, T16).
// Counted per Update in the same HTTP flow recorded from real runs before
// and after; the counts are written by hand from the two versions' code.
func TestDossierStepsRecordFewerMarkers(t *testing.T) {
	for _, c := range []struct {
		file    string
		want    map[string]int // local-activity markers after each Update, until the next
		planned int            // StepPlan (v5: accept, forward, approve) or RecordApplicationStep (v6: and issue_result)
	}{
		{"application_http_flow_keep_timer.json", map[string]int{"accept": 4, "forward": 2, "approve": 2, "issue_result": 3, "return_result": 1}, 3},
		{"application_http_flow_step_records.json", map[string]int{"accept": 3, "forward": 1, "approve": 1, "issue_result": 2, "return_result": 1}, 4},
	} {
		h := recordedHistories(t, c.file)[filepath.Join("testdata", c.file)]
		got, planned := map[string]int{}, 0
		update := ""
		for _, ev := range h.Events {
			switch ev.EventType {
			case enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED:
				var a ApplicationAction
				p := ev.GetWorkflowExecutionUpdateAcceptedEventAttributes().GetAcceptedRequest().GetInput().GetArgs().GetPayloads()
				if len(p) != 1 || json.Unmarshal(p[0].GetData(), &a) != nil {
					t.Fatalf("%s: event %d: unreadable update", c.file, ev.EventId)
				}
				update = a.Action
			case enumspb.EVENT_TYPE_MARKER_RECORDED:
				m := ev.GetMarkerRecordedEventAttributes()
				if m.MarkerName != "LocalActivity" {
					continue
				}
				got[update]++
				var info struct{ ActivityType string }
				if d := m.GetDetails()["data"].GetPayloads(); len(d) == 1 && json.Unmarshal(d[0].GetData(), &info) == nil &&
					(info.ActivityType == "StepPlan" || info.ActivityType == "RecordApplicationStep") {
					planned++
				}
			}
		}
		for step, n := range c.want {
			if got[step] != n {
				t.Errorf("%s: %s recorded %d local-activity markers, want %d", c.file, step, got[step], n)
			}
		}
		if planned != c.planned {
			t.Errorf("%s: %d planning markers, want %d", c.file, planned, c.planned)
		}
	}
}

package open311

import (
	"encoding/xml"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	cds "github.com/caobang/congdanso"
	"github.com/caobang/congdanso/postgres"
	"github.com/caobang/congdanso/workflows"
)

func TestOpen311DateWindow(t *testing.T) {
	now := time.Date(2026, 6, 30, 12, 0, 0, 0, cds.VietnamTZ)
	from, to, errs := open311DateWindow("", "", now)
	if len(errs) != 0 || !to.Equal(now) || to.Sub(from) != 90*24*time.Hour {
		t.Fatalf("default window %v..%v %v", from, to, errs)
	}
	from, to, errs = open311DateWindow("2026-01-01T00:00:00+07:00", "", now)
	if len(errs) != 0 || to.Sub(from) != 90*24*time.Hour {
		t.Fatalf("start only %v..%v", from, to)
	}
	from, _, errs = open311DateWindow("", "2026-04-01", now)
	if len(errs) != 0 || from.Format(time.RFC3339) != "2026-01-01T00:00:00+07:00" {
		t.Fatalf("end only: from %v %v", from, errs)
	}
	for _, c := range [][2]string{
		{"2026-01-01T00:00:00+07:00", "2026-04-01T00:00:01+07:00"}, // 90 days and a second
		{"2026-03-01T00:00:00Z", "2026-02-01T00:00:00Z"},           // backwards
		{"2026-01-01T00:00:00", ""},                                // no timezone
		{"", "tomorrow"},
	} {
		if _, _, errs := open311DateWindow(c[0], c[1], now); len(errs) == 0 || errs[0].Code != 400 {
			t.Errorf("%v accepted", c)
		}
	}
	if _, _, errs := open311DateWindow("2026-01-01T00:00:00+07:00", "2026-03-31T00:00:00+07:00", now); len(errs) != 0 {
		t.Errorf("89 days refused: %v", errs)
	}
}

func TestOpen311SplitFileAndStatus(t *testing.T) {
	for in, want := range map[string][2]string{"PA-2026-000001.json": {"PA-2026-000001", "json"}, "traffic.xml": {"traffic", "xml"}, "a.b.xml": {"a.b", "xml"}} {
		id, f, ok := open311SplitFile(in)
		if !ok || id != want[0] || f != want[1] {
			t.Errorf("%s → %s %s %v", in, id, f, ok)
		}
	}
	for _, bad := range []string{"x.yaml", "json", ".json", "x"} {
		if _, _, ok := open311SplitFile(bad); ok {
			t.Errorf("%s accepted", bad)
		}
	}
	cases := map[string][2]string{
		workflows.FBRouted: {"open", "OPEN"}, workflows.FBInProgress: {"open", "IN_PROGRESS"}, workflows.FBAssigned: {"open", "ACTION_SCHEDULED"},
		workflows.FBPublished: {"closed", "FIXED"}, workflows.FBDuplicate: {"closed", "DUPLICATE"}, workflows.FBRejected: {"closed", "NOT_COUNCILS_RESPONSIBILITY"},
		workflows.FBClosed: {"closed", "CLOSED"}, workflows.FBWithdrawn: {"closed", "CANCELLED"}, workflows.FBTransferred: {"open", "INTERNAL_REFERRAL"},
	}
	for st, want := range cases {
		if Status(st) != want[0] || ExtendedStatus(st) != want[1] {
			t.Errorf("%s → %s %s", st, Status(st), ExtendedStatus(st))
		}
	}
}

func TestOpen311RenderErrorsAndNulls(t *testing.T) {
	gin.SetMode(gin.TestMode)
	w := httptest.NewRecorder()
	c, _ := gin.CreateTestContext(w)
	open311Fail(c, "xml", open311Err(403, "Thiếu api_key.", "api_key is required."), open311Err(400, "x", "y"))
	if w.Code != http.StatusForbidden || w.Header().Get("Content-Type") != open311XMLType ||
		!strings.HasPrefix(w.Body.String(), `<?xml version="1.0" encoding="UTF-8"?>`+"\n<errors><error><code>403</code>") {
		t.Fatalf("xml errors %d %s", w.Code, w.Body)
	}
	var doc struct {
		XMLName xml.Name
		Errors  []open311Error `xml:"error"`
	}
	if err := xml.Unmarshal(w.Body.Bytes(), &doc); err != nil || len(doc.Errors) != 2 || doc.Errors[1].Code != 400 {
		t.Fatalf("parse %v %+v", err, doc)
	}
	w = httptest.NewRecorder()
	c, _ = gin.CreateTestContext(w)
	open311Render(c, "json", 200, "service_requests", "request", []open311RequestOut{{ServiceRequestID: "PA-1", Status: "open", ServiceCode: "x", RequestedDatetime: "t"}})
	if !strings.Contains(w.Body.String(), `"description":null`) || !strings.Contains(w.Body.String(), `"lat":null`) || strings.Contains(w.Body.String(), "extended_attributes") {
		t.Fatalf("json nulls %s", w.Body)
	}
	w = httptest.NewRecorder()
	c, _ = gin.CreateTestContext(w)
	open311Render(c, "xml", 200, "service_definition", "", open311ServiceDef{ServiceCode: "other", Attributes: open311Attrs{}})
	if !strings.Contains(w.Body.String(), "<service_definition><service_code>other</service_code><attributes></attributes></service_definition>") {
		t.Fatalf("xml definition %s", w.Body)
	}
}

// TestOpen311ClosedMatchesStateTable: the statuses the SQL reports as
// "closed" (postgres.Open311ClosedStatuses) are the feedback states that
// ended or whose answer is out (FixMyStreet FIXED).
func TestOpen311ClosedMatchesStateTable(t *testing.T) {
	for _, st := range workflows.FeedbackStates {
		want := st.Terminal || st.Open311 == "FIXED"
		if got := open311ClosedSet[st.Status]; got != want {
			t.Errorf("%s: closed in SQL %v, in the state table %v", st.Status, got, want)
		}
	}
	if len(open311ClosedSet) != len(postgres.Open311ClosedStatuses) {
		t.Errorf("duplicate statuses in postgres.Open311ClosedStatuses")
	}
}

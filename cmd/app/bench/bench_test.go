package bench

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestPercentiles(t *testing.T) {
	var d []time.Duration
	for i := 1; i <= 100; i++ {
		d = append(d, time.Duration(i)*time.Millisecond)
	}
	p := Percentiles(d)
	if p["p50"] != 50 || p["p95"] != 95 || p["p99"] != 99 || p["max"] != 100 {
		t.Fatalf("percentiles = %v", p)
	}
}

func TestRunCountsErrorsAndRatio(t *testing.T) {
	res := Run(context.Background(), "x", 50, 4, func(_ context.Context, i int) error {
		if i%10 == 0 {
			return errors.New("boom")
		}
		return nil
	})
	if res.N != 50 || res.Errors != 5 || res.PerSecond <= 0 {
		t.Fatalf("run = %+v", res)
	}
	r := &Report{}
	r.Add(Result{Name: "ours", PerSecond: 30})
	r.Add(Result{Name: "base", PerSecond: 60})
	r.Ratio("ours/base", "ours", "base")
	if r.Ratios["ours/base"] != 0.5 {
		t.Fatalf("ratio = %v", r.Ratios)
	}
}

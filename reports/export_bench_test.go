package reports

import (
	"fmt"
	"io"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	cds "github.com/caobang/congdanso"
)

// benchRows is the size of the export the memory target is stated for.
const benchRows = 1_000_000

// peakHeap samples the heap every few milliseconds until stop is called and
// returns the highest HeapInuse+StackInuse seen, in bytes.
func peakHeap() (stop func() uint64) {
	var peak atomic.Uint64
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	sample := func() {
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		if v := m.HeapInuse + m.StackInuse; v > peak.Load() {
			peak.Store(v)
		}
	}
	go func() {
		defer wg.Done()
		t := time.NewTicker(20 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				sample()
			}
		}
	}()
	return func() uint64 {
		close(done)
		wg.Wait()
		sample()
		return peak.Load()
	}
}

func benchExport(b *testing.B, mk func(io.Writer) (CaseListWriter, error)) {
	base := time.Date(2025, 1, 1, 8, 0, 0, 0, cds.VietnamTZ)
	runtime.GC()
	stop := peakHeap()
	start := time.Now()
	for n := 0; n < b.N; n++ {
		w, err := mk(io.Discard)
		if err != nil {
			b.Fatal(err)
		}
		for i := 0; i < benchRows; i++ {
			r := CaseListRow{Code: fmt.Sprintf("PA-2025-%07d", i), Kind: cds.KindFeedback, Title: "Phản ánh về đèn chiếu sáng công cộng bị hỏng",
				Field: "do-thi", AgencyCode: "P-THUCPHAN", Status: "resolved", Channel: "online",
				ReceivedAt: base.Add(time.Duration(i) * time.Minute), DueAt: base.Add(time.Duration(i)*time.Minute + 72*time.Hour),
				FinishedAt: base.Add(time.Duration(i)*time.Minute + 30*time.Hour), Timeliness: "early", HandlingHours: 12.5, Rating: 1 + i%5}
			if err := w.Write(r); err != nil {
				b.Fatal(err)
			}
		}
		if err := w.Close(); err != nil {
			b.Fatal(err)
		}
	}
	elapsed := time.Since(start)
	peak := stop()
	b.ReportMetric(float64(benchRows*b.N)/elapsed.Seconds(), "rows/s")
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MB")
	if peak > 300<<20 {
		b.Errorf("peak heap %d MB exceeds the 300 MB budget", peak>>20)
	}
}

// BenchmarkCaseListXLSX1M streams 1,000,000 rows through excelize's
// StreamWriter and reports rows/s and the peak heap (target: under 300 MB).
// Run: go test ./reports/ -run '^$' -bench CaseList -benchtime 1x
func BenchmarkCaseListXLSX1M(b *testing.B) { benchExport(b, NewCaseListXLSX) }

// BenchmarkCaseListCSV1M is the same export as CSV.
func BenchmarkCaseListCSV1M(b *testing.B) { benchExport(b, NewCaseListCSV) }

package bench

import (
	"fmt"
	"html"
	"io"
	"math"
	"os"
	"strings"
)

// Chart layout (pixels): the plot area is [chartLeft, chartLeft+plotW] ×
// [chartTop, chartTop+plotH]; the legend sits right of it.
const (
	chartW      = 820
	chartH      = 430
	chartLeft   = 70
	chartTop    = 40
	plotW       = 470
	plotH       = 330
	chartMinTop = 1000.0 // the y axis reaches at least 1 s, so the 150 ms line shows
)

// chartErrorColor rings the points of rates where requests failed.
const chartErrorColor = "#e00000"

var chartColors = []string{"#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b"}

// chartScale maps offered rate (linear, 0..xMax) and latency (log10,
// 1 ms..yMax) to pixels.
type chartScale struct{ xMax, yMax float64 }

func newChartScale(series []SweepSeries) chartScale {
	s := chartScale{xMax: 1, yMax: chartMinTop}
	top := 1.0
	for _, x := range series {
		for _, p := range x.Points {
			s.xMax = math.Max(s.xMax, p.Offered)
			top = math.Max(top, p.P99)
		}
	}
	s.yMax = math.Max(chartMinTop, math.Pow(10, math.Ceil(math.Log10(top))))
	return s
}

func (s chartScale) x(rate float64) float64 { return chartLeft + rate/s.xMax*plotW }

func (s chartScale) y(ms float64) float64 {
	if ms < 1 {
		ms = 1
	}
	return chartTop + plotH*(1-math.Log10(ms)/math.Log10(s.yMax))
}

// polyline returns the "points" attribute of a series' line for one
// percentile (p50 or p99).
func (s chartScale) polyline(pts []SweepPoint, p99 bool) string {
	var b strings.Builder
	for i, p := range pts {
		v := p.P50
		if p99 {
			v = p.P99
		}
		if i > 0 {
			b.WriteByte(' ')
		}
		fmt.Fprintf(&b, "%.1f,%.1f", s.x(p.Offered), s.y(v))
	}
	return b.String()
}

// WriteSVG draws latency against offered load: per series a solid p99 line
// and a dashed p50 line, a log latency axis and the KneeMS line. Plain SVG,
// no dependencies, so it renders on GitHub and in any browser.
func WriteSVG(w io.Writer, title string, series []SweepSeries) error {
	s := newChartScale(series)
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" font-family="sans-serif" font-size="12">`+"\n", chartW, chartH, chartW, chartH)
	fmt.Fprintf(&b, `<rect width="%d" height="%d" fill="#fff"/>`+"\n", chartW, chartH)
	fmt.Fprintf(&b, `<text x="%d" y="22" font-size="14" font-weight="bold">%s</text>`+"\n", chartLeft, html.EscapeString(title))
	fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%d" height="%d" fill="none" stroke="#333"/>`+"\n", chartLeft, chartTop, plotW, plotH)
	for ms := 1.0; ms <= s.yMax; ms *= 10 {
		y := s.y(ms)
		fmt.Fprintf(&b, `<line x1="%d" y1="%.1f" x2="%d" y2="%.1f" stroke="#ddd"/><text x="%d" y="%.1f" text-anchor="end">%s</text>`+"\n",
			chartLeft, y, chartLeft+plotW, y, chartLeft-6, y+4, msLabel(ms))
	}
	for i := 0; i <= 5; i++ {
		r := s.xMax * float64(i) / 5
		x := s.x(r)
		fmt.Fprintf(&b, `<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="#ddd"/><text x="%.1f" y="%d" text-anchor="middle">%g</text>`+"\n",
			x, chartTop, x, chartTop+plotH, x, chartTop+plotH+16, math.Round(r*10)/10)
	}
	fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="middle">Tải đề nghị (yêu cầu/giây) / offered load (requests/s)</text>`+"\n", chartLeft+plotW/2, chartTop+plotH+36)
	fmt.Fprintf(&b, `<text x="16" y="%d" text-anchor="middle" transform="rotate(-90 16 %d)">Độ trễ / latency (ms, log)</text>`+"\n", chartTop+plotH/2, chartTop+plotH/2)
	ky := s.y(KneeMS)
	fmt.Fprintf(&b, `<line x1="%d" y1="%.1f" x2="%d" y2="%.1f" stroke="#888" stroke-dasharray="2,3"/><text x="%d" y="%.1f" fill="#555">%d ms</text>`+"\n",
		chartLeft, ky, chartLeft+plotW, ky, chartLeft+plotW+4, ky+4, KneeMS)
	lx := chartLeft + plotW + 40
	withErrors := false
	for i, x := range series {
		col := chartColors[i%len(chartColors)]
		fmt.Fprintf(&b, `<polyline fill="none" stroke="%s" stroke-width="2" points="%s"/>`+"\n", col, s.polyline(x.Points, true))
		fmt.Fprintf(&b, `<polyline fill="none" stroke="%s" stroke-width="1.5" stroke-dasharray="5,4" points="%s"/>`+"\n", col, s.polyline(x.Points, false))
		for _, p := range x.Points {
			fmt.Fprintf(&b, `<circle cx="%.1f" cy="%.1f" r="3" fill="%s"/>`+"\n", s.x(p.Offered), s.y(p.P99), col)
			if p.Errors > 0 {
				// A rate where requests failed: a ring round the point and
				// the count, so the chart does not pass a failing rate off
				// as a fast one.
				fmt.Fprintf(&b, `<circle cx="%.1f" cy="%.1f" r="7" fill="none" stroke="%s" stroke-width="2"/><text x="%.1f" y="%.1f" fill="%s" font-size="11">%d lỗi / errors</text>`+"\n",
					s.x(p.Offered), s.y(p.P99), chartErrorColor, s.x(p.Offered)+9, s.y(p.P99)-8, chartErrorColor, p.Errors)
				withErrors = true
			}
		}
		ly := chartTop + 10 + i*54
		fmt.Fprintf(&b, `<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="%s" stroke-width="2"/><text x="%d" y="%d">%s p99</text>`+"\n", lx, ly, lx+24, ly, col, lx+30, ly+4, html.EscapeString(x.Name))
		fmt.Fprintf(&b, `<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="%s" stroke-width="1.5" stroke-dasharray="5,4"/><text x="%d" y="%d">p50</text>`+"\n", lx, ly+16, lx+24, ly+16, col, lx+30, ly+20)
		fmt.Fprintf(&b, `<text x="%d" y="%d" fill="#555">knee: %s</text>`+"\n", lx+30, ly+36, html.EscapeString(x.Knee))
	}
	if withErrors {
		fmt.Fprintf(&b, `<circle cx="%d" cy="%d" r="7" fill="none" stroke="%s" stroke-width="2"/><text x="%d" y="%d">có yêu cầu lỗi / requests failed</text>`+"\n",
			lx+12, chartH-24, chartErrorColor, lx+30, chartH-20)
	}
	b.WriteString("</svg>\n")
	_, err := io.WriteString(w, b.String())
	return err
}

func msLabel(ms float64) string {
	if ms >= 1000 {
		return fmt.Sprintf("%g s", ms/1000)
	}
	return fmt.Sprintf("%g ms", ms)
}

// WriteSVGFile writes the chart of sw to path.
func (sw *Sweep) WriteSVGFile(path string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	title := fmt.Sprintf("congdanso bench --sweep — %s (load %s → %s)", sw.Engine, sw.LoadStart, sw.LoadEnd)
	if err := WriteSVG(f, title, sw.Series); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

package app

import (
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"go.temporal.io/sdk/client"
)

// PromMetrics adapts the Temporal SDK's metrics to client_golang, so worker
// and client metrics (schedule-to-start latency, task slots…) appear on /metrics.
type PromMetrics struct {
	reg  prometheus.Registerer
	tags map[string]string
	mu   *sync.Mutex
	vecs map[string]prometheus.Collector
}

// NewPromMetrics returns a handler registering on the default registry.
func NewPromMetrics() *PromMetrics {
	return &PromMetrics{reg: prometheus.DefaultRegisterer, tags: map[string]string{}, mu: &sync.Mutex{}, vecs: map[string]prometheus.Collector{}}
}

var _ client.MetricsHandler = (*PromMetrics)(nil)

// WithTags returns a handler with extra labels.
func (p *PromMetrics) WithTags(t map[string]string) client.MetricsHandler {
	m := make(map[string]string, len(p.tags)+len(t))
	for k, v := range p.tags {
		m[k] = v
	}
	for k, v := range t {
		m[k] = v
	}
	return &PromMetrics{reg: p.reg, tags: m, mu: p.mu, vecs: p.vecs}
}

func (p *PromMetrics) labels() ([]string, prometheus.Labels) {
	keys := make([]string, 0, len(p.tags))
	for k := range p.tags {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys, prometheus.Labels(p.tags)
}

// collector returns (creating once) the vector for name+labelset.
func (p *PromMetrics) collector(kind, name string, keys []string, mk func(string) prometheus.Collector) prometheus.Collector {
	id := kind + "|" + name + "|" + strings.Join(keys, ",")
	p.mu.Lock()
	defer p.mu.Unlock()
	if c, ok := p.vecs[id]; ok {
		return c
	}
	c := mk(strings.ReplaceAll(name, ".", "_"))
	if err := p.reg.Register(c); err != nil {
		if are, ok := err.(prometheus.AlreadyRegisteredError); ok {
			c = are.ExistingCollector
		}
	}
	p.vecs[id] = c
	return c
}

// Counter implements client.MetricsHandler.
func (p *PromMetrics) Counter(name string) client.MetricsCounter {
	keys, l := p.labels()
	c, ok := p.collector("c", name, keys, func(n string) prometheus.Collector {
		return prometheus.NewCounterVec(prometheus.CounterOpts{Name: n, Help: "Temporal SDK counter " + name}, keys)
	}).(*prometheus.CounterVec)
	if !ok {
		return client.MetricsNopHandler.Counter(name)
	}
	return counter{c.With(l)}
}

// Gauge implements client.MetricsHandler.
func (p *PromMetrics) Gauge(name string) client.MetricsGauge {
	keys, l := p.labels()
	g, ok := p.collector("g", name, keys, func(n string) prometheus.Collector {
		return prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: n, Help: "Temporal SDK gauge " + name}, keys)
	}).(*prometheus.GaugeVec)
	if !ok {
		return client.MetricsNopHandler.Gauge(name)
	}
	return gauge{g.With(l)}
}

// Timer implements client.MetricsHandler (seconds histogram).
func (p *PromMetrics) Timer(name string) client.MetricsTimer {
	keys, l := p.labels()
	h, ok := p.collector("t", name, keys, func(n string) prometheus.Collector {
		return prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: n + "_seconds", Help: "Temporal SDK timer " + name}, keys)
	}).(*prometheus.HistogramVec)
	if !ok {
		return client.MetricsNopHandler.Timer(name)
	}
	return timer{h.With(l)}
}

type counter struct{ c prometheus.Counter }

func (c counter) Inc(n int64) { c.c.Add(float64(n)) }

type timer struct{ o prometheus.Observer }

func (t timer) Record(d time.Duration) { t.o.Observe(d.Seconds()) }

type gauge struct{ g prometheus.Gauge }

func (g gauge) Update(v float64) { g.g.Set(v) }

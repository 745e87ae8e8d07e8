package notify

import "github.com/prometheus/client_golang/prometheus"

// Metrics counts delivery outcomes by channel: sent, failed (permanent or
// given up), retry (a transient error that will be retried) and
// token_dropped (a push token the provider reported invalid).
type Metrics struct{ deliveries *prometheus.CounterVec }

// NewMetrics registers congdanso_notification_deliveries_total on reg (the
// default registry serves /metrics). Registering twice in one process (tests
// build several apps) reuses the first collector.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	c := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "congdanso_notification_deliveries_total",
		Help: "Notification deliveries by channel and outcome (sent, failed, retry, token_dropped).",
	}, []string{"channel", "outcome"})
	if err := reg.Register(c); err != nil {
		if are, ok := err.(prometheus.AlreadyRegisteredError); ok {
			c = are.ExistingCollector.(*prometheus.CounterVec)
		}
	}
	return &Metrics{deliveries: c}
}

// Count adds n to (channel, outcome). A nil *Metrics counts nothing.
func (m *Metrics) Count(channel, outcome string, n int) {
	if m == nil || n == 0 {
		return
	}
	m.deliveries.WithLabelValues(channel, outcome).Add(float64(n))
}

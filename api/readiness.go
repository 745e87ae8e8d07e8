package api

import "context"

// readyCheck is one extra check of /readyz.
type readyCheck struct {
	name  string
	check func(ctx context.Context) error
}

// AddReadyCheck makes /readyz answer 200 only while check passes. A process
// that runs a worker adds one that a worker answers (cmd/app/readiness.go),
// so "ready" means a case can be filed and acted on, not only that the
// servers accept connections.
func (s *Server) AddReadyCheck(name string, check func(ctx context.Context) error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.checks = append(s.checks, readyCheck{name: name, check: check})
}

func (s *Server) readyChecks() []readyCheck {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]readyCheck(nil), s.checks...)
}

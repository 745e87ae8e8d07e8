// Package payments serves bill look-up, VNPay payments (create, IPN, return
// page, receipts, reconciliation) and, in demo mode, the gateway simulator.
package payments

import "github.com/caobang/congdanso/api"

// Handler serves the payment routes.
type Handler struct {
	api.Deps
	// Payments is nil when the feature is not configured (routes answer 503).
	Payments *Config
}

// Register adds the payment routes.
func (s *Handler) Register(r *api.Server) {
	s.registerBills(r)
	s.registerPayments(r)
	s.registerPaysim(r)
	s.registerVnpay(r)
}

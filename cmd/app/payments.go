package app

import (
	"context"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"

	cds "github.com/caobang/congdanso"
	"github.com/caobang/congdanso/activities"
	"github.com/caobang/congdanso/api/payments"
	"github.com/caobang/congdanso/vnpay"
)

// Demo merchant account of the gateway simulator (never valid at VNPay).
const (
	demoTmnCode    = "CDSCB001"
	demoHashSecret = "CDS-DEMO-SECRET-CAOBANG-NOT-FOR-PRODUCTION"
)

func init() { AddHook(wirePayments) }

func envOr(name, def string) string {
	if v := strings.TrimSpace(os.Getenv(name)); v != "" {
		return v
	}
	return def
}

func envDuration(name string, def time.Duration) time.Duration {
	if d, err := time.ParseDuration(os.Getenv(name)); err == nil && d >= 0 {
		return d
	}
	return def
}

// wirePayments builds the payment feature from the environment:
//
//	CONGDANSO_VNPAY_TMN_CODE, CONGDANSO_VNPAY_HASH_SECRET   merchant account (demo defaults in demo mode only)
//	CONGDANSO_VNPAY_URL, CONGDANSO_VNPAY_API_URL            pay page and merchant API (simulator in demo mode, else sandbox)
//	CONGDANSO_PAYMENT_EXPIRY (15m), CONGDANSO_PAYMENT_GRACE (5m)
//	CONGDANSO_BILLER_URL, CONGDANSO_BILLER_TOKEN, CONGDANSO_BILLER_TIMEOUT   an HTTP/JSON biller
//	CONGDANSO_DEMO_BILLER_CONFIRM_DELAY, CONGDANSO_DEMO_BILLER_FAIL_FIRST    demo biller behaviour (tests)
//
// Without a biller URL the demo biller serves in demo mode; outside demo
// mode, without a merchant secret, payments answer 503. The simulator never
// runs outside demo mode: it would mark payments paid without money.
func wirePayments(ctx context.Context, a *App) error {
	demo := a.Opts.API.Demo
	base := strings.TrimRight(a.Opts.API.PublicBaseURL, "/")
	cfg := vnpay.Config{
		TmnCode:    envOr("CONGDANSO_VNPAY_TMN_CODE", ""),
		HashSecret: envOr("CONGDANSO_VNPAY_HASH_SECRET", ""),
		PayURL:     envOr("CONGDANSO_VNPAY_URL", vnpay.SandboxPayURL),
		APIURL:     envOr("CONGDANSO_VNPAY_API_URL", vnpay.SandboxAPIURL),
	}
	if demo {
		cfg.TmnCode = envOr("CONGDANSO_VNPAY_TMN_CODE", demoTmnCode)
		cfg.HashSecret = envOr("CONGDANSO_VNPAY_HASH_SECRET", demoHashSecret)
		cfg.PayURL = envOr("CONGDANSO_VNPAY_URL", base+"/paysim/paymentv2/vpcpay.html")
		cfg.APIURL = envOr("CONGDANSO_VNPAY_API_URL", base+"/paysim/merchant_webapi/api/transaction")
	}
	var biller cds.Biller
	if u := os.Getenv("CONGDANSO_BILLER_URL"); u != "" {
		biller = &activities.HTTPBiller{BaseURL: u, Token: os.Getenv("CONGDANSO_BILLER_TOKEN"),
			Client: &http.Client{Timeout: envDuration("CONGDANSO_BILLER_TIMEOUT", 15*time.Second)}}
	} else if demo {
		failFirst, _ := strconv.ParseInt(os.Getenv("CONGDANSO_DEMO_BILLER_FAIL_FIRST"), 10, 64)
		biller = &activities.DemoBiller{DB: a.DB, ConfirmDelay: envDuration("CONGDANSO_DEMO_BILLER_CONFIRM_DELAY", 0), FailFirst: failFirst}
		if err := a.DB.SeedDemoBills(ctx, activities.DemoBills()); err != nil {
			return err
		}
	}
	pc := &payments.Config{
		VNPay: cfg, Biller: biller, Simulator: demo, FinanceAgency: "STC",
		Expiry: envDuration("CONGDANSO_PAYMENT_EXPIRY", 15*time.Minute),
		Grace:  envDuration("CONGDANSO_PAYMENT_GRACE", 5*time.Minute),
	}
	if cfg.HashSecret == "" {
		a.Logger.Warn("payments: CONGDANSO_VNPAY_HASH_SECRET is not set; payments are disabled")
		pc.Biller = nil
	}
	a.Payments = pc
	a.Activities.Extra[activities.PaymentsKey] = &activities.PaymentDeps{
		Biller:  biller,
		Gateway: &activities.Gateway{VNPay: cfg, Client: &http.Client{Timeout: 20 * time.Second}, IPAddr: "127.0.0.1"},
	}
	return nil
}

package activities

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/caobang/congdanso/postgres"
	"github.com/caobang/congdanso/vnpay"
)

// Gateway is the payment gateway adapter used by workflows: today the
// refund call of VNPay's merchant web API (the payment URL is built at the
// API edge, and the IPN arrives there).
type Gateway struct {
	VNPay  vnpay.Config
	Client *http.Client
	IPAddr string // our server's address, sent as vnp_IpAddr
}

// Refund asks the gateway to refund p in full and returns the gateway's
// response code. The request ID is derived from the TxnRef, so a retried
// call is a duplicate to the gateway ("94"), never a second refund.
func (g *Gateway) Refund(ctx context.Context, p postgres.Payment) (string, error) {
	req := g.VNPay.NewRefund("RF"+p.TxnRef, p.TxnRef, p.Amount, p.GatewayTxnNo, p.GatewayPayDate, "congdanso",
		g.IPAddr, "Hoan tien "+p.TxnRef, time.Now())
	buf, err := json.Marshal(req)
	if err != nil {
		return "", err
	}
	hr, err := http.NewRequestWithContext(ctx, http.MethodPost, g.VNPay.APIURL, bytes.NewReader(buf))
	if err != nil {
		return "", err
	}
	hr.Header.Set("Content-Type", "application/json")
	cl := g.Client
	if cl == nil {
		cl = &http.Client{Timeout: 20 * time.Second}
	}
	resp, err := cl.Do(hr)
	if err != nil {
		return "", fmt.Errorf("gateway refund: %w", err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return "", err
	}
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("gateway refund: HTTP %d", resp.StatusCode)
	}
	var out vnpay.RefundResponse
	if err := json.Unmarshal(raw, &out); err != nil {
		return "", fmt.Errorf("gateway refund: bad JSON: %w", err)
	}
	if !vnpay.VerifyRefundResponse(g.VNPay.HashSecret, out) {
		return "", fmt.Errorf("gateway refund: response signature invalid")
	}
	return out.ResponseCode, nil
}

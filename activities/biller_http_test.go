package activities

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	cds "github.com/caobang/congdanso"
	"github.com/caobang/congdanso/postgres"
	"github.com/caobang/congdanso/vnpay"
)

func TestHTTPBiller(t *testing.T) {
	var confirms int
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer tok" {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		switch r.URL.Path {
		case "/bills":
			if r.URL.Query().Get("provider") != "EVN" || r.URL.Query().Get("customer_code") != "PC01" {
				w.WriteHeader(http.StatusNotFound)
				return
			}
			_ = json.NewEncoder(w).Encode(map[string]any{"bills": []cds.Bill{{ID: "B1", Provider: "EVN", CustomerCode: "PC01", Amount: 120000}}})
		case "/confirm":
			var c cds.BillerConfirm
			_ = json.NewDecoder(r.Body).Decode(&c)
			confirms++
			switch c.PaymentRef {
			case "REFUSE":
				w.WriteHeader(http.StatusUnprocessableEntity)
				_, _ = w.Write([]byte(`{"error":{"message":"account closed"}}`))
			case "DOWN":
				w.WriteHeader(http.StatusServiceUnavailable)
			default:
				_ = json.NewEncoder(w).Encode(cds.BillerReceipt{ReceiptNo: "R-" + c.PaymentRef, ConfirmedAt: time.Now()})
			}
		}
	}))
	defer srv.Close()
	b := &HTTPBiller{BaseURL: srv.URL + "/", Token: "tok", Client: srv.Client()}
	ctx := context.Background()
	bills, err := b.OpenBills(ctx, "EVN", "PC01")
	if err != nil || len(bills) != 1 || bills[0].Amount != 120000 {
		t.Fatalf("bills %v %v", bills, err)
	}
	if bills, err := b.OpenBills(ctx, "EVN", "nobody"); err != nil || len(bills) != 0 {
		t.Fatalf("unknown customer %v %v", bills, err)
	}
	r, err := b.Confirm(ctx, cds.BillerConfirm{PaymentRef: "P1", BillIDs: []string{"B1"}, Amount: 120000})
	if err != nil || r.ReceiptNo != "R-P1" {
		t.Fatalf("confirm %v %v", r, err)
	}
	if _, err := b.Confirm(ctx, cds.BillerConfirm{PaymentRef: "REFUSE"}); !errors.Is(err, cds.ErrBillerRefused) {
		t.Fatalf("refusal err = %v", err)
	}
	if _, err := b.Confirm(ctx, cds.BillerConfirm{PaymentRef: "DOWN"}); !errors.Is(err, ErrBillerUnavailable) || errors.Is(err, cds.ErrBillerRefused) {
		t.Fatalf("outage err = %v", err)
	}
	if confirms != 3 {
		t.Fatalf("%d confirm calls", confirms)
	}
	bad := &HTTPBiller{BaseURL: srv.URL, Token: "wrong", Client: srv.Client()}
	if _, err := bad.OpenBills(ctx, "EVN", "PC01"); !errors.Is(err, ErrBillerUnavailable) {
		t.Fatalf("unauthorised err = %v", err)
	}
}

func TestGatewayRefundSignsAndVerifies(t *testing.T) {
	cfg := vnpay.Config{TmnCode: "CDSCB001", HashSecret: "s3cret"}
	var got vnpay.RefundRequest
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = json.NewDecoder(r.Body).Decode(&got)
		code := vnpay.APIOK
		if !vnpay.VerifyRefund("s3cret", got) {
			code = vnpay.APIChecksum
		}
		out := vnpay.RefundResponse{ResponseID: got.RequestID, Command: "refund", ResponseCode: code, TxnRef: got.TxnRef, Amount: got.Amount}
		secret := "s3cret"
		if got.TxnRef == "FORGED" {
			secret = "other"
		}
		vnpay.SignRefundResponse(secret, &out)
		_ = json.NewEncoder(w).Encode(out)
	}))
	defer srv.Close()
	cfg.APIURL = srv.URL
	g := &Gateway{VNPay: cfg, Client: srv.Client(), IPAddr: "127.0.0.1"}
	code, err := g.Refund(context.Background(), postgres.Payment{TxnRef: "P1", Amount: 199000, GatewayTxnNo: "14000001", GatewayPayDate: "20260523103512"})
	if err != nil || code != vnpay.APIOK {
		t.Fatalf("refund %q %v", code, err)
	}
	if got.Amount != "19900000" || got.TransactionType != vnpay.RefundFull || got.RequestID != "RFP1" || got.TransactionNo != "14000001" {
		t.Fatalf("request %+v", got)
	}
	if _, err := g.Refund(context.Background(), postgres.Payment{TxnRef: "FORGED", Amount: 1}); err == nil {
		t.Fatal("a forged gateway answer was accepted")
	}
}

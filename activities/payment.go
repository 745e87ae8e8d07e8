package activities

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"

	cds "github.com/caobang/congdanso"
	"github.com/caobang/congdanso/postgres"
	"github.com/caobang/congdanso/vnpay"
)

// PaymentsKey is the key of *PaymentDeps in Activities.Extra.
const PaymentsKey = "payments"

// PaymentDeps are the payment feature's clients, set in cmd.
type PaymentDeps struct {
	Biller  cds.Biller
	Gateway *Gateway
}

// ErrTypeBillerRefused is the application error type of a permanent biller
// refusal; the workflow does not retry it and compensates with a refund.
const ErrTypeBillerRefused = "BillerRefused"

func (a *Activities) payments() (*PaymentDeps, error) {
	d, _ := a.Extra[PaymentsKey].(*PaymentDeps)
	if d == nil || d.Biller == nil || d.Gateway == nil {
		return nil, errors.New("payments: biller or gateway not configured")
	}
	return d, nil
}

// PaymentSpec is the payment a BillPayment workflow creates (amount locked).
type PaymentSpec = postgres.NewPayment

// PaymentState is what a payment activity reports back to the workflow.
type PaymentState struct {
	ID        int64             `json:"id"`
	Status    cds.PaymentStatus `json:"status"`
	PaidAt    time.Time         `json:"paid_at"`
	ReceiptNo string            `json:"receipt_no,omitempty"`
}

func stateOf(p postgres.Payment) PaymentState {
	s := PaymentState{ID: p.ID, Status: p.Status, ReceiptNo: p.ReceiptNo}
	if p.PaidAt != nil {
		s.PaidAt = *p.PaidAt
	}
	return s
}

// CreatePayment records the payment and its items once (idempotent on
// TxnRef; the API usually created it already, before showing the URL).
func (a *Activities) CreatePayment(ctx context.Context, in PaymentSpec) (PaymentState, error) {
	p, err := a.DB.CreatePayment(ctx, in)
	if err != nil {
		return PaymentState{}, err
	}
	return stateOf(p), nil
}

// PaymentStatus reads a payment's state from PostgreSQL (the authority;
// the IPN handler writes it before signalling).
func (a *Activities) PaymentStatus(ctx context.Context, txnRef string) (PaymentState, error) {
	p, err := a.DB.PaymentByRef(ctx, txnRef)
	if err != nil {
		return PaymentState{}, err
	}
	return stateOf(p), nil
}

// ExpirePayment cancels a payment still pending at its expiry. If an IPN was
// recorded meanwhile (its signal lost), the payment is returned as it is.
func (a *Activities) ExpirePayment(ctx context.Context, txnRef string) (PaymentState, error) {
	p, err := a.DB.ExpirePayment(ctx, txnRef)
	if err != nil {
		return PaymentState{}, err
	}
	return stateOf(p), nil
}

// ConfirmBiller settles the payment at the biller, at most once: a payment
// that already has the biller's receipt returns it without calling, and the
// biller itself is idempotent on the payment reference (the process may die
// after the biller committed and before we recorded it). A permanent refusal
// is returned as a non-retryable ErrTypeBillerRefused error.
func (a *Activities) ConfirmBiller(ctx context.Context, txnRef string) (cds.BillerReceipt, error) {
	d, err := a.payments()
	if err != nil {
		return cds.BillerReceipt{}, err
	}
	p, err := a.DB.PaymentByRef(ctx, txnRef)
	if err != nil {
		return cds.BillerReceipt{}, err
	}
	if p.BillerReceiptNo != "" {
		return cds.BillerReceipt{ReceiptNo: p.BillerReceiptNo, ConfirmedAt: deref(p.BillerConfirmedAt)}, nil
	}
	if p.Status != cds.PaymentPaid {
		return cds.BillerReceipt{}, temporal.NewNonRetryableApplicationError(
			fmt.Sprintf("payment %s is %s, not paid", txnRef, p.Status), "PaymentNotPaid", nil)
	}
	if p.Kind == "fee" {
		// An application fee is collected by the province itself: there is
		// no outside biller, the fee receipt refers to the dossier.
		r := cds.BillerReceipt{ReceiptNo: "LP-" + p.CustomerCode + "-" + p.TxnRef, ConfirmedAt: time.Now()}
		_, err := a.DB.MarkBillerConfirmed(ctx, txnRef, r)
		return r, err
	}
	full, err := a.DB.PaymentByID(ctx, p.ID)
	if err != nil {
		return cds.BillerReceipt{}, err
	}
	c := cds.BillerConfirm{PaymentRef: p.TxnRef, Provider: p.Provider, CustomerCode: p.CustomerCode, Amount: p.Amount, PaidAt: deref(p.PaidAt)}
	for _, it := range full.Items {
		c.BillIDs = append(c.BillIDs, it.BillID)
	}
	// Heartbeats let Temporal notice a dead worker within the heartbeat
	// timeout instead of the whole start-to-close timeout.
	hbCtx, stop := context.WithCancel(ctx)
	defer stop()
	go func() {
		t := time.NewTicker(time.Second)
		defer t.Stop()
		for {
			select {
			case <-hbCtx.Done():
				return
			case <-t.C:
				activity.RecordHeartbeat(ctx)
			}
		}
	}()
	r, err := d.Biller.Confirm(ctx, c)
	stop()
	if errors.Is(err, cds.ErrBillerRefused) {
		if _, merr := a.DB.MarkBillerRefused(ctx, txnRef, err.Error()); merr != nil {
			return r, merr
		}
		return r, temporal.NewNonRetryableApplicationError(err.Error(), ErrTypeBillerRefused, err)
	}
	if err != nil {
		return r, err
	}
	if _, err := a.DB.MarkBillerConfirmed(ctx, txnRef, r); err != nil {
		return r, err
	}
	return r, nil
}

// RefundPayment refunds a paid payment through the gateway (compensation
// when the biller refuses). "94" (duplicate request) means an earlier try
// of this same refund reached the gateway, so it counts as done.
func (a *Activities) RefundPayment(ctx context.Context, txnRef string) (string, error) {
	d, err := a.payments()
	if err != nil {
		return "", err
	}
	p, err := a.DB.PaymentByRef(ctx, txnRef)
	if err != nil {
		return "", err
	}
	if p.Status == cds.PaymentRefunded {
		return p.RefundResponse, nil
	}
	code, err := d.Gateway.Refund(ctx, p)
	if err != nil {
		return "", err
	}
	if code != vnpay.APIOK && code != vnpay.APIDuplicate {
		return code, fmt.Errorf("gateway refused the refund of %s: code %s", txnRef, code)
	}
	if _, err := a.DB.MarkRefunded(ctx, txnRef, code); err != nil {
		return code, err
	}
	return code, nil
}

// IssueReceipt gives a confirmed payment its e-receipt (once).
func (a *Activities) IssueReceipt(ctx context.Context, txnRef string) (PaymentState, error) {
	p, err := a.DB.IssueReceipt(ctx, txnRef)
	if err != nil {
		return PaymentState{}, err
	}
	return stateOf(p), nil
}

// RecordPaymentEvent records a workflow step of a payment once.
func (a *Activities) RecordPaymentEvent(ctx context.Context, txnRef, kind string, detail map[string]any) error {
	p, err := a.DB.PaymentByRef(ctx, txnRef)
	if err != nil {
		return err
	}
	return a.DB.AddPaymentEvent(ctx, p.ID, kind, detail)
}

func deref(t *time.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return *t
}

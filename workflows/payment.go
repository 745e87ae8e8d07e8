package workflows

import (
	"errors"
	"fmt"
	"time"

	"go.temporal.io/sdk/log"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	cds "github.com/caobang/congdanso"
	"github.com/caobang/congdanso/activities"
)

// BillPaymentWorkflowName is the pinned name of the payment saga.
const BillPaymentWorkflowName = "BillPayment"

// SignalPaymentIPN wakes a BillPayment when the gateway's IPN has been
// recorded in PostgreSQL. It is a Signal (fire-and-forget from the gateway's
// callback), and only a wake-up: the workflow reads the outcome from the
// database, which the IPN handler wrote first.
const SignalPaymentIPN = "payment-ipn"

// QueryPaymentStep returns the saga's current step (live view only).
const QueryPaymentStep = "step"

// PaymentIPN is the payload of SignalPaymentIPN.
type PaymentIPN struct {
	TxnRef        string `json:"txn_ref"`
	Success       bool   `json:"success"`
	ResponseCode  string `json:"response_code"`
	TransactionNo string `json:"transaction_no"`
}

// BillPaymentInput starts a payment saga. Payment.NotifyWorkflowID, when
// set, is the ServiceApplication waiting for this fee (SignalFeePaid).
type BillPaymentInput struct {
	Payment activities.PaymentSpec `json:"payment"`
	// Grace is how long after the gateway's expiry a late IPN is still
	// awaited before the payment is cancelled.
	Grace time.Duration `json:"grace"`
}

// BillPaymentResult is how the saga ended.
type BillPaymentResult struct {
	Status          cds.PaymentStatus `json:"status"`
	ReceiptNo       string            `json:"receipt_no,omitempty"`
	BillerReceiptNo string            `json:"biller_receipt_no,omitempty"`
	RefundCode      string            `json:"refund_code,omitempty"`
}

func init() {
	register(func(w worker.Registry) {
		w.RegisterWorkflowWithOptions(BillPayment, workflow.RegisterOptions{Name: BillPaymentWorkflowName})
	})
}

// BillPayment is the payment saga of one vnp_TxnRef:
//  1. create the payment for the chosen bills (amount locked);
//  2. wait for the IPN up to the expiry, else cancel it;
//  3. confirm to the biller, with retries;
//  4. on a permanent refusal, refund through the gateway and tell the citizen;
//  5. issue the e-receipt (and resume the application whose fee it was).
//
// Every step is recorded in payment_events by its activity.
func BillPayment(ctx workflow.Context, in BillPaymentInput) (BillPaymentResult, error) {
	s := &billPayment{in: in, ref: in.Payment.TxnRef, step: "create"}
	if err := s.setup(ctx); err != nil {
		return BillPaymentResult{}, err
	}
	return s.run(ctx)
}

type billPayment struct {
	in   BillPaymentInput
	ref  string
	step string
	log  log.Logger
}

func (s *billPayment) setup(ctx workflow.Context) error {
	s.log = log.With(workflow.GetLogger(ctx), "txnRef", s.ref)
	return workflow.SetQueryHandler(ctx, QueryPaymentStep, func() (string, error) { return s.step, nil })
}

// confirmOpts retry the biller without a limit (it may be down for hours);
// the heartbeat timeout lets a retry start soon after a worker dies.
func confirmOpts(ctx workflow.Context) workflow.Context {
	return workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: time.Minute,
		HeartbeatTimeout:    5 * time.Second,
		RetryPolicy: &temporal.RetryPolicy{
			InitialInterval: time.Second, BackoffCoefficient: 2, MaximumInterval: time.Minute,
			NonRetryableErrorTypes: []string{activities.ErrTypeBillerRefused, "PaymentNotPaid"},
		},
	})
}

func (s *billPayment) run(ctx workflow.Context) (BillPaymentResult, error) {
	actx := activityOpts(ctx)
	var st activities.PaymentState
	if err := workflow.ExecuteActivity(actx, acts.CreatePayment, s.in.Payment).Get(ctx, &st); err != nil {
		return BillPaymentResult{}, err
	}

	if st.Status == cds.PaymentPending {
		s.step = "await_ipn"
		var err error
		if st, err = s.awaitIPN(ctx); err != nil {
			return BillPaymentResult{}, err
		}
	}
	switch st.Status {
	case cds.PaymentFailed, cds.PaymentExpired:
		s.step = string(st.Status)
		title, body := "Thanh toán không thành công / Payment failed",
			fmt.Sprintf("Giao dịch %s không thành công, bạn chưa bị trừ tiền. / Payment %s did not go through; nothing was charged.", s.ref, s.ref)
		if st.Status == cds.PaymentExpired {
			title, body = "Giao dịch đã hết hạn / Payment expired",
				fmt.Sprintf("Giao dịch %s đã hết hạn và bị hủy. / Payment %s expired and was cancelled.", s.ref, s.ref)
		}
		err := s.notify(actx, string(st.Status), title, body)
		return BillPaymentResult{Status: st.Status}, err
	}

	// 3. Confirm to the biller (skipped inside the activity when already done).
	s.step = "confirm_biller"
	var receipt cds.BillerReceipt
	err := workflow.ExecuteActivity(confirmOpts(ctx), acts.ConfirmBiller, s.ref).Get(ctx, &receipt)
	var appErr *temporal.ApplicationError
	if errors.As(err, &appErr) && appErr.Type() == activities.ErrTypeBillerRefused {
		return s.compensate(ctx, appErr.Error())
	}
	if err != nil {
		return BillPaymentResult{}, err
	}

	// 5. The e-receipt.
	s.step = "receipt"
	if err := workflow.ExecuteActivity(actx, acts.IssueReceipt, s.ref).Get(ctx, &st); err != nil {
		return BillPaymentResult{}, err
	}
	if id := s.in.Payment.NotifyWorkflowID; id != "" {
		s.step = "notify_application"
		paid := FeePaid{PaymentID: s.ref, Amount: s.in.Payment.Amount, PaidAt: st.PaidAt}
		kind, detail := "fee_signalled", map[string]any{"workflow_id": id}
		if err := workflow.SignalExternalWorkflow(ctx, id, "", SignalFeePaid, paid).Get(ctx, nil); err != nil {
			// The application is gone (withdrawn, closed): the fee stays
			// paid and visible to finance in the reconciliation list.
			s.log.Warn("fee-paid signal not delivered", "workflowID", id, "error", err)
			kind, detail["error"] = "fee_signal_failed", err.Error()
		}
		if err := workflow.ExecuteActivity(actx, acts.RecordPaymentEvent, s.ref, kind, detail).Get(ctx, nil); err != nil {
			return BillPaymentResult{}, err
		}
	}
	s.step = "done"
	err = s.notify(actx, "completed", "Thanh toán thành công / Payment successful",
		fmt.Sprintf("Đã thanh toán %d đồng, biên lai điện tử %s. / Paid %d VND, e-receipt %s.", s.in.Payment.Amount, st.ReceiptNo, s.in.Payment.Amount, st.ReceiptNo))
	return BillPaymentResult{Status: st.Status, ReceiptNo: st.ReceiptNo, BillerReceiptNo: receipt.ReceiptNo}, err
}

// awaitIPN races the IPN signal against the expiry timer. The database is
// read in both cases: a signal lost between the IPN's commit and its
// delivery (the process died) is caught when the timer fires, because
// ExpirePayment only cancels a payment that is still pending.
func (s *billPayment) awaitIPN(ctx workflow.Context) (activities.PaymentState, error) {
	actx := activityOpts(ctx)
	wait := s.in.Payment.ExpireAt.Add(s.in.Grace).Sub(workflow.Now(ctx))
	if wait < 0 {
		wait = 0
	}
	tctx, cancelTimer := workflow.WithCancel(ctx)
	timer := workflow.NewTimer(tctx, wait)
	ipn := workflow.GetSignalChannel(ctx, SignalPaymentIPN)
	var st activities.PaymentState
	for {
		gotSignal, expired := false, false
		sel := workflow.NewSelector(ctx)
		sel.AddReceive(ipn, func(c workflow.ReceiveChannel, _ bool) {
			var m PaymentIPN
			c.Receive(ctx, &m)
			gotSignal = true
		})
		sel.AddFuture(timer, func(workflow.Future) { expired = true })
		sel.Select(ctx)
		if gotSignal {
			if err := workflow.ExecuteActivity(actx, acts.PaymentStatus, s.ref).Get(ctx, &st); err != nil {
				return st, err
			}
			if st.Status != cds.PaymentPending {
				cancelTimer()
				return st, nil
			}
			continue // a stray signal: keep waiting
		}
		if expired {
			err := workflow.ExecuteActivity(actx, acts.ExpirePayment, s.ref).Get(ctx, &st)
			return st, err
		}
	}
}

// compensate refunds a payment the biller permanently refused, then tells
// the citizen. The refund is retried until the gateway accepts it.
func (s *billPayment) compensate(ctx workflow.Context, reason string) (BillPaymentResult, error) {
	s.step = "refund"
	s.log.Warn("biller refused; refunding", "reason", reason)
	rctx := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 30 * time.Second,
		RetryPolicy:         &temporal.RetryPolicy{InitialInterval: time.Second, BackoffCoefficient: 2, MaximumInterval: 5 * time.Minute},
	})
	var code string
	if err := workflow.ExecuteActivity(rctx, acts.RefundPayment, s.ref).Get(ctx, &code); err != nil {
		return BillPaymentResult{}, err
	}
	s.step = "refunded"
	err := s.notify(activityOpts(ctx), "refunded", "Đã hoàn tiền / Payment refunded",
		fmt.Sprintf("Nhà cung cấp từ chối giao dịch %s nên %d đồng đã được hoàn lại. / The biller refused payment %s, so %d VND was refunded.",
			s.ref, s.in.Payment.Amount, s.ref, s.in.Payment.Amount))
	return BillPaymentResult{Status: cds.PaymentRefunded, RefundCode: code}, err
}

func (s *billPayment) notify(actx workflow.Context, event, title, body string) error {
	return workflow.ExecuteActivity(actx, acts.Notify, activities.NotifyInput{
		DedupeKey: PaymentWorkflowID(s.ref) + "/" + event, UserID: s.in.Payment.UserID, Kind: "payment_" + event,
		Title: title, Body: body, Payload: map[string]any{"txn_ref": s.ref},
	}).Get(actx, nil)
}

package workflows

import (
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"

	cds "github.com/caobang/congdanso"
	"github.com/caobang/congdanso/activities"
)

func paymentInput(notify string) BillPaymentInput {
	return BillPaymentInput{Payment: activities.PaymentSpec{
		TxnRef: "P260523000001", WorkflowID: PaymentWorkflowID("P260523000001"), UserID: 7, Kind: "bill",
		Provider: "EVN", CustomerCode: "PC01CB0001", NotifyWorkflowID: notify, Description: "Tiền điện", Amount: 386000,
		ExpireAt: time.Date(2026, 5, 23, 10, 45, 0, 0, cds.VietnamTZ),
	}, Grace: time.Minute}
}

func newPaymentEnv(t *testing.T) *testsuite.TestWorkflowEnvironment {
	var s testsuite.WorkflowTestSuite
	env := s.NewTestWorkflowEnvironment()
	env.SetStartTime(time.Date(2026, 5, 23, 10, 30, 0, 0, cds.VietnamTZ))
	env.RegisterWorkflowWithOptions(BillPayment, workflowOpts(BillPaymentWorkflowName))
	env.RegisterActivityWithOptions(&activities.Activities{}, activity.RegisterOptions{SkipInvalidStructFunctions: true})
	env.OnActivity(acts.CreatePayment, mock.Anything, mock.Anything).Return(activities.PaymentState{ID: 1, Status: cds.PaymentPending}, nil).Once()
	return env
}

var paidAt = time.Date(2026, 5, 23, 10, 35, 0, 0, cds.VietnamTZ)

func TestBillPaymentHappyPath(t *testing.T) {
	env := newPaymentEnv(t)
	env.RegisterDelayedCallback(func() {
		env.SignalWorkflow(SignalPaymentIPN, PaymentIPN{TxnRef: "P260523000001", Success: true})
	}, 5*time.Minute)
	env.OnActivity(acts.PaymentStatus, mock.Anything, "P260523000001").Return(activities.PaymentState{ID: 1, Status: cds.PaymentPaid, PaidAt: paidAt}, nil).Once()
	// Two transient biller failures, then success: retried, confirmed once.
	env.OnActivity(acts.ConfirmBiller, mock.Anything, "P260523000001").Return(cds.BillerReceipt{}, errors.New("biller down")).Twice()
	env.OnActivity(acts.ConfirmBiller, mock.Anything, "P260523000001").Return(cds.BillerReceipt{ReceiptNo: "HD-EVN-1"}, nil).Once()
	env.OnActivity(acts.IssueReceipt, mock.Anything, "P260523000001").Return(activities.PaymentState{ID: 1, Status: cds.PaymentCompleted, PaidAt: paidAt, ReceiptNo: "BL-2026-000001"}, nil).Once()
	var notified activities.NotifyInput
	env.OnActivity(acts.Notify, mock.Anything, mock.Anything).Run(func(args mock.Arguments) { notified = args.Get(1).(activities.NotifyInput) }).Return(nil).Once()
	env.ExecuteWorkflow(BillPayment, paymentInput(""))
	if err := env.GetWorkflowError(); err != nil {
		t.Fatal(err)
	}
	var res BillPaymentResult
	_ = env.GetWorkflowResult(&res)
	if res.Status != cds.PaymentCompleted || res.ReceiptNo != "BL-2026-000001" || res.BillerReceiptNo != "HD-EVN-1" {
		t.Fatalf("result %+v", res)
	}
	if notified.Kind != "payment_completed" || notified.UserID != 7 || notified.DedupeKey != "payment/P260523000001/completed" {
		t.Fatalf("notify %+v", notified)
	}
	env.AssertExpectations(t)
	env.AssertNotCalled(t, "ExpirePayment", mock.Anything, mock.Anything)
}

func TestBillPaymentExpires(t *testing.T) {
	env := newPaymentEnv(t)
	env.OnActivity(acts.ExpirePayment, mock.Anything, "P260523000001").Return(activities.PaymentState{ID: 1, Status: cds.PaymentExpired}, nil).Once()
	env.OnActivity(acts.Notify, mock.Anything, mock.MatchedBy(func(n activities.NotifyInput) bool { return n.Kind == "payment_expired" })).Return(nil).Once()
	env.ExecuteWorkflow(BillPayment, paymentInput(""))
	var res BillPaymentResult
	if err := env.GetWorkflowResult(&res); err != nil || res.Status != cds.PaymentExpired {
		t.Fatalf("result %+v %v", res, err)
	}
	// The timer ran until expiry + grace (16 min after the start).
	if got := env.Now().Sub(time.Date(2026, 5, 23, 10, 30, 0, 0, cds.VietnamTZ)); got < 16*time.Minute {
		t.Fatalf("expired after %s, want ≥ 16m", got)
	}
	env.AssertExpectations(t)
	env.AssertNotCalled(t, "ConfirmBiller", mock.Anything, mock.Anything)
}

// The IPN was recorded but its signal never arrived (the process died
// between commit and signal): at expiry the database says paid, and the
// saga carries on instead of cancelling.
func TestBillPaymentLostSignalRecoveredAtExpiry(t *testing.T) {
	env := newPaymentEnv(t)
	env.OnActivity(acts.ExpirePayment, mock.Anything, "P260523000001").Return(activities.PaymentState{ID: 1, Status: cds.PaymentPaid, PaidAt: paidAt}, nil).Once()
	env.OnActivity(acts.ConfirmBiller, mock.Anything, "P260523000001").Return(cds.BillerReceipt{ReceiptNo: "HD-EVN-1"}, nil).Once()
	env.OnActivity(acts.IssueReceipt, mock.Anything, "P260523000001").Return(activities.PaymentState{ID: 1, Status: cds.PaymentCompleted, ReceiptNo: "BL-2026-000002"}, nil).Once()
	env.OnActivity(acts.Notify, mock.Anything, mock.Anything).Return(nil).Once()
	env.ExecuteWorkflow(BillPayment, paymentInput(""))
	var res BillPaymentResult
	if err := env.GetWorkflowResult(&res); err != nil || res.Status != cds.PaymentCompleted {
		t.Fatalf("result %+v %v", res, err)
	}
	env.AssertExpectations(t)
}

func TestBillPaymentGatewayFailure(t *testing.T) {
	env := newPaymentEnv(t)
	env.RegisterDelayedCallback(func() { env.SignalWorkflow(SignalPaymentIPN, PaymentIPN{TxnRef: "P260523000001", ResponseCode: "24"}) }, time.Minute)
	env.OnActivity(acts.PaymentStatus, mock.Anything, "P260523000001").Return(activities.PaymentState{ID: 1, Status: cds.PaymentFailed}, nil).Once()
	env.OnActivity(acts.Notify, mock.Anything, mock.MatchedBy(func(n activities.NotifyInput) bool { return n.Kind == "payment_failed" })).Return(nil).Once()
	env.ExecuteWorkflow(BillPayment, paymentInput(""))
	var res BillPaymentResult
	if err := env.GetWorkflowResult(&res); err != nil || res.Status != cds.PaymentFailed {
		t.Fatalf("result %+v %v", res, err)
	}
	env.AssertExpectations(t)
	env.AssertNotCalled(t, "ConfirmBiller", mock.Anything, mock.Anything)
}

func TestBillPaymentBillerRefusalRefunds(t *testing.T) {
	env := newPaymentEnv(t)
	env.RegisterDelayedCallback(func() { env.SignalWorkflow(SignalPaymentIPN, PaymentIPN{TxnRef: "P260523000001", Success: true}) }, time.Minute)
	env.OnActivity(acts.PaymentStatus, mock.Anything, "P260523000001").Return(activities.PaymentState{ID: 1, Status: cds.PaymentPaid}, nil).Once()
	env.OnActivity(acts.ConfirmBiller, mock.Anything, "P260523000001").
		Return(cds.BillerReceipt{}, temporal.NewNonRetryableApplicationError("contract terminated", activities.ErrTypeBillerRefused, nil)).Once()
	env.OnActivity(acts.RefundPayment, mock.Anything, "P260523000001").Return("", errors.New("gateway timeout")).Once()
	env.OnActivity(acts.RefundPayment, mock.Anything, "P260523000001").Return("00", nil).Once()
	env.OnActivity(acts.Notify, mock.Anything, mock.MatchedBy(func(n activities.NotifyInput) bool { return n.Kind == "payment_refunded" })).Return(nil).Once()
	env.ExecuteWorkflow(BillPayment, paymentInput("application/SXD-260523-0001"))
	var res BillPaymentResult
	if err := env.GetWorkflowResult(&res); err != nil || res.Status != cds.PaymentRefunded || res.RefundCode != "00" {
		t.Fatalf("result %+v %v", res, err)
	}
	env.AssertExpectations(t)
	env.AssertNotCalled(t, "IssueReceipt", mock.Anything, mock.Anything)
}

func TestBillPaymentFeeSignalsApplication(t *testing.T) {
	env := newPaymentEnv(t)
	env.RegisterDelayedCallback(func() { env.SignalWorkflow(SignalPaymentIPN, PaymentIPN{TxnRef: "P260523000001", Success: true}) }, time.Minute)
	env.OnActivity(acts.PaymentStatus, mock.Anything, "P260523000001").Return(activities.PaymentState{ID: 1, Status: cds.PaymentPaid, PaidAt: paidAt}, nil).Once()
	env.OnActivity(acts.ConfirmBiller, mock.Anything, "P260523000001").Return(cds.BillerReceipt{ReceiptNo: "HD-FEE-1"}, nil).Once()
	env.OnActivity(acts.IssueReceipt, mock.Anything, "P260523000001").Return(activities.PaymentState{ID: 1, Status: cds.PaymentCompleted, PaidAt: paidAt, ReceiptNo: "BL-2026-000003"}, nil).Once()
	var sent FeePaid
	env.OnSignalExternalWorkflow(mock.Anything, "application/SXD-260523-0001", "", SignalFeePaid, mock.Anything).
		Run(func(args mock.Arguments) { sent = args.Get(4).(FeePaid) }).Return(nil).Once()
	env.OnActivity(acts.RecordPaymentEvent, mock.Anything, "P260523000001", "fee_signalled", mock.Anything).Return(nil).Once()
	env.OnActivity(acts.Notify, mock.Anything, mock.Anything).Return(nil).Once()
	env.ExecuteWorkflow(BillPayment, paymentInput("application/SXD-260523-0001"))
	if err := env.GetWorkflowError(); err != nil {
		t.Fatal(err)
	}
	if sent.PaymentID != "P260523000001" || sent.Amount != 386000 || !sent.PaidAt.Equal(paidAt) {
		t.Fatalf("fee-paid %+v", sent)
	}
	env.AssertExpectations(t)
}

func workflowOpts(name string) workflow.RegisterOptions { return workflow.RegisterOptions{Name: name} }

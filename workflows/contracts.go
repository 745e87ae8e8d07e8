package workflows

import "time"

// Messages exchanged between workflows of different features.

// SignalFeePaid is sent by a completed BillPayment to the workflow named in
// its NotifyWorkflowID (a ServiceApplication waiting for its fee).
const SignalFeePaid = "fee-paid"

// FeePaid is the payload of SignalFeePaid. Amounts are integer VND.
type FeePaid struct {
	PaymentID string    `json:"payment_id"`
	Amount    int64     `json:"amount"`
	PaidAt    time.Time `json:"paid_at"`
}

// FeedbackWorkflowID and ApplicationWorkflowID build workflow IDs from business keys.
func FeedbackWorkflowID(code string) string { return "feedback/" + code }

// ApplicationWorkflowID is the workflow ID of a dossier.
func ApplicationWorkflowID(code string) string { return "application/" + code }

// PaymentWorkflowID is the workflow ID of a payment.
func PaymentWorkflowID(ref string) string { return "payment/" + ref }

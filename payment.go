package congdanso

import (
	"context"
	"errors"
	"time"
)

// Bill providers (billers) of the cashless payment utility.
const (
	ProviderElectricity = "EVN"  // Công ty Điện lực Cao Bằng (PCCB, EVN NPC)
	ProviderWater       = "NUOC" // Công ty Cổ phần Cấp thoát nước Cao Bằng
	ProviderTelecom     = "VNPT" // VNPT Cao Bằng
)

// Bill is one open bill at a biller. Amounts are integer VND.
type Bill struct {
	ID           string    `json:"id"` // the biller's bill reference, unique per provider
	Provider     string    `json:"provider"`
	CustomerCode string    `json:"customer_code"`
	CustomerName string    `json:"customer_name"`
	Period       string    `json:"period"` // e.g. "2026-05"
	Description  string    `json:"description"`
	Amount       int64     `json:"amount"`
	DueDate      time.Time `json:"due_date"`
}

// BillerConfirm asks a biller to settle bills paid under PaymentRef (our
// vnp_TxnRef). A biller must treat a repeated PaymentRef as the same
// payment and answer with the same receipt.
type BillerConfirm struct {
	PaymentRef   string    `json:"payment_ref"`
	Provider     string    `json:"provider"`
	CustomerCode string    `json:"customer_code"`
	BillIDs      []string  `json:"bill_ids"`
	Amount       int64     `json:"amount"`
	PaidAt       time.Time `json:"paid_at"`
}

// BillerReceipt is a biller's acknowledgement of a settled payment.
type BillerReceipt struct {
	ReceiptNo   string    `json:"receipt_no"`
	ConfirmedAt time.Time `json:"confirmed_at"`
}

// Biller is a bill provider's adapter: an HTTP/JSON biller or the demo
// biller inside the binary.
type Biller interface {
	// OpenBills lists the unpaid bills of a customer code at provider.
	OpenBills(ctx context.Context, provider, customerCode string) ([]Bill, error)
	// Confirm settles a payment; it is idempotent on PaymentRef. A permanent
	// refusal (bill already settled elsewhere, account closed) wraps ErrBillerRefused.
	Confirm(ctx context.Context, c BillerConfirm) (BillerReceipt, error)
}

// ErrBillerRefused marks a permanent refusal by a biller: retrying cannot
// help, the payment must be refunded.
var ErrBillerRefused = errors.New("biller refused the payment")

// PaymentStatus is the state of a payment.
type PaymentStatus string

// Payment states. pending → paid → confirmed → completed is the happy path;
// pending → failed | expired, and paid → refunded (the biller refused) end it.
const (
	PaymentPending   PaymentStatus = "pending"
	PaymentPaid      PaymentStatus = "paid"
	PaymentFailed    PaymentStatus = "failed"
	PaymentExpired   PaymentStatus = "expired"
	PaymentConfirmed PaymentStatus = "confirmed"
	PaymentRefunded  PaymentStatus = "refunded"
	PaymentCompleted PaymentStatus = "completed"
)

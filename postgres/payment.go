package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	cds "github.com/caobang/congdanso"
)

// Payment is one row of payments (a BillPayment workflow). Amounts are VND.
type Payment struct {
	ID                int64             `json:"id"`
	TxnRef            string            `json:"txn_ref"`
	WorkflowID        string            `json:"-"`
	UserID            int64             `json:"-"`
	Kind              string            `json:"kind"`
	Provider          string            `json:"provider,omitempty"`
	CustomerCode      string            `json:"customer_code,omitempty"`
	NotifyWorkflowID  string            `json:"-"`
	Description       string            `json:"description"`
	Amount            int64             `json:"amount"`
	Status            cds.PaymentStatus `json:"status"`
	CreatedAt         time.Time         `json:"created_at"`
	ExpireAt          time.Time         `json:"expire_at"`
	PaidAt            *time.Time        `json:"paid_at,omitempty"`
	GatewayTxnNo      string            `json:"gateway_txn_no,omitempty"`
	GatewayPayDate    string            `json:"-"`
	BankCode          string            `json:"bank_code,omitempty"`
	GatewayResponse   string            `json:"gateway_response,omitempty"`
	BillerReceiptNo   string            `json:"biller_receipt_no,omitempty"`
	BillerConfirmedAt *time.Time        `json:"biller_confirmed_at,omitempty"`
	RefusedReason     string            `json:"refused_reason,omitempty"`
	RefundResponse    string            `json:"-"`
	RefundedAt        *time.Time        `json:"refunded_at,omitempty"`
	ReceiptNo         string            `json:"receipt_no,omitempty"`
	ReceiptIssuedAt   *time.Time        `json:"receipt_issued_at,omitempty"`
	Items             []PaymentItem     `json:"items,omitempty"`
	Events            []PaymentEvent    `json:"events,omitempty"`
}

// PaymentItem is one bill (or the fee) a payment settles.
type PaymentItem struct {
	BillID       string `json:"bill_id"`
	Provider     string `json:"provider,omitempty"`
	CustomerCode string `json:"customer_code,omitempty"`
	Period       string `json:"period,omitempty"`
	Description  string `json:"description"`
	Amount       int64  `json:"amount"`
}

// PaymentEvent is one recorded step of a payment.
type PaymentEvent struct {
	Kind   string         `json:"kind"`
	At     time.Time      `json:"at"`
	Detail map[string]any `json:"detail,omitempty"`
}

const paymentCols = `id, txn_ref, workflow_id, user_id, kind, provider, customer_code, notify_workflow_id, description,
	amount, status, created_at, expire_at, paid_at, gateway_txn_no, gateway_pay_date, bank_code, gateway_response,
	biller_receipt_no, biller_confirmed_at, refused_reason, refund_response, refunded_at, COALESCE(receipt_no, ''), receipt_issued_at`

type rowScanner interface{ Scan(dest ...any) error }

func scanPayment(r rowScanner) (Payment, error) {
	var p Payment
	err := r.Scan(&p.ID, &p.TxnRef, &p.WorkflowID, &p.UserID, &p.Kind, &p.Provider, &p.CustomerCode, &p.NotifyWorkflowID,
		&p.Description, &p.Amount, &p.Status, &p.CreatedAt, &p.ExpireAt, &p.PaidAt, &p.GatewayTxnNo, &p.GatewayPayDate,
		&p.BankCode, &p.GatewayResponse, &p.BillerReceiptNo, &p.BillerConfirmedAt, &p.RefusedReason, &p.RefundResponse,
		&p.RefundedAt, &p.ReceiptNo, &p.ReceiptIssuedAt)
	return p, err
}

// NewPayment is a payment to create, its amount locked.
type NewPayment struct {
	TxnRef           string        `json:"txn_ref"`
	WorkflowID       string        `json:"workflow_id"`
	UserID           int64         `json:"user_id"`
	Kind             string        `json:"kind"`
	Provider         string        `json:"provider"`
	CustomerCode     string        `json:"customer_code"`
	NotifyWorkflowID string        `json:"notify_workflow_id"`
	Description      string        `json:"description"`
	Amount           int64         `json:"amount"`
	ExpireAt         time.Time     `json:"expire_at"`
	Items            []PaymentItem `json:"items"`
}

// activeStatuses are the states in which a bill or fee counts as being paid.
var activeStatuses = []string{string(cds.PaymentPending), string(cds.PaymentPaid), string(cds.PaymentConfirmed), string(cds.PaymentCompleted)}

// CreatePayment inserts the payment, its items and its 'created' event once:
// a second call with the same TxnRef returns the existing row. A bill (or an
// application's fee) that is already in an active payment is refused with
// ECONFLICT, under an advisory lock so two requests cannot both pass.
func (db *DB) CreatePayment(ctx context.Context, n NewPayment) (Payment, error) {
	var sum int64
	for _, it := range n.Items {
		sum += it.Amount
	}
	if len(n.Items) == 0 || sum != n.Amount {
		return Payment{}, cds.Errorf(cds.EINVALID, "Số tiền thanh toán không khớp với các khoản.", "The amount does not match the items.")
	}
	tx, err := db.Pool.Begin(ctx)
	if err != nil {
		return Payment{}, mapErr(err)
	}
	defer tx.Rollback(ctx) //nolint:errcheck
	if p, err := scanPayment(tx.QueryRow(ctx, `SELECT `+paymentCols+` FROM payments WHERE txn_ref = $1`, n.TxnRef)); err == nil {
		return p, nil
	} else if !errors.Is(err, pgx.ErrNoRows) {
		return Payment{}, mapErr(err)
	}
	keys := []string{}
	if n.NotifyWorkflowID != "" {
		keys = append(keys, "fee:"+n.NotifyWorkflowID)
	}
	for _, it := range n.Items {
		keys = append(keys, "bill:"+it.Provider+":"+it.BillID)
	}
	for _, k := range keys {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtext($1))`, k); err != nil {
			return Payment{}, mapErr(err)
		}
	}
	var busy bool
	if n.NotifyWorkflowID != "" {
		err = tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM payments WHERE notify_workflow_id = $1 AND status = ANY($2))`,
			n.NotifyWorkflowID, activeStatuses).Scan(&busy)
	} else {
		ids := make([]string, len(n.Items))
		for i, it := range n.Items {
			ids[i] = it.BillID
		}
		err = tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM payment_items i JOIN payments p ON p.id = i.payment_id
			WHERE i.provider = $1 AND i.bill_id = ANY($2) AND p.status = ANY($3))`, n.Provider, ids, activeStatuses).Scan(&busy)
	}
	if err != nil {
		return Payment{}, mapErr(err)
	}
	if busy {
		return Payment{}, cds.Errorf(cds.ECONFLICT, "Khoản này đang được thanh toán hoặc đã thanh toán.", "This bill or fee is already being paid or is paid.")
	}
	p, err := scanPayment(tx.QueryRow(ctx, `INSERT INTO payments (txn_ref, workflow_id, user_id, kind, provider, customer_code,
		notify_workflow_id, description, amount, expire_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10) RETURNING `+paymentCols,
		n.TxnRef, n.WorkflowID, n.UserID, n.Kind, n.Provider, n.CustomerCode, n.NotifyWorkflowID, n.Description, n.Amount, n.ExpireAt))
	if err != nil {
		return Payment{}, mapErr(err)
	}
	for _, it := range n.Items {
		if _, err := tx.Exec(ctx, `INSERT INTO payment_items (payment_id, bill_id, provider, customer_code, period, description, amount)
			VALUES ($1,$2,$3,$4,$5,$6,$7)`, p.ID, it.BillID, it.Provider, it.CustomerCode, it.Period, it.Description, it.Amount); err != nil {
			return Payment{}, mapErr(err)
		}
	}
	if err := addPaymentEvent(ctx, tx, p.ID, "created", map[string]any{"amount": n.Amount, "expire_at": n.ExpireAt}); err != nil {
		return Payment{}, err
	}
	return p, mapErr(tx.Commit(ctx))
}

func addPaymentEvent(ctx context.Context, q interface {
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}, paymentID int64, kind string, detail map[string]any) error {
	if detail == nil {
		detail = map[string]any{}
	}
	var inserted bool
	err := q.QueryRow(ctx, `WITH ins AS (INSERT INTO payment_events (payment_id, kind, detail) VALUES ($1, $2, $3)
		ON CONFLICT (payment_id, kind) DO NOTHING RETURNING 1) SELECT EXISTS (SELECT 1 FROM ins)`, paymentID, kind, detail).Scan(&inserted)
	return mapErr(err)
}

// AddPaymentEvent records a step once (a repeated kind is ignored).
func (db *DB) AddPaymentEvent(ctx context.Context, paymentID int64, kind string, detail map[string]any) error {
	return addPaymentEvent(ctx, db.Pool, paymentID, kind, detail)
}

// PaymentByRef returns a payment by vnp_TxnRef.
func (db *DB) PaymentByRef(ctx context.Context, ref string) (Payment, error) {
	p, err := scanPayment(db.Pool.QueryRow(ctx, `SELECT `+paymentCols+` FROM payments WHERE txn_ref = $1`, ref))
	return p, mapErr(err)
}

// PaymentByID returns a payment with its items and events.
func (db *DB) PaymentByID(ctx context.Context, id int64) (Payment, error) {
	p, err := scanPayment(db.Pool.QueryRow(ctx, `SELECT `+paymentCols+` FROM payments WHERE id = $1`, id))
	if err != nil {
		return Payment{}, mapErr(err)
	}
	rows, err := db.Pool.Query(ctx, `SELECT bill_id, provider, customer_code, period, description, amount FROM payment_items
		WHERE payment_id = $1 ORDER BY bill_id`, id)
	if err != nil {
		return Payment{}, mapErr(err)
	}
	if p.Items, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (PaymentItem, error) {
		var it PaymentItem
		err := r.Scan(&it.BillID, &it.Provider, &it.CustomerCode, &it.Period, &it.Description, &it.Amount)
		return it, err
	}); err != nil {
		return Payment{}, mapErr(err)
	}
	rows, err = db.Pool.Query(ctx, `SELECT kind, at, detail FROM payment_events WHERE payment_id = $1 ORDER BY id`, id)
	if err != nil {
		return Payment{}, mapErr(err)
	}
	p.Events, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (PaymentEvent, error) {
		var e PaymentEvent
		err := r.Scan(&e.Kind, &e.At, &e.Detail)
		return e, err
	})
	return p, mapErr(err)
}

// PaymentsOfUser lists a citizen's payments, newest first, keyset-paged by id.
func (db *DB) PaymentsOfUser(ctx context.Context, userID int64, limit int, before int64) ([]Payment, error) {
	if before <= 0 {
		before = 1<<63 - 1
	}
	rows, err := db.Pool.Query(ctx, `SELECT `+paymentCols+` FROM payments WHERE user_id = $1 AND id < $2 ORDER BY id DESC LIMIT $3`,
		userID, before, limit)
	if err != nil {
		return nil, mapErr(err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Payment, error) { return scanPayment(r) })
	return out, mapErr(err)
}

// IPN is a verified IPN request from the gateway.
type IPN struct {
	TxnRef            string
	Amount            int64 // VND
	ResponseCode      string
	TransactionStatus string
	TransactionNo     string
	BankCode          string
	PayDate           string
	Success           bool
	Params            map[string]string
}

// IPN outcomes.
const (
	IPNRecorded    = "recorded"     // first IPN: the payment left 'pending'
	IPNNotFound    = "not_found"    // no such vnp_TxnRef
	IPNWrongAmount = "wrong_amount" // amount differs from the locked amount
	IPNDuplicate   = "duplicate"    // an IPN was already recorded
	IPNNotPending  = "not_pending"  // the payment expired before the IPN came
)

// RecordIPN records the first IPN of a payment and moves it to 'paid' or
// 'failed' in one transaction, so the IPN is never lost between the answer
// to the gateway and the workflow. A repeated IPN changes nothing.
func (db *DB) RecordIPN(ctx context.Context, in IPN) (string, Payment, error) {
	tx, err := db.Pool.Begin(ctx)
	if err != nil {
		return "", Payment{}, mapErr(err)
	}
	defer tx.Rollback(ctx) //nolint:errcheck
	p, err := scanPayment(tx.QueryRow(ctx, `SELECT `+paymentCols+` FROM payments WHERE txn_ref = $1 FOR UPDATE`, in.TxnRef))
	if errors.Is(err, pgx.ErrNoRows) {
		return IPNNotFound, Payment{}, nil
	}
	if err != nil {
		return "", Payment{}, mapErr(err)
	}
	if in.Amount != p.Amount {
		return IPNWrongAmount, p, nil
	}
	tag, err := tx.Exec(ctx, `INSERT INTO payment_ipns (txn_ref, response_code, transaction_status, transaction_no, amount, params)
		VALUES ($1,$2,$3,$4,$5,$6) ON CONFLICT (txn_ref) DO NOTHING`,
		in.TxnRef, in.ResponseCode, in.TransactionStatus, in.TransactionNo, in.Amount, in.Params)
	if err != nil {
		return "", Payment{}, mapErr(err)
	}
	if tag.RowsAffected() == 0 {
		return IPNDuplicate, p, nil
	}
	detail := map[string]any{"response_code": in.ResponseCode, "transaction_status": in.TransactionStatus, "transaction_no": in.TransactionNo, "bank_code": in.BankCode}
	if p.Status != cds.PaymentPending {
		// The payment expired first: keep the IPN for reconciliation (a
		// late debit is refunded by finance) and answer "already confirmed".
		if err := addPaymentEvent(ctx, tx, p.ID, "late_ipn", detail); err != nil {
			return "", Payment{}, err
		}
		return IPNNotPending, p, mapErr(tx.Commit(ctx))
	}
	status, kind := cds.PaymentFailed, "payment_failed"
	if in.Success {
		status, kind = cds.PaymentPaid, "paid"
	}
	p, err = scanPayment(tx.QueryRow(ctx, `UPDATE payments SET status = $2, paid_at = CASE WHEN $2 = 'paid' THEN now() END,
		gateway_txn_no = $3, gateway_pay_date = $4, bank_code = $5, gateway_response = $6, updated_at = now()
		WHERE txn_ref = $1 RETURNING `+paymentCols, in.TxnRef, status, in.TransactionNo, in.PayDate, in.BankCode, in.ResponseCode))
	if err != nil {
		return "", Payment{}, mapErr(err)
	}
	if err := addPaymentEvent(ctx, tx, p.ID, kind, detail); err != nil {
		return "", Payment{}, err
	}
	return IPNRecorded, p, mapErr(tx.Commit(ctx))
}

// ExpirePayment moves a still-pending payment to 'expired' and returns the
// row as it now is. A payment whose IPN was recorded is returned unchanged
// ('paid' or 'failed'): the workflow then carries on even if the IPN signal
// never reached it.
func (db *DB) ExpirePayment(ctx context.Context, ref string) (Payment, error) {
	tx, err := db.Pool.Begin(ctx)
	if err != nil {
		return Payment{}, mapErr(err)
	}
	defer tx.Rollback(ctx) //nolint:errcheck
	p, err := scanPayment(tx.QueryRow(ctx, `UPDATE payments SET status = 'expired', updated_at = now()
		WHERE txn_ref = $1 AND status = 'pending' RETURNING `+paymentCols, ref))
	if errors.Is(err, pgx.ErrNoRows) {
		p, err = scanPayment(tx.QueryRow(ctx, `SELECT `+paymentCols+` FROM payments WHERE txn_ref = $1`, ref))
		return p, mapErr(err)
	}
	if err != nil {
		return Payment{}, mapErr(err)
	}
	if err := addPaymentEvent(ctx, tx, p.ID, "expired", nil); err != nil {
		return Payment{}, err
	}
	return p, mapErr(tx.Commit(ctx))
}

// MarkBillerConfirmed stores the biller's receipt once.
func (db *DB) MarkBillerConfirmed(ctx context.Context, ref string, r cds.BillerReceipt) (Payment, error) {
	return db.transition(ctx, ref, `status = 'confirmed', biller_receipt_no = $2, biller_confirmed_at = $3`,
		`status = 'paid'`, "biller_confirmed", map[string]any{"receipt_no": r.ReceiptNo}, r.ReceiptNo, r.ConfirmedAt)
}

// MarkBillerRefused records the biller's permanent refusal.
func (db *DB) MarkBillerRefused(ctx context.Context, ref, reason string) (Payment, error) {
	return db.transition(ctx, ref, `refused_reason = $2`, `status = 'paid'`, "biller_refused", map[string]any{"reason": reason}, reason)
}

// MarkRefunded records the gateway's refund answer.
func (db *DB) MarkRefunded(ctx context.Context, ref, responseCode string) (Payment, error) {
	return db.transition(ctx, ref, `status = 'refunded', refund_response = $2, refunded_at = now()`, `status = 'paid'`,
		"refunded", map[string]any{"response_code": responseCode}, responseCode)
}

// transition applies set when the row matches guard, and records the event,
// in one transaction. When the guard does not match (a retried activity
// after its first try committed) the row is returned unchanged.
func (db *DB) transition(ctx context.Context, ref, set, guard, event string, detail map[string]any, args ...any) (Payment, error) {
	tx, err := db.Pool.Begin(ctx)
	if err != nil {
		return Payment{}, mapErr(err)
	}
	defer tx.Rollback(ctx) //nolint:errcheck
	all := append([]any{ref}, args...)
	p, err := scanPayment(tx.QueryRow(ctx, `UPDATE payments SET `+set+`, updated_at = now() WHERE txn_ref = $1 AND `+guard+` RETURNING `+paymentCols, all...))
	if errors.Is(err, pgx.ErrNoRows) {
		p, err = scanPayment(tx.QueryRow(ctx, `SELECT `+paymentCols+` FROM payments WHERE txn_ref = $1`, ref))
		return p, mapErr(err)
	}
	if err != nil {
		return Payment{}, mapErr(err)
	}
	if err := addPaymentEvent(ctx, tx, p.ID, event, detail); err != nil {
		return Payment{}, err
	}
	return p, mapErr(tx.Commit(ctx))
}

// IssueReceipt gives a confirmed payment its e-receipt number
// (BL-<year>-<seq>) once and completes it; a repeated call returns the
// same number.
func (db *DB) IssueReceipt(ctx context.Context, ref string) (Payment, error) {
	p, err := db.PaymentByRef(ctx, ref)
	if err != nil {
		return Payment{}, err
	}
	if p.ReceiptNo != "" {
		return p, nil
	}
	if p.Status != cds.PaymentConfirmed {
		return Payment{}, cds.Errorf(cds.ECONFLICT, "Thanh toán chưa được xác nhận.", "The payment is not confirmed (status %s).", p.Status)
	}
	year := time.Now().In(cds.VietnamTZ).Year()
	n, err := db.NextCode(ctx, fmt.Sprintf("BL-%d", year))
	if err != nil {
		return Payment{}, err
	}
	no := fmt.Sprintf("BL-%d-%06d", year, n)
	p, err = db.transition(ctx, ref, `status = 'completed', receipt_no = $2, receipt_issued_at = now()`,
		`status = 'confirmed' AND receipt_no IS NULL`, "receipt_issued", map[string]any{"receipt_no": no}, no)
	return p, err
}

// FeeCase is an application case waiting for its fee.
type FeeCase struct {
	WorkflowID string
	Code       string
	Title      string
	Status     string
	CitizenID  int64
	AgencyCode string
	FeeDue     int64
}

// ApplicationFeeCase returns the application case named by its code or
// workflow ID if it belongs to citizenID; others' cases are ENOTFOUND.
func (db *DB) ApplicationFeeCase(ctx context.Context, idOrCode string, citizenID int64) (FeeCase, error) {
	var f FeeCase
	err := db.Pool.QueryRow(ctx, `SELECT workflow_id, code, title, status, COALESCE(citizen_id, 0), COALESCE(agency_code, ''), COALESCE(fee_due, 0)
		FROM cases WHERE kind = 'application' AND (code = $1 OR workflow_id = $1) AND citizen_id = $2`, idOrCode, citizenID).
		Scan(&f.WorkflowID, &f.Code, &f.Title, &f.Status, &f.CitizenID, &f.AgencyCode, &f.FeeDue)
	return f, mapErr(err)
}

// ReconciliationRow is one payment in a day's reconciliation list.
type ReconciliationRow struct {
	TxnRef          string            `json:"txn_ref"`
	Kind            string            `json:"kind"`
	Provider        string            `json:"provider"`
	CustomerCode    string            `json:"customer_code"`
	Description     string            `json:"description"`
	Amount          int64             `json:"amount"`
	Status          cds.PaymentStatus `json:"status"`
	PaidAt          time.Time         `json:"paid_at"`
	GatewayTxnNo    string            `json:"gateway_txn_no"`
	BankCode        string            `json:"bank_code"`
	BillerReceiptNo string            `json:"biller_receipt_no"`
	ReceiptNo       string            `json:"receipt_no"`
	RefundedAt      *time.Time        `json:"refunded_at,omitempty"`
}

// Reconciliation lists the payments the gateway debited on day (GMT+7),
// including those refunded and those whose IPN came after expiry.
func (db *DB) Reconciliation(ctx context.Context, day time.Time) ([]ReconciliationRow, error) {
	from := time.Date(day.Year(), day.Month(), day.Day(), 0, 0, 0, 0, cds.VietnamTZ)
	rows, err := db.Pool.Query(ctx, `SELECT p.txn_ref, p.kind, p.provider, p.customer_code, p.description, p.amount, p.status,
		COALESCE(p.paid_at, i.received_at), COALESCE(NULLIF(p.gateway_txn_no, ''), i.transaction_no), p.bank_code, p.biller_receipt_no,
		COALESCE(p.receipt_no, ''), p.refunded_at
		FROM payments p JOIN payment_ipns i ON i.txn_ref = p.txn_ref
		WHERE i.response_code = '00' AND i.received_at >= $1 AND i.received_at < $2
		ORDER BY i.received_at, p.id`, from, from.AddDate(0, 0, 1))
	if err != nil {
		return nil, mapErr(err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (ReconciliationRow, error) {
		var x ReconciliationRow
		err := r.Scan(&x.TxnRef, &x.Kind, &x.Provider, &x.CustomerCode, &x.Description, &x.Amount, &x.Status, &x.PaidAt,
			&x.GatewayTxnNo, &x.BankCode, &x.BillerReceiptNo, &x.ReceiptNo, &x.RefundedAt)
		return x, err
	})
	return out, mapErr(err)
}

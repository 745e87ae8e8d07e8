package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	cds "github.com/caobang/congdanso"
)

// DemoBill is a seeded bill of the demo biller.
type DemoBill struct {
	cds.Bill
	RefuseReason string
}

// SeedDemoBills inserts the demo biller's bills (idempotent: existing bills are kept).
func (db *DB) SeedDemoBills(ctx context.Context, bills []DemoBill) error {
	for _, b := range bills {
		var refuse *string
		if b.RefuseReason != "" {
			refuse = &b.RefuseReason
		}
		if _, err := db.Pool.Exec(ctx, `INSERT INTO demo_biller_bills (provider, bill_id, customer_code, customer_name, period,
			description, amount, due_date, refuse_reason) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9) ON CONFLICT DO NOTHING`,
			b.Provider, b.ID, b.CustomerCode, b.CustomerName, b.Period, b.Description, b.Amount, b.DueDate, refuse); err != nil {
			return mapErr(err)
		}
	}
	return nil
}

// DemoOpenBills lists a customer's unpaid demo bills.
func (db *DB) DemoOpenBills(ctx context.Context, provider, customerCode string) ([]cds.Bill, error) {
	rows, err := db.Pool.Query(ctx, `SELECT bill_id, provider, customer_code, customer_name, period, description, amount, due_date
		FROM demo_biller_bills WHERE provider = $1 AND customer_code = $2 AND paid_ref IS NULL ORDER BY period, bill_id`, provider, customerCode)
	if err != nil {
		return nil, mapErr(err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (cds.Bill, error) {
		var b cds.Bill
		var due time.Time
		err := r.Scan(&b.ID, &b.Provider, &b.CustomerCode, &b.CustomerName, &b.Period, &b.Description, &b.Amount, &due)
		b.DueDate = time.Date(due.Year(), due.Month(), due.Day(), 0, 0, 0, 0, cds.VietnamTZ)
		return b, err
	})
	return out, mapErr(err)
}

// DemoBillerCall logs one confirmation call to the demo biller.
func (db *DB) DemoBillerCall(ctx context.Context, ref, outcome string) error {
	_, err := db.Pool.Exec(ctx, `INSERT INTO demo_biller_calls (payment_ref, outcome) VALUES ($1, $2)`, ref, outcome)
	return mapErr(err)
}

// DemoConfirm settles bills at the demo biller in one transaction. A
// repeated PaymentRef returns the first receipt and changes nothing. A bill
// with a refuse reason, paid by another payment, or an amount that does not
// match is refused (wrapping cds.ErrBillerRefused).
func (db *DB) DemoConfirm(ctx context.Context, c cds.BillerConfirm) (cds.BillerReceipt, error) {
	tx, err := db.Pool.Begin(ctx)
	if err != nil {
		return cds.BillerReceipt{}, mapErr(err)
	}
	defer tx.Rollback(ctx) //nolint:errcheck
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtext('demo-biller:' || $1))`, c.PaymentRef); err != nil {
		return cds.BillerReceipt{}, mapErr(err)
	}
	var r cds.BillerReceipt
	err = tx.QueryRow(ctx, `SELECT receipt_no, confirmed_at FROM demo_biller_confirmations WHERE payment_ref = $1`, c.PaymentRef).Scan(&r.ReceiptNo, &r.ConfirmedAt)
	if err == nil {
		return r, nil
	}
	if !errors.Is(err, pgx.ErrNoRows) {
		return r, mapErr(err)
	}
	rows, err := tx.Query(ctx, `SELECT bill_id, amount, COALESCE(paid_ref, ''), COALESCE(refuse_reason, '') FROM demo_biller_bills
		WHERE provider = $1 AND bill_id = ANY($2) FOR UPDATE`, c.Provider, c.BillIDs)
	if err != nil {
		return r, mapErr(err)
	}
	var total int64
	n := 0
	for rows.Next() {
		var id, paid, refuse string
		var amount int64
		if err := rows.Scan(&id, &amount, &paid, &refuse); err != nil {
			rows.Close()
			return r, mapErr(err)
		}
		n++
		total += amount
		switch {
		case refuse != "":
			rows.Close()
			return r, fmt.Errorf("%w: %s", cds.ErrBillerRefused, refuse)
		case paid != "":
			rows.Close()
			return r, fmt.Errorf("%w: bill %s already settled by %s", cds.ErrBillerRefused, id, paid)
		}
	}
	rows.Close()
	if n != len(c.BillIDs) || total != c.Amount {
		return r, fmt.Errorf("%w: unknown bills or amount %d ≠ %d", cds.ErrBillerRefused, c.Amount, total)
	}
	if _, err := tx.Exec(ctx, `UPDATE demo_biller_bills SET paid_ref = $3 WHERE provider = $1 AND bill_id = ANY($2)`, c.Provider, c.BillIDs, c.PaymentRef); err != nil {
		return r, mapErr(err)
	}
	r.ReceiptNo = "HD-" + c.Provider + "-" + c.PaymentRef
	err = tx.QueryRow(ctx, `INSERT INTO demo_biller_confirmations (payment_ref, provider, customer_code, bill_ids, amount, receipt_no)
		VALUES ($1,$2,$3,$4,$5,$6) RETURNING confirmed_at`, c.PaymentRef, c.Provider, c.CustomerCode, c.BillIDs, c.Amount, r.ReceiptNo).Scan(&r.ConfirmedAt)
	if err != nil {
		return r, mapErr(err)
	}
	return r, mapErr(tx.Commit(ctx))
}

// PaysimTxn is a transaction in the gateway simulator's ledger.
type PaysimTxn struct {
	TxnRef         string
	TransactionNo  string
	Amount         int64
	PayDate        string
	ResponseCode   string
	RefundedAmount int64
}

// PaysimRecord records a simulated payment once per TxnRef and returns it
// (a second pay of the same TxnRef returns the first transaction).
func (db *DB) PaysimRecord(ctx context.Context, txnRef string, amount int64, payDate, responseCode string) (PaysimTxn, error) {
	var t PaysimTxn
	_, err := db.Pool.Exec(ctx, `INSERT INTO paysim_transactions (txn_ref, transaction_no, amount, pay_date, response_code)
		VALUES ($1, nextval('paysim_transaction_no')::text, $2, $3, $4) ON CONFLICT (txn_ref) DO NOTHING`, txnRef, amount, payDate, responseCode)
	if err != nil {
		return t, mapErr(err)
	}
	err = db.Pool.QueryRow(ctx, `SELECT txn_ref, transaction_no, amount, pay_date, response_code, refunded_amount FROM paysim_transactions
		WHERE txn_ref = $1`, txnRef).Scan(&t.TxnRef, &t.TransactionNo, &t.Amount, &t.PayDate, &t.ResponseCode, &t.RefundedAmount)
	return t, mapErr(err)
}

// PaysimRefund applies a refund request to the simulator's ledger and
// returns the merchant-API response code: 00, 91 (not found), 94 (this
// request was already applied), 95 (not a successful payment) or 03 (amount).
func (db *DB) PaysimRefund(ctx context.Context, requestID, txnRef, transactionNo string, amount int64) (string, PaysimTxn, error) {
	tx, err := db.Pool.Begin(ctx)
	if err != nil {
		return "", PaysimTxn{}, mapErr(err)
	}
	defer tx.Rollback(ctx) //nolint:errcheck
	var t PaysimTxn
	var reqs []string
	err = tx.QueryRow(ctx, `SELECT txn_ref, transaction_no, amount, pay_date, response_code, refunded_amount, refund_request_ids
		FROM paysim_transactions WHERE txn_ref = $1 FOR UPDATE`, txnRef).
		Scan(&t.TxnRef, &t.TransactionNo, &t.Amount, &t.PayDate, &t.ResponseCode, &t.RefundedAmount, &reqs)
	if errors.Is(err, pgx.ErrNoRows) {
		return "91", t, nil
	}
	if err != nil {
		return "", t, mapErr(err)
	}
	for _, r := range reqs {
		if r == requestID {
			return "94", t, nil
		}
	}
	switch {
	case transactionNo != "" && transactionNo != t.TransactionNo:
		return "91", t, nil
	case t.ResponseCode != "00":
		return "95", t, nil
	case amount <= 0 || t.RefundedAmount+amount > t.Amount:
		return "03", t, nil
	}
	if err := tx.QueryRow(ctx, `UPDATE paysim_transactions SET refunded_amount = refunded_amount + $2,
		refund_request_ids = array_append(refund_request_ids, $3) WHERE txn_ref = $1 RETURNING refunded_amount`,
		txnRef, amount, requestID).Scan(&t.RefundedAmount); err != nil {
		return "", t, mapErr(err)
	}
	return "00", t, mapErr(tx.Commit(ctx))
}

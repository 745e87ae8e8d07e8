-- +goose Up
-- Cashless payments (bills and application fees) through the VNPay gateway.
-- One row per payment = one BillPayment workflow = one vnp_TxnRef.
CREATE TABLE payments (
    id                   bigserial PRIMARY KEY,
    txn_ref              text NOT NULL UNIQUE,          -- vnp_TxnRef
    workflow_id          text NOT NULL UNIQUE,
    user_id              bigint NOT NULL REFERENCES users(id),
    kind                 text NOT NULL CHECK (kind IN ('bill','fee')),
    provider             text NOT NULL DEFAULT '',
    customer_code        text NOT NULL DEFAULT '',
    notify_workflow_id   text NOT NULL DEFAULT '',      -- the application waiting for its fee
    description          text NOT NULL,
    amount               bigint NOT NULL CHECK (amount > 0), -- VND, locked at creation
    status               text NOT NULL DEFAULT 'pending'
                         CHECK (status IN ('pending','paid','failed','expired','confirmed','refunded','completed')),
    created_at           timestamptz NOT NULL DEFAULT now(),
    expire_at            timestamptz NOT NULL,
    paid_at              timestamptz,
    gateway_txn_no       text NOT NULL DEFAULT '',      -- vnp_TransactionNo
    gateway_pay_date     text NOT NULL DEFAULT '',      -- vnp_PayDate (yyyyMMddHHmmss GMT+7)
    bank_code            text NOT NULL DEFAULT '',
    gateway_response     text NOT NULL DEFAULT '',      -- vnp_ResponseCode
    biller_receipt_no    text NOT NULL DEFAULT '',
    biller_confirmed_at  timestamptz,
    refused_reason       text NOT NULL DEFAULT '',
    refund_response      text NOT NULL DEFAULT '',
    refunded_at          timestamptz,
    receipt_no           text UNIQUE,                   -- our e-receipt (biên lai điện tử)
    receipt_issued_at    timestamptz,
    updated_at           timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX payments_user ON payments (user_id, created_at DESC);
CREATE INDEX payments_paid_day ON payments (paid_at);
CREATE INDEX payments_notify ON payments (notify_workflow_id) WHERE notify_workflow_id <> '';

-- The bills (or the fee) a payment settles, with the amount locked at creation.
CREATE TABLE payment_items (
    payment_id    bigint NOT NULL REFERENCES payments(id) ON DELETE CASCADE,
    bill_id       text NOT NULL,
    provider      text NOT NULL DEFAULT '',
    customer_code text NOT NULL DEFAULT '',
    period        text NOT NULL DEFAULT '',
    description   text NOT NULL DEFAULT '',
    amount        bigint NOT NULL CHECK (amount > 0),
    PRIMARY KEY (payment_id, bill_id)
);
CREATE INDEX payment_items_bill ON payment_items (provider, bill_id);

-- The first valid IPN of each payment, recorded in the same transaction that
-- moves the payment out of 'pending'. The primary key makes the IPN idempotent.
CREATE TABLE payment_ipns (
    txn_ref            text PRIMARY KEY REFERENCES payments(txn_ref),
    received_at        timestamptz NOT NULL DEFAULT now(),
    response_code      text NOT NULL,
    transaction_status text NOT NULL,
    transaction_no     text NOT NULL,
    amount             bigint NOT NULL,
    params             jsonb NOT NULL
);

-- Each step of a payment, once (UNIQUE (payment_id, kind)), so a retried
-- activity records nothing twice.
CREATE TABLE payment_events (
    id         bigserial PRIMARY KEY,
    payment_id bigint NOT NULL REFERENCES payments(id) ON DELETE CASCADE,
    kind       text NOT NULL,
    at         timestamptz NOT NULL DEFAULT now(),
    detail     jsonb NOT NULL DEFAULT '{}',
    UNIQUE (payment_id, kind)
);

-- The demo biller inside the binary (electricity, water, telecom).
CREATE TABLE demo_biller_bills (
    provider      text NOT NULL,
    bill_id       text NOT NULL,
    customer_code text NOT NULL,
    customer_name text NOT NULL,
    period        text NOT NULL,
    description   text NOT NULL,
    amount        bigint NOT NULL CHECK (amount > 0),
    due_date      date NOT NULL,
    paid_ref      text,            -- the payment that settled it
    refuse_reason text,            -- set: the biller permanently refuses payments
    PRIMARY KEY (provider, bill_id)
);
CREATE INDEX demo_biller_bills_customer ON demo_biller_bills (provider, customer_code);

-- One row per settled payment: a repeated confirmation returns this receipt.
CREATE TABLE demo_biller_confirmations (
    payment_ref   text PRIMARY KEY,
    provider      text NOT NULL,
    customer_code text NOT NULL,
    bill_ids      text[] NOT NULL,
    amount        bigint NOT NULL,
    receipt_no    text NOT NULL UNIQUE,
    confirmed_at  timestamptz NOT NULL DEFAULT now()
);

-- Every confirmation call the demo biller received (tests count them).
CREATE TABLE demo_biller_calls (
    id          bigserial PRIMARY KEY,
    payment_ref text NOT NULL,
    at          timestamptz NOT NULL DEFAULT now(),
    outcome     text NOT NULL
);

-- The gateway simulator's own ledger (demo and tests only).
CREATE TABLE paysim_transactions (
    txn_ref            text PRIMARY KEY,
    transaction_no     text NOT NULL UNIQUE,
    amount             bigint NOT NULL,
    pay_date           text NOT NULL,
    response_code      text NOT NULL,
    refunded_amount    bigint NOT NULL DEFAULT 0,
    refund_request_ids text[] NOT NULL DEFAULT '{}',
    created_at         timestamptz NOT NULL DEFAULT now()
);
CREATE SEQUENCE paysim_transaction_no START 14000000;

-- +goose Down
DROP SEQUENCE paysim_transaction_no;
DROP TABLE paysim_transactions, demo_biller_calls, demo_biller_confirmations, demo_biller_bills,
    payment_events, payment_ipns, payment_items, payments;

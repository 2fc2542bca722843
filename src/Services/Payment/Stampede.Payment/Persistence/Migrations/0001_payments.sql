-- One payment per order: the session opened at the PG and the money it moved.
CREATE TABLE payments (
    id              uuid        PRIMARY KEY,
    order_id        uuid        NOT NULL UNIQUE,
    order_number    text        NOT NULL,
    user_id         uuid        NOT NULL,
    order_name      text        NOT NULL,
    amount          bigint      NOT NULL CHECK (amount > 0),
    currency        text        NOT NULL,
    pg_order_id     text        NOT NULL UNIQUE,
    payment_key     text        NOT NULL UNIQUE,
    payment_url     text        NOT NULL,
    status          text        NOT NULL,
    captured_amount bigint      NOT NULL DEFAULT 0 CHECK (captured_amount >= 0),
    refunded_amount bigint      NOT NULL DEFAULT 0 CHECK (refunded_amount >= 0 AND refunded_amount <= captured_amount),
    failure_reason  text,
    created_at      timestamptz NOT NULL,
    updated_at      timestamptz NOT NULL,
    version         integer     NOT NULL
);

CREATE INDEX payments_by_status ON payments (status, created_at DESC);
CREATE INDEX payments_by_user ON payments (user_id);

-- Append-only ledger of each payment.
CREATE TABLE payment_ledger (
    id                 bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    payment_id         uuid        NOT NULL REFERENCES payments (id),
    kind               text        NOT NULL CHECK (kind IN ('authorised', 'captured', 'refunded', 'voided')),
    amount             bigint      NOT NULL CHECK (amount >= 0),
    pg_transaction_key text,
    reason             text,
    at                 timestamptz NOT NULL
);

CREATE INDEX payment_ledger_by_payment ON payment_ledger (payment_id, id);
-- The last line of defence against double counting: one authorisation, capture and void per
-- payment, and each PG refund transaction recorded once.
CREATE UNIQUE INDEX payment_ledger_once_per_payment ON payment_ledger (payment_id, kind) WHERE kind IN ('authorised', 'captured', 'voided');
CREATE UNIQUE INDEX payment_ledger_refund_once ON payment_ledger (pg_transaction_key) WHERE kind = 'refunded';

-- PG webhook deliveries already handled; the PG resends a delivery with the same id.
CREATE TABLE pg_webhook_deliveries (
    delivery_id text        PRIMARY KEY,
    payment_key text,
    pg_status   text,
    received_at timestamptz NOT NULL
);

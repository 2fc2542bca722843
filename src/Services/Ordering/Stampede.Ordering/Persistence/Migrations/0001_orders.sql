-- Orders and their saga state. One row per order; "version" guards every change (optimistic concurrency).
CREATE SEQUENCE order_number_seq;

CREATE TABLE orders (
    id               uuid        PRIMARY KEY,
    order_number     text        NOT NULL UNIQUE,
    user_id          uuid        NOT NULL,
    status           text        NOT NULL CHECK (status IN
                         ('AwaitingStock', 'AwaitingPayment', 'Paid', 'Cancelling', 'Cancelled', 'Expired', 'Rejected', 'Failed')),
    total            bigint      NOT NULL CHECK (total >= 0),
    currency         text        NOT NULL,
    payment_deadline timestamptz NOT NULL,
    reservation_id   uuid,
    payment_id       uuid,
    payment_url      text,
    created_at       timestamptz NOT NULL,
    updated_at       timestamptz NOT NULL,
    version          integer     NOT NULL
);

CREATE INDEX orders_by_user ON orders (user_id, created_at DESC, id DESC);
CREATE INDEX orders_by_status ON orders (status, created_at DESC, id DESC);
CREATE INDEX orders_by_created ON orders (created_at DESC, id DESC);
-- The deadline job only ever scans unpaid orders.
CREATE INDEX orders_unpaid_by_deadline ON orders (payment_deadline) WHERE status IN ('AwaitingStock', 'AwaitingPayment');

CREATE TABLE order_lines (
    order_id      uuid    NOT NULL REFERENCES orders (id),
    line_number   integer NOT NULL,
    sku_id        uuid    NOT NULL,
    product_name  text    NOT NULL,
    options_label text,
    quantity      integer NOT NULL CHECK (quantity BETWEEN 1 AND 99),
    unit_price    bigint  NOT NULL CHECK (unit_price >= 0),
    PRIMARY KEY (order_id, line_number)
);

CREATE TABLE order_status_history (
    id       bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    order_id uuid        NOT NULL REFERENCES orders (id),
    status   text        NOT NULL,
    at       timestamptz NOT NULL,
    reason   text        NOT NULL
);

CREATE INDEX order_status_history_by_order ON order_status_history (order_id, id);

-- Every payment captured for an order and what became of it (Accepted, Refunding, Refunded);
-- a payment id seen once is never acted on again.
CREATE TABLE order_payments (
    payment_id  uuid        PRIMARY KEY,
    order_id    uuid        NOT NULL REFERENCES orders (id),
    amount      bigint      NOT NULL,
    disposition text        NOT NULL CHECK (disposition IN ('Accepted', 'Refunding', 'Refunded')),
    recorded_at timestamptz NOT NULL,
    updated_at  timestamptz NOT NULL
);

CREATE INDEX order_payments_by_order ON order_payments (order_id);

-- Idempotency-Key of POST /orders, per user. The key row is inserted first in the placing
-- transaction, so a concurrent request with the same key waits on it and then finds the order.
CREATE TABLE order_idempotency_keys (
    user_id      uuid        NOT NULL,
    key          text        NOT NULL,
    request_hash text        NOT NULL,
    order_id     uuid        NOT NULL REFERENCES orders (id) DEFERRABLE INITIALLY DEFERRED,
    created_at   timestamptz NOT NULL,
    PRIMARY KEY (user_id, key)
);

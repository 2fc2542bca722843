-- Stock per SKU. available = on_hand - reserved is never stored, so it cannot drift.
CREATE TABLE stock (
    sku_id     uuid        PRIMARY KEY,
    on_hand    bigint      NOT NULL,
    reserved   bigint      NOT NULL DEFAULT 0,
    -- Grows with every change; StockAvailabilityChanged carries it so consumers drop stale events.
    version    bigint      NOT NULL DEFAULT 0,
    updated_at timestamptz NOT NULL,
    CONSTRAINT stock_reserved_not_negative CHECK (reserved >= 0),
    CONSTRAINT stock_reserved_within_on_hand CHECK (reserved <= on_hand)
);

-- One reservation per order: all its lines or none. 'rejected' records a refused order and a
-- 'released' row with no lines records an order cancelled before it was placed here, so a late
-- or repeated OrderPlaced for that order changes nothing.
CREATE TABLE reservations (
    id         uuid        PRIMARY KEY,
    order_id   uuid        NOT NULL UNIQUE,
    status     text        NOT NULL CHECK (status IN ('held', 'committed', 'released', 'restocked', 'rejected')),
    expires_at timestamptz NOT NULL,
    lines      jsonb       NOT NULL,
    -- Why it left 'held' (e.g. 'order-paid', 'order-expired', 'reservation-expired').
    outcome    text,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL
);

CREATE INDEX reservations_held_by_expiry ON reservations (expires_at) WHERE status = 'held';

-- Every change of a stock row, written in the same transaction as the change: per SKU,
-- sum(delta_on_hand) = on_hand and sum(delta_reserved) = reserved.
CREATE TABLE stock_ledger (
    id             bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    sku_id         uuid        NOT NULL REFERENCES stock (sku_id),
    delta_on_hand  bigint      NOT NULL,
    delta_reserved bigint      NOT NULL,
    reason         text        NOT NULL CHECK (reason IN ('set', 'adjust', 'reserve', 'release', 'commit', 'restock', 'expire')),
    note           text,
    order_id       uuid,
    actor          uuid,
    created_at     timestamptz NOT NULL
);

CREATE INDEX stock_ledger_by_sku ON stock_ledger (sku_id, id);

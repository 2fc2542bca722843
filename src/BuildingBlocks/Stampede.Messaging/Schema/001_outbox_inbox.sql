-- Outbox: events written in the same transaction as the business change; the relay sends them.
CREATE SCHEMA IF NOT EXISTS messaging;

CREATE TABLE IF NOT EXISTS messaging.outbox (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    event_id     uuid        NOT NULL UNIQUE,
    event_name   text        NOT NULL,
    payload      json        NOT NULL,
    trace_parent text,
    trace_state  text,
    created_at   timestamptz NOT NULL DEFAULT now(),
    sent_at      timestamptz
);

-- The relay only ever looks for unsent rows, oldest first.
CREATE INDEX IF NOT EXISTS outbox_unsent ON messaging.outbox (id) WHERE sent_at IS NULL;
CREATE INDEX IF NOT EXISTS outbox_sent_at ON messaging.outbox (sent_at) WHERE sent_at IS NOT NULL;

-- Inbox: one row per (subscription, message) handled, written in the handler's transaction.
CREATE TABLE IF NOT EXISTS messaging.inbox (
    subscription text        NOT NULL,
    message_id   uuid        NOT NULL,
    event_name   text        NOT NULL,
    handled_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (subscription, message_id)
);

CREATE INDEX IF NOT EXISTS inbox_handled_at ON messaging.inbox (handled_at);

-- Subscriptions this service consumes, recorded at start-up, so tools can find every service's
-- dead letters without the broker's management API.
CREATE TABLE IF NOT EXISTS messaging.subscriptions (
    queue       text        PRIMARY KEY,
    service     text        NOT NULL,
    event_name  text        NOT NULL,
    handler     text        NOT NULL,
    declared_at timestamptz NOT NULL DEFAULT now()
);

-- A row the broker returned (no queue bound to its event yet) stays unsent and waits until
-- next_attempt_at, so it does not hold back the rows after it.
ALTER TABLE messaging.outbox ADD COLUMN IF NOT EXISTS attempts int NOT NULL DEFAULT 0;
ALTER TABLE messaging.outbox ADD COLUMN IF NOT EXISTS next_attempt_at timestamptz;
ALTER TABLE messaging.outbox ADD COLUMN IF NOT EXISTS last_error text;

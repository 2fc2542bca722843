-- Secrets identity generates for itself in Development and tests only, when none is configured:
-- kept here so every instance (and a restart) uses the same one. Elsewhere secrets come from
-- configuration and this table stays empty.
CREATE TABLE dev_secrets (
    name       text        PRIMARY KEY,
    value      bytea       NOT NULL,
    created_at timestamptz NOT NULL
);

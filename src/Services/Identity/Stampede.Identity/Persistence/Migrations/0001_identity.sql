-- Users: the email is stored normalised (trimmed, lower-case); its unique index is what makes two
-- concurrent registrations of one address end in one row.
CREATE TABLE users (
    id                uuid        PRIMARY KEY,
    email             text        NOT NULL,
    name              text        NOT NULL,
    password_hash     text        NOT NULL,
    roles             text[]      NOT NULL,
    email_verified_at timestamptz,
    created_at        timestamptz NOT NULL,
    updated_at        timestamptz NOT NULL
);
CREATE UNIQUE INDEX users_email ON users (email);
CREATE INDEX users_created_at ON users (created_at, id);

-- One live email verification code per user, stored as an HMAC (never the code itself).
CREATE TABLE verification_codes (
    user_id         uuid        PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    code_hash       bytea       NOT NULL,
    issued_at       timestamptz NOT NULL,
    expires_at      timestamptz NOT NULL,
    failed_attempts integer     NOT NULL DEFAULT 0
);

-- When a code was last sent to an address, known or not, so resend throttling answers the same
-- for every address and reveals nothing about which ones are registered.
CREATE TABLE verification_requests (
    email        text        PRIMARY KEY,
    requested_at timestamptz NOT NULL
);

-- Codes shown by the development mailbox (only written when Identity:DevMailbox is on).
CREATE TABLE dev_mailbox (
    id         bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id    uuid        NOT NULL,
    email      text        NOT NULL,
    code       text        NOT NULL,
    expires_at timestamptz NOT NULL,
    created_at timestamptz NOT NULL
);
CREATE INDEX dev_mailbox_email ON dev_mailbox (email, id);

-- Failed logins, one row per scope ('account' keyed by normalised email, 'ip' keyed by client
-- address), in PostgreSQL so every instance counts the same failures.
CREATE TABLE login_failures (
    id        bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    scope     text        NOT NULL CHECK (scope IN ('account', 'ip')),
    key       text        NOT NULL,
    failed_at timestamptz NOT NULL
);
CREATE INDEX login_failures_lookup ON login_failures (scope, key, failed_at);
CREATE INDEX login_failures_failed_at ON login_failures (failed_at);

-- Refresh tokens rotate within a family (one family per login); reuse of a spent token revokes
-- the family. Only SHA-256 hashes of the tokens are stored.
CREATE TABLE refresh_token_families (
    id         uuid        PRIMARY KEY,
    user_id    uuid        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at timestamptz NOT NULL,
    revoked_at timestamptz
);
CREATE INDEX refresh_token_families_user ON refresh_token_families (user_id);

CREATE TABLE refresh_tokens (
    token_hash bytea       PRIMARY KEY,
    family_id  uuid        NOT NULL REFERENCES refresh_token_families (id) ON DELETE CASCADE,
    issued_at  timestamptz NOT NULL,
    expires_at timestamptz NOT NULL,
    used_at    timestamptz
);
CREATE INDEX refresh_tokens_family ON refresh_tokens (family_id);
CREATE INDEX refresh_tokens_expires_at ON refresh_tokens (expires_at);

-- The RSA key ring. A key is created pending (published in the JWKS, not yet signing), becomes
-- active on rotation, and stays published for a grace period after it retires, so every
-- verifier already knows a key before the first token signed with it arrives.
CREATE TABLE signing_keys (
    kid          text        PRIMARY KEY,
    private_key  bytea       NOT NULL,
    created_at   timestamptz NOT NULL,
    activated_at timestamptz,
    retired_at   timestamptz
);

CREATE TABLE addresses (
    id          uuid        PRIMARY KEY,
    user_id     uuid        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    recipient   text        NOT NULL,
    phone       text        NOT NULL,
    line1       text        NOT NULL,
    line2       text,
    city        text        NOT NULL,
    postal_code text        NOT NULL,
    country     text        NOT NULL,
    is_default  boolean     NOT NULL DEFAULT false,
    created_at  timestamptz NOT NULL,
    updated_at  timestamptz NOT NULL
);
CREATE INDEX addresses_user ON addresses (user_id, created_at, id);
-- At most one default per user, whatever the application does.
CREATE UNIQUE INDEX addresses_one_default ON addresses (user_id) WHERE is_default;

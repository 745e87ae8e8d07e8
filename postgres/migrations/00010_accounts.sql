-- +goose Up
-- Accounts: sign-in names, sessions (refresh-token families), rotated refresh
-- tokens, password reset codes, rate limits, OIDC login state and linked identities.
ALTER TABLE users ADD COLUMN username text UNIQUE;
ALTER TABLE users ADD COLUMN password_changed_at timestamptz;
ALTER TABLE users ADD COLUMN updated_at timestamptz NOT NULL DEFAULT now();

-- A session is one refresh-token family: revoking it ends every token of the family.
CREATE TABLE sessions (
    id           text PRIMARY KEY,
    user_id      bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at   timestamptz NOT NULL DEFAULT now(),
    last_used_at timestamptz NOT NULL DEFAULT now(),
    expires_at   timestamptz NOT NULL,
    revoked_at   timestamptz,
    revoke_reason text NOT NULL DEFAULT '',
    user_agent   text NOT NULL DEFAULT '',
    ip           text NOT NULL DEFAULT '',
    method       text NOT NULL DEFAULT 'password'
);
CREATE INDEX sessions_user ON sessions (user_id, created_at DESC);

-- Refresh tokens are stored as SHA-256 hashes only. A token is used once:
-- using it marks it used and issues its successor in the same family; a second
-- use of a used token is reuse (theft) and revokes the whole family.
CREATE TABLE refresh_tokens (
    token_hash  bytea PRIMARY KEY,
    session_id  text NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    created_at  timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz NOT NULL,
    used_at     timestamptz
);
CREATE INDEX refresh_tokens_session ON refresh_tokens (session_id);

CREATE TABLE password_resets (
    id         bigserial PRIMARY KEY,
    user_id    bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    code_hash  bytea NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL,
    used_at    timestamptz,
    attempts   int NOT NULL DEFAULT 0
);
CREATE INDEX password_resets_user ON password_resets (user_id, created_at DESC);

-- Fixed-window counters with lockout, shared by every API instance.
CREATE TABLE rate_limits (
    key          text PRIMARY KEY,
    window_start timestamptz NOT NULL DEFAULT now(),
    hits         int NOT NULL DEFAULT 0,
    lockouts     int NOT NULL DEFAULT 0,
    locked_until timestamptz,
    updated_at   timestamptz NOT NULL DEFAULT now()
);

-- OIDC authorization requests in flight: state, nonce and PKCE verifier stay
-- server-side and expire.
CREATE TABLE oidc_states (
    state        text PRIMARY KEY,
    nonce        text NOT NULL,
    verifier     text NOT NULL,
    link_user_id bigint REFERENCES users(id) ON DELETE CASCADE,
    created_at   timestamptz NOT NULL DEFAULT now(),
    expires_at   timestamptz NOT NULL
);

-- Identities at outside providers (VNeID). The ID number (CCCD) is kept
-- AES-GCM encrypted; only its masked form (last four digits) is kept in clear.
CREATE TABLE user_identities (
    provider      text NOT NULL,
    subject       text NOT NULL,
    user_id       bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    id_number_enc bytea,
    id_masked     text NOT NULL DEFAULT '',
    created_at    timestamptz NOT NULL DEFAULT now(),
    last_login_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (provider, subject)
);
CREATE INDEX user_identities_user ON user_identities (user_id);

-- +goose Down
DROP TABLE user_identities, oidc_states, rate_limits, password_resets, refresh_tokens, sessions;
ALTER TABLE users DROP COLUMN username, DROP COLUMN password_changed_at, DROP COLUMN updated_at;

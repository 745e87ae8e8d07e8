-- +goose Up
-- VNeID for the mobile app (issue 20): identities are matched by the
-- personal ID number through a keyed hash (the number itself stays
-- encrypted); the level of assurance is recorded on the session; the app's
-- redirect URI, state and PKCE challenge ride along the provider round trip;
-- the callback hands the app a one-time code it exchanges for tokens.
ALTER TABLE user_identities ADD COLUMN id_number_hmac bytea;
CREATE INDEX user_identities_id_number ON user_identities (id_number_hmac) WHERE id_number_hmac IS NOT NULL;
ALTER TABLE sessions ADD COLUMN acr text NOT NULL DEFAULT '';
ALTER TABLE oidc_states ADD COLUMN app_redirect text NOT NULL DEFAULT '';
ALTER TABLE oidc_states ADD COLUMN app_state text NOT NULL DEFAULT '';
ALTER TABLE oidc_states ADD COLUMN app_challenge text NOT NULL DEFAULT '';

CREATE TABLE app_login_codes (
    code_hash  bytea PRIMARY KEY,                 -- sha256 of the one-time code
    user_id    bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    challenge  text NOT NULL,                     -- the app's PKCE S256 challenge
    acr        text NOT NULL DEFAULT '',
    link       jsonb NOT NULL DEFAULT '{}',       -- how the identity was linked (shown to the app)
    expires_at timestamptz NOT NULL,
    used_at    timestamptz
);

-- +goose Down
DROP TABLE app_login_codes;
ALTER TABLE oidc_states DROP COLUMN app_challenge, DROP COLUMN app_state, DROP COLUMN app_redirect;
ALTER TABLE sessions DROP COLUMN acr;
DROP INDEX user_identities_id_number;
ALTER TABLE user_identities DROP COLUMN id_number_hmac;

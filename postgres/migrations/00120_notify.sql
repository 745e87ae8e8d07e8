-- +goose Up
-- Notifications that reach people (issue 20). A notifications row is one
-- message to one person (it is also that person's in-app inbox entry); each
-- channel it goes out on is a notification_deliveries row, keyed by the
-- message's dedupe key plus the channel, so a step reaches a channel once.
ALTER TABLE notifications ADD COLUMN read_at timestamptz;
CREATE INDEX notifications_inbox ON notifications (user_id, id DESC);
CREATE INDEX notifications_unread ON notifications (user_id) WHERE read_at IS NULL;

CREATE TABLE notification_deliveries (
    id              bigserial PRIMARY KEY,
    notification_id bigint NOT NULL REFERENCES notifications(id) ON DELETE CASCADE,
    channel         text NOT NULL CHECK (channel IN ('push','zalo','sms','email')),
    dedupe_key      text NOT NULL UNIQUE,            -- notification dedupe key + '#' + channel
    status          text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued','sent','delivered','failed')),
    reason          text NOT NULL DEFAULT '',        -- why it failed (or the last transient error)
    provider_id     text NOT NULL DEFAULT '',        -- the provider's message id
    attempts        int NOT NULL DEFAULT 0,
    not_before      timestamptz,                     -- quiet hours: not sent before this instant
    created_at      timestamptz NOT NULL DEFAULT now(),
    dispatched_at   timestamptz,                     -- delivery workflow started
    sent_at         timestamptz,
    delivered_at    timestamptz,
    updated_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX notification_deliveries_undispatched ON notification_deliveries (id) WHERE dispatched_at IS NULL;
CREATE INDEX notification_deliveries_notification ON notification_deliveries (notification_id);
CREATE INDEX notification_deliveries_provider ON notification_deliveries (channel, provider_id) WHERE provider_id <> '';

-- Receipts that arrived before the delivery was marked sent (a provider can
-- answer its webhook faster than we commit); DeliverySent applies them.
CREATE TABLE delivery_receipts (
    channel      text NOT NULL,
    provider_id  text NOT NULL,
    delivered_at timestamptz NOT NULL,
    PRIMARY KEY (channel, provider_id)
);

-- Push tokens of the mobile app (FCM registration tokens), one row a device.
CREATE TABLE user_devices (
    id         bigserial PRIMARY KEY,
    user_id    bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    token      text NOT NULL UNIQUE,
    platform   text NOT NULL DEFAULT 'android' CHECK (platform IN ('android','ios','web')),
    created_at timestamptz NOT NULL DEFAULT now(),
    seen_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX user_devices_user ON user_devices (user_id);

-- A person's choice per topic and channel; no row means the default.
CREATE TABLE notification_prefs (
    user_id bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    topic   text NOT NULL CHECK (topic IN ('case','news','payment')),
    channel text NOT NULL CHECK (channel IN ('push','zalo','sms','email')),
    enabled boolean NOT NULL,
    PRIMARY KEY (user_id, topic, channel)
);

-- Quiet hours in Vietnam time (minutes after midnight); start > end wraps midnight.
CREATE TABLE notification_quiet_hours (
    user_id      bigint PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    start_minute int NOT NULL CHECK (start_minute BETWEEN 0 AND 1439),
    end_minute   int NOT NULL CHECK (end_minute BETWEEN 0 AND 1439)
);

-- Access and refresh tokens of providers whose refresh token rotates (Zalo
-- OA): shared by every instance, updated under a row lock.
CREATE TABLE provider_tokens (
    name          text PRIMARY KEY,
    access_token  text NOT NULL DEFAULT '',
    refresh_token text NOT NULL DEFAULT '',
    expires_at    timestamptz NOT NULL DEFAULT 'epoch',
    updated_at    timestamptz NOT NULL DEFAULT now()
);

-- Demo mode only: what the built-in simulator of each channel received.
-- Every request is recorded (repeats too), so a test can see a duplicate.
CREATE TABLE notifysim_messages (
    id          bigserial PRIMARY KEY,
    channel     text NOT NULL,
    recipient   text NOT NULL,                       -- push token, phone (84…) or e-mail address
    request_key text NOT NULL DEFAULT '',            -- the sender's idempotency/tracking key
    title       text NOT NULL DEFAULT '',
    body        text NOT NULL DEFAULT '',
    data        jsonb NOT NULL DEFAULT '{}',
    provider_id text NOT NULL,
    repeat      boolean NOT NULL DEFAULT false,      -- same request_key seen before
    received_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX notifysim_messages_recipient ON notifysim_messages (recipient, id);
CREATE INDEX notifysim_messages_key ON notifysim_messages (channel, request_key);

-- +goose Down
DROP TABLE notifysim_messages, provider_tokens, delivery_receipts, notification_quiet_hours, notification_prefs, user_devices, notification_deliveries;
DROP INDEX notifications_unread;
DROP INDEX notifications_inbox;
ALTER TABLE notifications DROP COLUMN read_at;

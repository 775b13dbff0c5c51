-- Channel webhooks: where notify events are sent, and every delivery until it is delivered or has failed for good.

CREATE TABLE webhooks (
    id               text PRIMARY KEY,
    organization_id  text NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    site_id          text NOT NULL REFERENCES sites (id) ON DELETE CASCADE,
    url              text NOT NULL,
    -- Channel names it follows (empty: all), and tags of which an event must carry one (empty: any event).
    channels         text[] NOT NULL,
    tags             text[] NOT NULL,
    format           text NOT NULL CHECK (format IN ('standard', 'slack', 'discord')),
    -- whsec_ and base64 of the key: needed in clear to sign, never returned after creation or rotation.
    secret           text NOT NULL,
    -- Set while paused: by a person ('manual') or because its deliveries kept failing ('failing').
    paused_at        timestamptz,
    paused_reason    text CHECK (paused_reason IN ('manual', 'failing')),
    -- The first failed attempt since its last success: how long it has kept failing.
    failing_since    timestamptz,
    last_delivered_at timestamptz,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX webhooks_site ON webhooks (organization_id, site_id);

-- One row per event and webhook, written before the event's answer; deleted once delivered. Its id is the
-- webhook-id header of every attempt, so a receiver can tell a retry from a new event.
CREATE TABLE webhook_deliveries (
    id               text PRIMARY KEY,
    webhook_id       text NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
    event_id         text NOT NULL,
    -- The event as notified (JSON); each format builds its body from it.
    event            text NOT NULL,
    accepted_at      timestamptz NOT NULL DEFAULT now(),
    status           text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'failed')),
    attempts         int NOT NULL DEFAULT 0,
    -- When it may be claimed next: a claim moves it past the attempt's timeout, so an attempt cut short by a
    -- crash is tried again by any replica.
    next_attempt_at  timestamptz NOT NULL DEFAULT now(),
    last_attempt_at  timestamptz,
    last_status      int,
    last_error       text
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE status = 'pending';
CREATE INDEX webhook_deliveries_webhook ON webhook_deliveries (webhook_id, status);

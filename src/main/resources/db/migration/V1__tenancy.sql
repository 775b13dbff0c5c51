-- Organizations, their sites, API keys, channels and identities: what the events service owns.

CREATE TABLE organizations (
    id              text PRIMARY KEY,
    name            text NOT NULL,
    retention_tier  text NOT NULL CHECK (retention_tier IN ('basic', 'premium', 'unlimited')),
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE sites (
    id               text PRIMARY KEY,
    organization_id  text NOT NULL REFERENCES organizations (id),
    name             text NOT NULL,
    created_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX sites_organization ON sites (organization_id);

-- Keys are 32 random bytes: a SHA-256 of the key is enough to find and check it, and the clear key is
-- never stored. The prefix is only for people to tell keys apart.
CREATE TABLE api_keys (
    id               text PRIMARY KEY,
    organization_id  text NOT NULL REFERENCES organizations (id),
    site_id          text NOT NULL REFERENCES sites (id),
    name             text NOT NULL,
    prefix           text NOT NULL,
    key_hash         bytea NOT NULL UNIQUE,
    scopes           text[] NOT NULL,
    created_at       timestamptz NOT NULL DEFAULT now(),
    revoked_at       timestamptz
);
CREATE INDEX api_keys_organization ON api_keys (organization_id);

CREATE TABLE channels (
    id               text PRIMARY KEY,
    organization_id  text NOT NULL REFERENCES organizations (id),
    site_id          text NOT NULL REFERENCES sites (id),
    name             text NOT NULL,
    created_at       timestamptz NOT NULL DEFAULT now(),
    UNIQUE (organization_id, site_id, name)
);

CREATE TABLE identities (
    organization_id  text NOT NULL REFERENCES organizations (id),
    user_id          text NOT NULL,
    properties       jsonb NOT NULL DEFAULT '{}',
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, user_id)
);

CREATE TABLE identity_aliases (
    organization_id  text NOT NULL,
    alias            text NOT NULL,
    user_id          text NOT NULL,
    created_at       timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, alias),
    FOREIGN KEY (organization_id, user_id) REFERENCES identities (organization_id, user_id)
);

-- Idempotency-Key records: a response is replayed for 24 hours; request_hash tells a changed body apart.
CREATE TABLE idempotency_records (
    organization_id  text NOT NULL REFERENCES organizations (id),
    idempotency_key  text NOT NULL,
    request_hash     bytea NOT NULL,
    status           integer,
    response         jsonb,
    created_at       timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, idempotency_key)
);
CREATE INDEX idempotency_records_created ON idempotency_records (created_at);

-- Deleting data: sites are soft-deleted first (restorable until their organization's tier window has
-- passed), and every deletion of events (one event, one user's, one site's) is recorded here before it is
-- carried out in Tinybird, so that it survives an outage of Tinybird or of this process.
ALTER TABLE sites ADD COLUMN deleted_at timestamptz;

CREATE TABLE deletions (
    id               text PRIMARY KEY,
    organization_id  text NOT NULL,
    kind             text NOT NULL CHECK (kind IN ('event', 'identity', 'site')),
    -- What is deleted. user_ids (the user and its aliases, as events store them) is personal data: it is
    -- kept only until the deletion is done.
    event_id         text,
    site_id          text,
    user_ids         text[],
    -- Only events created up to this instant: a user identified afresh after the erasure keeps new events.
    created_up_to    timestamptz,
    -- Who asked: 'key:<api key id>', 'admin' or 'schedule'.
    requested_by     text NOT NULL,
    status           text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'running', 'done', 'failed')),
    attempts         integer NOT NULL DEFAULT 0,
    events_deleted   bigint NOT NULL DEFAULT 0,
    last_error       text,
    requested_at     timestamptz NOT NULL DEFAULT now(),
    next_attempt_at  timestamptz NOT NULL DEFAULT now(),
    -- A replica carrying it out holds it until then; a crashed one's claim runs out.
    claimed_until    timestamptz,
    updated_at       timestamptz NOT NULL DEFAULT now(),
    completed_at     timestamptz
);
CREATE INDEX deletions_due ON deletions (next_attempt_at) WHERE status IN ('pending', 'running');
CREATE INDEX deletions_organization ON deletions (organization_id, requested_at);
-- One deletion per event (and site it was asked for) and one purge per site: asking again answers the recorded one.
CREATE UNIQUE INDEX deletions_one_per_event ON deletions (organization_id, event_id, coalesce(site_id, '')) WHERE kind = 'event';
CREATE UNIQUE INDEX deletions_one_per_site ON deletions (site_id) WHERE kind = 'site';

-- An event's answer waits for one row per notify event (its JSON once, with the ids of the webhooks it matched), not
-- one per event and webhook: the relay fans a notice out into webhook_deliveries later, in one statement that also
-- deletes it, so a crash leaves either the notice or all its deliveries. A delivery's id (its webhook-id header)
-- comes from the notice's id and the webhook's place in it, so it is the same whichever replica fans it out.
CREATE TABLE webhook_notices (
    id           text PRIMARY KEY,
    event_id     text NOT NULL,
    event        text NOT NULL,
    webhook_ids  text[] NOT NULL,
    accepted_at  timestamptz NOT NULL DEFAULT now()
);

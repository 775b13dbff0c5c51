-- Accepted rows that Tinybird did not take in time, kept until a relay delivers them. No foreign keys:
-- a row that was accepted must never be refused here.
CREATE TABLE outbox_rows (
    seq              bigserial PRIMARY KEY,
    organization_id  text NOT NULL,
    datasource       text NOT NULL,
    row_id           text NOT NULL,
    -- As sent to Tinybird: with the organization and the id it finds the row there again.
    created_at       text NOT NULL,
    line             text NOT NULL,
    -- An earlier send may have been stored: look the row up before sending it again.
    may_have_landed  boolean NOT NULL,
    reason           text NOT NULL,
    kept_at          timestamptz NOT NULL DEFAULT now(),
    -- Set before each relay send and committed at once, so that a crash mid-send leaves a trace.
    attempted_at     timestamptz
);
CREATE INDEX outbox_rows_organization ON outbox_rows (organization_id, seq);

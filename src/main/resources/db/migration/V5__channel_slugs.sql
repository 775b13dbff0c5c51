-- Channels are one per slug of their name, as EmitKit names them: `Payments` and `payments` are one
-- channel, shown under the name first sent, with the icon and description of its first event.
ALTER TABLE channels
    ADD COLUMN slug text,
    ADD COLUMN icon text NOT NULL DEFAULT '',
    ADD COLUMN description text NOT NULL DEFAULT '',
    ADD COLUMN merged_into text REFERENCES channels (id);

-- The rule of Channels.slug: Unicode simple lower-case mapping (pg_c_utf8, whatever the database's own
-- locale; PostgreSQL 17), surrounding ASCII whitespace dropped, inner runs of it as one '-'.
UPDATE channels SET slug = regexp_replace(
    regexp_replace(lower(name COLLATE pg_c_utf8), '^[ \t\n\r\f\v]+|[ \t\n\r\f\v]+$', '', 'g'),
    '[ \t\n\r\f\v]+', '-', 'g');

-- Names that now slug alike are merged into the oldest of them, which keeps its id and display name. The
-- others stay, marked merged_into: their events in Tinybird carry their ids (and names), and rewriting
-- those rows (and the materialized aggregates) is neither cheap nor atomic, so reads of the surviving
-- channel cover the merged ids too. No event is lost from view, and none is rewritten.
UPDATE channels c SET merged_into = survivor.id
FROM (SELECT DISTINCT ON (organization_id, site_id, slug) id, organization_id, site_id, slug
      FROM channels ORDER BY organization_id, site_id, slug, created_at, id) survivor
WHERE c.organization_id = survivor.organization_id AND c.site_id = survivor.site_id AND c.slug = survivor.slug
    AND c.id <> survivor.id;

ALTER TABLE channels
    ALTER COLUMN slug SET NOT NULL,
    DROP CONSTRAINT channels_organization_id_site_id_name_key;
CREATE UNIQUE INDEX channels_slug ON channels (organization_id, site_id, slug) WHERE merged_into IS NULL;
CREATE INDEX channels_merged_into ON channels (merged_into) WHERE merged_into IS NOT NULL;

-- The widest retention tier each organization ever held. Events keep the tier their organization had
-- when they were created, so this, not the current tier, bounds how far back any of its events can
-- still be visible: reads clamp their time ranges to it.
ALTER TABLE organizations ADD COLUMN widest_tier_ever text;

-- Earlier tiers were not recorded: the current one is the best known. An organization downgraded before
-- this migration has its older, wider-tier events clamped away (set the column by hand if that matters).
UPDATE organizations SET widest_tier_ever = retention_tier;

ALTER TABLE organizations
    ALTER COLUMN widest_tier_ever SET NOT NULL,
    ADD CONSTRAINT organizations_widest_tier_ever_covers_current CHECK (
        widest_tier_ever IN ('basic', 'premium', 'unlimited')
        AND array_position(ARRAY['basic', 'premium', 'unlimited'], widest_tier_ever)
            >= array_position(ARRAY['basic', 'premium', 'unlimited'], retention_tier));

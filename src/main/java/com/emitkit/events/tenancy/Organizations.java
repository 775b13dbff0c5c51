package com.emitkit.events.tenancy;

import io.quarkus.cache.Cache;
import io.quarkus.cache.CacheName;
import io.quarkus.runtime.annotations.RegisterForReflection;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Organizations and their sites. */
@ApplicationScoped
public class Organizations {

    /**
     * An organization, its current tier (given to events created from now on) and the widest tier it ever
     * held (how far back its events can still be visible).
     */
    @RegisterForReflection
    public record Organization(String id, String name, RetentionTier tier, RetentionTier widestTier) {
    }

    @RegisterForReflection
    public record Site(String id, String organizationId, String name) {
    }

    /** A site deleted (and restorable until {@code purgeAfter}; never purged automatically when null). */
    @RegisterForReflection
    public record SiteState(String id, String organizationId, String name, Instant deletedAt, Instant purgeAfter) {
    }

    /** How a restore went: restored, not deleted in the first place, or too late (its purge was recorded). */
    public enum Restore { RESTORED, NOT_DELETED, PURGING }

    private final Pool pool;
    private final ApiKeys apiKeys;
    private final Cache hiddenSites;

    Organizations(Pool pool, ApiKeys apiKeys, @CacheName("hidden-sites") Cache hiddenSites) {
        this.pool = pool;
        this.apiKeys = apiKeys;
        this.hiddenSites = hiddenSites;
    }

    /**
     * Soft-deletes a site: its keys stop working (on this replica at once, on the others within the key cache's
     * expiry) and reads leave its events out ({@link #hiddenSites}). Deleting it again keeps the first time.
     */
    public Uni<SiteState> deleteSite(String organizationId, String siteId, Duration basicWindow, Duration premiumWindow) {
        return pool.preparedQuery("""
                        UPDATE sites s SET deleted_at = coalesce(s.deleted_at, now()) FROM organizations o
                        WHERE s.id = $1 AND s.organization_id = $2 AND o.id = s.organization_id
                        RETURNING s.id, s.organization_id, s.name, s.deleted_at, o.retention_tier""")
                .execute(Tuple.of(siteId, organizationId))
                .call(rows -> apiKeys.forgetAll())
                .call(rows -> hiddenSites.invalidate(organizationId))
                .map(rows -> {
                    if (rows.rowCount() == 0) {
                        throw new TenancyException.NotFound("No site " + siteId + " in organization " + organizationId);
                    }
                    Row row = rows.iterator().next();
                    Instant deletedAt = row.getOffsetDateTime("deleted_at").toInstant();
                    Duration window = switch (RetentionTier.fromWire(row.getString("retention_tier"))) {
                        case BASIC -> basicWindow;
                        case PREMIUM -> premiumWindow;
                        case UNLIMITED -> null;
                    };
                    return new SiteState(siteId, organizationId, row.getString("name"), deletedAt,
                            window == null ? null : deletedAt.plus(window));
                });
    }

    /** Brings a soft-deleted site back, with its keys and its events, unless its purge was recorded already. */
    public Uni<Restore> restoreSite(String organizationId, String siteId) {
        return pool.preparedQuery("""
                        UPDATE sites s SET deleted_at = NULL WHERE s.id = $1 AND s.organization_id = $2 AND s.deleted_at IS NOT NULL
                            AND NOT EXISTS (SELECT 1 FROM deletions d WHERE d.kind = 'site' AND d.site_id = s.id)
                        RETURNING s.id""")
                .execute(Tuple.of(siteId, organizationId))
                .call(rows -> apiKeys.forgetAll())
                .call(rows -> hiddenSites.invalidate(organizationId))
                .flatMap(restored -> restored.rowCount() > 0 ? Uni.createFrom().item(Restore.RESTORED) : pool.preparedQuery("""
                                SELECT s.deleted_at IS NOT NULL AS deleted FROM sites s WHERE s.id = $1 AND s.organization_id = $2""")
                        .execute(Tuple.of(siteId, organizationId))
                        .map(rows -> {
                            if (rows.rowCount() == 0) {
                                throw new TenancyException.NotFound("No site " + siteId + " in organization " + organizationId);
                            }
                            return rows.iterator().next().getBoolean("deleted") ? Restore.PURGING : Restore.NOT_DELETED;
                        }));
    }

    /**
     * The organization's sites that are deleted and not purged yet, whose events reads leave out. Cached briefly
     * ({@code quarkus.cache.caffeine.hidden-sites.expire-after-write}); on this replica a change shows at once.
     */
    public Uni<List<String>> hiddenSites(String organizationId) {
        return hiddenSites.getAsync(organizationId, ignored -> pool
                .preparedQuery("SELECT id FROM sites WHERE organization_id = $1 AND deleted_at IS NOT NULL ORDER BY id")
                .execute(Tuple.of(organizationId))
                .map(rows -> {
                    List<String> ids = new ArrayList<>();
                    rows.forEach(row -> ids.add(row.getString("id")));
                    return List.copyOf(ids);
                }));
    }

    /** Removes a purged site's rows: its keys, its channels and the site itself. */
    public Uni<Void> purgeSite(String organizationId, String siteId) {
        return pool.withTransaction(connection -> connection
                        .preparedQuery("DELETE FROM api_keys WHERE organization_id = $1 AND site_id = $2").execute(Tuple.of(organizationId, siteId))
                        .flatMap(ignored -> connection.preparedQuery("DELETE FROM channels WHERE organization_id = $1 AND site_id = $2")
                                .execute(Tuple.of(organizationId, siteId)))
                        .flatMap(ignored -> connection.preparedQuery("DELETE FROM sites WHERE organization_id = $1 AND id = $2")
                                .execute(Tuple.of(organizationId, siteId))))
                .call(ignored -> apiKeys.forgetAll())
                .call(ignored -> hiddenSites.invalidate(organizationId))
                .replaceWithVoid();
    }

    public Uni<Organization> create(String name, RetentionTier tier) {
        String id = Ids.next("org");
        return pool.preparedQuery("INSERT INTO organizations (id, name, retention_tier, widest_tier_ever) VALUES ($1, $2, $3, $3)")
                .execute(Tuple.of(id, name, tier.wireName()))
                .map(rows -> new Organization(id, name, tier, tier));
    }

    public Uni<Site> createSite(String organizationId, String name) {
        String id = Ids.next("site");
        return pool.preparedQuery("""
                        INSERT INTO sites (id, organization_id, name) SELECT $1, id, $3 FROM organizations WHERE id = $2""")
                .execute(Tuple.of(id, organizationId, name))
                .map(rows -> {
                    if (rows.rowCount() == 0) {
                        throw new TenancyException.NotFound("No organization " + organizationId);
                    }
                    return new Site(id, organizationId, name);
                });
    }

    public Uni<Organization> get(String organizationId) {
        return pool.preparedQuery("SELECT id, name, retention_tier, widest_tier_ever FROM organizations WHERE id = $1")
                .execute(Tuple.of(organizationId))
                .map(rows -> {
                    if (rows.rowCount() == 0) {
                        throw new TenancyException.NotFound("No organization " + organizationId);
                    }
                    return organization(rows.iterator().next());
                });
    }

    /**
     * Changes the tier for events created from now on: every event keeps the tier it was created with,
     * so the widest tier ever held only grows (in the same statement, so concurrent changes cannot lose
     * a step). Cached key lookups carry both tiers, so they are dropped here.
     */
    public Uni<Organization> changeTier(String organizationId, RetentionTier tier) {
        return pool.preparedQuery("""
                        UPDATE organizations SET retention_tier = $2::text,
                            widest_tier_ever = CASE
                                WHEN array_position(ARRAY['basic', 'premium', 'unlimited'], $2::text)
                                    > array_position(ARRAY['basic', 'premium', 'unlimited'], widest_tier_ever)
                                THEN $2::text ELSE widest_tier_ever END,
                            updated_at = now()
                        WHERE id = $1
                        RETURNING id, name, retention_tier, widest_tier_ever""")
                .execute(Tuple.of(organizationId, tier.wireName()))
                .call(rows -> apiKeys.forgetAll())
                .map(rows -> {
                    if (rows.rowCount() == 0) {
                        throw new TenancyException.NotFound("No organization " + organizationId);
                    }
                    return organization(rows.iterator().next());
                });
    }

    /** A site of an organization; empty when the organization has no such site. */
    public Uni<Optional<Site>> site(String organizationId, String siteId) {
        return pool.preparedQuery("SELECT id, organization_id, name FROM sites WHERE id = $1 AND organization_id = $2")
                .execute(Tuple.of(siteId, organizationId))
                .map(rows -> rows.rowCount() == 0 ? Optional.<Site>empty() : Optional.of(rows.iterator().next()).map(row ->
                        new Site(row.getString("id"), row.getString("organization_id"), row.getString("name"))));
    }

    /** The oldest site of this name in the oldest organization of that name: how the dev demo finds its own again. */
    Uni<Optional<Site>> firstSite(String organizationName, String siteName) {
        return pool.preparedQuery("""
                        SELECT s.id, s.organization_id, s.name FROM sites s JOIN organizations o ON o.id = s.organization_id
                        WHERE o.name = $1 AND s.name = $2 ORDER BY o.created_at, s.created_at LIMIT 1""")
                .execute(Tuple.of(organizationName, siteName))
                .map(rows -> rows.rowCount() == 0 ? Optional.<Site>empty() : Optional.of(rows.iterator().next()).map(row ->
                        new Site(row.getString("id"), row.getString("organization_id"), row.getString("name"))));
    }

    private static Organization organization(Row row) {
        return new Organization(row.getString("id"), row.getString("name"), RetentionTier.fromWire(row.getString("retention_tier")),
                RetentionTier.fromWire(row.getString("widest_tier_ever")));
    }
}

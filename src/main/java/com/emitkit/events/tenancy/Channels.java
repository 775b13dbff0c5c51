package com.emitkit.events.tenancy;

import io.quarkus.cache.Cache;
import io.quarkus.cache.CacheName;
import io.quarkus.cache.CaffeineCache;
import io.quarkus.runtime.annotations.RegisterForReflection;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Channels, created on first use and unique per organization and site by the {@link #slug} of their name,
 * as EmitKit names them: {@code Payments} and {@code payments} are one channel, shown under the name first
 * sent, with the icon and description of its first event.
 */
@ApplicationScoped
public class Channels {

    private final Pool pool;
    private final Cache cache;

    Channels(Pool pool, @CacheName("channels") Cache cache) {
        this.pool = pool;
        this.cache = cache;
    }

    /**
     * An existing channel: its id, the site it belongs to, its display name and the ids of channels merged
     * into it (V5 merged names that slug alike; their events in Tinybird keep their own ids).
     */
    public record ChannelRef(String id, String siteId, String name, List<String> mergedIds) {
    }

    /** A channel as {@code GET /v1/channels} lists it. */
    @RegisterForReflection
    public record ChannelInfo(String id, String name, String slug, String icon, String description, String siteId,
                              String createdAt) {
    }

    /**
     * A channel name's slug, its identity: lower case (Unicode simple case mapping, as PostgreSQL's
     * {@code pg_c_utf8} lower-cases), words joined by {@code -}.
     */
    public static String slug(String name) {
        StringBuilder slug = new StringBuilder(name.length());
        boolean spaceBefore = false;
        for (int i = 0; i < name.length(); ) {
            int codePoint = name.codePointAt(i);
            i += Character.charCount(codePoint);
            if (isSpace(codePoint)) {
                // A run of spaces becomes one "-" between words; at either end it goes.
                spaceBefore = !slug.isEmpty();
            } else {
                if (spaceBefore) {
                    slug.append('-');
                    spaceBefore = false;
                }
                slug.appendCodePoint(Character.toLowerCase(codePoint));
            }
        }
        return slug.toString();
    }

    /** ASCII whitespace only, as the V5 migration's SQL matches it: the two must agree on every name. */
    private static boolean isSpace(int codePoint) {
        return codePoint == ' ' || codePoint == '\t' || codePoint == '\n' || codePoint == '\r' || codePoint == '\f'
                || codePoint == 0x0B;
    }

    /**
     * An existing channel, for reads: a read never creates one. {@code siteId} null searches every site of
     * the organization; a name used by several sites is then ambiguous. Found channels are cached like
     * created ones (a channel's id never changes); a miss is not, so a channel created later is found.
     */
    public Uni<Optional<ChannelRef>> find(String organizationId, String siteId, String name) {
        String slug = slug(name);
        String key = key(organizationId, String.valueOf(siteId), slug);
        CompletableFuture<Object> cached = cache.as(CaffeineCache.class).getIfPresent(key);
        if (cached != null) {
            return Uni.createFrom().completionStage(cached).map(found -> Optional.of((ChannelRef) found));
        }
        return pool.preparedQuery("""
                        SELECT c.id, c.site_id, c.name, ARRAY(SELECT m.id FROM channels m WHERE m.merged_into = c.id ORDER BY m.id) AS merged
                        FROM channels c
                        WHERE c.organization_id = $1 AND ($2::text IS NULL OR c.site_id = $2) AND c.slug = $3
                            AND c.merged_into IS NULL
                        LIMIT 2""")
                .execute(Tuple.of(organizationId, siteId, slug))
                .map(rows -> {
                    if (rows.rowCount() == 0) {
                        return Optional.<ChannelRef>empty();
                    }
                    if (rows.rowCount() > 1) {
                        throw new TenancyException.Ambiguous("Several sites have a channel named '" + name + "'");
                    }
                    Row row = rows.iterator().next();
                    ChannelRef found = new ChannelRef(row.getString("id"), row.getString("site_id"), row.getString("name"),
                            List.of(row.getArrayOfStrings("merged")));
                    cache.as(CaffeineCache.class).put(key, CompletableFuture.completedFuture(found));
                    return Optional.of(found);
                });
    }

    /** The channels of an organization (of one site, unless {@code siteId} is null), by name. */
    public Uni<List<ChannelInfo>> list(String organizationId, String siteId) {
        return pool.preparedQuery("""
                        SELECT id, name, slug, icon, description, site_id, created_at FROM channels
                        WHERE organization_id = $1 AND ($2::text IS NULL OR site_id = $2) AND merged_into IS NULL
                        ORDER BY slug, site_id""")
                .execute(Tuple.of(organizationId, siteId))
                .map(rows -> {
                    List<ChannelInfo> channels = new ArrayList<>(rows.rowCount());
                    rows.forEach(row -> channels.add(new ChannelInfo(row.getString("id"), row.getString("name"),
                            row.getString("slug"), row.getString("icon"), row.getString("description"), row.getString("site_id"),
                            row.getOffsetDateTime("created_at").toInstant().toString())));
                    return channels;
                });
    }

    private static String key(String organizationId, String siteId, String slug) {
        return organizationId + "\u0000" + siteId + "\u0000" + slug;
    }

    /**
     * The channel a name stands for, creating it (with this first event's icon and description) when it is
     * new; concurrent first uses agree on one channel.
     */
    public Uni<ChannelRef> resolve(String organizationId, String siteId, String name, String icon, String description) {
        String slug = slug(name);
        return cache.<String, ChannelRef>getAsync(key(organizationId, siteId, slug), ignored -> pool.preparedQuery("""
                        INSERT INTO channels (id, organization_id, site_id, name, slug, icon, description)
                        VALUES ($1, $2, $3, $4, $5, $6, $7)
                        ON CONFLICT (organization_id, site_id, slug) WHERE merged_into IS NULL DO UPDATE SET slug = EXCLUDED.slug
                        RETURNING id, name,
                            ARRAY(SELECT m.id FROM channels m WHERE m.merged_into = channels.id ORDER BY m.id) AS merged""")
                .execute(Tuple.tuple(List.of(Ids.next("ch"), organizationId, siteId, name, slug, icon, description)))
                .map(rows -> {
                    Row row = rows.iterator().next();
                    return new ChannelRef(row.getString("id"), siteId, row.getString("name"), List.of(row.getArrayOfStrings("merged")));
                }));
    }
}

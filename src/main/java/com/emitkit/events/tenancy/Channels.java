package com.emitkit.events.tenancy;

import io.quarkus.cache.Cache;
import io.quarkus.cache.CacheName;
import io.quarkus.cache.CaffeineCache;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/** Channels, unique by name per organization and site, created on first use. */
@ApplicationScoped
public class Channels {

    private final Pool pool;
    private final Cache cache;

    Channels(Pool pool, @CacheName("channels") Cache cache) {
        this.pool = pool;
        this.cache = cache;
    }

    /** An existing channel: its id and the site it belongs to. */
    public record ChannelRef(String id, String siteId) {
    }

    /**
     * An existing channel, for reads: a read never creates one. {@code siteId} null searches every site of
     * the organization; a name used by several sites is then ambiguous. Found channels are cached like
     * created ones (a channel's id never changes); a miss is not, so a channel created later is found.
     */
    public Uni<Optional<ChannelRef>> find(String organizationId, String siteId, String name) {
        String key = key(organizationId, String.valueOf(siteId), name);
        CompletableFuture<Object> cached = cache.as(CaffeineCache.class).getIfPresent(key);
        if (cached != null) {
            return Uni.createFrom().completionStage(cached).map(found -> Optional.of((ChannelRef) found));
        }
        return pool.preparedQuery("""
                        SELECT id, site_id FROM channels
                        WHERE organization_id = $1 AND ($2::text IS NULL OR site_id = $2) AND name = $3 LIMIT 2""")
                .execute(Tuple.of(organizationId, siteId, name))
                .map(rows -> {
                    if (rows.rowCount() == 0) {
                        return Optional.<ChannelRef>empty();
                    }
                    if (rows.rowCount() > 1) {
                        throw new TenancyException.Ambiguous("Several sites have a channel named '" + name + "'");
                    }
                    var row = rows.iterator().next();
                    ChannelRef found = new ChannelRef(row.getString("id"), row.getString("site_id"));
                    cache.as(CaffeineCache.class).put(key, CompletableFuture.completedFuture(found));
                    return Optional.of(found);
                });
    }

    private static String key(String organizationId, String siteId, String name) {
        return organizationId + "\u0000" + siteId + "\u0000" + name;
    }

    /** The channel's id, creating the channel when it is new; concurrent first uses agree on one id. */
    public Uni<String> resolve(String organizationId, String siteId, String name) {
        return cache.<String, ChannelRef>getAsync(key(organizationId, siteId, name), ignored -> pool.preparedQuery("""
                        INSERT INTO channels (id, organization_id, site_id, name) VALUES ($1, $2, $3, $4)
                        ON CONFLICT (organization_id, site_id, name) DO UPDATE SET name = EXCLUDED.name
                        RETURNING id""")
                .execute(Tuple.of(Ids.next("ch"), organizationId, siteId, name))
                .map(rows -> new ChannelRef(rows.iterator().next().getString("id"), siteId)))
                .map(ChannelRef::id);
    }
}

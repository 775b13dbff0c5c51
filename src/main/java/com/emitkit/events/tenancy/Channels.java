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

    /**
     * The id of an existing channel, for reads: a read never creates a channel. Found ids are cached like
     * created ones (a channel's id never changes); a miss is not, so a channel created later is found.
     */
    public Uni<Optional<String>> find(String organizationId, String siteId, String name) {
        String key = key(organizationId, siteId, name);
        CompletableFuture<Object> cached = cache.as(CaffeineCache.class).getIfPresent(key);
        if (cached != null) {
            return Uni.createFrom().completionStage(cached).map(id -> Optional.of((String) id));
        }
        return pool.preparedQuery("SELECT id FROM channels WHERE organization_id = $1 AND site_id = $2 AND name = $3")
                .execute(Tuple.of(organizationId, siteId, name))
                .map(rows -> {
                    if (rows.rowCount() == 0) {
                        return Optional.<String>empty();
                    }
                    String id = rows.iterator().next().getString("id");
                    cache.as(CaffeineCache.class).put(key, CompletableFuture.completedFuture(id));
                    return Optional.of(id);
                });
    }

    private static String key(String organizationId, String siteId, String name) {
        return organizationId + "\u0000" + siteId + "\u0000" + name;
    }

    /** The channel's id, creating the channel when it is new; concurrent first uses agree on one id. */
    public Uni<String> resolve(String organizationId, String siteId, String name) {
        return cache.getAsync(key(organizationId, siteId, name), ignored -> pool.preparedQuery("""
                        INSERT INTO channels (id, organization_id, site_id, name) VALUES ($1, $2, $3, $4)
                        ON CONFLICT (organization_id, site_id, name) DO UPDATE SET name = EXCLUDED.name
                        RETURNING id""")
                .execute(Tuple.of(Ids.next("ch"), organizationId, siteId, name))
                .map(rows -> rows.iterator().next().getString("id")));
    }
}

package com.emitkit.events.tenancy;

import io.quarkus.cache.Cache;
import io.quarkus.cache.CacheName;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

/** Channels, unique by name per organization and site, created on first use. */
@ApplicationScoped
public class Channels {

    private final Pool pool;
    private final Cache cache;

    Channels(Pool pool, @CacheName("channels") Cache cache) {
        this.pool = pool;
        this.cache = cache;
    }

    /** The channel's id, creating the channel when it is new; concurrent first uses agree on one id. */
    public Uni<String> resolve(String organizationId, String siteId, String name) {
        return cache.getAsync(organizationId + "\u0000" + siteId + "\u0000" + name, ignored -> pool.preparedQuery("""
                        INSERT INTO channels (id, organization_id, site_id, name) VALUES ($1, $2, $3, $4)
                        ON CONFLICT (organization_id, site_id, name) DO UPDATE SET name = EXCLUDED.name
                        RETURNING id""")
                .execute(Tuple.of(Ids.next("ch"), organizationId, siteId, name))
                .map(rows -> rows.iterator().next().getString("id")));
    }
}

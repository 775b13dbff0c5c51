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

    /** The id of an existing channel, for reads: a read never creates a channel. */
    public Uni<java.util.Optional<String>> find(String organizationId, String siteId, String name) {
        return pool.preparedQuery("SELECT id FROM channels WHERE organization_id = $1 AND site_id = $2 AND name = $3")
                .execute(Tuple.of(organizationId, siteId, name))
                .map(rows -> rows.rowCount() == 0 ? java.util.Optional.empty()
                        : java.util.Optional.of(rows.iterator().next().getString("id")));
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

package com.emitkit.events.notify;

import com.emitkit.events.tenancy.Ids;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Where accepted {@code notify} events enter webhook delivery: one delivery per event and matching webhook,
 * written to PostgreSQL in one statement before the events are answered, so none is lost to a crash or a
 * Tinybird outage. {@link DeliveryRelay} sends them.
 */
@ApplicationScoped
public class Notifications {

    private final Pool pool;
    private final Webhooks webhooks;
    private final DeliveryRelay relay;

    Notifications(Pool pool, Webhooks webhooks, DeliveryRelay relay) {
        this.pool = pool;
        this.webhooks = webhooks;
        this.relay = relay;
    }

    /** Records the deliveries of a site's accepted notify events; a site without active webhooks costs no query. */
    public Uni<Void> accepted(String organizationId, String siteId, List<NotifiedEvent> events) {
        if (events.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return webhooks.targets(organizationId, siteId).flatMap(targets -> {
            List<String> ids = new ArrayList<>();
            List<String> webhookIds = new ArrayList<>();
            List<String> eventIds = new ArrayList<>();
            List<String> payloads = new ArrayList<>();
            for (NotifiedEvent event : events) {
                String payload = null;
                for (Webhooks.Target target : targets) {
                    if (target.matches(event)) {
                        payload = payload == null ? event.toJson().encode() : payload;
                        ids.add(Ids.next("msg"));
                        webhookIds.add(target.id());
                        eventIds.add(event.id());
                        payloads.add(payload);
                    }
                }
            }
            if (ids.isEmpty()) {
                return Uni.createFrom().voidItem();
            }
            // A webhook deleted meanwhile is skipped by the join rather than failing the events' answer.
            return pool.preparedQuery("""
                            INSERT INTO webhook_deliveries (id, webhook_id, event_id, event)
                            SELECT d.id, d.webhook_id, d.event_id, d.event
                            FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) AS d(id, webhook_id, event_id, event)
                            JOIN webhooks w ON w.id = d.webhook_id""")
                    .execute(Tuple.of(ids.toArray(String[]::new), webhookIds.toArray(String[]::new),
                            eventIds.toArray(String[]::new), payloads.toArray(String[]::new)))
                    // A brief PostgreSQL hiccup should not fail events Tinybird already holds.
                    .onFailure().retry().withBackOff(Duration.ofMillis(50)).atMost(3)
                    .invoke(rows -> relay.recorded(rows.rowCount()))
                    .replaceWithVoid();
        });
    }
}

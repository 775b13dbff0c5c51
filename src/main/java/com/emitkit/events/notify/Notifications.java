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
 * written to PostgreSQL (concurrent requests' together, see {@link GroupCommit}) before the events are answered, so none is lost to a crash or a
 * Tinybird outage. {@link DeliveryRelay} sends them.
 */
@ApplicationScoped
public class Notifications {

    /** The most deliveries one INSERT carries; a request's own are never split. */
    private static final int DELIVERIES_PER_STATEMENT = 2_000;

    /** {@code leased}: this replica took an attempt slot for it and attempts it as soon as it is recorded. */
    private record Recorded(String id, String webhookId, String eventId, String payload, boolean leased) {
    }

    private final Pool pool;
    private final Webhooks webhooks;
    private final DeliveryRelay relay;
    /** Concurrent requests' deliveries share statements, at most two at a time: a few connections, not one per request. */
    private final GroupCommit<Recorded> recording = new GroupCommit<>(DELIVERIES_PER_STATEMENT, 2, this::insert);

    Notifications(Pool pool, Webhooks webhooks, DeliveryRelay relay) {
        this.pool = pool;
        this.webhooks = webhooks;
        this.relay = relay;
    }

    /**
     * Told of every request's accepted events (so deliveries can yield to the write path); records the deliveries of
     * its notify events. A site without active webhooks costs no query.
     */
    public Uni<Void> accepted(String organizationId, String siteId, List<NotifiedEvent> events) {
        relay.eventsAccepted();
        if (events.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return webhooks.targets(organizationId, siteId).flatMap(targets -> {
            List<Recorded> deliveries = new ArrayList<>();
            for (NotifiedEvent event : events) {
                String payload = null;
                for (Webhooks.Target target : targets) {
                    if (target.matches(event)) {
                        payload = payload == null ? event.toJson().encode() : payload;
                        deliveries.add(new Recorded(Ids.next("msg"), target.id(), event.id(), payload, false));
                    }
                }
            }
            if (deliveries.isEmpty()) {
                return Uni.createFrom().voidItem();
            }
            int leased = relay.reserve(deliveries.size());
            for (int i = 0; i < leased; i++) {
                Recorded delivery = deliveries.get(i);
                deliveries.set(i, new Recorded(delivery.id(), delivery.webhookId(), delivery.eventId(), delivery.payload(), true));
            }
            return recording.write(deliveries);
        });
    }

    /**
     * Records the deliveries; those leased are written as claimed by this replica (their first attempt counted, their
     * next one due only after the lease, as a claim leaves them) and handed to the relay with their webhook's address
     * and secret, which saves each a claim statement. Should this replica die first, the lease runs out and any replica
     * attempts them.
     */
    private Uni<Void> insert(List<Recorded> deliveries) {
        String[] ids = new String[deliveries.size()];
        String[] webhookIds = new String[ids.length];
        String[] eventIds = new String[ids.length];
        String[] payloads = new String[ids.length];
        Boolean[] leased = new Boolean[ids.length];
        int reserved = 0;
        for (int i = 0; i < ids.length; i++) {
            Recorded delivery = deliveries.get(i);
            ids[i] = delivery.id();
            webhookIds[i] = delivery.webhookId();
            eventIds[i] = delivery.eventId();
            payloads[i] = delivery.payload();
            leased[i] = delivery.leased();
            reserved += delivery.leased() ? 1 : 0;
        }
        int slots = reserved;
        int unleased = ids.length - reserved;
        // A webhook deleted meanwhile is skipped by the join rather than failing the events' answer. Only leased rows
        // come back, with what their attempt needs: the others would cost the service their decoding for nothing.
        return pool.preparedQuery("""
                        WITH recorded AS (
                            INSERT INTO webhook_deliveries (id, webhook_id, event_id, event, attempts, last_attempt_at, next_attempt_at)
                            SELECT d.id, d.webhook_id, d.event_id, d.event, CASE WHEN d.leased THEN 1 ELSE 0 END,
                                   CASE WHEN d.leased THEN now() END,
                                   CASE WHEN d.leased THEN now() + make_interval(secs => $6) ELSE now() END
                            FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bool[]) AS d(id, webhook_id, event_id, event, leased)
                            JOIN webhooks w ON w.id = d.webhook_id
                            RETURNING id, webhook_id, event, attempts, accepted_at)
                        SELECT r.id, r.webhook_id, r.event, r.attempts, r.accepted_at, w.url, w.format, w.secret
                        FROM recorded r JOIN webhooks w ON w.id = r.webhook_id WHERE r.attempts > 0""")
                .execute(Tuple.of(ids, webhookIds, eventIds, payloads, leased, (double) relay.lease().toSeconds()))
                // A brief PostgreSQL hiccup should not fail events Tinybird already holds.
                .onFailure().retry().withBackOff(Duration.ofMillis(50)).atMost(3)
                .onFailure().invoke(() -> relay.release(slots))
                .invoke(rows -> relay.recorded(rows, slots, unleased))
                .replaceWithVoid();
    }
}

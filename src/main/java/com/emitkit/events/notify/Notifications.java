package com.emitkit.events.notify;

import com.emitkit.events.tenancy.Channels;
import com.emitkit.events.tenancy.Ids;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.StringJoiner;

/**
 * Where accepted {@code notify} events enter webhook delivery: one notice per event that matches a webhook (its JSON
 * and the matching webhooks' ids), written to PostgreSQL (concurrent requests' together, see {@link GroupCommit})
 * before the events are answered, so none is lost to a crash or a Tinybird outage. {@link DeliveryRelay} fans the
 * notices out into deliveries and sends them: the answer waits for one row per event, whatever the webhooks.
 */
@ApplicationScoped
public class Notifications {

    /** The most notices one INSERT carries; a request's own are never split. */
    private static final int NOTICES_PER_STATEMENT = 2_000;

    /** {@code webhookIds}: comma-separated (ids are base62), which PostgreSQL splits back into the notice's array. */
    private record Notice(String id, String eventId, String payload, String webhookIds, int deliveries) {
    }

    private final Pool pool;
    private final Webhooks webhooks;
    private final DeliveryRelay relay;
    /** Concurrent requests' notices share statements, at most two at a time: a few connections, not one per request. */
    private final GroupCommit<Notice> recording = new GroupCommit<>(NOTICES_PER_STATEMENT, 2, this::insert);

    Notifications(Pool pool, Webhooks webhooks, DeliveryRelay relay) {
        this.pool = pool;
        this.webhooks = webhooks;
        this.relay = relay;
    }

    /**
     * Told of every request's accepted events (so deliveries can yield to the write path); records the notices of its
     * notify events. A site without active webhooks costs no query.
     */
    public Uni<Void> accepted(String organizationId, String siteId, List<NotifiedEvent> events) {
        relay.eventsAccepted();
        if (events.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return webhooks.targets(organizationId, siteId).flatMap(targets -> {
            List<Notice> notices = new ArrayList<>();
            for (NotifiedEvent event : events) {
                StringJoiner matching = new StringJoiner(",");
                int count = 0;
                String channelSlug = Channels.slug(event.channelName());
                for (Webhooks.Target target : targets) {
                    if (target.matches(event, channelSlug)) {
                        matching.add(target.id());
                        count++;
                    }
                }
                if (count > 0) {
                    notices.add(new Notice(Ids.next("ntc"), event.id(), event.toJson().encode(), matching.toString(), count));
                }
            }
            return notices.isEmpty() ? Uni.createFrom().voidItem() : recording.write(notices);
        });
    }

    private Uni<Void> insert(List<Notice> notices) {
        String[] ids = new String[notices.size()];
        String[] eventIds = new String[ids.length];
        String[] payloads = new String[ids.length];
        String[] webhookIds = new String[ids.length];
        int deliveries = 0;
        for (int i = 0; i < ids.length; i++) {
            Notice notice = notices.get(i);
            ids[i] = notice.id();
            eventIds[i] = notice.eventId();
            payloads[i] = notice.payload();
            webhookIds[i] = notice.webhookIds();
            deliveries += notice.deliveries();
        }
        int noticed = deliveries;
        return pool.preparedQuery("""
                        INSERT INTO webhook_notices (id, event_id, event, webhook_ids)
                        SELECT n.id, n.event_id, n.event, string_to_array(n.webhook_ids, ',')
                        FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) AS n(id, event_id, event, webhook_ids)
                        ON CONFLICT (id) DO NOTHING""")
                .execute(Tuple.of(ids, eventIds, payloads, webhookIds))
                // A brief PostgreSQL hiccup should not fail events Tinybird already holds; a retry after a commit whose
                // answer was lost writes nothing twice.
                .onFailure().retry().withBackOff(Duration.ofMillis(50)).atMost(3)
                .invoke(() -> relay.noticed(noticed))
                .replaceWithVoid();
    }
}

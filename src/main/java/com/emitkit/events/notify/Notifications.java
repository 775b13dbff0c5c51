package com.emitkit.events.notify;

import com.emitkit.events.tenancy.Channels;
import com.emitkit.events.tenancy.Ids;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.StringJoiner;

/**
 * Where {@code notify} events enter webhook delivery: one notice per event that matches a webhook (its JSON and the
 * matching webhooks' ids), written to PostgreSQL (concurrent requests' together, see {@link GroupCommit}) while the
 * event goes to Tinybird, so the answer waits for whichever takes longer and no accepted event's notice is lost to a
 * crash or a Tinybird outage. Once the events' outcomes are known, {@link #settle} withdraws the notices of events
 * that were not accepted and hands the others to {@link DeliveryRelay}, which fans them out into deliveries and sends
 * them. A notice nobody settled (its replica died) is fanned out by any replica once {@link DeliveryRelay} deems it
 * abandoned.
 */
@ApplicationScoped
public class Notifications {

    private static final Logger LOG = Logger.getLogger(Notifications.class);

    /** The most notices one INSERT carries; a request's own are never split. */
    private static final int NOTICES_PER_STATEMENT = 2_000;

    /** The events a deletion selects, as a condition on a notice's or a delivery's event (alias {@code x}). */
    private static final String SELECTED_EVENTS = """
            ($3::text IS NULL OR x.event_id = $3)
                AND ($4::text[] IS NULL OR (x.event::jsonb ->> 'user_id') = ANY($4))
                AND ($5::timestamptz IS NULL OR (x.event::jsonb ->> 'created_at')::timestamptz <= $5)""";
    /** Deletes a deletion's notices and deliveries among the webhooks of its organization (and site); counts them. */
    private static final String WITHDRAW = """
            WITH scope AS (SELECT id FROM webhooks WHERE organization_id = $1 AND ($2::text IS NULL OR site_id = $2)),
            notices AS (DELETE FROM webhook_notices x WHERE x.webhook_ids && ARRAY(SELECT id FROM scope) AND %1$s
                RETURNING 1),
            deliveries AS (DELETE FROM webhook_deliveries x WHERE x.webhook_id IN (SELECT id FROM scope) AND %1$s
                RETURNING 1)
            SELECT (SELECT count(*) FROM notices) + (SELECT count(*) FROM deliveries) AS withdrawn""".formatted(SELECTED_EVENTS);

    /** {@code webhookIds}: comma-separated (ids are base62), which PostgreSQL splits back into the notice's array. */
    private record Notice(String id, String eventId, String payload, String webhookIds, int deliveries) {
    }

    /** The notices a request recorded, to be settled once its events' outcomes are known. */
    public static final class Recorded {
        static final Recorded NONE = new Recorded(List.of());

        private final List<Notice> notices;

        private Recorded(List<Notice> notices) {
            this.notices = notices;
        }
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
     * Told of every request's events as they are sent (so deliveries can yield to the write path); records the notices
     * of its notify events. A site without active webhooks costs no query.
     */
    public Uni<Recorded> record(String organizationId, String siteId, List<NotifiedEvent> events) {
        relay.eventsArriving();
        if (events.isEmpty()) {
            return Uni.createFrom().item(Recorded.NONE);
        }
        return webhooks.targets(organizationId, siteId).flatMap(targets -> {
            if (targets.isEmpty()) {
                return Uni.createFrom().item(Recorded.NONE);
            }
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
            return notices.isEmpty() ? Uni.createFrom().item(Recorded.NONE)
                    : recording.write(notices).replaceWith(new Recorded(notices));
        });
    }

    /**
     * The events' outcomes are known: the notices of those not accepted ({@code refusedEventIds}) are deleted before
     * the answer, the others handed to the relay for delivery.
     */
    public Uni<Void> settle(Recorded recorded, Set<String> refusedEventIds) {
        if (recorded.notices.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        List<String> confirmed = new ArrayList<>(recorded.notices.size());
        List<String> withdrawn = new ArrayList<>();
        int deliveries = 0;
        for (Notice notice : recorded.notices) {
            if (refusedEventIds.contains(notice.eventId())) {
                withdrawn.add(notice.id());
            } else {
                confirmed.add(notice.id());
                deliveries += notice.deliveries();
            }
        }
        int confirmedDeliveries = deliveries;
        Uni<Void> withdrawing = withdrawn.isEmpty() ? Uni.createFrom().voidItem()
                : pool.preparedQuery("DELETE FROM webhook_notices WHERE id = ANY($1)")
                        .execute(Tuple.of(withdrawn.toArray(String[]::new)))
                        .onFailure().retry().withBackOff(Duration.ofMillis(50)).atMost(3)
                        .onFailure().invoke(failure -> LOG.warnf("Withdrawing %d notices of refused events failed (they would"
                                + " be delivered once deemed abandoned): %s", withdrawn.size(), failure.getMessage()))
                        // The accepted events' answer must not fail for it.
                        .onFailure().recoverWithNull()
                        .replaceWithVoid();
        return withdrawing.invoke(() -> relay.noticed(confirmed, confirmedDeliveries));
    }

    /**
     * A deletion's events leave webhook delivery too: their notices and deliveries (waiting, or failed and kept to be
     * looked at) are deleted, so no webhook is sent their data afterwards and none of it stays here. An attempt already
     * on the wire still arrives. Each pass of a deletion calls this, so a notice recorded while an earlier pass ran is
     * caught by a later one. The events are the organization's, narrowed by each argument that is not null (as a
     * deletion selects them): a site, an event, user ids, created up to an instant. Answers how many notices and
     * deliveries went.
     */
    public Uni<Long> withdraw(String organizationId, String siteId, String eventId, List<String> userIds, Instant createdUpTo) {
        return pool.preparedQuery(WITHDRAW)
                .execute(Tuple.from(Arrays.asList(organizationId, siteId, eventId,
                        userIds == null ? null : userIds.toArray(String[]::new),
                        createdUpTo == null ? null : createdUpTo.atOffset(ZoneOffset.UTC))))
                .map(rows -> rows.iterator().next().getLong("withdrawn"));
    }

    private Uni<Void> insert(List<Notice> notices) {
        String[] ids = new String[notices.size()];
        String[] eventIds = new String[ids.length];
        String[] payloads = new String[ids.length];
        String[] webhookIds = new String[ids.length];
        for (int i = 0; i < ids.length; i++) {
            Notice notice = notices.get(i);
            ids[i] = notice.id();
            eventIds[i] = notice.eventId();
            payloads[i] = notice.payload();
            webhookIds[i] = notice.webhookIds();
        }
        return pool.preparedQuery("""
                        INSERT INTO webhook_notices (id, event_id, event, webhook_ids)
                        SELECT n.id, n.event_id, n.event, string_to_array(n.webhook_ids, ',')
                        FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) AS n(id, event_id, event, webhook_ids)
                        ON CONFLICT (id) DO NOTHING""")
                .execute(Tuple.of(ids, eventIds, payloads, webhookIds))
                // A brief PostgreSQL hiccup should not fail events Tinybird may already hold; a retry after a commit
                // whose answer was lost writes nothing twice.
                .onFailure().retry().withBackOff(Duration.ofMillis(50)).atMost(3)
                .replaceWithVoid();
    }
}

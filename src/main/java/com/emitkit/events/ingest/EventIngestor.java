package com.emitkit.events.ingest;

import com.emitkit.events.notify.Notifications;
import com.emitkit.events.notify.NotifiedEvent;
import com.emitkit.events.tenancy.Caller;
import com.emitkit.events.tenancy.Channels;
import com.emitkit.events.tenancy.Identities;
import com.emitkit.events.tenancy.Ids;
import com.emitkit.events.tinybird.TinybirdEventsSender;
import com.emitkit.events.tinybird.TinybirdRow;
import com.emitkit.events.tinybird.TinybirdTime;
import com.emitkit.events.web.ApiException;
import com.emitkit.events.web.UpstreamFailures;
import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.annotations.RegisterForReflection;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.tuples.Tuple2;
import jakarta.enterprise.context.ApplicationScoped;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Where an accepted event goes: its channel resolved by slug (created on first use; the event carries the
 * channel's display name, the name first sent), its user id resolved
 * through aliases, an id and {@code created_at} stamped here, the organization's current tier
 * snapshotted on it, then appended to Tinybird's {@code events} datasource. {@code notify} events are recorded for
 * webhook delivery ({@link Notifications}) meanwhile, and settled (kept if accepted) before they are answered.
 */
@ApplicationScoped
public class EventIngestor {

    private static final String DATASOURCE = "events";

    /** What {@code POST /v1/events} answers in {@code data}. */
    @RegisterForReflection
    public record CreatedEvent(String id, String channelId, String channelName, String userId, String retentionTier,
                               String createdAt) {
    }

    /** One event of a request: created, or why it was not (the service's answer for it). */
    public record Outcome(CreatedEvent created, ApiException failure) {
    }

    private final Channels channels;
    private final Identities identities;
    private final TinybirdEventsSender sender;
    private final Notifications notifications;
    private final JsonFactory json;
    private final Clock clock;
    /** Per tier, accepted and failed: looked up once, not per event. */
    private final Map<String, Counter[]> ingested = new ConcurrentHashMap<>();
    private final MeterRegistry metrics;

    EventIngestor(Channels channels, Identities identities, TinybirdEventsSender sender, Notifications notifications,
                  ObjectMapper json, MeterRegistry metrics) {
        this.channels = channels;
        this.identities = identities;
        this.sender = sender;
        this.notifications = notifications;
        this.json = json.getFactory();
        this.clock = Clock.systemUTC();
        this.metrics = metrics;
    }

    /** One event: its created form, or the service's failure for it. */
    public Uni<CreatedEvent> ingest(Caller principal, EventInput event) {
        return ingestAll(principal, List.of(event)).map(outcomes -> {
            Outcome outcome = outcomes.getFirst();
            if (outcome.failure() != null) {
                throw outcome.failure();
            }
            return outcome.created();
        });
    }

    /**
     * The events of one request, in order. Each distinct channel and user is resolved once, and the rows
     * go to the sender together; an event's outcome is its own (rows may be sent in different calls).
     */
    public Uni<List<Outcome>> ingestAll(Caller principal, List<EventInput> events) {
        if (events.isEmpty()) {
            return Uni.createFrom().item(List.of());
        }
        Map<String, Uni<Channels.ChannelRef>> channelRefs = new LinkedHashMap<>();
        Map<String, Uni<String>> userIds = new LinkedHashMap<>();
        for (EventInput event : events) {
            channelRefs.computeIfAbsent(event.channelName(), name -> channels.resolve(principal.organizationId(),
                    principal.siteId(), name, event.icon(), event.description()));
            if (event.userId() != null) {
                userIds.computeIfAbsent(event.userId(), user -> identities.resolveUser(principal.organizationId(), user));
            }
        }
        return Uni.combine().all().unis(resolved(channelRefs), resolved(userIds)).asTuple().flatMap(ids -> {
            Map<String, Channels.ChannelRef> channel = ids.getItem1();
            Map<String, String> userId = ids.getItem2();
            // Milliseconds, as Tinybird stores it: the webhooks' ISO form is then the same instant.
            Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
            String createdAt = TinybirdTime.format(now);
            String tier = principal.tier().wireName();
            List<CreatedEvent> created = new ArrayList<>(events.size());
            List<TinybirdRow> rows = new ArrayList<>(events.size());
            for (EventInput event : events) {
                Channels.ChannelRef ref = channel.get(event.channelName());
                CreatedEvent one = new CreatedEvent(Ids.next("evt"), ref.id(), ref.name(),
                        event.userId() == null ? null : userId.get(event.userId()), tier, createdAt);
                created.add(one);
                rows.add(row(principal, event, one));
            }
            // The notices are recorded while the rows go to Tinybird: the answer waits for the longer of the two.
            Uni<Notifications.Recorded> recording = notifications.record(principal.organizationId(), principal.siteId(),
                    toNotify(events, created, now));
            Uni<List<Outcome>> sending = sender.sendAll(DATASOURCE, rows).map(failures -> {
                Counter[] counters = ingested.computeIfAbsent(tier, t -> new Counter[] {
                        metrics.counter("emitkit.events.ingested", "tier", t, "outcome", "accepted"),
                        metrics.counter("emitkit.events.ingested", "tier", t, "outcome", "failed")});
                List<Outcome> outcomes = new ArrayList<>(created.size());
                for (int i = 0; i < created.size(); i++) {
                    Throwable failure = failures.get(i);
                    counters[failure == null ? 0 : 1].increment();
                    outcomes.add(failure == null ? new Outcome(created.get(i), null)
                            : new Outcome(null, UpstreamFailures.of(failure)));
                }
                return outcomes;
            });
            return Uni.combine().all().unis(sending, recording).asTuple()
                    .call(both -> notifications.settle(both.getItem2(), refused(created, both.getItem1())))
                    .map(Tuple2::getItem1);
        });
    }

    /** The events with {@code notify} true, as webhooks get them (their creation time in ISO-8601). */
    private static List<NotifiedEvent> toNotify(List<EventInput> events, List<CreatedEvent> created, Instant createdAt) {
        List<NotifiedEvent> notified = new ArrayList<>();
        String iso = createdAt.toString();
        for (int i = 0; i < events.size(); i++) {
            EventInput event = events.get(i);
            if (event.notification()) {
                CreatedEvent one = created.get(i);
                notified.add(new NotifiedEvent(one.id(), one.channelId(), event.channelName(), event.title(),
                        event.description(), event.icon(), event.tags(), event.metadata(), one.userId(), iso));
            }
        }
        return notified;
    }

    /** The ids of the events that were neither stored nor kept. */
    private static Set<String> refused(List<CreatedEvent> created, List<Outcome> outcomes) {
        Set<String> refused = new HashSet<>();
        for (int i = 0; i < outcomes.size(); i++) {
            if (outcomes.get(i).failure() != null) {
                refused.add(created.get(i).id());
            }
        }
        return refused;
    }

    /** Every name's resolved value, once all are resolved. */
    private static <T> Uni<Map<String, T>> resolved(Map<String, Uni<T>> byName) {
        if (byName.isEmpty()) {
            return Uni.createFrom().item(Map.of());
        }
        List<String> names = new ArrayList<>(byName.keySet());
        return Uni.join().all(new ArrayList<>(byName.values())).andFailFast().map(values -> {
            Map<String, T> result = new HashMap<>();
            for (int i = 0; i < names.size(); i++) {
                result.put(names.get(i), values.get(i));
            }
            return result;
        });
    }

    /**
     * The event's Events API row, written straight to its JSON line in UTF-8, the bytes that are sent: no object
     * built to be encoded, no text encoded again.
     */
    private TinybirdRow row(Caller principal, EventInput event, CreatedEvent created) {
        ByteArrayOutputStream line = new ByteArrayOutputStream(512);
        try (JsonGenerator row = json.createGenerator(line, JsonEncoding.UTF8)) {
            row.writeStartObject();
            row.writeStringField("id", created.id());
            row.writeStringField("organization_id", principal.organizationId());
            row.writeStringField("site_id", principal.siteId());
            row.writeStringField("channel_id", created.channelId());
            row.writeStringField("channel_name", created.channelName());
            row.writeStringField("retention_tier", created.retentionTier());
            row.writeStringField("title", event.title());
            row.writeStringField("description", event.description());
            row.writeStringField("icon", event.icon());
            row.writeArrayFieldStart("tags");
            for (String tag : event.tags()) {
                row.writeString(tag);
            }
            row.writeEndArray();
            row.writeStringField("metadata", event.metadata() == null ? "{}" : event.metadata());
            row.writeStringField("user_id", created.userId());
            row.writeBooleanField("notify", event.notification());
            row.writeStringField("display_as", event.displayAs());
            row.writeStringField("source", event.source());
            row.writeStringField("created_at", created.createdAt());
            row.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException("writing to memory cannot fail", e);
        }
        return new TinybirdRow(created.id(), principal.organizationId(), created.createdAt(), line.toByteArray());
    }
}

package com.emitkit.events.ingest;

import com.emitkit.events.http.UpstreamFailures;
import com.emitkit.events.tenancy.Caller;
import com.emitkit.events.tenancy.Channels;
import com.emitkit.events.tenancy.Identities;
import com.emitkit.events.tenancy.Ids;
import com.emitkit.events.tinybird.TinybirdEventsSender;
import com.emitkit.events.tinybird.TinybirdTime;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.annotations.RegisterForReflection;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Clock;
import java.time.Instant;

/**
 * Where an accepted event goes: its channel resolved (created on first use), its user id resolved
 * through aliases, an id and {@code created_at} stamped here, the organization's current tier
 * snapshotted on it, then appended to Tinybird's {@code events} datasource.
 */
@ApplicationScoped
public class EventIngestor {

    private static final String DATASOURCE = "events";

    /** What {@code POST /v1/events} answers in {@code data}. */
    @RegisterForReflection
    public record CreatedEvent(String id, String channelId, String channelName, String userId, String retentionTier,
                               String createdAt) {
    }

    private final Channels channels;
    private final Identities identities;
    private final TinybirdEventsSender sender;
    private final Clock clock;

    private final MeterRegistry metrics;

    EventIngestor(Channels channels, Identities identities, TinybirdEventsSender sender, MeterRegistry metrics) {
        this.channels = channels;
        this.identities = identities;
        this.sender = sender;
        this.clock = Clock.systemUTC();
        this.metrics = metrics;
    }

    public Uni<CreatedEvent> ingest(Caller principal, EventInput event) {
        Uni<String> channelId = channels.resolve(principal.organizationId(), principal.siteId(), event.channelName());
        Uni<String> userId = event.userId() == null ? Uni.createFrom().nullItem()
                : identities.resolveUser(principal.organizationId(), event.userId());
        return Uni.combine().all().unis(channelId, userId).asTuple().flatMap(resolved -> {
            Instant now = clock.instant();
            CreatedEvent created = new CreatedEvent(Ids.next("evt"), resolved.getItem1(), event.channelName(),
                    resolved.getItem2(), principal.tier().wireName(), TinybirdTime.format(now));
            return sender.send(DATASOURCE, row(principal, event, created))
                    .onItemOrFailure().invoke((ok, failure) -> metrics.counter("emitkit.events.ingested",
                            "tier", created.retentionTier(), "outcome", failure == null ? "accepted" : "failed").increment())
                    .onFailure().transform(UpstreamFailures::of)
                    .replaceWith(created);
        });
    }

    private static JsonObject row(Caller principal, EventInput event, CreatedEvent created) {
        return new JsonObject()
                .put("id", created.id())
                .put("organization_id", principal.organizationId())
                .put("site_id", principal.siteId())
                .put("channel_id", created.channelId())
                .put("channel_name", event.channelName())
                .put("retention_tier", created.retentionTier())
                .put("title", event.title())
                .put("description", event.description())
                .put("icon", event.icon())
                .put("tags", new JsonArray(event.tags()))
                .put("metadata", event.metadata() == null ? "{}" : event.metadata().toString())
                .put("user_id", created.userId())
                .put("notify", event.notification())
                .put("display_as", event.displayAs())
                .put("source", event.source())
                .put("created_at", created.createdAt());
    }
}

package com.emitkit.events.query;

import com.emitkit.events.config.EmitKitConfig;
import com.emitkit.events.retention.RetentionClock;
import com.emitkit.events.retention.RetentionGate;
import com.emitkit.events.tenancy.Caller;
import com.emitkit.events.tenancy.Channels;
import com.emitkit.events.tenancy.RetentionTier;
import com.emitkit.events.tinybird.EventSelection;
import com.emitkit.events.tinybird.EndpointPipe;
import com.emitkit.events.tinybird.TinybirdTime;
import com.emitkit.events.web.ApiException;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.Startup;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The channels being streamed on this replica: one {@link ChannelPoller} per channel, while it has subscribers. */
// Created at start-up, so that its gauges are on the metrics endpoint before first use.
@Startup
@ApplicationScoped
public class LiveStreams {

    // Event ids are short; a longer Last-Event-ID is a client's mistake, refused before any call to Tinybird.
    private static final int MAX_EVENT_ID = 255;

    /** A subscription made ready before the stream's head is sent, so that its failures can still be error answers. */
    record Opening(ReadScope scope, RetentionTier widestTier, ChannelPoller.Start start) {
    }

    private final RetentionGate retention;
    private final Vertx vertx;
    private final EmitKitConfig.Stream config;
    /** The read path's one clock: where a fresh subscriber and a new poller start. */
    private final Clock clock;
    /** One poller per channel, by its scope. */
    private final Map<ReadScope, ChannelPoller> pollers = new HashMap<>();

    LiveStreams(RetentionGate retention, Vertx vertx, EmitKitConfig config, @RetentionClock Clock clock, MeterRegistry metrics) {
        this.retention = retention;
        this.clock = clock;
        this.vertx = vertx;
        this.config = config.stream();
        Gauge.builder("emitkit.stream.subscribers", this, LiveStreams::subscribers)
                .description("Open live streams (SSE) on this replica").register(metrics);
        Gauge.builder("emitkit.stream.channels", pollers, Map::size)
                .description("Channels polled for live streams on this replica").register(metrics);
    }

    private double subscribers() {
        synchronized (pollers) {
            return pollers.values().stream().mapToInt(ChannelPoller::subscribers).sum();
        }
    }

    /**
     * Readies a subscription to a channel: its poller has answered (a failing Tinybird fails this, within
     * its timeout), and a Last-Event-ID this replica no longer holds (another replica served it, or the
     * channel's poller stopped since) is resolved in Tinybird, through the retention module like any read.
     */
    Uni<Opening> open(Caller caller, Channels.ChannelRef channel, String lastEventId) {
        String resumeAfter = lastEventId == null || lastEventId.isBlank() ? null : lastEventId.strip();
        if (resumeAfter != null && resumeAfter.length() > MAX_EVENT_ID) {
            // Thrown, not a failed Uni: the caller maps a failed opening to an upstream failure.
            throw new ApiException(400, "Invalid header 'Last-Event-ID': at most " + MAX_EVENT_ID
                    + " characters, the id of an event this stream sent");
        }
        ReadScope scope = ReadScope.of(caller, channel);
        ChannelPoller poller;
        synchronized (pollers) {
            poller = live(scope, caller.widestTier());
        }
        String connectedAt = TinybirdTime.format(clock.instant());
        return poller.ready()
                .flatMap(ready -> resumeAfter == null ? Uni.createFrom().item((ChannelPoller.Start) new ChannelPoller.Fresh(connectedAt))
                        : poller.holds(resumeAfter) ? Uni.createFrom().item(new ChannelPoller.AfterHeld(resumeAfter))
                        : replay(scope, caller.widestTier(), resumeAfter))
                .map(start -> new Opening(scope, caller.widestTier(), start));
    }

    /** The channel's events from where the opening starts, shared with its other subscribers. */
    Multi<ChannelPoller.Item> subscribe(Opening opening) {
        return Multi.createFrom().emitter(emitter -> {
            ChannelPoller poller;
            synchronized (pollers) {
                poller = live(opening.scope(), opening.widestTier());
                if (!poller.subscribe(emitter, opening.start())) {
                    pollers.remove(opening.scope());
                    poller = live(opening.scope(), opening.widestTier());
                    poller.subscribe(emitter, opening.start());
                }
            }
            ChannelPoller subscribed = poller;
            emitter.onTermination(() -> subscribed.unsubscribe(emitter));
        });
    }

    /**
     * The events after {@code lastEventId}, read from Tinybird: found with the same retention rules as any
     * read, so an event no longer visible (or unknown) cannot be resumed from, and neither can more events
     * than a replay holds: both get a resync notice instead.
     */
    private Uni<ChannelPoller.Start> replay(ReadScope scope, RetentionTier widestTier, String lastEventId) {
        Map<String, String> lookup = scope.params(Map.of("id", lastEventId, "limit", "1"));
        return retention.query(EndpointPipe.GET_EVENTS_PAGINATED, widestTier, lookup).flatMap(found -> {
            JsonArray rows = found.getJsonArray("data", new JsonArray());
            if (rows.isEmpty()) {
                return Uni.createFrom().item(new ChannelPoller.TooOld(lastEventId));
            }
            JsonObject last = rows.getJsonObject(0);
            Map<String, String> after = scope.params(Map.of("since", last.getString("created_at"), "since_id", last.getString("id"),
                    "limit", Integer.toString(ChannelPoller.PAGE)));
            return retention.query(EndpointPipe.STREAM_EVENTS, widestTier, after).map(page -> {
                JsonArray events = page.getJsonArray("data", new JsonArray());
                if (events.size() >= ChannelPoller.PAGE) {
                    return new ChannelPoller.TooOld(lastEventId);
                }
                List<EventRows.Event> replayed = new ArrayList<>();
                for (int i = 0; i < events.size(); i++) {
                    replayed.add(EventRows.event(events.getJsonObject(i)));
                }
                return new ChannelPoller.AfterReplay(last.getString("created_at"), last.getString("id"), replayed);
            });
        });
    }

    /** The channel's running poller, or a new one, started. Callers hold the lock on {@link #pollers}. */
    private ChannelPoller live(ReadScope scope, RetentionTier widestTier) {
        ChannelPoller poller = pollers.get(scope);
        if (poller == null || poller.stopped()) {
            poller = new ChannelPoller(scope, widestTier, retention, vertx, config, clock.instant(), stopped -> forget(scope, stopped));
            pollers.put(scope, poller);
            poller.start();
        }
        return poller;
    }

    /** A deletion removed events: the pollers of the organization forget those they hold. */
    void deleted(@Observes EventSelection deleted) {
        synchronized (pollers) {
            pollers.forEach((scope, poller) -> {
                if (scope.organizationId().equals(deleted.organizationId())) {
                    poller.forget(deleted);
                }
            });
        }
    }

    private void forget(ReadScope scope, ChannelPoller stopped) {
        synchronized (pollers) {
            pollers.remove(scope, stopped);
        }
    }

    /** The polls a channel's poller made, 0 when none runs: for tests of the one-poll-per-interval rule. */
    long pollsOf(String organizationId, String siteId, String channelId) {
        synchronized (pollers) {
            ChannelPoller poller = pollers.get(new ReadScope(organizationId, siteId, channelId));
            return poller == null ? 0 : poller.polls();
        }
    }
}

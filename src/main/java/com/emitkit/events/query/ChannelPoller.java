package com.emitkit.events.query;

import com.emitkit.events.config.EmitKitConfig;
import com.emitkit.events.retention.RetentionGate;
import com.emitkit.events.tinybird.TinybirdTime;
import io.smallrye.mutiny.subscription.MultiEmitter;
import io.vertx.core.json.JsonArray;
import io.vertx.mutiny.core.Vertx;
import org.jboss.logging.Logger;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One channel's live feed on this replica: a single poll of {@code stream_events} per interval, shared
 * by every subscriber, which delivers each new event once and in order. Each poll looks back
 * {@code late-arrival} behind its cursor and skips ids it already delivered, so an event stamped earlier
 * but stored later still arrives. Recent events are kept for resuming with Last-Event-ID.
 */
final class ChannelPoller {

    private static final Logger LOG = Logger.getLogger(ChannelPoller.class);
    private static final int PAGE = 1000;

    /** What a subscriber receives: an event, or a notice that its Last-Event-ID is too old to resume from. */
    sealed interface Item permits Delivered, Resync {
    }

    record Delivered(EventRows.Event event) implements Item {
    }

    record Resync(String lastEventId) implements Item {
    }

    private final String organizationId;
    private final String siteId;
    private final String channelId;
    private final RetentionGate pipes;
    private final Vertx vertx;
    private final EmitKitConfig.Stream config;
    private final Runnable onIdle;
    private final List<MultiEmitter<? super Item>> subscribers = new ArrayList<>();
    private final ArrayDeque<EventRows.Event> recent = new ArrayDeque<>();
    private final Set<String> recentIds = new HashSet<>();
    private String cursor;
    private long timerId = -1;
    private boolean polling;
    private long polls;

    ChannelPoller(String organizationId, String siteId, String channelId, RetentionGate pipes, Vertx vertx,
                  EmitKitConfig.Stream config, Runnable onIdle) {
        this.organizationId = organizationId;
        this.siteId = siteId;
        this.channelId = channelId;
        this.pipes = pipes;
        this.vertx = vertx;
        this.config = config;
        this.onIdle = onIdle;
        this.cursor = TinybirdTime.format(Instant.now());
    }

    /**
     * Adds a subscriber. With a Last-Event-ID still in the recent events, the events after it are
     * replayed first; with one no longer there, a resync notice comes first.
     */
    synchronized void subscribe(MultiEmitter<? super Item> subscriber, String lastEventId) {
        if (lastEventId != null && !lastEventId.isBlank()) {
            if (recentIds.contains(lastEventId)) {
                boolean after = false;
                for (EventRows.Event event : recent) {
                    if (after) {
                        subscriber.emit(new Delivered(event));
                    }
                    after = after || event.id().equals(lastEventId);
                }
            } else {
                subscriber.emit(new Resync(lastEventId));
            }
        }
        subscribers.add(subscriber);
        if (timerId < 0) {
            timerId = vertx.setPeriodic(config.pollInterval().toMillis(), id -> poll());
        }
    }

    /** Removes a subscriber; the last one to leave stops the polling. */
    synchronized int subscribers() {
        return subscribers.size();
    }

    synchronized void unsubscribe(MultiEmitter<? super Item> subscriber) {
        subscribers.remove(subscriber);
        if (subscribers.isEmpty() && timerId >= 0) {
            vertx.cancelTimer(timerId);
            timerId = -1;
            onIdle.run();
        }
    }

    synchronized boolean idle() {
        return subscribers.isEmpty();
    }

    /** How many polls this channel made, for tests of the one-poll-per-interval rule. */
    synchronized long polls() {
        return polls;
    }

    private void poll() {
        String since;
        synchronized (this) {
            if (polling || subscribers.isEmpty()) {
                return;
            }
            polling = true;
            polls++;
            since = TinybirdTime.format(TinybirdTime.parse(cursor).minus(config.lateArrival()));
        }
        fetch(since, "");
    }

    private void fetch(String since, String sinceId) {
        Map<String, String> params = new HashMap<>(Map.of("organization_id", organizationId, "site_id", siteId,
                "channel_id", channelId, "since", since, "since_id", sinceId, "limit", Integer.toString(PAGE)));
        pipes.query("stream_events", params).subscribe().with(response -> {
            JsonArray rows = response.getJsonArray("data", new JsonArray());
            deliver(rows);
            if (rows.size() == PAGE) {
                var last = rows.getJsonObject(rows.size() - 1);
                fetch(last.getString("created_at"), last.getString("id"));
            } else {
                done();
            }
        }, failure -> {
            LOG.warnf("Polling channel %s failed, retrying at the next interval: %s", channelId, failure.getMessage());
            done();
        });
    }

    private synchronized void done() {
        polling = false;
    }

    private synchronized void deliver(JsonArray rows) {
        for (int i = 0; i < rows.size(); i++) {
            EventRows.Event event = EventRows.event(rows.getJsonObject(i));
            if (!recentIds.add(event.id())) {
                continue;
            }
            recent.addLast(event);
            if (recent.size() > config.replayEvents()) {
                recentIds.remove(recent.removeFirst().id());
            }
            if (event.createdAt().compareTo(cursor) > 0) {
                cursor = event.createdAt();
            }
            for (MultiEmitter<? super Item> subscriber : List.copyOf(subscribers)) {
                subscriber.emit(new Delivered(event));
            }
        }
    }
}

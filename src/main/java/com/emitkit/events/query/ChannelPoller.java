package com.emitkit.events.query;

import com.emitkit.events.config.EmitKitConfig;
import com.emitkit.events.retention.RetentionGate;
import com.emitkit.events.tenancy.RetentionTier;
import com.emitkit.events.tinybird.EventSelection;
import com.emitkit.events.tinybird.EndpointPipe;
import com.emitkit.events.tinybird.TinybirdTime;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.MultiEmitter;
import io.smallrye.mutiny.subscription.UniEmitter;
import io.vertx.core.json.JsonArray;
import io.vertx.mutiny.core.Vertx;
import org.jboss.logging.Logger;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * One channel's live feed on this replica: a single poll of {@code stream_events} per interval, shared
 * by every subscriber, which delivers each new event once and in order. Each poll looks back
 * {@code late-arrival} behind its cursor and skips ids it already delivered, so an event stamped earlier
 * but stored later still arrives. Recent events are kept for resuming with Last-Event-ID.
 */
final class ChannelPoller {

    private static final Logger LOG = Logger.getLogger(ChannelPoller.class);
    /** Most events one call of stream_events returns; also the most a replay from Tinybird holds. */
    static final int PAGE = 1000;

    /** What a subscriber receives: an event, or a notice that its Last-Event-ID is too old to resume from. */
    sealed interface Item permits Delivered, Resync {
    }

    record Delivered(EventRows.Event event) implements Item {
    }

    record Resync(String lastEventId) implements Item {
    }

    /** Where a new subscriber starts. */
    sealed interface Start permits Fresh, AfterHeld, AfterReplay, TooOld {
    }

    /** With the events stamped from {@code connectedAt} on, including any this poller read before the subscriber joined. */
    record Fresh(String connectedAt) implements Start {
    }

    /** After an event this poller holds among its recent ones. */
    record AfterHeld(String lastEventId) implements Start {
    }

    /** After the event at ({@code createdAt}, {@code id}): the events that followed it, as read from Tinybird. */
    record AfterReplay(String createdAt, String id, List<EventRows.Event> events) implements Start {
    }

    /** After an event that can no longer be resumed from: one resync notice. */
    record TooOld(String lastEventId) implements Start {
    }

    /** A subscriber, and the ids it was already sent by a replay (not to be sent again when polled). */
    private record Subscriber(MultiEmitter<? super Item> emitter, Set<String> replayed) {
    }

    private final ReadScope scope;
    private final RetentionTier widestTier;
    private final RetentionGate retention;
    private final Vertx vertx;
    private final EmitKitConfig.Stream config;
    private final Consumer<ChannelPoller> onStop;
    private final List<Subscriber> subscribers = new ArrayList<>();
    private final List<UniEmitter<? super Void>> awaitingPoll = new ArrayList<>();
    private final ArrayDeque<EventRows.Event> recent = new ArrayDeque<>();
    private final Set<String> recentIds = new HashSet<>();
    private String cursor;
    private long timerId = -1;
    private boolean polling;
    private boolean healthy;
    private boolean stopped;
    private boolean idleAtLastTick;
    private long polls;

    /** Polls for the events stamped from {@code startAt} on (less the late-arrival look-back). */
    ChannelPoller(ReadScope scope, RetentionTier widestTier, RetentionGate retention,
                  Vertx vertx, EmitKitConfig.Stream config, Instant startAt, Consumer<ChannelPoller> onStop) {
        this.scope = scope;
        this.widestTier = widestTier;
        this.retention = retention;
        this.vertx = vertx;
        this.config = config;
        this.onStop = onStop;
        this.cursor = TinybirdTime.format(startAt);
    }

    /** Polls once now (so the first subscriber learns at once whether the feed works), then every interval. */
    void start() {
        synchronized (this) {
            timerId = vertx.setPeriodic(config.pollInterval().toMillis(), id -> tick());
        }
        poll();
    }

    /**
     * Completes when the latest poll succeeded: at once if it has, else with the outcome of the poll under
     * way or the next one, each bounded by Tinybird's timeout. A subscriber is not let in to a feed that
     * fails, nor kept waiting long.
     */
    Uni<Void> ready() {
        return Uni.createFrom().emitter(emitter -> {
            synchronized (this) {
                // Stopped, idle, since it was looked up: the subscriber about to come starts a new one.
                if (healthy || stopped) {
                    emitter.complete(null);
                } else {
                    awaitingPoll.add(emitter);
                }
            }
        });
    }

    /** Forgets the recent events a deletion selected: a resume from memory never sends them again. */
    synchronized void forget(EventSelection deleted) {
        recent.removeIf(event -> {
            boolean selected = deleted.matches(scope.organizationId(), scope.siteId(), event.id(), event.userId(), event.createdAt());
            if (selected) {
                recentIds.remove(event.id());
            }
            return selected;
        });
    }

    /** Whether this poller still holds the event, so a subscriber can resume after it from memory. */
    synchronized boolean holds(String eventId) {
        return recentIds.contains(eventId);
    }

    /**
     * Adds a subscriber; false when this poller has stopped (the caller starts another). It is first sent
     * what it missed of its start: the events this poller read since the subscriber connected, the events
     * after a Last-Event-ID held here, or a replay from Tinybird followed by what this poller delivered
     * after it that the replay did not have.
     */
    synchronized boolean subscribe(MultiEmitter<? super Item> emitter, Start start) {
        if (stopped) {
            return false;
        }
        Set<String> replayed = Set.of();
        switch (start) {
            case Fresh fresh -> {
                for (EventRows.Event event : recent) {
                    if (event.createdAt().compareTo(fresh.connectedAt()) >= 0) {
                        emitter.emit(new Delivered(event));
                    }
                }
            }
            case AfterHeld after when recentIds.contains(after.lastEventId()) -> {
                boolean past = false;
                for (EventRows.Event event : recent) {
                    if (past) {
                        emitter.emit(new Delivered(event));
                    }
                    past = past || event.id().equals(after.lastEventId());
                }
            }
            case AfterHeld evicted -> emitter.emit(new Resync(evicted.lastEventId()));
            case AfterReplay replay -> {
                replayed = new HashSet<>();
                for (EventRows.Event event : replay.events()) {
                    emitter.emit(new Delivered(event));
                    replayed.add(event.id());
                }
                for (EventRows.Event event : recent) {
                    if (!replayed.contains(event.id()) && after(event, replay.createdAt(), replay.id())) {
                        emitter.emit(new Delivered(event));
                    }
                }
            }
            case TooOld tooOld -> emitter.emit(new Resync(tooOld.lastEventId()));
        }
        subscribers.add(new Subscriber(emitter, replayed));
        return true;
    }

    /** Removes a subscriber; once nobody subscribes or waits, the polling stops. */
    void unsubscribe(MultiEmitter<? super Item> emitter) {
        boolean idle;
        synchronized (this) {
            subscribers.removeIf(s -> s.emitter() == emitter);
            idle = stopIfIdle();
        }
        if (idle) {
            onStop.accept(this);
        }
    }

    synchronized int subscribers() {
        return subscribers.size();
    }

    synchronized boolean stopped() {
        return stopped;
    }

    /** How many polls this channel made, for tests of the one-poll-per-interval rule. */
    synchronized long polls() {
        return polls;
    }

    private void tick() {
        boolean idle;
        synchronized (this) {
            // Ends a poller started for a subscriber that went away before subscribing; only at the second
            // idle tick, so that one still on its way (its stream's head not sent yet) finds it running.
            boolean idleNow = subscribers.isEmpty() && awaitingPoll.isEmpty();
            idle = idleNow && idleAtLastTick && stopIfIdle();
            idleAtLastTick = idleNow;
        }
        if (idle) {
            onStop.accept(this);
        } else {
            poll();
        }
    }

    private boolean stopIfIdle() {
        if (stopped || !subscribers.isEmpty() || !awaitingPoll.isEmpty()) {
            return false;
        }
        stopped = true;
        vertx.cancelTimer(timerId);
        return true;
    }

    private void poll() {
        String since;
        synchronized (this) {
            if (polling || stopped) {
                return;
            }
            polling = true;
            polls++;
            since = TinybirdTime.format(TinybirdTime.parse(cursor).minus(config.lateArrival()));
        }
        fetch(since, "");
    }

    private void fetch(String since, String sinceId) {
        Map<String, String> params = scope.params(Map.of("since", since, "since_id", sinceId, "limit", Integer.toString(PAGE)));
        retention.query(EndpointPipe.STREAM_EVENTS, widestTier, params).subscribe().with(response -> {
            JsonArray rows = response.getJsonArray("data", new JsonArray());
            deliver(rows);
            if (rows.size() == PAGE) {
                var last = rows.getJsonObject(rows.size() - 1);
                fetch(last.getString("created_at"), last.getString("id"));
            } else {
                finished(null);
            }
        }, failure -> {
            LOG.warnf("Polling channel %s failed, retrying at the next interval: %s", scope.channelId(), failure.getMessage());
            finished(failure);
        });
    }

    private void finished(Throwable failure) {
        List<UniEmitter<? super Void>> waiting;
        synchronized (this) {
            polling = false;
            healthy = failure == null;
            waiting = List.copyOf(awaitingPoll);
            awaitingPoll.clear();
        }
        for (UniEmitter<? super Void> waiter : waiting) {
            if (failure == null) {
                waiter.complete(null);
            } else {
                waiter.fail(failure);
            }
        }
    }

    /**
     * Records the new events, then sends them outside the lock: a subscriber that goes away while being
     * sent to unsubscribes from this thread, which must not hold this lock when that stops the poller.
     * Polls never overlap, so deliveries keep their order.
     */
    private void deliver(JsonArray rows) {
        List<EventRows.Event> fresh = new ArrayList<>();
        List<Subscriber> receivers;
        synchronized (this) {
            for (int i = 0; i < rows.size(); i++) {
                EventRows.Event event = EventRows.event(rows.getJsonObject(i));
                if (!recentIds.add(event.id())) {
                    continue;
                }
                fresh.add(event);
                recent.addLast(event);
                if (recent.size() > config.replayEvents()) {
                    recentIds.remove(recent.removeFirst().id());
                }
                if (event.createdAt().compareTo(cursor) > 0) {
                    cursor = event.createdAt();
                }
            }
            receivers = List.copyOf(subscribers);
        }
        for (EventRows.Event event : fresh) {
            for (Subscriber subscriber : receivers) {
                if (!subscriber.replayed().contains(event.id())) {
                    subscriber.emitter().emit(new Delivered(event));
                }
            }
        }
    }

    /** Whether an event comes after the position ({@code createdAt}, {@code id}) in the stream's order. */
    private static boolean after(EventRows.Event event, String createdAt, String id) {
        int byTime = event.createdAt().compareTo(createdAt);
        return byTime > 0 || byTime == 0 && event.id().compareTo(id) > 0;
    }
}

package com.emitkit.events.notify;

import com.emitkit.events.config.EmitKitConfig;
import com.sun.management.OperatingSystemMXBean;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.lang.management.ManagementFactory;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Fans recorded notices out into deliveries, one per webhook, and sends them, on every replica. A delivery is
 * claimed with {@code FOR UPDATE SKIP LOCKED} in a statement that also moves its next attempt past the attempt's
 * deadline and commits at once: no replica
 * claims it meanwhile, and if this one dies mid-attempt another tries again later (at least once, always with
 * the same {@code webhook-id}). A 2xx deletes it (with others delivered meanwhile, in one statement); any other
 * answer, a timeout or a refused address schedules the next attempt (exponential backoff, or the receiver's
 * Retry-After), until the last one marks it failed.
 * A webhook whose delivery failed for good with nothing delivered to it since that delivery's event is paused.
 * Deliveries fanned out while this replica has free slots skip the claim: the fan-out writes them already leased to
 * it, and they are attempted at once.
 */
@ApplicationScoped
public class DeliveryRelay {

    private static final Logger LOG = Logger.getLogger(DeliveryRelay.class);
    private static final Duration DEPTH_REFRESH = Duration.ofSeconds(5);
    /** How often the CPU load is looked at while events arrive (see {@link WritePathPriority}). */
    private static final Duration LOAD_LOOK = Duration.ofMillis(100);
    /** Notices one fan-out takes: with ten webhooks each, a few thousand deliveries in one statement. */
    private static final int NOTICES_PER_FAN_OUT = 500;
    /**
     * A notice not settled by the replica that recorded it for this long is abandoned (that replica died, or its
     * queue was full) and any replica fans it out: far longer than a request can take, with its Tinybird retries, from
     * recording to settling, so a notice whose event may still be refused is never sent.
     */
    static final Duration ABANDONED_AFTER = Duration.ofMinutes(5);
    /** Settled notices waiting for this replica's fan-out; past it, they wait to be deemed abandoned instead. */
    private static final int MAX_SETTLED_WAITING = 100_000;

    private record Claimed(String id, String webhookId, URI url, WebhookFormat format, String secret, JsonObject event,
                           int attempts, Instant acceptedAt) {
        @Override
        public String toString() {
            return "Claimed[" + id + ", " + webhookId + "]";
        }
    }

    private final Vertx vertx;
    private final Pool pool;
    private final Webhooks webhooks;
    private final WebhookCall call;
    private final EmitKitConfig.Webhooks config;
    private final String dashboardUrl;
    private final Duration lease;
    /** Delivered attempts are recorded together: one DELETE for many, not one statement (and connection) each. */
    private final GroupCommit<String> settling = new GroupCommit<>(1_000, 2, this::deleteDelivered);
    private final AtomicBoolean claiming = new AtomicBoolean();
    /** Asked to look again while a claim ran. */
    private final AtomicBoolean again = new AtomicBoolean();
    /** The last claim filled every free slot: more may be due. */
    private final AtomicBoolean backlogged = new AtomicBoolean();
    /** Notices may wait for their fan-out: this replica settled some, the last fan-out left some, or it is time to look. */
    private final AtomicBoolean noticesWaiting = new AtomicBoolean(true);
    /** Ids of notices settled on this replica (their events accepted), not fanned out yet. */
    private final Queue<String> settled = new ConcurrentLinkedQueue<>();
    private final AtomicInteger settledCount = new AtomicInteger();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicLong depth = new AtomicLong();
    private final AtomicLong depthRefreshedAt = new AtomicLong();
    private final Counter delivered;
    private final Counter retrying;
    private final Counter failed;
    private final Timer latency;
    private final WritePathPriority priority;
    /** The JVM's view of the CPU load (container-aware); absent where the JDK does not offer it. */
    private final OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean() instanceof OperatingSystemMXBean bean
            ? bean : null;
    private final Counter yielded;
    private volatile boolean stopped;
    private long timer = -1;
    private long loadTimer = -1;
    /** Touched by the load timer only. */
    private boolean pausedAtLastLook;

    @Inject
    DeliveryRelay(Vertx vertx, Pool pool, Webhooks webhooks, EmitKitConfig config, MeterRegistry metrics) {
        this.vertx = vertx;
        this.pool = pool;
        this.webhooks = webhooks;
        this.config = config.webhooks();
        this.call = new WebhookCall(vertx, new AddressGuard(this.config.allowPrivateAddresses()), this.config.timeout(),
                this.config.batch());
        this.dashboardUrl = this.config.dashboardUrl().map(url -> url.toString().replaceAll("/+$", "")).orElse(null);
        // Past the attempt's deadline, with room for recording its outcome.
        this.lease = this.config.timeout().multipliedBy(2).plusSeconds(30);
        this.delivered = outcome("delivered", metrics);
        this.retrying = outcome("retrying", metrics);
        this.failed = outcome("failed", metrics);
        this.priority = new WritePathPriority(this.config.yieldAboveCpu());
        this.yielded = Counter.builder("emitkit.webhooks.yields")
                .description("Pauses of webhook deliveries in favour of the write path (events arriving, CPU nearly full)")
                .register(metrics);
        this.latency = Timer.builder("emitkit.webhooks.delivery.latency")
                .description("From an event's acceptance to its webhook's 2xx, retries included").register(metrics);
        Gauge.builder("emitkit.webhooks.queue.depth", depth, AtomicLong::get)
                .description("Deliveries waiting for an attempt or a retry").register(metrics);
    }

    private static Counter outcome(String outcome, MeterRegistry metrics) {
        return Counter.builder("emitkit.webhooks.deliveries").tag("outcome", outcome)
                .description("Webhook delivery attempts by outcome: delivered, retrying (another attempt is scheduled), failed (for good)")
                .register(metrics);
    }

    void start(@Observes StartupEvent event) {
        timer = vertx.setPeriodic(config.pollInterval().toMillis(), id -> {
            refreshDepth();
            // Another replica may have died with notices recorded and not fanned out: abandoned ones are taken.
            noticesWaiting.set(true);
            pump();
        });
        if (config.yieldAboveCpu() < 1) {
            // Also keeps the load's sampling interval short: each reading covers the time since the previous one.
            loadTimer = vertx.setPeriodic(LOAD_LOOK.toMillis(), id -> {
                long now = System.nanoTime();
                if (priority.look(now, os == null ? -1 : os.getCpuLoad())) {
                    yielded.increment();
                }
                boolean paused = priority.paused(now);
                if (pausedAtLastLook && !paused) {
                    // A pause just ended: go on now rather than at the next poll.
                    pump();
                }
                pausedAtLastLook = paused;
            });
        }
    }

    void stop(@Observes @Priority(5) ShutdownEvent event) {
        stopped = true;
        vertx.cancelTimer(timer);
        vertx.cancelTimer(loadTimer);
    }

    /** Events are arriving (with or without notify): the write path is active. */
    void eventsArriving() {
        priority.eventsArriving(System.nanoTime());
    }

    /**
     * Notices (of {@code deliveries} deliveries in all) were settled on this replica, their events accepted: fanned out
     * and attempted now if slots are free, else as they free up.
     */
    void noticed(List<String> noticeIds, int deliveries) {
        depth.addAndGet(deliveries);
        for (String id : noticeIds) {
            if (settledCount.incrementAndGet() > MAX_SETTLED_WAITING) {
                settledCount.decrementAndGet();
                break;
            }
            settled.add(id);
        }
        noticesWaiting.set(true);
        pump();
    }

    /** Fans out notices and claims due deliveries for the free attempt slots, one claim at a time per replica. */
    private void pump() {
        int room = config.batch() - inFlight.get();
        if (stopped || room <= 0 || priority.paused(System.nanoTime())) {
            return;
        }
        if (!claiming.compareAndSet(false, true)) {
            again.set(true);
            return;
        }
        again.set(false);
        claim(room).subscribe().with(claimed -> {
            inFlight.addAndGet(claimed.size());
            backlogged.set(claimed.size() == room || noticesWaiting.get());
            claiming.set(false);
            claimed.forEach(this::attemptInSlot);
            if (again.get() || backlogged.get() && !claimed.isEmpty()) {
                pump();
            }
        }, failure -> {
            claiming.set(false);
            LOG.debugf("Claiming webhook deliveries failed: %s", failure.getMessage());
        });
    }

    /** Attempts a delivery in a slot already counted in {@link #inFlight}, and frees the slot once its outcome is recorded. */
    private void attemptInSlot(Claimed delivery) {
        attempt(delivery).subscribe().with(done -> finished(), failure -> {
            // Its outcome was not recorded: the lease runs out and it is tried again.
            LOG.warnf("Recording the outcome of delivery %s failed: %s", delivery.id(), failure.getMessage());
            finished();
        });
    }

    private void finished() {
        // Refill in bulk, not per finished attempt: one claim query for many free slots.
        if (inFlight.decrementAndGet() <= config.batch() / 2 && (backlogged.get() || noticesWaiting.get())) {
            pump();
        }
    }

    /** Leased first from fanned-out notices, then from deliveries due. */
    private Uni<List<Claimed>> claim(int room) {
        Uni<List<Claimed>> fannedOut = noticesWaiting.getAndSet(false) ? fanOut(room) : Uni.createFrom().item(List.of());
        return fannedOut.flatMap(leased -> leased.size() >= room ? Uni.createFrom().item(leased)
                : claimDue(room - leased.size())
                // What the fan-out leased is attempted even so; due deliveries wait for the next look.
                .onFailure().invoke(failure -> LOG.debugf("Claiming webhook deliveries failed: %s", failure.getMessage()))
                .onFailure().recoverWithItem(List.of())
                .map(due -> {
                    List<Claimed> claimed = new ArrayList<>(leased);
                    claimed.addAll(due);
                    return claimed;
                }));
    }

    /**
     * Turns notices settled here (first) and abandoned ones into deliveries, one per webhook still there, and deletes
     * them, in one statement. Up to {@code room} deliveries of active webhooks are written leased to this replica
     * (first attempt counted, the next one due after the lease, as a claim leaves them) and come back with their
     * webhook's address and secret; the others are due at once for any replica's claim.
     */
    private Uni<List<Claimed>> fanOut(int room) {
        List<String> ids = new ArrayList<>();
        for (String id = settled.poll(); id != null; id = ids.size() < NOTICES_PER_FAN_OUT ? settled.poll() : null) {
            settledCount.decrementAndGet();
            ids.add(id);
        }
        return pool.preparedQuery("""
                        WITH taken AS (
                            DELETE FROM webhook_notices WHERE id IN (
                                SELECT id FROM webhook_notices
                                WHERE id = ANY($4) OR accepted_at < now() - make_interval(secs => $5)
                                ORDER BY id = ANY($4) DESC, accepted_at LIMIT $1 FOR UPDATE SKIP LOCKED)
                            RETURNING id, event_id, event, webhook_ids, accepted_at),
                        fanned AS (
                            SELECT 'msg_' || substr(t.id, 5) || '_' || w.n AS id, w.webhook_id, t.event_id, t.event, t.accepted_at,
                                   active.paused_at IS NULL AND row_number() OVER (
                                       PARTITION BY active.paused_at IS NULL ORDER BY t.accepted_at, t.id, w.n) <= $2 AS leased
                            FROM taken t CROSS JOIN LATERAL unnest(t.webhook_ids) WITH ORDINALITY AS w(webhook_id, n)
                            JOIN webhooks active ON active.id = w.webhook_id),
                        recorded AS (
                            INSERT INTO webhook_deliveries (id, webhook_id, event_id, event, accepted_at, attempts, last_attempt_at, next_attempt_at)
                            SELECT id, webhook_id, event_id, event, accepted_at, CASE WHEN leased THEN 1 ELSE 0 END,
                                   CASE WHEN leased THEN now() END,
                                   CASE WHEN leased THEN now() + make_interval(secs => $3) ELSE now() END
                            FROM fanned
                            RETURNING id, webhook_id, event, attempts, accepted_at)
                        SELECT (SELECT count(*) FROM taken) AS notices, leased.*
                        FROM (SELECT 1) AS always LEFT JOIN (
                            SELECT r.id, r.webhook_id, r.event, r.attempts, r.accepted_at, w.url, w.format, w.secret
                            FROM recorded r JOIN webhooks w ON w.id = r.webhook_id WHERE r.attempts > 0) AS leased ON true""")
                .execute(Tuple.of(NOTICES_PER_FAN_OUT, room, (double) lease.toSeconds(), ids.toArray(String[]::new),
                        (double) ABANDONED_AFTER.toSeconds()))
                .onFailure().invoke(() -> {
                    ids.forEach(settled::add);
                    settledCount.addAndGet(ids.size());
                    noticesWaiting.set(true);
                })
                .map(rows -> {
                    List<Claimed> leased = new ArrayList<>();
                    for (Row row : rows) {
                        if (row.getLong("notices") == NOTICES_PER_FAN_OUT || !settled.isEmpty()) {
                            noticesWaiting.set(true);
                        }
                        if (row.getString("id") != null) {
                            leased.add(claimed(row));
                        }
                    }
                    return leased;
                });
    }

    private Uni<List<Claimed>> claimDue(int limit) {
        return pool.preparedQuery("""
                        UPDATE webhook_deliveries d SET attempts = d.attempts + 1, last_attempt_at = now(),
                            next_attempt_at = now() + make_interval(secs => $2)
                        FROM webhooks w
                        WHERE w.id = d.webhook_id AND d.id IN (
                            SELECT due.id FROM webhook_deliveries due JOIN webhooks active ON active.id = due.webhook_id
                            WHERE due.status = 'pending' AND due.next_attempt_at <= now() AND active.paused_at IS NULL
                            ORDER BY due.next_attempt_at LIMIT $1 FOR UPDATE OF due SKIP LOCKED)
                        RETURNING d.id, d.webhook_id, d.event, d.attempts, d.accepted_at, w.url, w.format, w.secret""")
                .execute(Tuple.of(limit, (double) lease.toSeconds()))
                .map(rows -> {
                    List<Claimed> claimed = new ArrayList<>();
                    rows.forEach(row -> claimed.add(claimed(row)));
                    return claimed;
                });
    }

    private static Claimed claimed(Row row) {
        OffsetDateTime accepted = row.getOffsetDateTime("accepted_at");
        return new Claimed(row.getString("id"), row.getString("webhook_id"), URI.create(row.getString("url")),
                WebhookFormat.fromWire(row.getString("format")), row.getString("secret"),
                new JsonObject(row.getString("event")), row.getInteger("attempts"), accepted.toInstant());
    }

    private Uni<Void> attempt(Claimed delivery) {
        String link = dashboardUrl == null ? null : dashboardUrl + "/events/" + delivery.event().getString("event_id");
        String body = delivery.format().body(delivery.event(), link);
        long timestamp = Instant.now().getEpochSecond();
        Map<String, String> headers = Map.of(
                "webhook-id", delivery.id(),
                "webhook-timestamp", Long.toString(timestamp),
                "webhook-signature", WebhookSignature.sign(delivery.secret(), delivery.id(), timestamp, body));
        return call.post(delivery.url(), headers, body).flatMap(outcome -> outcome.delivered()
                ? settleDelivered(delivery) : settleFailed(delivery, outcome));
    }

    private Uni<Void> settleDelivered(Claimed delivery) {
        return settling.write(List.of(delivery.id()))
                .invoke(() -> {
                    delivered.increment();
                    depth.decrementAndGet();
                    latency.record(Duration.between(delivery.acceptedAt(), Instant.now()));
                })
                .replaceWithVoid();
    }

    /** Delivered: gone from the queue, and their webhooks healthy again. */
    private Uni<Void> deleteDelivered(List<String> ids) {
        return pool.preparedQuery("""
                        WITH gone AS (DELETE FROM webhook_deliveries WHERE id = ANY($1) RETURNING webhook_id)
                        UPDATE webhooks SET last_delivered_at = now(), failing_since = NULL
                        WHERE id IN (SELECT webhook_id FROM gone)
                            AND (failing_since IS NOT NULL OR last_delivered_at IS NULL OR last_delivered_at < now() - interval '1 second')""")
                .execute(Tuple.of(ids.toArray(String[]::new)))
                .replaceWithVoid();
    }

    private Uni<Void> settleFailed(Claimed delivery, WebhookCall.Outcome outcome) {
        boolean last = delivery.attempts() >= config.maxAttempts();
        Duration wait = outcome.retryAfter() != null ? min(outcome.retryAfter(), config.maxBackoff()) : backoff(delivery.attempts());
        return pool.preparedQuery("""
                        WITH d AS (
                            UPDATE webhook_deliveries SET status = CASE WHEN $5 THEN 'failed' ELSE 'pending' END,
                                next_attempt_at = now() + make_interval(secs => $2), last_status = $3, last_error = $4
                            WHERE id = $1 RETURNING webhook_id, accepted_at),
                        pause AS (
                            SELECT w.id, $5 AND w.paused_at IS NULL
                                       AND (w.last_delivered_at IS NULL OR w.last_delivered_at < d.accepted_at) AS now_paused
                            FROM webhooks w JOIN d ON w.id = d.webhook_id)
                        UPDATE webhooks w SET failing_since = coalesce(w.failing_since, now()),
                            paused_at = CASE WHEN pause.now_paused THEN now() ELSE w.paused_at END,
                            paused_reason = CASE WHEN pause.now_paused THEN 'failing' ELSE w.paused_reason END
                        FROM pause WHERE w.id = pause.id
                        RETURNING pause.now_paused""")
                .execute(Tuple.from(Arrays.asList(delivery.id(), wait.toMillis() / 1000.0,
                        outcome.status() == 0 ? null : outcome.status(), outcome.error(), last)))
                .flatMap(rows -> {
                    (last ? failed : retrying).increment();
                    if (last) {
                        depth.decrementAndGet();
                    }
                    boolean paused = rows.rowCount() > 0 && rows.iterator().next().getBoolean("now_paused");
                    if (!paused) {
                        return Uni.createFrom().voidItem();
                    }
                    LOG.warnf("Webhook %s paused: its delivery %s failed %d times and nothing was delivered to it since",
                            delivery.webhookId(), delivery.id(), delivery.attempts());
                    return webhooks.forgetTargets();
                });
    }

    /** The wait after a failed attempt: the initial backoff doubled per attempt, capped, give or take 10%. */
    Duration backoff(int attempts) {
        double base = config.initialBackoff().toMillis() * Math.pow(2, Math.min(attempts - 1, 30));
        double jittered = Math.min(base, config.maxBackoff().toMillis()) * ThreadLocalRandom.current().nextDouble(0.9, 1.1);
        return Duration.ofMillis((long) jittered);
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    private void refreshDepth() {
        long now = System.nanoTime();
        long last = depthRefreshedAt.get();
        if (last != 0 && now - last < DEPTH_REFRESH.toNanos() || !depthRefreshedAt.compareAndSet(last, now)) {
            return;
        }
        pool.query("""
                        SELECT (SELECT count(*) FROM webhook_deliveries WHERE status = 'pending')
                             + (SELECT coalesce(sum(cardinality(webhook_ids)), 0) FROM webhook_notices)""").execute()
                .subscribe().with(rows -> depth.set(rows.iterator().next().getLong(0)),
                        failure -> LOG.debugf("Counting webhook deliveries failed: %s", failure.getMessage()));
    }
}

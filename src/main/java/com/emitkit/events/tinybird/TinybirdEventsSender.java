package com.emitkit.events.tinybird;

import com.emitkit.events.config.EmitKitConfig;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.Startup;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Sends rows to the Events API in micro-batches: concurrent callers' rows are coalesced into one call,
 * flushed when the batch is full or a few milliseconds after its first row, and each caller is answered
 * only once its row is safe. How a batch is made safe (retries, the outbox) is the {@link DeliveryPolicy}'s.
 * Too many rows waiting are refused ({@link Overloaded}); at shutdown every waiting row is sent or kept.
 */
// Created at start-up, so that its gauges are on the metrics endpoint before first use.
@Startup
@ApplicationScoped
public class TinybirdEventsSender {

    private static final Logger LOG = Logger.getLogger(TinybirdEventsSender.class);
    /** The longest the final drain at shutdown waits; Kubernetes' grace period covers it (deploy/k8s). */
    public static final Duration SHUTDOWN_DRAIN = Duration.ofSeconds(10);

    /** Too many rows are waiting already: the caller should come back later instead of queueing without bound. */
    public static final class Overloaded extends RuntimeException {
        Overloaded(int pending) {
            super(pending + " rows are waiting to be sent to Tinybird");
        }
    }

    private final Vertx vertx;
    private final DeliveryPolicy delivery;
    private final EmitKitConfig.Batch batching;
    private final Duration linger;
    private final Map<String, Lane> lanes = new HashMap<>();
    private final DistributionSummary batchRows;
    private final MeterRegistry metrics;
    private int pending;

    @Inject
    TinybirdEventsSender(Vertx vertx, DeliveryPolicy delivery, EmitKitConfig config, MeterRegistry metrics) {
        this.vertx = vertx;
        this.delivery = delivery;
        this.batching = config.tinybird().batch();
        // A frozen serverless process must not hold rows back waiting for company.
        this.linger = config.serverless() ? Duration.ZERO : batching.linger();
        this.metrics = metrics;
        this.batchRows = DistributionSummary.builder("emitkit.tinybird.batch.rows")
                .description("Rows per Events API call").register(metrics);
        Gauge.builder("emitkit.tinybird.pending.rows", this, TinybirdEventsSender::pendingRows)
                .description("Rows accepted and not yet acknowledged by Tinybird or kept in the outbox").register(metrics);
    }

    /**
     * Appends rows to a datasource. Answers once every row is safe (acknowledged by Tinybird, or kept by the
     * fallback) or refused, with per row null when it is safe, else why it is not (the rows may have gone
     * out in different calls).
     */
    public Uni<List<Throwable>> sendAll(String datasource, List<TinybirdRow> rows) {
        if (rows.isEmpty()) {
            return Uni.createFrom().item(List.of());
        }
        return Uni.createFrom().emitter(emitter -> {
            Throwable[] outcomes = new Throwable[rows.size()];
            int[] unsettled = {rows.size()};
            List<Waiter> waiters = new ArrayList<>(rows.size());
            for (int i = 0; i < rows.size(); i++) {
                int index = i;
                waiters.add(failure -> {
                    boolean last;
                    synchronized (outcomes) {
                        outcomes[index] = failure;
                        last = --unsettled[0] == 0;
                    }
                    if (last) {
                        emitter.complete(Arrays.asList(outcomes));
                    }
                });
            }
            add(datasource, rows, waiters);
        });
    }

    /** Told once whether its row is safe (null) or why not. */
    private interface Waiter {
        void settled(Throwable failure);
    }

    /** Rows accepted and not yet safe (batched, in flight or being retried). */
    public synchronized int pendingRows() {
        return pending;
    }

    private static final class Batch {
        final String datasource;
        final List<TinybirdRow> rows = new ArrayList<>();
        final List<Waiter> waiters = new ArrayList<>();
        long bytes;
        /** Its linger time is over: send it as soon as a call may start. */
        boolean due;

        Batch(String datasource) {
            this.datasource = datasource;
        }
    }

    /**
     * One datasource's batches. At most {@code max-in-flight} calls run at once; while they do, the open
     * batch keeps growing, so under load batches grow instead of piling up as many small inserts.
     */
    private static final class Lane {
        Batch open;
        final ArrayDeque<Batch> full = new ArrayDeque<>();
        int inFlight;
    }

    private void add(String datasource, List<TinybirdRow> rows, List<Waiter> waiters) {
        List<Batch> toSend;
        Overloaded refusal;
        synchronized (this) {
            refusal = pending + rows.size() > batching.maxPendingRows() ? new Overloaded(pending) : null;
            toSend = refusal == null ? enqueue(datasource, rows, waiters) : List.of();
        }
        if (refusal != null) {
            metrics.counter("emitkit.tinybird.overloaded.rows").increment(rows.size());
            waiters.forEach(w -> w.settled(refusal));
            return;
        }
        toSend.forEach(this::flush);
    }

    /** Adds rows to their lane's open batch (opening more as they fill); the batches that may start now. Holding this lock. */
    private List<Batch> enqueue(String datasource, List<TinybirdRow> rows, List<Waiter> waiters) {
        pending += rows.size();
        Lane lane = lanes.computeIfAbsent(datasource, ignored -> new Lane());
        for (int i = 0; i < rows.size(); i++) {
            if (lane.open == null) {
                Batch created = new Batch(datasource);
                lane.open = created;
                if (linger.isZero() || delivery.closing()) {
                    created.due = true;
                } else {
                    vertx.setTimer(Math.max(1, linger.toMillis()), id -> lingerOver(lane, created));
                }
            }
            TinybirdRow row = rows.get(i);
            lane.open.rows.add(row);
            lane.open.bytes += row.line().length + 1;
            lane.open.waiters.add(waiters.get(i));
            if (lane.open.rows.size() >= batching.maxRows() || lane.open.bytes >= batching.maxBytes().asLongValue()) {
                lane.full.add(lane.open);
                lane.open = null;
            }
        }
        return startable(lane);
    }

    private void lingerOver(Lane lane, Batch batch) {
        List<Batch> toSend;
        synchronized (this) {
            batch.due = true;
            toSend = startable(lane);
        }
        toSend.forEach(this::flush);
    }

    private void finished(Batch batch) {
        List<Batch> toSend;
        synchronized (this) {
            pending -= batch.rows.size();
            Lane lane = lanes.get(batch.datasource);
            lane.inFlight--;
            // Rows that came while the call ran have waited for company already: no linger on top.
            if (lane.open != null) {
                lane.open.due = true;
            }
            toSend = startable(lane);
        }
        toSend.forEach(this::flush);
    }

    /** The batches that may be sent now: full ones first, then the open one once its linger time is over. */
    private List<Batch> startable(Lane lane) {
        List<Batch> start = new ArrayList<>();
        while (lane.inFlight < batching.maxInFlight()) {
            Batch next = lane.full.poll();
            if (next == null && lane.open != null && lane.open.due) {
                next = lane.open;
                lane.open = null;
            }
            if (next == null) {
                break;
            }
            lane.inFlight++;
            start.add(next);
        }
        return start;
    }

    private void flush(Batch batch) {
        batchRows.record(batch.rows.size());
        delivery.deliver(batch.datasource, batch.rows).subscribe().with(
                delivered -> {
                    finished(batch);
                    batch.waiters.forEach(w -> w.settled(null));
                },
                failure -> {
                    finished(batch);
                    batch.waiters.forEach(w -> w.settled(failure));
                });
    }

    /**
     * On shutdown (after the HTTP server stopped taking requests and finished the running ones), every
     * row still waiting is sent now, or kept in the outbox, before the process goes.
     */
    void drain(@Observes @Priority(10) ShutdownEvent event) {
        drain(SHUTDOWN_DRAIN);
    }

    void drain(Duration atMost) {
        List<Batch> toSend = new ArrayList<>();
        synchronized (this) {
            delivery.close();
            for (Lane lane : lanes.values()) {
                if (lane.open != null) {
                    lane.open.due = true;
                }
                toSend.addAll(startable(lane));
            }
        }
        toSend.forEach(this::flush);
        long deadline = System.nanoTime() + atMost.toNanos();
        while (pendingRows() > 0 && System.nanoTime() < deadline) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        if (pendingRows() > 0) {
            LOG.errorf("%d rows were neither sent nor kept before shutdown", pendingRows());
        }
    }
}

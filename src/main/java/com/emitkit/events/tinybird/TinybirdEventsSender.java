package com.emitkit.events.tinybird;

import com.emitkit.events.config.EmitKitConfig;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.runtime.ShutdownEvent;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.core.buffer.Buffer;
import io.vertx.mutiny.ext.web.client.HttpResponse;
import jakarta.annotation.Priority;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;

/**
 * Sends rows to the Events API in micro-batches: concurrent callers' rows are coalesced into one
 * gzipped NDJSON call with {@code wait=true}, flushed when the batch is full or a few milliseconds
 * after its first row, and each caller is answered only once its row is safe: acknowledged by Tinybird,
 * or kept by the {@link DeliveryFallback} (the outbox) when Tinybird does not take it.
 * <p>
 * 429 waits for Retry-After (else X-RateLimit-Reset); 5xx and connection errors back off exponentially
 * with jitter; a timeout, an open circuit, a refusal (4xx) or exhausted retries hand the batch to the
 * fallback at once. A retry of a batch that may already have landed first asks Tinybird which of its
 * ids it holds and sends only the others, so no event is stored twice.
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
    private final TinybirdClient client;
    private final DeliveryFallback fallback;
    private final EmitKitConfig.Batch batching;
    private final EmitKitConfig.Retry retry;
    private final Duration linger;
    private final Map<String, Lane> lanes = new HashMap<>();
    private final DistributionSummary batchRows;
    private final Counter quarantinedRows;
    private final Counter keptRows;
    private final MeterRegistry metrics;
    private final Timer upstreamLatency;
    /** Completes when shutdown begins: waits in progress end early and their batches go to the fallback. */
    private final CompletableFuture<Void> closing = new CompletableFuture<>();
    private int pending;

    @Inject
    TinybirdEventsSender(Vertx vertx, TinybirdClient client, DeliveryFallback fallback, EmitKitConfig config,
                         MeterRegistry metrics) {
        this.vertx = vertx;
        this.client = client;
        this.fallback = fallback;
        this.batching = config.tinybird().batch();
        this.retry = config.tinybird().retry();
        // A frozen serverless process must not hold rows back waiting for company.
        this.linger = config.serverless() ? Duration.ZERO : batching.linger();
        this.metrics = metrics;
        this.batchRows = DistributionSummary.builder("emitkit.tinybird.batch.rows")
                .description("Rows per Events API call").register(metrics);
        this.quarantinedRows = Counter.builder("emitkit.tinybird.quarantined.rows")
                .description("Rows Tinybird put in quarantine").register(metrics);
        this.keptRows = Counter.builder("emitkit.tinybird.fallback.rows")
                .description("Rows handed to the outbox because Tinybird did not take them").register(metrics);
        this.upstreamLatency = Timer.builder("emitkit.tinybird.events.latency")
                .description("Events API call latency").register(metrics);
        Gauge.builder("emitkit.tinybird.pending.rows", this, TinybirdEventsSender::pendingRows)
                .description("Rows accepted and not yet acknowledged by Tinybird or kept in the outbox").register(metrics);
    }

    /**
     * Appends rows to a datasource. Answers once every row is safe (acknowledged by Tinybird, or kept by the
     * fallback) or refused, with per row null when it is safe, else why it is not (the rows may have gone
     * out in different calls).
     */
    public Uni<List<Throwable>> sendAll(String datasource, List<JsonObject> rows) {
        if (rows.isEmpty()) {
            return Uni.createFrom().item(List.of());
        }
        List<TinybirdRow> parsed = rows.stream().map(TinybirdRow::of).toList();
        return Uni.createFrom().emitter(emitter -> {
            Throwable[] outcomes = new Throwable[parsed.size()];
            int[] unsettled = {parsed.size()};
            List<Waiter> waiters = new ArrayList<>(parsed.size());
            for (int i = 0; i < parsed.size(); i++) {
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
            add(datasource, parsed, waiters);
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
                if (linger.isZero() || closing.isDone()) {
                    created.due = true;
                } else {
                    vertx.setTimer(Math.max(1, linger.toMillis()), id -> lingerOver(lane, created));
                }
            }
            TinybirdRow row = rows.get(i);
            lane.open.rows.add(row);
            lane.open.bytes += row.json().length() + 1;
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
        deliver(batch.datasource, batch.rows, 1, false).subscribe().with(
                delivered -> {
                    finished(batch);
                    batch.waiters.forEach(w -> w.settled(null));
                },
                failure -> {
                    finished(batch);
                    batch.waiters.forEach(w -> w.settled(failure));
                });
    }

    private Uni<Void> deliver(String datasource, List<TinybirdRow> rows, int attempt, boolean mayHaveLanded) {
        return append(datasource, rows, mayHaveLanded).onFailure().recoverWithUni(failure -> {
            TinybirdFailure kind = TinybirdFailure.of(failure);
            boolean landed = mayHaveLanded || kind.mayHaveStored();
            if (closing.isDone()) {
                return keep(datasource, rows, landed, "shutting down", failure);
            }
            switch (kind) {
                case RATE_LIMITED -> {
                    Duration wait = ((TinybirdException) failure).retryAfter().orElse(backoff(attempt));
                    if (wait.compareTo(retry.maxRetryAfter()) <= 0 && attempt < retry.maxAttempts()) {
                        return retryAfter(datasource, rows, attempt, wait, landed, "429");
                    }
                    return keep(datasource, rows, landed, "rate limited", failure);
                }
                case REFUSED -> {
                    LOG.errorf("Tinybird refused a batch of %d rows for %s: %s", rows.size(), datasource, failure.getMessage());
                    return keep(datasource, rows, landed, "refused (" + ((TinybirdException) failure).status() + ")", failure);
                }
                case CIRCUIT_OPEN -> {
                    return keep(datasource, rows, landed, "circuit open", failure);
                }
                // The insert may still be running upstream: the outbox looks for it only after it settled.
                case TIMED_OUT -> {
                    return keep(datasource, rows, true, "timeout", failure);
                }
                default -> {
                    if (attempt < retry.maxAttempts()) {
                        String reason = kind == TinybirdFailure.FAILED ? Integer.toString(((TinybirdException) failure).status())
                                : "connection";
                        return retryAfter(datasource, rows, attempt, backoff(attempt), landed, reason);
                    }
                    return keep(datasource, rows, landed, "retries exhausted", failure);
                }
            }
        });
    }

    private Uni<Void> retryAfter(String datasource, List<TinybirdRow> rows, int attempt, Duration wait, boolean mayHaveLanded,
                                 String reason) {
        metrics.counter("emitkit.tinybird.events.retries", "reason", reason).increment();
        LOG.debugf("Retrying a Tinybird batch (%s) in %d ms, attempt %d", reason, wait.toMillis(), attempt + 1);
        Uni<Void> waited = Uni.createFrom().voidItem().onItem().delayIt().by(wait);
        // A stage of its own: Mutiny cancels the stage it waits on when the wait is cancelled.
        Uni<Void> shutdown = Uni.createFrom().completionStage(() -> closing.thenApply(ignored -> null));
        return Uni.combine().any().of(waited, shutdown)
                .onItem().transformToUni(ignored -> deliver(datasource, rows, attempt + 1, mayHaveLanded));
    }

    private Uni<Void> keep(String datasource, List<TinybirdRow> rows, boolean mayHaveLanded, String reason, Throwable failure) {
        return fallback.keep(datasource, rows, mayHaveLanded, reason)
                .invoke(() -> {
                    keptRows.increment(rows.size());
                    LOG.warnf("Tinybird did not take a batch of %d rows for %s (%s: %s); kept in the outbox", rows.size(),
                            datasource, reason, failure.getMessage());
                })
                .onFailure().transform(keepFailure -> {
                    LOG.errorf(keepFailure, "A batch of %d rows for %s could be neither sent (%s) nor kept", rows.size(),
                            datasource, reason);
                    return failure;
                });
    }

    /**
     * One attempt to append rows, nothing retried and nothing kept. When an earlier send may have
     * landed, the rows Tinybird already holds are left out.
     */
    public Uni<Void> append(String datasource, List<TinybirdRow> rows, boolean mayHaveLanded) {
        Uni<List<TinybirdRow>> toSend = mayHaveLanded
                ? client.storedIds(datasource, rows).map(stored -> unsent(rows, stored))
                : Uni.createFrom().item(rows);
        return toSend.flatMap(remaining -> {
            if (remaining.isEmpty()) {
                return Uni.createFrom().voidItem();
            }
            Timer.Sample sample = Timer.start(metrics);
            // Compressing a few MB takes milliseconds: keep it off the event loop.
            return Uni.createFrom().item(() -> gzip(remaining))
                    .runSubscriptionOn(Infrastructure.getDefaultWorkerPool())
                    .flatMap(body -> client.appendEvents(datasource, Buffer.buffer(body)))
                    .onTermination().invoke((response, failure, cancelled) -> {
                        sample.stop(upstreamLatency);
                        String status = response != null ? Integer.toString(response.statusCode())
                                : failure instanceof TinybirdException error ? Integer.toString(error.status()) : "none";
                        metrics.counter("emitkit.tinybird.events.responses", "status", status).increment();
                    })
                    .invoke(response -> acknowledged(datasource, remaining.size(), response))
                    .replaceWithVoid();
        });
    }

    private static List<TinybirdRow> unsent(List<TinybirdRow> rows, Set<String> stored) {
        if (!stored.isEmpty()) {
            LOG.infof("%d of %d rows were already stored by an earlier attempt; sending the others", stored.size(), rows.size());
        }
        return stored.isEmpty() ? rows : rows.stream().filter(row -> !stored.contains(row.id())).toList();
    }

    private void acknowledged(String datasource, int rows, HttpResponse<Buffer> response) {
        JsonObject answer;
        try {
            answer = response.bodyAsJsonObject();
        } catch (RuntimeException e) {
            answer = null;
        }
        long quarantined = answer == null ? 0 : answer.getLong("quarantined_rows", 0L);
        if (quarantined > 0) {
            quarantinedRows.increment(quarantined);
            LOG.warnf("Tinybird quarantined %d of %d rows sent to %s (see %s_quarantine)", quarantined, rows, datasource,
                    datasource);
        }
    }

    /** Exponential backoff with jitter: half the step fixed, half random, so retries spread out. */
    private Duration backoff(int attempt) {
        long step = Math.min(retry.maxBackoff().toMillis(), retry.initialBackoff().toMillis() << Math.min(attempt - 1, 20));
        return Duration.ofMillis(step / 2 + ThreadLocalRandom.current().nextLong(step / 2 + 1));
    }

    private static byte[] gzip(List<TinybirdRow> rows) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(Math.max(64, rows.size() * 64));
        // The fastest level: NDJSON of similar rows compresses well at any level, and this runs for every batch.
        try (GZIPOutputStream gz = new GZIPOutputStream(out, 1 << 16) {
            {
                def.setLevel(Deflater.BEST_SPEED);
            }
        }) {
            for (TinybirdRow row : rows) {
                gz.write(row.json().getBytes(StandardCharsets.UTF_8));
                gz.write('\n');
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
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
            closing.complete(null);
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

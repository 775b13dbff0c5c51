package com.emitkit.events.tinybird;

import com.emitkit.events.config.EmitKitConfig;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.smallrye.mutiny.subscription.UniEmitter;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.core.buffer.Buffer;
import io.vertx.mutiny.ext.web.client.HttpResponse;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.zip.GZIPOutputStream;

/**
 * Sends rows to the Events API in micro-batches: concurrent callers' rows are coalesced into one
 * gzipped NDJSON call with {@code wait=true}, flushed when the batch is full or a few milliseconds
 * after its first row, and each caller is answered only once its row was acknowledged.
 * 429 waits for Retry-After (else X-RateLimit-Reset); 5xx and connection errors back off
 * exponentially with jitter; other errors (400, 403, 404, 413, ...) are not retried.
 */
@ApplicationScoped
public class TinybirdEventsSender {

    private static final Logger LOG = Logger.getLogger(TinybirdEventsSender.class);

    private final Vertx vertx;
    private final TinybirdClient client;
    private final EmitKitConfig.Batch batching;
    private final EmitKitConfig.Retry retry;
    private final Map<String, Lane> lanes = new HashMap<>();
    private final DistributionSummary batchRows;
    private final Counter quarantinedRows;
    private final MeterRegistry metrics;
    private final Timer upstreamLatency;

    @Inject
    TinybirdEventsSender(Vertx vertx, TinybirdClient client, EmitKitConfig config, MeterRegistry metrics) {
        this.vertx = vertx;
        this.client = client;
        this.batching = config.tinybird().batch();
        this.retry = config.tinybird().retry();
        this.metrics = metrics;
        this.batchRows = DistributionSummary.builder("emitkit.tinybird.batch.rows")
                .description("Rows per Events API call").register(metrics);
        this.quarantinedRows = Counter.builder("emitkit.tinybird.quarantined.rows")
                .description("Rows Tinybird put in quarantine").register(metrics);
        this.upstreamLatency = Timer.builder("emitkit.tinybird.events.latency")
                .description("Events API call latency").register(metrics);
    }

    /** Appends one row to a datasource; completes once Tinybird acknowledged the batch it went in. */
    public Uni<Void> send(String datasource, JsonObject row) {
        byte[] line = (row.encode() + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8);
        return Uni.createFrom().emitter(emitter -> add(datasource, line, emitter));
    }

    /** Rows not yet sent (waiting in a batch), for a clean shutdown and for tests. */
    public synchronized int pendingRows() {
        return lanes.values().stream().mapToInt(lane -> (lane.open == null ? 0 : lane.open.waiters.size())
                + lane.full.stream().mapToInt(b -> b.waiters.size()).sum()).sum();
    }

    private static final class Batch {
        final String datasource;
        final ByteArrayOutputStream ndjson = new ByteArrayOutputStream();
        final List<UniEmitter<? super Void>> waiters = new ArrayList<>();
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
        final java.util.ArrayDeque<Batch> full = new java.util.ArrayDeque<>();
        int inFlight;
    }

    private void add(String datasource, byte[] line, UniEmitter<? super Void> emitter) {
        List<Batch> toSend;
        synchronized (this) {
            Lane lane = lanes.computeIfAbsent(datasource, ignored -> new Lane());
            if (lane.open == null) {
                Batch created = new Batch(datasource);
                lane.open = created;
                vertx.setTimer(Math.max(1, batching.linger().toMillis()), id -> lingerOver(lane, created));
            }
            lane.open.ndjson.writeBytes(line);
            lane.open.waiters.add(emitter);
            if (lane.open.waiters.size() >= batching.maxRows() || lane.open.ndjson.size() >= batching.maxBytes().asLongValue()) {
                lane.full.add(lane.open);
                lane.open = null;
            }
            toSend = startable(lane);
        }
        toSend.forEach(this::flush);
    }

    private void lingerOver(Lane lane, Batch batch) {
        List<Batch> toSend;
        synchronized (this) {
            batch.due = true;
            toSend = startable(lane);
        }
        toSend.forEach(this::flush);
    }

    private void finished(String datasource) {
        List<Batch> toSend;
        synchronized (this) {
            Lane lane = lanes.get(datasource);
            lane.inFlight--;
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
        batchRows.record(batch.waiters.size());
        // Compressing a few MB takes milliseconds: keep it off the event loop.
        Uni.createFrom().item(() -> gzip(batch.ndjson.toByteArray()))
                .runSubscriptionOn(Infrastructure.getDefaultWorkerPool())
                .onItem().transformToUni(body -> post(batch, Buffer.buffer(body), 1))
                .subscribe().with(
                        acknowledgement -> {
                            finished(batch.datasource);
                            batch.waiters.forEach(w -> w.complete(null));
                        },
                        failure -> {
                            finished(batch.datasource);
                            batch.waiters.forEach(w -> w.fail(failure));
                        });
    }

    private Uni<JsonObject> post(Batch batch, Buffer body, int attempt) {
        Timer.Sample sample = Timer.start(metrics);
        return client.postEvents(batch.datasource, body)
                .onItemOrFailure().transformToUni((response, failure) -> {
                    sample.stop(upstreamLatency);
                    if (failure != null) {
                        return retryOrFail(batch, body, attempt, backoff(attempt), failure, "connection");
                    }
                    int status = response.statusCode();
                    metrics.counter("emitkit.tinybird.events.responses", "status", Integer.toString(status)).increment();
                    if (status == 200 || status == 202) {
                        return Uni.createFrom().item(acknowledged(batch, response));
                    }
                    TinybirdException error = TinybirdClient.error(response);
                    if (status == 429) {
                        Duration wait = retryAfter(response).orElse(backoff(attempt));
                        if (wait.compareTo(retry.maxRetryAfter()) > 0) {
                            return Uni.createFrom().failure(error);
                        }
                        return retryOrFail(batch, body, attempt, wait, error, "429");
                    }
                    if (status >= 500) {
                        return retryOrFail(batch, body, attempt, backoff(attempt), error, Integer.toString(status));
                    }
                    LOG.errorf("Tinybird refused a batch of %d rows for %s, not retried: %s", batch.waiters.size(),
                            batch.datasource, error.getMessage());
                    return Uni.createFrom().failure(error);
                });
    }

    private Uni<JsonObject> retryOrFail(Batch batch, Buffer body, int attempt, Duration wait, Throwable error, String reason) {
        if (attempt >= retry.maxAttempts()) {
            LOG.errorf("Tinybird batch of %d rows for %s failed after %d attempts: %s", batch.waiters.size(),
                    batch.datasource, attempt, error.getMessage());
            return Uni.createFrom().failure(error);
        }
        metrics.counter("emitkit.tinybird.events.retries", "reason", reason).increment();
        LOG.debugf("Retrying a Tinybird batch (%s) in %d ms, attempt %d", reason, wait.toMillis(), attempt + 1);
        return Uni.createFrom().voidItem().onItem().delayIt().by(wait)
                .onItem().transformToUni(ignored -> post(batch, body, attempt + 1));
    }

    private JsonObject acknowledged(Batch batch, HttpResponse<Buffer> response) {
        JsonObject answer;
        try {
            answer = response.bodyAsJsonObject();
        } catch (RuntimeException e) {
            answer = null;
        }
        long quarantined = answer == null ? 0 : answer.getLong("quarantined_rows", 0L);
        if (quarantined > 0) {
            quarantinedRows.increment(quarantined);
            LOG.warnf("Tinybird quarantined %d of %d rows sent to %s (see %s_quarantine)", quarantined,
                    batch.waiters.size(), batch.datasource, batch.datasource);
        }
        return answer == null ? new JsonObject() : answer;
    }

    /** Exponential backoff with jitter: half the step fixed, half random, so retries spread out. */
    private Duration backoff(int attempt) {
        long step = Math.min(retry.maxBackoff().toMillis(), retry.initialBackoff().toMillis() << Math.min(attempt - 1, 20));
        return Duration.ofMillis(step / 2 + ThreadLocalRandom.current().nextLong(step / 2 + 1));
    }

    /** Retry-After in seconds, else X-RateLimit-Reset (seconds until the window resets, on Tinybird). */
    private static java.util.Optional<Duration> retryAfter(HttpResponse<Buffer> response) {
        for (String header : List.of("Retry-After", "X-RateLimit-Reset")) {
            String value = response.getHeader(header);
            if (value != null) {
                try {
                    return java.util.Optional.of(Duration.ofMillis((long) (Double.parseDouble(value.strip()) * 1000)));
                } catch (NumberFormatException ignored) {
                    // An HTTP-date or garbage: try the next header.
                }
            }
        }
        return java.util.Optional.empty();
    }

    private static byte[] gzip(byte[] ndjson) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(Math.max(64, ndjson.length / 4));
        try (GZIPOutputStream gz = new GZIPOutputStream(out, 1 << 16)) {
            gz.write(ndjson);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}

package com.emitkit.events.tinybird;

import com.emitkit.events.config.EmitKitConfig;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Singleton;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Delivers a batch until it is safe: written by the {@link EventsApiWriter}, or kept by the
 * {@link DeliveryFallback} (the outbox) when Tinybird does not take it.
 * <p>
 * 429 waits for Retry-After (else X-RateLimit-Reset); 5xx and connection errors back off exponentially
 * with jitter; a timeout, an open circuit, a refusal (4xx) or exhausted retries hand the batch to the
 * fallback at once, and so does every failure once shutdown began. A retry of a batch that may already
 * have landed first asks Tinybird which of its ids it holds and sends only the others.
 */
@Singleton
public class DeliveryPolicy {

    private static final Logger LOG = Logger.getLogger(DeliveryPolicy.class);

    private final EventsApiWriter writer;
    private final DeliveryFallback fallback;
    private final EmitKitConfig.Retry retry;
    private final MeterRegistry metrics;
    private final Counter keptRows;
    /** Completes when shutdown begins: waits in progress end early and their batches go to the fallback. */
    private final CompletableFuture<Void> closing = new CompletableFuture<>();

    DeliveryPolicy(EventsApiWriter writer, DeliveryFallback fallback, EmitKitConfig config, MeterRegistry metrics) {
        this.writer = writer;
        this.fallback = fallback;
        this.retry = config.tinybird().retry();
        this.metrics = metrics;
        this.keptRows = Counter.builder("emitkit.tinybird.fallback.rows")
                .description("Rows handed to the outbox because Tinybird did not take them").register(metrics);
    }

    /** Answers once the rows are safe; fails when they could be neither written nor kept. */
    Uni<Void> deliver(String datasource, List<TinybirdRow> rows) {
        return deliver(datasource, rows, 1, false);
    }

    /** Shutdown began: no more waiting to retry, a failed batch goes to the fallback at once. */
    void close() {
        closing.complete(null);
    }

    boolean closing() {
        return closing.isDone();
    }

    private Uni<Void> deliver(String datasource, List<TinybirdRow> rows, int attempt, boolean mayHaveLanded) {
        return writer.append(datasource, rows, mayHaveLanded).onFailure().recoverWithUni(failure -> {
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

    /** Exponential backoff with jitter: half the step fixed, half random, so retries spread out. */
    private Duration backoff(int attempt) {
        long step = Math.min(retry.maxBackoff().toMillis(), retry.initialBackoff().toMillis() << Math.min(attempt - 1, 20));
        return Duration.ofMillis(step / 2 + ThreadLocalRandom.current().nextLong(step / 2 + 1));
    }
}

package com.emitkit.events.tinybird;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.core.buffer.Buffer;
import io.vertx.mutiny.ext.web.client.HttpResponse;
import jakarta.inject.Singleton;
import org.jboss.logging.Logger;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Set;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;

/**
 * One Events API write of a batch of rows (gzipped NDJSON, {@code wait=true}): nothing batched, retried or
 * kept here. Used by the sender's delivery policy and by the outbox relay alike.
 */
// A singleton, created with the sender at start-up, so that its meters are on the metrics endpoint before first use.
@Singleton
public class EventsApiWriter {

    private static final Logger LOG = Logger.getLogger(EventsApiWriter.class);

    private final TinybirdClient client;
    private final MeterRegistry metrics;
    private final Timer upstreamLatency;
    private final Counter quarantinedRows;

    EventsApiWriter(TinybirdClient client, MeterRegistry metrics) {
        this.client = client;
        this.metrics = metrics;
        this.upstreamLatency = Timer.builder("emitkit.tinybird.events.latency")
                .description("Events API call latency").register(metrics);
        this.quarantinedRows = Counter.builder("emitkit.tinybird.quarantined.rows")
                .description("Rows Tinybird put in quarantine").register(metrics);
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

    private static byte[] gzip(List<TinybirdRow> rows) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(Math.max(64, rows.size() * 64));
        // The fastest level: NDJSON of similar rows compresses well at any level, and this runs for every batch.
        try (GZIPOutputStream gz = new GZIPOutputStream(out, 1 << 16) {
            {
                def.setLevel(Deflater.BEST_SPEED);
            }
        }) {
            for (TinybirdRow row : rows) {
                gz.write(row.line());
                gz.write('\n');
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}

package com.emitkit.events.outbox;

import com.emitkit.events.config.EmitKitConfig;
import com.emitkit.events.tinybird.EventsApiWriter;
import com.emitkit.events.tinybird.TinybirdFailure;
import com.emitkit.events.tinybird.TinybirdRow;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Delivers the outbox to Tinybird. Every replica runs it; an organization's rows are relayed by one
 * replica at a time (a PostgreSQL advisory lock per organization, released with the session if the
 * process dies), in the order they were kept. Each batch is marked as attempted before it is sent and
 * deleted once Tinybird acknowledged it, so a crash in between makes the next attempt look the rows up
 * first instead of storing them twice.
 */
@ApplicationScoped
public class OutboxRelay {

    private static final Logger LOG = Logger.getLogger(OutboxRelay.class);
    /** Organizations per round, and batches per organization and round: one round stays short. */
    private static final int ORGANIZATIONS_PER_ROUND = 100;
    private static final int BATCHES_PER_ORGANIZATION = 20;

    /** Outbox depth and oldest row, as of the last look. */
    public record Backlog(long rows, Duration oldest) {
    }

    private final Vertx vertx;
    private final Pool pool;
    private final EventsApiWriter writer;
    private final EmitKitConfig.Outbox config;
    private final AtomicBoolean running = new AtomicBoolean();
    private final AtomicLong depth = new AtomicLong();
    private final AtomicLong oldestMillis = new AtomicLong();
    private final Counter relayed;
    private volatile boolean stopped;
    private long timer = -1;

    @Inject
    OutboxRelay(Vertx vertx, Pool pool, EventsApiWriter writer, EmitKitConfig config, MeterRegistry metrics) {
        this.vertx = vertx;
        this.pool = pool;
        this.writer = writer;
        this.config = config.outbox();
        this.relayed = Counter.builder("emitkit.outbox.relayed.rows")
                .description("Outbox rows delivered to Tinybird").register(metrics);
        Gauge.builder("emitkit.outbox.depth", depth, AtomicLong::get)
                .description("Rows in the outbox").register(metrics);
        Gauge.builder("emitkit.outbox.oldest.age.seconds", oldestMillis, millis -> millis.get() / 1000.0)
                .description("Age of the oldest row in the outbox").register(metrics);
    }

    void start(@Observes StartupEvent event) {
        timer = vertx.setPeriodic(config.relayInterval().toMillis(), id -> relayInBackground());
    }

    void stop(@Observes @Priority(5) ShutdownEvent event) {
        stopped = true;
        vertx.cancelTimer(timer);
    }

    /** The backlog as of the last round (at most one relay interval old). */
    public Backlog backlog() {
        return new Backlog(depth.get(), Duration.ofMillis(oldestMillis.get()));
    }

    /** Rows were just kept: count them now rather than at the next round. */
    void kept(int rows) {
        depth.addAndGet(rows);
    }

    private void relayInBackground() {
        if (stopped || !running.compareAndSet(false, true)) {
            return;
        }
        relay().subscribe().with(
                delivered -> running.set(false),
                failure -> {
                    running.set(false);
                    LOG.debugf("Outbox relay round failed: %s", failure.getMessage());
                });
    }

    /** One round: every organization with kept rows that no other replica is relaying. Returns the rows delivered. */
    public Uni<Long> relay() {
        return pool.preparedQuery("""
                        SELECT organization_id FROM outbox_rows GROUP BY organization_id ORDER BY min(seq) LIMIT $1""")
                .execute(Tuple.of(ORGANIZATIONS_PER_ROUND))
                .onItem().transformToMulti(rows -> Multi.createFrom().iterable(rows))
                .map(row -> row.getString(0))
                .onItem().transformToUniAndConcatenate(organization -> relay(organization)
                        .onFailure().recoverWithItem(failure -> {
                            // Tinybird still failing is expected and shown by the backlog gauges; anything else is a bug.
                            if (TinybirdFailure.of(failure).upstream()) {
                                LOG.debugf("Relaying the outbox of %s stopped: %s", organization, failure.getMessage());
                            } else {
                                LOG.warnf(failure, "Relaying the outbox of %s failed", organization);
                            }
                            return 0L;
                        }))
                .collect().with(java.util.stream.Collectors.summingLong(Long::longValue))
                .call(this::refreshBacklog);
    }

    private Uni<Long> relay(String organization) {
        return pool.withConnection(connection -> connection
                .preparedQuery("SELECT pg_try_advisory_lock(hashtextextended('emitkit.outbox:' || $1, 0))")
                .execute(Tuple.of(organization))
                .flatMap(locked -> !locked.iterator().next().getBoolean(0) ? Uni.createFrom().item(0L)
                        : relayLocked(connection, organization, 0, 0L).eventually(() -> connection
                                .preparedQuery("SELECT pg_advisory_unlock(hashtextextended('emitkit.outbox:' || $1, 0))")
                                .execute(Tuple.of(organization)))));
    }

    private Uni<Long> relayLocked(SqlConnection connection, String organization, int batches, long delivered) {
        if (stopped || batches >= BATCHES_PER_ORGANIZATION) {
            return Uni.createFrom().item(delivered);
        }
        return relayBatch(connection, organization).flatMap(count -> count == 0 ? Uni.createFrom().item(delivered)
                : relayLocked(connection, organization, batches + 1, delivered + count));
    }

    private record Kept(long seq, String datasource, TinybirdRow row, boolean lookUp) {
    }

    private Uni<Integer> relayBatch(SqlConnection connection, String organization) {
        return connection.preparedQuery("""
                        SELECT seq, datasource, row_id, created_at, line, may_have_landed OR attempted_at IS NOT NULL AS look_up,
                               coalesce(coalesce(attempted_at, CASE WHEN may_have_landed THEN kept_at END)
                                   > now() - make_interval(secs => $3), false) AS settling
                        FROM outbox_rows WHERE organization_id = $1 ORDER BY seq LIMIT $2""")
                .execute(Tuple.of(organization, config.relayBatch(), config.settle().toMillis() / 1000.0))
                .flatMap(rows -> {
                    List<Kept> batch = new ArrayList<>();
                    for (Row row : rows) {
                        // In order: a row still settling holds back the ones kept after it.
                        if (row.getBoolean("settling") || !batch.isEmpty() && !batch.getFirst().datasource().equals(row.getString("datasource"))) {
                            break;
                        }
                        batch.add(new Kept(row.getLong("seq"), row.getString("datasource"), new TinybirdRow(row.getString("row_id"),
                                organization, row.getString("created_at"), row.getString("line")), row.getBoolean("look_up")));
                    }
                    if (batch.isEmpty()) {
                        return Uni.createFrom().item(0);
                    }
                    Long[] seqs = batch.stream().map(Kept::seq).toArray(Long[]::new);
                    boolean lookUp = batch.stream().anyMatch(Kept::lookUp);
                    return connection.preparedQuery("UPDATE outbox_rows SET attempted_at = now() WHERE seq = ANY($1)")
                            .execute(Tuple.of(seqs))
                            .flatMap(marked -> writer.append(batch.getFirst().datasource(), batch.stream().map(Kept::row).toList(), lookUp))
                            .flatMap(sent -> connection.preparedQuery("DELETE FROM outbox_rows WHERE seq = ANY($1)").execute(Tuple.of(seqs)))
                            .map(deleted -> {
                                relayed.increment(batch.size());
                                depth.addAndGet(-batch.size());
                                return batch.size();
                            });
                });
    }

    private Uni<Void> refreshBacklog() {
        return pool.query("SELECT count(*), coalesce(extract(epoch FROM now() - min(kept_at)) * 1000, 0) FROM outbox_rows")
                .execute()
                .invoke(rows -> {
                    Row row = rows.iterator().next();
                    depth.set(row.getLong(0));
                    oldestMillis.set(row.getNumeric(1).longValue());
                })
                .replaceWithVoid();
    }
}

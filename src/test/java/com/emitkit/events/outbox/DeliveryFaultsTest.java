package com.emitkit.events.outbox;

import com.emitkit.events.WriteLoad.Outcome;
import com.emitkit.events.WriteLoad;
import com.emitkit.events.local.EmbeddedTinybird;
import com.emitkit.events.local.postgres.EmbeddedPostgresConfigSource;
import com.emitkit.events.tenancy.TestTenants.Tenant;
import com.emitkit.events.tenancy.TestTenants;
import com.emitkit.events.tinybird.EventsApiWriter;
import com.emitkit.events.tinybird.TinybirdRow;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URL;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Nothing accepted is lost, nothing is stored twice: steady write load against the service while the
 * Tinybird in front of the real embedded engine fails in each of the ways a remote one can, and while
 * PostgreSQL restarts. Every event answered with success must end up in the engine exactly once.
 */
@QuarkusTest
@TestProfile(FaultyTinybirdProfile.class)
class DeliveryFaultsTest {

    private static final int WRITERS = 12;

    @Inject
    EmbeddedTinybird embedded;
    @Inject
    Pool pool;
    @Inject
    Vertx vertx;
    @Inject
    EventsApiWriter writer;
    @Inject
    com.emitkit.events.config.EmitKitConfig config;

    @TestHTTPResource("/v1/events")
    URL events;

    Tenant tenant;

    @BeforeEach
    void setUp() {
        FaultyTinybird.mode = FaultyTinybird.Mode.PASS;
        FaultyTinybird.rateLimited.set(0);
        tenant = TestTenants.create("premium", List.of("write"));
    }

    /** Writers posting events until the script is done; each step of the script runs while they do. */
    private Outcome underLoad(List<Runnable> script) throws Exception {
        WriteLoad load = WriteLoad.start(events.toString(), tenant.key(), "faults", WRITERS);
        try {
            script.forEach(Runnable::run);
        } catch (RuntimeException e) {
            load.stop();
            throw e;
        }
        return load.stop();
    }

    private static Runnable mode(FaultyTinybird.Mode mode) {
        return () -> FaultyTinybird.mode = mode;
    }

    private static Runnable pause(long millis) {
        return () -> {
            try {
                Thread.sleep(millis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        };
    }

    /** How many times each of the organization's events is stored in the engine. */
    private Map<String, Integer> storedCounts(String organization) {
        EmbeddedTinybird.Started engine = embedded.start();
        return WriteLoad.storedCopies(engine.apiUrl().toString(), engine.token(), "organization_id = '" + organization + "'");
    }

    private long outboxRows(String organization) {
        return pool.preparedQuery("SELECT count(*) FROM outbox_rows WHERE organization_id = $1")
                .execute(io.vertx.mutiny.sqlclient.Tuple.of(organization))
                .map(rows -> rows.iterator().next().getLong(0)).await().atMost(Duration.ofSeconds(10));
    }

    /** Waits until the outbox of the organization is empty, then checks every accepted event is stored exactly once. */
    private void assertEveryAcceptedEventStoredOnce(String scenario, Outcome outcome) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 60_000;
        Map<String, Integer> stored = storedCounts(tenant.organizationId());
        while (System.currentTimeMillis() < deadline
                && (outboxRows(tenant.organizationId()) > 0 || !stored.keySet().containsAll(outcome.accepted()))) {
            Thread.sleep(250);
            stored = storedCounts(tenant.organizationId());
        }
        long delivered = outcome.accepted().stream().filter(stored::containsKey).count();
        long duplicated = stored.values().stream().filter(copies -> copies > 1).count();
        System.out.printf("[faults] %s: sent %d, accepted %d, delivered %d, duplicated %d, unaccounted-for stored %d, statuses %s, p50 %d ms%n",
                scenario, outcome.sent(), outcome.accepted().size(), delivered, duplicated,
                stored.keySet().stream().filter(id -> !outcome.accepted().contains(id)).count(), outcome.statuses(), outcome.p50());
        assertTrue(outcome.accepted().size() > 50, "the load ran: " + outcome.statuses());
        assertEquals(outcome.accepted().size(), delivered, "every accepted event arrived");
        assertEquals(0, duplicated, "no event stored twice");
        assertEquals(0, outboxRows(tenant.organizationId()), "the outbox was drained");
    }

    private static void assertNoServerErrors(Outcome outcome, Set<Integer> allowed) {
        for (int status : outcome.statuses().keySet()) {
            assertTrue(status == 201 || allowed.contains(status), "unexpected status " + status + " in " + outcome.statuses());
        }
    }

    @Test
    void upstreamDownForAWhileThenBack() throws Exception {
        Outcome outcome = underLoad(List.of(pause(1500), mode(FaultyTinybird.Mode.DOWN), pause(3000),
                mode(FaultyTinybird.Mode.PASS), pause(1500)));
        assertNoServerErrors(outcome, Set.of());
        assertEveryAcceptedEventStoredOnce("upstream down 3 s", outcome);
    }

    @Test
    void aHangingUpstreamOpensTheCircuitAndCostsMilliseconds() throws Exception {
        Outcome outcome = underLoad(List.of(mode(FaultyTinybird.Mode.HANG), pause(4000)));
        List<Long> late = outcome.latenciesMillis().subList(outcome.latenciesMillis().size() / 2, outcome.latenciesMillis().size());
        long lateP50 = late.stream().sorted().toList().get(late.size() / 2);
        System.out.printf("[faults] hanging upstream: %d requests, p50 of the later half %d ms%n", outcome.sent(), lateP50);
        assertTrue(lateP50 < 200, "once the circuit is open a write costs milliseconds, not the 1 s timeout: " + lateP50);
        FaultyTinybird.mode = FaultyTinybird.Mode.PASS;
        assertNoServerErrors(outcome, Set.of());
        assertEveryAcceptedEventStoredOnce("hanging upstream 4 s", outcome);
    }

    @Test
    void aSlowUpstreamThatStoresAfterTheTimeoutStoresNothingTwice() throws Exception {
        Outcome outcome = underLoad(List.of(mode(FaultyTinybird.Mode.SLOW), pause(3000), mode(FaultyTinybird.Mode.PASS),
                pause(500)));
        assertNoServerErrors(outcome, Set.of());
        assertEveryAcceptedEventStoredOnce("slow upstream (2 s answers, 1 s timeout)", outcome);
    }

    @Test
    void connectionsClosedMidAnswerStoreNothingTwice() throws Exception {
        Outcome outcome = underLoad(List.of(mode(FaultyTinybird.Mode.CLOSE_MID_BODY), pause(3000),
                mode(FaultyTinybird.Mode.PASS), pause(500)));
        assertNoServerErrors(outcome, Set.of());
        assertEveryAcceptedEventStoredOnce("connections closed mid-answer", outcome);
    }

    @Test
    void aRateLimitStormIsWaitedOutPerRetryAfter() throws Exception {
        Outcome outcome = underLoad(List.of(mode(FaultyTinybird.Mode.RATE_LIMITED), pause(3000),
                mode(FaultyTinybird.Mode.PASS), pause(500)));
        int answered429 = FaultyTinybird.rateLimited.get();
        System.out.printf("[faults] 429 storm of 3 s: %d calls answered 429%n", answered429);
        // Two batches in flight (max-in-flight), each waiting its Retry-After (1 s) before its next call: at most
        // 4 calls each in 3 s (at 0, 1, 2 and, once its attempts are spent, a new batch's first), plus room for
        // an outbox relay's call. A handful, where not waiting would be hundreds.
        assertTrue(answered429 <= 12, answered429 + " calls during a 3 s storm with Retry-After: 1");
        assertNoServerErrors(outcome, Set.of());
        assertEveryAcceptedEventStoredOnce("429 storm", outcome);
    }

    @Test
    void postgresRestartedUnderLoad() throws Exception {
        Outcome outcome = underLoad(List.of(pause(1500), EmbeddedPostgresConfigSource::restartServer, pause(2000)));
        // While the database is away a write may get a 503; never a 500.
        assertNoServerErrors(outcome, Set.of(503));
        assertEveryAcceptedEventStoredOnce("PostgreSQL restarted", outcome);
    }

    @Test
    void replicasRelayingTheSameOutboxSendEachRowOnce() throws Exception {
        FaultyTinybird.mode = FaultyTinybird.Mode.DOWN;
        Outcome outcome = underLoad(List.of(pause(2000)));
        assertTrue(outboxRows(tenant.organizationId()) > 0);
        FaultyTinybird.mode = FaultyTinybird.Mode.PASS;
        // Three more replicas' relays, racing this one's.
        List<OutboxRelay> replicas = List.of(replica(), replica(), replica());
        List<Uni<Long>> rounds = new ArrayList<>();
        for (int round = 0; round < 5; round++) {
            replicas.forEach(relay -> rounds.add(relay.relay()));
        }
        Uni.join().all(rounds).andFailFast().await().atMost(Duration.ofSeconds(60));
        assertEveryAcceptedEventStoredOnce("4 replicas relaying one outbox", outcome);
    }

    private OutboxRelay replica() {
        return new OutboxRelay(vertx, pool, writer, config, new SimpleMeterRegistry());
    }

    @Test
    void aRowKeptAfterAnUncertainSendIsLookedUpNotSentTwice() {
        FaultyTinybird.mode = FaultyTinybird.Mode.PASS;
        String id = "evt_kept_" + System.nanoTime();
        String createdAt = "2026-11-25 10:00:00.000";
        TinybirdRow row = new TinybirdRow(id, tenant.organizationId(), createdAt, new JsonObject().put("id", id)
                .put("organization_id", tenant.organizationId()).put("site_id", tenant.siteId()).put("channel_id", "ch_x")
                .put("retention_tier", "premium").put("title", "stored, then the answer was lost")
                .put("created_at", createdAt).encode());
        // Tinybird stored it, but the process died before hearing so: it is in the engine and in the outbox.
        writer.append("events", List.of(row), false).await().atMost(Duration.ofSeconds(10));
        new Outbox(pool, replica()).keep("events", List.of(row), true, "test").await().atMost(Duration.ofSeconds(10));
        long deadline = System.currentTimeMillis() + 30_000;
        while (outboxRows(tenant.organizationId()) > 0 && System.currentTimeMillis() < deadline) {
            pause(200).run();
        }
        assertEquals(0, outboxRows(tenant.organizationId()));
        assertEquals(Map.of(id, 1), storedCounts(tenant.organizationId()));
    }
}

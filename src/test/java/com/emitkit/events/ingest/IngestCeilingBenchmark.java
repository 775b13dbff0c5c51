package com.emitkit.events.ingest;

import com.emitkit.events.BenchmarkProfile;
import com.emitkit.events.tenancy.TestTenants;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.net.URL;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static com.emitkit.events.ingest.IngestLoadBenchmark.BATCH;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The same write load as {@link IngestLoadBenchmark}, with Tinybird replaced by a stub that acknowledges
 * every Events API call at once: what the service itself (validation, tenancy, batching, gzip, the HTTP
 * calls) can do on this machine, apart from the engine's inserts.
 */
@QuarkusTest
@Tag("benchmark")
@TestProfile(IngestCeilingBenchmark.AgainstAStub.class)
class IngestCeilingBenchmark {

    /** Calls the stub answered. */
    static final AtomicLong CALLS = new AtomicLong();

    public static class AgainstAStub implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            Map<String, String> config = new HashMap<>(new BenchmarkProfile().getConfigOverrides());
            config.put("emitkit.tinybird.mode", "remote");
            config.put("emitkit.tinybird.token", "p.stub");
            return config;
        }

        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(StubTinybird.class));
        }
    }

    /** Answers every call as Tinybird acknowledges a write, without storing anything. */
    public static class StubTinybird implements QuarkusTestResourceLifecycleManager {
        private Vertx vertx;

        @Override
        public Map<String, String> start() {
            vertx = Vertx.vertx();
            try {
                HttpServer server = vertx.createHttpServer().requestHandler(request -> request.body().onComplete(ignored -> {
                    CALLS.incrementAndGet();
                    request.response().putHeader("Content-Type", "application/json")
                            .end(request.path().equals("/v0/events") ? "{\"successful_rows\":1,\"quarantined_rows\":0}"
                                    : "{\"data\":[]}");
                })).listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
                return Map.of("emitkit.tinybird.api-url", "http://127.0.0.1:" + server.actualPort());
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        public void stop() {
            vertx.close();
        }
    }

    @TestHTTPResource("/")
    URL service;

    @Test
    void theServicesOwnCeiling() throws Exception {
        TestTenants.Tenant tenant = TestTenants.create("unlimited", List.of("write"));
        String base = service.toString().replaceAll("/$", "");
        Map<String, String> auth = Map.of("Authorization", "Bearer " + tenant.key());
        long rssBefore = BenchmarkProfile.rssMegabytes();
        IngestLoadBenchmark.Load single = IngestLoadBenchmark.wrk(base + "/v1/events", IngestLoadBenchmark.sampleEvent(), auth);
        IngestLoadBenchmark.Load batch = IngestLoadBenchmark.wrk(base + "/v1/events/batch", IngestLoadBenchmark.sampleBatch(), auth);
        long rssAfter = BenchmarkProfile.rssMegabytes();
        io.vertx.core.Vertx vertx = io.vertx.core.Vertx.vertx();
        double[] open;
        try {
            open = IngestLoadBenchmark.openLoop(vertx, base + "/v1/events", IngestLoadBenchmark.sampleEvent(), tenant.key(),
                    (int) (single.requestsPerSecond() * 0.8));
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().get();
        }
        System.out.printf("%nthe service alone, Tinybird replaced by a stub acknowledging at once (wrk, %d connections, %d s)%n",
                IngestLoadBenchmark.CONNECTIONS, IngestLoadBenchmark.SECONDS);
        System.out.printf("%-44s %12s %9s %9s %7s%n", "target", "events/s", "p50", "p99", "errors");
        IngestLoadBenchmark.print("POST /v1/events (one event)", single, 1);
        IngestLoadBenchmark.print("POST /v1/events/batch (" + BATCH + " events)", batch, BATCH);
        System.out.printf("open loop at 80%% of the single-event peak (%d req/s, 10 s): p50 %.1f ms, p99 %.1f ms, %d errors%n",
                (int) (single.requestsPerSecond() * 0.8), open[0], open[1], (long) open[2]);
        System.out.printf("Events API calls made: %,d; process RSS (service + test JVM, no engine): %d MB before, %d MB after%n%n",
                CALLS.get(), rssBefore, rssAfter);
        assertEquals(0, single.errors());
        assertEquals(0, batch.errors());
        assertTrue(CALLS.get() > 0);
    }
}

package com.emitkit.events.webhooks;

import com.emitkit.events.CpuUse;
import com.emitkit.events.PackagedService;
import com.emitkit.events.StubTinybird;
import com.emitkit.events.local.postgres.EmbeddedPostgresServer;
import io.restassured.http.ContentType;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Issue 16's benchmark: a burst of 10,000 notify events to a site with 10 webhooks. The packaged service runs as a
 * process of its own against {@link StubTinybird} (another process, answering after 30 ms as Tinybird does), and
 * the webhooks' receiver runs here, in the test JVM, as Slack or Discord would elsewhere. Before measuring, a burst
 * without webhooks and one with ten (on a site of their own, delivered in full) warm the JIT. Printed per value of
 * {@code -Dbenchmark.webhooks.batch} (the relay's attempts at once, {@code EMITKIT_WEBHOOKS_BATCH}; comma-separated
 * for several runs, default 200) and of {@code -Dbenchmark.webhooks.yield} ({@code EMITKIT_WEBHOOKS_YIELD_ABOVE_CPU},
 * default 0.9; 0 holds every delivery back while events arrive, 1 never does), with the CPU the machine and the service used in each phase: the delivery
 * rate, p50/p99 from each event's 201 to each webhook's receipt of it, and the write path's throughput with those
 * webhooks next to the same burst for a site without any, measured before and after (the difference between
 * those two is the run's noise). {@code -Dbenchmark.writers} sets the concurrent writers (default
 * {@value #DEFAULT_WRITERS}). Run with {@code ./mvnw verify -Pbenchmark -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false
 * -Dbenchmark.its=WebhookDeliveryBenchmarkIT}.
 */
class WebhookDeliveryBenchmarkIT {

    private static final int EVENTS = 10_000;
    private static final int WEBHOOKS = 10;
    private static final int DEFAULT_WRITERS = 64;
    /** The service's JVM options; {@code -Dbenchmark.webhooks.jvm} replaces them (a profiler's, for example). */
    private static final List<String> JVM = List.of(System.getProperty("benchmark.webhooks.jvm", "-Xmx256m -XX:+UseSerialGC").split(" "));

    static EmbeddedPostgresServer postgres;
    static Path postgresData;
    static StubTinybird.Running tinybird;

    /** When each event's 201 arrived (nanoTime), by event id; and the write path's events per second. */
    private record Burst(Map<String, Long> answeredAt, double perSecond) {
    }

    @BeforeAll
    static void start() throws Exception {
        postgresData = Path.of("/var/tmp/emitkit", "webhook-bench-" + ProcessHandle.current().pid());
        postgres = EmbeddedPostgresServer.start(postgresData, 0);
        tinybird = StubTinybird.launch(StubTinybird.DEFAULT_DELAY_MILLIS);
    }

    @AfterAll
    static void stop() throws Exception {
        tinybird.close();
        postgres.close();
        PackagedService.deleteTree(postgresData);
    }

    /**
     * The webhooks' side, light so that it takes little of the machine: a Vert.x server on one event loop that notes
     * each request's webhook-id, body and arrival, and answers 200.
     */
    private static final class Receiver implements AutoCloseable {
        record Received(String path, String webhookId, String body, long atNanos) {
        }

        final Queue<Received> received = new ConcurrentLinkedQueue<>();
        final Set<String> ids = ConcurrentHashMap.newKeySet();
        final Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1));
        final HttpServer server;

        Receiver() throws Exception {
            server = vertx.createHttpServer().requestHandler(request -> request.body().onSuccess(body -> {
                long at = System.nanoTime();
                String id = request.getHeader("webhook-id");
                received.add(new Received(request.path(), id, body.toString(), at));
                ids.add(id);
                request.response().end("ok");
            })).listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get();
        }

        /** Waits (up to 15 minutes) until {@code count} deliveries arrived, then forgets every one so far. */
        void awaitAndForget(int count) throws InterruptedException {
            long deadline = System.currentTimeMillis() + 15 * 60_000;
            while (System.currentTimeMillis() < deadline && ids.size() < count) {
                Thread.sleep(100);
            }
            assertEquals(count, ids.size(), "the warm-up's deliveries arrived");
            received.clear();
            ids.clear();
        }

        String url(String path) {
            return "http://127.0.0.1:" + server.actualPort() + path;
        }

        @Override
        public void close() throws Exception {
            vertx.close().toCompletionStage().toCompletableFuture().get();
        }
    }

    @Test
    void tenThousandNotifyEventsToTenWebhooks() throws Exception {
        for (String attempts : System.getProperty("benchmark.webhooks.batch", "200").split(",")) {
            for (String yieldAbove : System.getProperty("benchmark.webhooks.yield", "0.9").split(",")) {
                run(Integer.parseInt(attempts.trim()), yieldAbove.trim());
            }
        }
    }

    private void run(int attemptsAtOnce, String yieldAboveCpu) throws Exception {
        int writers = Integer.getInteger("benchmark.writers", DEFAULT_WRITERS);
        try (PackagedService service = PackagedService.start(PackagedService.freePort(), postgres, Map.of(
                "EMITKIT_TINYBIRD_MODE", "remote", "TINYBIRD_TOKEN", "p.stub", "TINYBIRD_API_URL", tinybird.url(),
                "MALLOC_ARENA_MAX", "2", "EMITKIT_WEBHOOKS_ALLOW_PRIVATE_ADDRESSES", "true",
                "EMITKIT_WEBHOOKS_BATCH", Integer.toString(attemptsAtOnce), "EMITKIT_WEBHOOKS_YIELD_ABOVE_CPU", yieldAboveCpu), JVM, Path.of("target", "webhook-bench.log"));
             Receiver receiver = new Receiver()) {
            long pid = service.process().pid();
            String quiet = service.newApiKey("unlimited", List.of("write"));
            String notified = service.newApiKey("unlimited", List.of("write", "webhooks"));
            String events = service.base() + "/v1/events";
            // The JIT compiles the hot paths in the first seconds; measured bursts start after that. The webhook paths
            // (matching, recording, fan-out, attempts) are warmed too, on a site of their own, until all is delivered:
            // otherwise the burst with webhooks pays for their compilation and the one without does not.
            burst(events, quiet, "warm-up", writers);
            String warming = service.newApiKey("unlimited", List.of("write", "webhooks"));
            for (int w = 0; w < WEBHOOKS; w++) {
                given().baseUri(service.base()).header("Authorization", "Bearer " + warming).contentType(ContentType.JSON)
                        .body(Map.of("url", receiver.url("/warm-" + w))).post("/v1/webhooks").then().statusCode(201);
            }
            burst(events, warming, "warm-up", writers);
            receiver.awaitAndForget(EVENTS * WEBHOOKS);
            CpuUse mark = CpuUse.mark(pid);
            Burst before = burst(events, quiet, "without", writers);
            String beforeCpu = mark.since();
            for (int w = 0; w < WEBHOOKS; w++) {
                given().baseUri(service.base()).header("Authorization", "Bearer " + notified).contentType(ContentType.JSON)
                        .body(Map.of("url", receiver.url("/hook-" + w))).post("/v1/webhooks").then().statusCode(201);
            }
            long start = System.nanoTime();
            mark = CpuUse.mark(pid);
            Burst with = burst(events, notified, "with", writers);
            String withCpu = mark.since();
            mark = CpuUse.mark(pid);
            long deadline = System.currentTimeMillis() + 15 * 60_000;
            while (System.currentTimeMillis() < deadline && receiver.ids.size() < EVENTS * WEBHOOKS) {
                Thread.sleep(100);
            }
            long drained = System.nanoTime();
            String drainCpu = mark.since();
            mark = CpuUse.mark(pid);
            Burst after = burst(events, quiet, "without again", writers);
            String afterCpu = mark.since();

            // A delivery received twice (a retry after an attempt that timed out on the sender's side) counts once,
            // at its first receipt.
            Map<String, Long> firstReceipt = new HashMap<>();
            int received = 0;
            for (Receiver.Received r : receiver.received) {
                received++;
                firstReceipt.merge(r.webhookId() + " " + new JsonObject(r.body()).getString("event_id"), r.atNanos(), Math::min);
            }
            List<Long> latenciesMicros = new ArrayList<>();
            long lastReceipt = 0;
            for (Map.Entry<String, Long> receipt : firstReceipt.entrySet()) {
                Long answered = with.answeredAt().get(receipt.getKey().split(" ")[1]);
                if (answered != null) {
                    latenciesMicros.add(Math.max(0, (receipt.getValue() - answered) / 1_000));
                    lastReceipt = Math.max(lastReceipt, receipt.getValue());
                }
            }
            latenciesMicros.sort(Long::compare);
            int deliveries = latenciesMicros.size();
            double deliverySeconds = (lastReceipt - start) / 1e9;
            double baseline = (before.perSecond() + after.perSecond()) / 2;
            long[] rss = service.rssMegabytes();
            System.out.printf("%n[webhooks] %d writers, stub Tinybird answering in %d ms, service JVM %s, EMITKIT_WEBHOOKS_BATCH=%d,"
                            + " EMITKIT_WEBHOOKS_YIELD_ABOVE_CPU=%s%n",
                    writers, StubTinybird.DEFAULT_DELAY_MILLIS, String.join(" ", JVM), attemptsAtOnce, yieldAboveCpu);
            System.out.printf("[webhooks] write path without webhooks: %,.0f events/s before, %,.0f after; with 10 webhooks: %,.0f events/s"
                            + " (%+.1f%% against their mean; target within 10%%)%n",
                    before.perSecond(), after.perSecond(), with.perSecond(), (with.perSecond() / baseline - 1) * 100);
            System.out.printf("[webhooks] %,d of %,d deliveries received in %.1f s from the burst's start: %,.0f deliveries/s"
                            + " (%,d requests: %d repeated; queue drained %.1f s after the burst's start)%n",
                    deliveries, EVENTS * WEBHOOKS, deliverySeconds, deliveries / deliverySeconds, received, received - deliveries,
                    (drained - start) / 1e9);
            System.out.printf("[webhooks] 201 to receipt: p50 %.1f ms, p99 %.1f ms, max %.1f ms%n",
                    percentile(latenciesMicros, 0.50) / 1000.0, percentile(latenciesMicros, 0.99) / 1000.0,
                    latenciesMicros.getLast() / 1000.0);
            System.out.printf("[webhooks] CPU during the bursts: without (before) %s; with %s; after it, while the rest was delivered,"
                    + " %s; without (after) %s%n", beforeCpu, withCpu, drainCpu, afterCpu);
            System.out.printf("[webhooks] service RSS: %d MB now, %d MB at its highest%n%n", rss[0], rss[1]);
            assertEquals(EVENTS * WEBHOOKS, deliveries, "every event reached every webhook");
        }
    }

    private static Burst burst(String url, String key, String label, int writers) throws Exception {
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        Map<String, Long> answeredAt = new ConcurrentHashMap<>();
        AtomicInteger next = new AtomicInteger();
        AtomicInteger failed = new AtomicInteger();
        long start = System.nanoTime();
        try (ExecutorService pool = Executors.newFixedThreadPool(writers)) {
            List<Future<?>> running = new ArrayList<>();
            for (int w = 0; w < writers; w++) {
                running.add(pool.submit(() -> {
                    for (int i = next.getAndIncrement(); i < EVENTS; i = next.getAndIncrement()) {
                        HttpRequest request = HttpRequest.newBuilder(URI.create(url))
                                .header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
                                .POST(HttpRequest.BodyPublishers.ofString("{\"channelName\":\"bench\",\"title\":\"" + label + " " + i
                                        + "\",\"tags\":[\"bench\"],\"notify\":true}")).build();
                        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
                        if (response.statusCode() == 201) {
                            answeredAt.put(new JsonObject(response.body()).getJsonObject("data").getString("id"), System.nanoTime());
                        } else {
                            failed.incrementAndGet();
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> writer : running) {
                writer.get();
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        assertEquals(0, failed.get(), "every event answered 201");
        return new Burst(answeredAt, EVENTS / seconds);
    }

    private static long percentile(List<Long> sorted, double p) {
        return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p * sorted.size()) - 1));
    }
}

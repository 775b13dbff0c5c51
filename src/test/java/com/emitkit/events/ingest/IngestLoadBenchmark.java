package com.emitkit.events.ingest;

import com.emitkit.events.BenchmarkProfile;
import com.emitkit.events.local.EmbeddedApi;
import com.emitkit.events.tenancy.TestTenants;
import com.emitkit.events.tinybird.TinybirdBackend;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Keep-alive load on {@code POST /v1/events} (and the batch endpoint) with wrk on this machine, next to a
 * bare Vert.x handler that answers 202 (the ceiling here) and the embedded Events API itself; then an
 * open-loop run at 80% of the single-event peak for its latency. Run with {@code ./mvnw verify -Pbenchmark}.
 */
@QuarkusTest
@Tag("benchmark")
@TestProfile(BenchmarkProfile.class)
class IngestLoadBenchmark {

    static final int CONNECTIONS = 64;
    static final int SECONDS = 15;
    static final int BATCH = 100;

    @TestHTTPResource("/")
    URL service;

    @Inject
    TinybirdBackend backend;

    record Load(double requestsPerSecond, String p50, String p99, long errors) {
    }

    @Test
    void ingestThroughputAndLatency() throws Exception {
        TestTenants.Tenant tenant = TestTenants.create("unlimited", List.of("write"));
        String event = sampleEvent();
        EmbeddedApi tinybird = new EmbeddedApi(backend);
        String row = new JsonObject().put("id", "bench").put("organization_id", "org_bench_load").put("site_id", "s")
                .put("channel_id", "c").put("retention_tier", "basic").put("title", "Payment received")
                .put("created_at", EmbeddedApi.at(java.time.Instant.now())).encode();

        Vertx vertx = Vertx.vertx();
        HttpServer bare = vertx.createHttpServer()
                .requestHandler(request -> request.body().onComplete(ignored -> request.response().setStatusCode(202).end()))
                .listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get();
        try {
            String base = service.toString().replaceAll("/$", "");
            long rssBefore = BenchmarkProfile.rssMegabytes();
            Load ceiling = wrk("http://127.0.0.1:" + bare.actualPort() + "/v1/events", event, Map.of());
            Load single = wrk(base + "/v1/events", event, Map.of("Authorization", "Bearer " + tenant.key()));
            Load batch = wrk(base + "/v1/events/batch", sampleBatch(),
                    Map.of("Authorization", "Bearer " + tenant.key()));
            Load direct = wrk(tinybird.url() + "/v0/events?name=events&wait=true", row,
                    Map.of("Authorization", "Bearer " + tinybird.token()));
            long rssAfter = BenchmarkProfile.rssMegabytes();
            double[] open = openLoop(vertx, base + "/v1/events", event, tenant.key(), (int) (single.requestsPerSecond() * 0.8));

            System.out.printf("%nload: wrk, %d keep-alive connections, %d s, on this machine%n", CONNECTIONS, SECONDS);
            System.out.printf("%-44s %12s %9s %9s %7s%n", "target", "events/s", "p50", "p99", "errors");
            print("bare Vert.x handler answering 202 (ceiling)", ceiling, 1);
            print("POST /v1/events (one event)", single, 1);
            print("POST /v1/events/batch (" + BATCH + " events)", batch, BATCH);
            print("embedded Events API, one row, wait=true", direct, 1);
            System.out.printf("open loop at 80%% of the single-event peak (%d req/s, 10 s): p50 %.1f ms, p99 %.1f ms, %d errors%n",
                    (int) (single.requestsPerSecond() * 0.8), open[0], open[1], (long) open[2]);
            System.out.printf("process RSS (service + embedded engines + test JVM): %d MB before, %d MB after%n%n",
                    rssBefore, rssAfter);
            assertEquals(0, single.errors(), "no request may fail under load");
            assertEquals(0, batch.errors());
            assertTrue(tinybird.sql("SELECT count() AS n FROM events WHERE organization_id = '" + tenant.organizationId() + "'")
                    .getLong("data[0].n") > 0);
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().get();
        }
    }

    /** The event every benchmark request sends: every field an SDK usually sets. */
    static String sampleEvent() {
        return new JsonObject().put("channelName", "payments").put("title", "Payment received").put("icon", "💸")
                .put("tags", new JsonArray().add("eu")).put("metadata", new JsonObject().put("amount", 99.99))
                .put("userId", "user_1").encode();
    }

    /** A batch request of {@link #BATCH} such events. */
    static String sampleBatch() {
        JsonArray events = new JsonArray();
        for (int i = 0; i < BATCH; i++) {
            events.add(new JsonObject(sampleEvent()).put("title", "Payment " + i));
        }
        return new JsonObject().put("events", events).encode();
    }

    static void print(String name, Load load, int eventsPerRequest) {
        System.out.printf("%-44s %,12.0f %9s %9s %7d%n", name, load.requestsPerSecond() * eventsPerRequest, load.p50(), load.p99(),
                load.errors());
    }

    static Load wrk(String url, String body, Map<String, String> headers) throws Exception {
        Path script = Files.createTempFile("wrk", ".lua");
        StringBuilder lua = new StringBuilder("wrk.method = \"POST\"\nwrk.headers[\"Content-Type\"] = \"application/json\"\n");
        headers.forEach((k, v) -> lua.append("wrk.headers[\"").append(k).append("\"] = \"").append(v).append("\"\n"));
        lua.append("wrk.body = [==[").append(body).append("]==]\n");
        Files.writeString(script, lua.toString());
        Process process = new ProcessBuilder("wrk", "-t2", "-c" + CONNECTIONS, "-d" + SECONDS + "s", "--timeout", "30s", "--latency",
                "-s", script.toString(), url).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(SECONDS + 60, TimeUnit.SECONDS) && process.exitValue() == 0, output);
        Files.delete(script);
        return new Load(Double.parseDouble(find(output, "Requests/sec:\\s+([0-9.]+)")), find(output, "\\s50%\\s+(\\S+)"),
                find(output, "\\s99%\\s+(\\S+)"), Long.parseLong(findOr(output, "Non-2xx or 3xx responses: (\\d+)", "0"))
                + Long.parseLong(findOr(output, "Socket errors: .*?timeout (\\d+)", "0")));
    }

    /** Requests sent on a fixed schedule; latency counts from the scheduled time, so a stall is not hidden. */
    static double[] openLoop(Vertx vertx, String url, String body, String key, int rate) throws Exception {
        WebClient client = WebClient.create(vertx, new WebClientOptions().setKeepAlive(true).setMaxPoolSize(256));
        int total = rate * 10;
        double[] latencies = new double[total];
        AtomicInteger errors = new AtomicInteger();
        CountDownLatch done = new CountDownLatch(total);
        long start = System.nanoTime();
        AtomicInteger sent = new AtomicInteger();
        Buffer payload = Buffer.buffer(body);
        long timer = vertx.setPeriodic(1, id -> {
            long due = (System.nanoTime() - start) * rate / 1_000_000_000L;
            while (sent.get() < Math.min(due, total)) {
                int index = sent.getAndIncrement();
                long scheduled = start + index * 1_000_000_000L / rate;
                client.postAbs(url).putHeader("Authorization", "Bearer " + key).putHeader("Content-Type", "application/json")
                        .sendBuffer(payload).onComplete(ar -> {
                            latencies[index] = (System.nanoTime() - scheduled) / 1e6;
                            if (ar.failed() || ar.result().statusCode() != 201) {
                                errors.incrementAndGet();
                            }
                            done.countDown();
                        });
            }
        });
        assertTrue(done.await(60, TimeUnit.SECONDS), "the open-loop run did not finish");
        vertx.cancelTimer(timer);
        client.close();
        Arrays.sort(latencies);
        return new double[] {latencies[total / 2], latencies[(int) (total * 0.99)], errors.get()};
    }

    private static String find(String text, String regex) {
        Matcher m = Pattern.compile(regex).matcher(text);
        assertTrue(m.find(), "no " + regex + " in:\n" + text);
        return m.group(1);
    }

    private static String findOr(String text, String regex, String fallback) {
        Matcher m = Pattern.compile(regex).matcher(text);
        return m.find() ? m.group(1) : fallback;
    }

}

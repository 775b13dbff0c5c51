package com.emitkit.events.ingest;

import com.emitkit.events.PackagedService;
import com.emitkit.events.local.postgres.EmbeddedPostgresServer;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Keep-alive write load with wrk on this machine against the packaged service as its own process (its
 * memory options are {@code -Dbenchmark.jvm}, default {@value #DEFAULT_JVM}), so that the RSS printed is the
 * service's alone. Twice: with the embedded engine (in the service's process, as in dev), and with Tinybird
 * replaced by a stub that acknowledges at once (the service's own ceiling; production's Tinybird does not
 * share the service's cores). Next to them, a bare Vert.x handler answering 202 (this machine's ceiling) and
 * the embedded Events API called directly. Each run is warmed up first. Run with
 * {@code ./mvnw verify -Pbenchmark -Dit.test=IngestLoadBenchmarkIT}.
 */
class IngestLoadBenchmarkIT {

    static final String DEFAULT_JVM = "-Xmx256m -XX:+UseSerialGC";
    static final int[] CONNECTIONS = {64, 256, 512};
    static final int SECONDS = 15;
    static final int BATCH = 100;
    static final double[] OPEN_LOOP_SHARES = {0.5, 0.8};
    static final int OPEN_LOOP_SECONDS = 10;
    /** Enough that requests rarely wait for a free connection at the rates and latencies measured here. */
    static final int OPEN_LOOP_CONNECTIONS = 1024;

    static EmbeddedPostgresServer postgres;
    static Path postgresData;
    static Path openLoopGenerator;
    static Vertx vertx;
    static HttpServer bare;
    static HttpServer stub;
    static final AtomicLong STUB_CALLS = new AtomicLong();
    /** Events answered with success by the service under test, warm-up included. */
    final AtomicLong accepted = new AtomicLong();

    record Load(int connections, long requests, double requestsPerSecond, String p50, String p99, long errors) {
        long succeeded() {
            return requests - errors;
        }
    }

    @BeforeAll
    static void start() throws Exception {
        openLoopGenerator = buildOpenLoopGenerator();
        postgresData = Path.of("/var/tmp/emitkit", "ingest-bench-" + ProcessHandle.current().pid());
        postgres = EmbeddedPostgresServer.start(postgresData, 0);
        vertx = Vertx.vertx();
        bare = vertx.createHttpServer()
                .requestHandler(request -> request.body().onComplete(ignored -> request.response().setStatusCode(202).end()))
                .listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get();
        stub = vertx.createHttpServer().requestHandler(request -> request.body().onComplete(ignored -> {
            STUB_CALLS.incrementAndGet();
            request.response().putHeader("Content-Type", "application/json")
                    .end(request.path().equals("/v0/events") ? "{\"successful_rows\":1,\"quarantined_rows\":0}" : "{\"data\":[]}");
        })).listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get();
    }

    @AfterAll
    static void stop() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get();
        postgres.close();
        PackagedService.deleteTree(postgresData);
    }

    @Test
    void ingestWithTheEmbeddedEngineAndAlone() throws Exception {
        List<String> report = new ArrayList<>();
        report.add(String.format("%nwrk, keep-alive, %d s per run, on this machine; service JVM options: %s", SECONDS, jvmOptions()));
        report.add(String.format("%-52s %6s %10s %9s %9s %6s", "target", "conns", "events/s", "p50", "p99", "errors"));
        for (int connections : CONNECTIONS) {
            report.add(line("bare Vert.x handler answering 202 (ceiling)",
                    wrk("http://127.0.0.1:" + bare.actualPort() + "/v1/events", sampleEvent(), Map.of(), connections), 1));
        }

        Path engineData = Files.createDirectories(Path.of("target", "ingest-bench-engine-" + System.currentTimeMillis()));
        int enginePort = PackagedService.freePort();
        try (PackagedService service = PackagedService.start(PackagedService.freePort(), postgres, Map.of(
                "EMITKIT_TINYBIRD_MODE", "embedded",
                "EMITKIT_LOCAL_PORT", Integer.toString(enginePort),
                "EMITKIT_LOCAL_DATA_DIR", engineData.toString()), jvmOptions(), Path.of("target", "ingest-bench-embedded.log"))) {
            String key = service.newApiKey("unlimited", List.of("write"));
            report.addAll(measure("service + embedded engine", service, key));
            String token = new JsonObject(Files.readString(engineData.resolve("tokens.json"))).getString("admin_token");
            String row = new JsonObject().put("id", "bench").put("organization_id", "org_bench_direct").put("site_id", "s")
                    .put("channel_id", "c").put("retention_tier", "basic").put("title", "Payment received")
                    .put("created_at", Instant.now().toString().replace('T', ' ').replace("Z", "")).encode();
            report.add(line("embedded Events API directly, one row, wait=true", wrk("http://127.0.0.1:" + enginePort
                    + "/v0/events?name=events&wait=true", row, Map.of("Authorization", "Bearer " + token), CONNECTIONS[0]), 1));
            long stored = given().baseUri("http://127.0.0.1:" + enginePort).header("Authorization", "Bearer " + token)
                    .queryParam("q", "SELECT count() AS n FROM events WHERE channel_name = 'payments' FORMAT JSON")
                    .get("/v0/sql").then().statusCode(200).extract().jsonPath().getLong("data[0].n");
            // wrk counts the answers it got; a request still open when a run ends may be stored too.
            assertTrue(stored >= accepted.get(), "every accepted event is stored: " + stored + " of " + accepted.get());
            report.add(String.format("  events stored by the engine: %,d (answered 201: %,d)", stored, accepted.get()));
        }

        try (PackagedService service = PackagedService.start(PackagedService.freePort(), postgres, Map.of(
                "EMITKIT_TINYBIRD_MODE", "remote",
                "TINYBIRD_TOKEN", "p.stub",
                "TINYBIRD_API_URL", "http://127.0.0.1:" + stub.actualPort()), jvmOptions(),
                Path.of("target", "ingest-bench-stub.log"))) {
            report.addAll(measure("service alone (stub Tinybird)", service, service.newApiKey("unlimited", List.of("write"))));
            report.add(String.format("  Events API calls the stub answered: %,d", STUB_CALLS.get()));
        }
        report.forEach(System.out::println);
        System.out.println();
    }

    private static List<String> jvmOptions() {
        return List.of(System.getProperty("benchmark.jvm", DEFAULT_JVM).trim().split("\\s+"));
    }

    /** Warm-up, then one event per request at each connection count, batches, an open loop at 80% of the peak, RSS. */
    private List<String> measure(String name, PackagedService service, String key) throws Exception {
        Map<String, String> auth = Map.of("Authorization", "Bearer " + key);
        String single = service.base() + "/v1/events";
        String batch = service.base() + "/v1/events/batch";
        // The JIT compiles the hot paths in the first seconds; measured runs start after that.
        accepted.set(wrk(single, sampleEvent(), auth, CONNECTIONS[CONNECTIONS.length - 1]).succeeded()
                + wrk(batch, sampleBatch(), auth, CONNECTIONS[0]).succeeded() * BATCH);

        List<String> lines = new ArrayList<>();
        Load peak = null;
        for (int connections : CONNECTIONS) {
            Load load = wrk(single, sampleEvent(), auth, connections);
            accepted.addAndGet(load.succeeded());
            lines.add(line(name + ": POST /v1/events (one event)", load, 1));
            assertEquals(0, load.errors(), "no request may fail under load");
            if (peak == null || load.requestsPerSecond() > peak.requestsPerSecond()) {
                peak = load;
            }
        }
        Load batches = wrk(batch, sampleBatch(), auth, CONNECTIONS[0]);
        lines.add(line(name + ": POST /v1/events/batch (" + BATCH + " events)", batches, BATCH));
        assertEquals(0, batches.errors());
        accepted.addAndGet(batches.succeeded() * BATCH);
        for (double share : OPEN_LOOP_SHARES) {
            int rate = (int) (peak.requestsPerSecond() * share);
            OpenLoop open = openLoop(service.base(), "/v1/events", sampleEvent(), key, rate, 201);
            accepted.addAndGet(open.sent() - open.errors());
            // The same schedule against the bare handler: what this machine's load generator itself adds.
            OpenLoop control = openLoop("http://127.0.0.1:" + bare.actualPort(), "/v1/events", sampleEvent(), key, rate, 202);
            lines.add(String.format("  open loop at %.0f%% of the one-event peak (%,d req/s for %d s): p50 %.1f ms, p99 %.1f ms,"
                    + " max %.1f ms, %d errors; the bare handler on the same schedule: p50 %.1f ms, p99 %.1f ms", share * 100,
                    rate, OPEN_LOOP_SECONDS, open.p50(), open.p99(), open.max(), open.errors(), control.p50(), control.p99()));
        }
        long[] rss = service.rssMegabytes();
        lines.add(String.format("  service process RSS: %d MB now, %d MB at its highest", rss[0], rss[1]));
        return lines;
    }

    /** The event every single-event request sends: every field an SDK usually sets. */
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

    static String line(String name, Load load, int eventsPerRequest) {
        return String.format("%-52s %6d %,10.0f %9s %9s %6d", name, load.connections(), load.requestsPerSecond() * eventsPerRequest,
                load.p50(), load.p99(), load.errors());
    }

    static Load wrk(String url, String body, Map<String, String> headers, int connections) throws Exception {
        Path script = Files.createTempFile("wrk", ".lua");
        StringBuilder lua = new StringBuilder("wrk.method = \"POST\"\nwrk.headers[\"Content-Type\"] = \"application/json\"\n");
        headers.forEach((k, v) -> lua.append("wrk.headers[\"").append(k).append("\"] = \"").append(v).append("\"\n"));
        lua.append("wrk.body = [==[").append(body).append("]==]\n");
        Files.writeString(script, lua.toString());
        Process process = new ProcessBuilder("wrk", "-t2", "-c" + connections, "-d" + SECONDS + "s", "--timeout", "30s", "--latency",
                "-s", script.toString(), url).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(SECONDS + 60, TimeUnit.SECONDS) && process.exitValue() == 0, output);
        Files.delete(script);
        return new Load(connections, Long.parseLong(find(output, "(\\d+) requests in")),
                Double.parseDouble(find(output, "Requests/sec:\\s+([0-9.]+)")), find(output, "\\s50%\\s+(\\S+)"),
                find(output, "\\s99%\\s+(\\S+)"), Long.parseLong(findOr(output, "Non-2xx or 3xx responses: (\\d+)", "0"))
                + Long.parseLong(findOr(output, "Socket errors: .*?timeout (\\d+)", "0")));
    }

    /**
     * Requests sent on a fixed schedule for {@value #OPEN_LOOP_SECONDS} s by {@code src/test/c/openloop.c} (built with gcc
     * before the tests); each latency counts from the time its request was due, so a stall is not hidden.
     */
    static OpenLoop openLoop(String base, String path, String body, String key, int rate, int expectedStatus) throws Exception {
        URI target = URI.create(base);
        byte[] payload = body.getBytes(StandardCharsets.UTF_8);
        String head = "POST " + path + " HTTP/1.1\r\nHost: " + target.getHost() + ":" + target.getPort()
                + "\r\nAuthorization: Bearer " + key + "\r\nContent-Type: application/json\r\nContent-Length: "
                + payload.length + "\r\n\r\n";
        Path request = Files.createTempFile("openloop", ".http");
        Files.write(request, concat(head.getBytes(StandardCharsets.US_ASCII), payload));
        Process process = new ProcessBuilder(openLoopGenerator.toString(), target.getHost(), Integer.toString(target.getPort()),
                Integer.toString(rate), Integer.toString(OPEN_LOOP_SECONDS), Integer.toString(OPEN_LOOP_CONNECTIONS),
                Integer.toString(expectedStatus), request.toString()).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(OPEN_LOOP_SECONDS + 90, TimeUnit.SECONDS) && process.exitValue() == 0, output);
        Files.delete(request);
        return new OpenLoop(Long.parseLong(find(output, "sent=(\\d+)")), Long.parseLong(find(output, "errors=(\\d+)")),
                Double.parseDouble(find(output, "p50_ms=([0-9.]+)")), Double.parseDouble(find(output, "p99_ms=([0-9.]+)")),
                Double.parseDouble(find(output, "max_ms=([0-9.]+)")));
    }

    record OpenLoop(long sent, long errors, double p50, double p99, double max) {
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] joined = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, joined, a.length, b.length);
        return joined;
    }

    private static Path buildOpenLoopGenerator() throws Exception {
        Path binary = Path.of("target", "openloop");
        Process gcc = new ProcessBuilder("gcc", "-O2", "-o", binary.toString(), "src/test/c/openloop.c")
                .redirectErrorStream(true).start();
        String output = new String(gcc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(gcc.waitFor(60, TimeUnit.SECONDS) && gcc.exitValue() == 0, "gcc could not build the open-loop generator:\n" + output);
        return binary;
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

package com.emitkit.events.ingest;

import com.emitkit.events.CpuUse;
import com.emitkit.events.PackagedService;
import com.emitkit.events.StubTinybird;
import com.emitkit.events.local.postgres.EmbeddedPostgresServer;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
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
 * The write path's figures against the targets of issue 17, printed as one table: the packaged service as a
 * process of its own (its JVM options are {@code -Dbenchmark.jvm}, default {@value #DEFAULT_JVM}, so the RSS
 * printed is the service's alone), with Tinybird replaced by {@link StubTinybird} in another process, as in
 * production. The targets are measured against a stub that answers like Tinybird (after
 * {@code -Dbenchmark.tinybird-delay-ms}, default 30 ms); a second run against a stub that answers at once is the
 * service's ceiling. Next to them, in the same run: a bare Vert.x handler answering 202 (this machine's
 * ceiling, measured right before the service at the same connection count), and the cold start to the first
 * 201 of {@code POST /v1/events} of the plain jar and, when {@code target/quarkus-app/app.aot} exists (the
 * benchmark profile trains it), the same jar with its AOT cache. {@code -Dbenchmark.embedded=true} adds the
 * run with the embedded engine in the service's process (dev's set-up; context, not a target). Run with
 * {@code ./mvnw verify -Pbenchmark -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false}.
 */
class IngestLoadBenchmarkIT {

    static final String DEFAULT_JVM = "-Xmx256m -XX:+UseG1GC -XX:GCTimeRatio=4";
    static final int[] CONNECTIONS = {64, 256, 512};
    static final int SECONDS = 15;
    static final int BATCH = 100;
    static final double OPEN_LOOP_SHARE = 0.8;
    static final int OPEN_LOOP_SECONDS = 10;
    /** Enough that requests rarely wait for a free connection at the rates and latencies measured here. */
    static final int OPEN_LOOP_CONNECTIONS = 1024;
    static final int COLD_STARTS = 3;
    static final Path AOT_CACHE = Path.of("target", "quarkus-app", "app.aot");
    static final Path COLD_LOG = Path.of("target", "ingest-bench-cold.log");
    /** As src/main/docker/Dockerfile.jvm sets it: fewer glibc malloc arenas, less native memory held. */
    static final String MALLOC_ARENA_MAX = "2";

    static EmbeddedPostgresServer postgres;
    static Path postgresData;
    static Path openLoopGenerator;
    static Vertx vertx;
    static HttpServer bare;
    static StubTinybird.Running realistic;
    static StubTinybird.Running instant;
    /** Events answered with success by the service under test, warm-up included. */
    final AtomicLong accepted = new AtomicLong();

    record Load(int connections, long requests, double requestsPerSecond, String p50, String p99, long errors) {
        long succeeded() {
            return requests - errors;
        }
    }

    /** What one run against a Tinybird measured. */
    record Run(List<String> lines, double bare512, double single512, double batchEvents, OpenLoop open, int openRate,
               long rssPeak) {
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
        realistic = StubTinybird.launch(Integer.getInteger("benchmark.tinybird-delay-ms", StubTinybird.DEFAULT_DELAY_MILLIS));
        instant = StubTinybird.launch(0);
    }

    @AfterAll
    static void stop() throws Exception {
        realistic.close();
        instant.close();
        vertx.close().toCompletionStage().toCompletableFuture().get();
        postgres.close();
        PackagedService.deleteTree(postgresData);
    }

    @Test
    void theWritePathAgainstItsTargets() throws Exception {
        List<String> report = new ArrayList<>();
        report.add(String.format("%nwrk, keep-alive, %d s per run, on this machine; service JVM options: %s; extra settings: %s",
                SECONDS, jvmOptions(), System.getProperty("benchmark.env", "none")));
        report.add(String.format("%-66s %6s %10s %9s %9s %6s", "target", "conns", "events/s", "p50", "p99", "errors"));

        Map<String, String> remote = withExtraEnv(Map.of("EMITKIT_TINYBIRD_MODE", "remote", "TINYBIRD_TOKEN", "p.stub",
                "TINYBIRD_API_URL", realistic.url(), "MALLOC_ARENA_MAX", MALLOC_ARENA_MAX));
        ColdStart plain;
        ColdStart aot = null;
        String key;
        try (PackagedService service = PackagedService.start(PackagedService.freePort(), postgres, remote, jvmOptions(),
                COLD_LOG)) {
            key = service.newApiKey("unlimited", List.of("write"));
        }
        // -Dbenchmark.cold-start=false skips them: e.g. for a profiling run, as JFR and the AOT cache exclude each other.
        boolean coldStarts = Boolean.parseBoolean(System.getProperty("benchmark.cold-start", "true"));
        plain = coldStarts ? coldStart(remote, key, List.of()) : null;
        if (coldStarts && Files.exists(AOT_CACHE)) {
            aot = coldStart(remote, key, List.of("-XX:AOTCache=" + AOT_CACHE, "-XX:AOTMode=on"));
        }

        Run run;
        try (PackagedService service = PackagedService.start(PackagedService.freePort(), postgres, remote, jvmOptions(),
                Path.of("target", "ingest-bench-stub.log"))) {
            run = measure("service, Tinybird stub answering in " + Integer.getInteger("benchmark.tinybird-delay-ms",
                    StubTinybird.DEFAULT_DELAY_MILLIS) + " ms", service, service.newApiKey("unlimited", List.of("write")), true);
            report.addAll(run.lines());
            report.add("  stub Tinybird: " + realistic.stats().encode());
        }
        try (PackagedService service = PackagedService.start(PackagedService.freePort(), postgres, withExtraEnv(Map.of(
                "EMITKIT_TINYBIRD_MODE", "remote", "TINYBIRD_TOKEN", "p.stub", "TINYBIRD_API_URL", instant.url(),
                "MALLOC_ARENA_MAX", MALLOC_ARENA_MAX)), jvmOptions(),
                Path.of("target", "ingest-bench-instant.log"))) {
            report.addAll(measure("service, instant stub Tinybird (ceiling)", service,
                    service.newApiKey("unlimited", List.of("write")), false).lines());
        }
        if (Boolean.getBoolean("benchmark.embedded")) {
            report.addAll(embedded());
        }

        report.add(String.format("%n%-72s %-30s %-10s %s", "issue 17 (this run)", "measured", "target", "met"));
        double share = run.single512() / run.bare512();
        report.add(row("one event per request, req/s as a share of the bare handler (512 conns)",
                String.format("%,.0f / %,.0f = %.2f", run.single512(), run.bare512(), share), ">= 0.50", share >= 0.5));
        report.add(row("batch endpoint (" + BATCH + " events a request, 64 conns), events/s",
                String.format("%,.0f", run.batchEvents()), ">= 300,000", run.batchEvents() >= 300_000));
        report.add(row(String.format("p99 at 80%% of the one-event peak, open loop (%,d req/s)", run.openRate()),
                String.format("%.1f ms (p50 %.1f, %d errors)", run.open().p99(), run.open().p50(), run.open().errors()),
                "< 25 ms", run.open().p99() < 25 && run.open().errors() == 0));
        report.add(row("service RSS under load, " + String.join(" ", jvmOptions()), run.rssPeak() + " MB", "< 384 MB",
                run.rssPeak() < 384));
        if (plain == null) {
            report.add(row("cold starts", "skipped (-Dbenchmark.cold-start=false)", "< 1 s", false));
        } else {
            report.add(row("cold start to the first 201 of POST /v1/events, plain jar", plain.summary(), "< 1 s",
                    plain.medianMillis() < 1000));
            report.add(aot == null ? row("cold start, AOT jar", "no " + AOT_CACHE + " (see README)", "< 1 s", false)
                    : row("cold start to the first 201 of POST /v1/events, AOT jar", aot.summary(), "< 1 s", aot.medianMillis() < 1000));
            report.add(row("RSS after start (at the first 201), plain jar / AOT jar", plain.rssMegabytes() + " MB / "
                    + (aot == null ? "-" : aot.rssMegabytes() + " MB"), "-", true));
        }
        report.forEach(System.out::println);
        System.out.println();
    }

    private static String row(String name, String measured, String target, boolean met) {
        return String.format("%-72s %-40s %-10s %s", name, measured, target, target.equals("-") ? "" : met ? "yes" : "NO");
    }

    /** Start-ups of a new service process to its first 201, each timed from the launch; the median and all. */
    record ColdStart(List<Long> millis, List<String> quarkusStarted, long rssMegabytes) {
        long medianMillis() {
            return millis.stream().sorted().toList().get(millis.size() / 2);
        }

        /** The runs, each with Quarkus' own "started in" (from its launch, the JVM's start-up before it not included). */
        String summary() {
            List<String> runs = new ArrayList<>();
            for (int i = 0; i < millis.size(); i++) {
                runs.add(millis.get(i) + " (Quarkus " + quarkusStarted.get(i) + ")");
            }
            return medianMillis() + " ms (runs: " + String.join(", ", runs) + ")";
        }
    }

    private static final Pattern STARTED_IN = Pattern.compile("started in ([0-9.]+s)");

    /** The last "started in" Quarkus logged to the cold-start log. */
    private static String lastStartedIn(Path log) throws IOException {
        Matcher matcher = STARTED_IN.matcher(Files.readString(log));
        String last = "?";
        while (matcher.find()) {
            last = matcher.group(1);
        }
        return last;
    }

    private ColdStart coldStart(Map<String, String> env, String key, List<String> extraOptions) throws Exception {
        List<String> options = new ArrayList<>(jvmOptions());
        options.addAll(extraOptions);
        List<Long> times = new ArrayList<>();
        long rss = 0;
        List<String> quarkus = new ArrayList<>();
        HttpClient http = HttpClient.newHttpClient();
        for (int i = 0; i < COLD_STARTS; i++) {
            int port = PackagedService.freePort();
            HttpRequest post = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/events"))
                    .header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(sampleEvent())).build();
            long started = System.nanoTime();
            Process process = PackagedService.launch(port, postgres, env, options, COLD_LOG);
            try {
                while (true) {
                    assertTrue(process.isAlive(), "the service died at start; see target/ingest-bench-cold.log");
                    assertTrue(System.nanoTime() - started < TimeUnit.SECONDS.toNanos(60), "no 201 within 60 s");
                    try {
                        if (http.send(post, HttpResponse.BodyHandlers.discarding()).statusCode() == 201) {
                            break;
                        }
                    } catch (IOException notYet) {
                        // Not listening yet.
                    }
                    Thread.sleep(5);
                }
                times.add(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
                quarkus.add(lastStartedIn(COLD_LOG));
                rss = PackagedService.rssMegabytes(process.pid())[0];
            } finally {
                process.destroy();
                process.waitFor(60, TimeUnit.SECONDS);
            }
        }
        return new ColdStart(times, quarkus, rss);
    }

    /** The embedded engine in the service's process, as in dev (context for the engine, not a target). */
    private List<String> embedded() throws Exception {
        List<String> lines = new ArrayList<>();
        Path engineData = Files.createDirectories(Path.of("target", "ingest-bench-engine-" + System.currentTimeMillis()));
        int enginePort = PackagedService.freePort();
        try (PackagedService service = PackagedService.start(PackagedService.freePort(), postgres, Map.of(
                "EMITKIT_TINYBIRD_MODE", "embedded",
                "EMITKIT_LOCAL_PORT", Integer.toString(enginePort),
                "EMITKIT_LOCAL_DATA_DIR", engineData.toString()), jvmOptions(), Path.of("target", "ingest-bench-embedded.log"))) {
            accepted.set(0);
            lines.addAll(measure("service + embedded engine", service, service.newApiKey("unlimited", List.of("write")), true).lines());
            String token = new JsonObject(Files.readString(engineData.resolve("tokens.json"))).getString("admin_token");
            String row = new JsonObject().put("id", "bench").put("organization_id", "org_bench_direct").put("site_id", "s")
                    .put("channel_id", "c").put("retention_tier", "basic").put("title", "Payment received")
                    .put("created_at", Instant.now().toString().replace('T', ' ').replace("Z", "")).encode();
            lines.add(line("embedded Events API directly, one row, wait=true", wrk("http://127.0.0.1:" + enginePort
                    + "/v0/events?name=events&wait=true", row, Map.of("Authorization", "Bearer " + token), CONNECTIONS[0]), 1));
            long stored = given().baseUri("http://127.0.0.1:" + enginePort).header("Authorization", "Bearer " + token)
                    .queryParam("q", "SELECT count() AS n FROM events WHERE channel_name = 'payments' FORMAT JSON")
                    .get("/v0/sql").then().statusCode(200).extract().jsonPath().getLong("data[0].n");
            // wrk counts the answers it got; a request still open when a run ends may be stored too.
            assertTrue(stored >= accepted.get(), "every accepted event is stored: " + stored + " of " + accepted.get());
            lines.add(String.format("  events stored by the engine: %,d (answered 201: %,d)", stored, accepted.get()));
        }
        return lines;
    }

    /** {@code -Dbenchmark.env=NAME=value,NAME=value}: settings for the service under test, e.g. to compare a default. */
    private static Map<String, String> withExtraEnv(Map<String, String> env) {
        Map<String, String> all = new java.util.HashMap<>(env);
        for (String pair : System.getProperty("benchmark.env", "").split(",")) {
            if (pair.contains("=")) {
                all.put(pair.substring(0, pair.indexOf('=')).trim(), pair.substring(pair.indexOf('=') + 1).trim());
            }
        }
        return all;
    }

    private static List<String> jvmOptions() {
        return List.of(System.getProperty("benchmark.jvm", DEFAULT_JVM).trim().split("\\s+"));
    }

    /**
     * Warm-up, then one event per request at each connection count (the bare handler right before the 512 run),
     * batches, an open loop at 80% of the one-event peak next to the same schedule against the bare handler, RSS.
     * The ceiling run ({@code full} false) only measures the 512 run and batches.
     */
    private Run measure(String name, PackagedService service, String key, boolean full) throws Exception {
        Map<String, String> auth = Map.of("Authorization", "Bearer " + key);
        String single = service.base() + "/v1/events";
        String batch = service.base() + "/v1/events/batch";
        // The JIT compiles the hot paths in the first seconds; measured runs start after that.
        accepted.addAndGet(wrk(single, sampleEvent(), auth, CONNECTIONS[CONNECTIONS.length - 1]).succeeded()
                + wrk(batch, sampleBatch(), auth, CONNECTIONS[0]).succeeded() * BATCH);

        List<String> lines = new ArrayList<>();
        Load peak = null;
        Load bare512 = null;
        Load single512 = null;
        for (int connections : full ? CONNECTIONS : new int[] {CONNECTIONS[CONNECTIONS.length - 1]}) {
            if (connections == CONNECTIONS[CONNECTIONS.length - 1]) {
                bare512 = wrk("http://127.0.0.1:" + bare.actualPort() + "/v1/events", sampleEvent(), Map.of(), connections);
                lines.add(line("bare Vert.x handler answering 202 (this machine's ceiling)", bare512, 1));
            }
            CpuUse cpu = CpuUse.mark(service.process().pid());
            Load load = wrk(single, sampleEvent(), auth, connections);
            String used = cpu.since();
            accepted.addAndGet(load.succeeded());
            lines.add(line(name + ": POST /v1/events", load, 1));
            lines.add("    CPU: " + used);
            assertEquals(0, load.errors(), "no request may fail under load");
            if (peak == null || load.requestsPerSecond() > peak.requestsPerSecond()) {
                peak = load;
            }
            single512 = load;
        }
        CpuUse cpu = CpuUse.mark(service.process().pid());
        Load batches = wrk(batch, sampleBatch(), auth, CONNECTIONS[0]);
        String used = cpu.since();
        lines.add(line(name + ": POST /v1/events/batch (" + BATCH + " events)", batches, BATCH));
        lines.add("    CPU: " + used);
        assertEquals(0, batches.errors());
        accepted.addAndGet(batches.succeeded() * BATCH);
        OpenLoop open = null;
        int rate = (int) (peak.requestsPerSecond() * OPEN_LOOP_SHARE);
        if (full) {
            open = openLoop(service.base(), "/v1/events", sampleEvent(), key, rate, 201);
            accepted.addAndGet(open.sent() - open.errors());
            // The same schedule against the bare handler: what this machine's load generator itself adds.
            OpenLoop control = openLoop("http://127.0.0.1:" + bare.actualPort(), "/v1/events", sampleEvent(), key, rate, 202);
            lines.add(String.format("  open loop at %.0f%% of the one-event peak (%,d req/s for %d s): p50 %.1f ms, p99 %.1f ms,"
                    + " max %.1f ms, %d errors; the bare handler on the same schedule: p50 %.1f ms, p99 %.1f ms",
                    OPEN_LOOP_SHARE * 100, rate, OPEN_LOOP_SECONDS, open.p50(), open.p99(), open.max(), open.errors(),
                    control.p50(), control.p99()));
        }
        long[] rss = service.rssMegabytes();
        lines.add(String.format("  service process RSS: %d MB now, %d MB at its highest", rss[0], rss[1]));
        return new Run(lines, bare512.requestsPerSecond(), single512.requestsPerSecond(), batches.requestsPerSecond() * BATCH,
                open, rate, rss[1]);
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
        return String.format("%-66s %6d %,10.0f %9s %9s %6d", name, load.connections(), load.requestsPerSecond() * eventsPerRequest,
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

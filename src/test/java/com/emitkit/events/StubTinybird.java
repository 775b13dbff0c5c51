package com.emitkit.events;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;

import io.vertx.core.json.JsonObject;

import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.GZIPInputStream;

import static io.restassured.RestAssured.given;

/**
 * A stand-in for Tinybird in a process of its own, as the service sees production's: {@code POST /v0/events}
 * answers 200 and Tinybird's success body ({@code successful_rows} counted from the NDJSON, gzip or not) after
 * a delay, or 429 with {@code Retry-After} on a share of calls; any other path answers an empty pipe result
 * (the readiness check's query). {@code GET /stub/stats} reports the calls and rows answered.
 *
 * <p>{@code java -cp <test classpath> com.emitkit.events.StubTinybird [port] [delayMillis] [share429]}: port 0
 * takes a free one; the first line printed is {@code listening on <port>}.
 */
public final class StubTinybird {

    /** Tinybird's own Events API answers in tens of milliseconds. */
    public static final int DEFAULT_DELAY_MILLIS = 30;

    private final AtomicLong calls = new AtomicLong();
    private final AtomicLong rows = new AtomicLong();
    private final AtomicLong throttled = new AtomicLong();
    private final Vertx vertx;
    private final int delayMillis;
    private final double throttledShare;

    private StubTinybird(Vertx vertx, int delayMillis, double throttledShare) {
        this.vertx = vertx;
        this.delayMillis = delayMillis;
        this.throttledShare = throttledShare;
    }

    /** A stub started by {@link #launch} as a process of its own. */
    public record Running(Process process, int port) implements AutoCloseable {
        public String url() {
            return "http://127.0.0.1:" + port;
        }

        /** Calls, rows and throttled calls answered so far. */
        public JsonObject stats() {
            return new JsonObject(given().baseUri(url()).get("/stub/stats").then().statusCode(200).extract().asString());
        }

        @Override
        public void close() throws InterruptedException {
            process.destroy();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }

    /** Starts a stub answering after {@code delayMillis} in a new JVM on this test classpath, on a free port. */
    public static Running launch(int delayMillis) throws IOException {
        Process process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx128m",
                "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"), StubTinybird.class.getName(), "0",
                Integer.toString(delayMillis)).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String first = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8)).readLine();
        if (first == null || !first.startsWith("listening on ")) {
            process.destroyForcibly();
            throw new IOException("the stub Tinybird did not start: " + first);
        }
        return new Running(process, Integer.parseInt(first.substring("listening on ".length()).trim()));
    }

    public static void main(String[] args) throws Exception {
        int port = args.length > 0 ? Integer.parseInt(args[0]) : 0;
        int delay = args.length > 1 ? Integer.parseInt(args[1]) : DEFAULT_DELAY_MILLIS;
        double share = args.length > 2 ? Double.parseDouble(args[2]) : 0;
        // One event loop: Tinybird's side of the machine should take little of the service's two cores.
        Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1));
        StubTinybird stub = new StubTinybird(vertx, delay, share);
        HttpServer server = vertx.createHttpServer().requestHandler(stub::handle).listen(port, "127.0.0.1")
                .toCompletionStage().toCompletableFuture().get();
        System.out.println("listening on " + server.actualPort());
        System.out.flush();
    }

    private void handle(HttpServerRequest request) {
        request.body().onSuccess(body -> {
            if (request.path().equals("/stub/stats")) {
                request.response().putHeader("Content-Type", "application/json").end("{\"calls\":" + calls.get()
                        + ",\"rows\":" + rows.get() + ",\"throttled\":" + throttled.get() + "}");
            } else if (!request.path().equals("/v0/events")) {
                request.response().putHeader("Content-Type", "application/json").end("{\"data\":[],\"rows\":0}");
            } else if (throttledShare > 0 && ThreadLocalRandom.current().nextDouble() < throttledShare) {
                throttled.incrementAndGet();
                request.response().setStatusCode(429).putHeader("Retry-After", "1").putHeader("Content-Type", "application/json")
                        .end("{\"error\":\"Too many requests\"}");
            } else {
                long lines = lines(body, "gzip".equalsIgnoreCase(request.getHeader("Content-Encoding")));
                calls.incrementAndGet();
                rows.addAndGet(lines);
                String answer = "{\"successful_rows\":" + lines + ",\"quarantined_rows\":0}";
                if (delayMillis <= 0) {
                    respond(request, answer);
                } else {
                    vertx.setTimer(delayMillis, ignored -> respond(request, answer));
                }
            }
        });
    }

    private static void respond(HttpServerRequest request, String answer) {
        request.response().putHeader("Content-Type", "application/json").end(answer);
    }

    /** The NDJSON rows of a body: its non-empty lines. */
    private static long lines(Buffer body, boolean gzip) {
        byte[] bytes = body.getBytes();
        try (InputStream in = gzip ? new GZIPInputStream(new ByteArrayInputStream(bytes), 1 << 16) : new ByteArrayInputStream(bytes)) {
            byte[] chunk = new byte[1 << 16];
            long count = 0;
            int last = '\n';
            for (int n; (n = in.read(chunk)) > 0; ) {
                for (int i = 0; i < n; i++) {
                    if (chunk[i] == '\n' && last != '\n') {
                        count++;
                    }
                    last = chunk[i];
                }
            }
            return last == '\n' ? count : count + 1;
        } catch (IOException e) {
            return 0;
        }
    }
}

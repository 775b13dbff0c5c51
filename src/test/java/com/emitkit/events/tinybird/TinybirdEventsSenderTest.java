package com.emitkit.events.tinybird;

import com.emitkit.events.config.EmitKitConfig;
import com.emitkit.events.config.TestConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.core.http.HttpServer;
import io.vertx.mutiny.core.http.HttpServerRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Consumer;
import java.util.zip.GZIPInputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The Events API sender against a scripted fake Tinybird on loopback. */
class TinybirdEventsSenderTest {

    /** One request the fake received. */
    record Received(String uri, String authorization, List<String> rows, long atMillis) {
    }

    Vertx vertx;
    HttpServer fake;
    final List<Received> received = Collections.synchronizedList(new ArrayList<>());
    /** Scripted answers, in order; when empty, a 200 counting every row as successful. */
    final ConcurrentLinkedQueue<Consumer<HttpServerRequest>> script = new ConcurrentLinkedQueue<>();
    SimpleMeterRegistry metrics;
    TinybirdEventsSender sender;

    @BeforeEach
    void start() {
        vertx = Vertx.vertx();
        fake = vertx.createHttpServer().requestHandler(request -> request.body().subscribe().with(body -> {
            List<String> rows = gunzipLines(body.getBytes());
            received.add(new Received(request.uri(), request.getHeader("Authorization"), rows, System.currentTimeMillis()));
            Consumer<HttpServerRequest> answer = script.poll();
            if (answer != null) {
                answer.accept(request);
            } else {
                request.response().setStatusCode(200).putHeader("Content-Type", "application/json")
                        .endAndForget(new JsonObject().put("successful_rows", rows.size()).put("quarantined_rows", 0).encode());
            }
        })).listenAndAwait(0, "127.0.0.1");
        metrics = new SimpleMeterRegistry();
        TinybirdTarget target = new TinybirdTarget(URI.create("http://127.0.0.1:" + fake.actualPort()), "p.test-token", false);
        TinybirdClient client = new TinybirdClient(vertx, () -> target, Duration.ofSeconds(2));
        EmitKitConfig config = TestConfig.emitKit(Map.of("emitkit.tinybird.batch.max-rows", "100",
                "emitkit.tinybird.batch.linger", "20ms", "emitkit.tinybird.retry.max-attempts", "4",
                "emitkit.tinybird.retry.initial-backoff", "20ms", "emitkit.tinybird.retry.max-backoff", "200ms"));
        sender = new TinybirdEventsSender(vertx, client, config, metrics);
    }

    @AfterEach
    void stop() {
        fake.closeAndAwait();
        vertx.closeAndAwait();
    }

    private static List<String> gunzipLines(byte[] gzipped) {
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(gzipped))) {
            String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            return text.lines().filter(l -> !l.isBlank()).toList();
        } catch (IOException e) {
            throw new IllegalStateException("the sender must gzip its bodies", e);
        }
    }

    private static Consumer<HttpServerRequest> status(int status, String... headers) {
        return request -> {
            var response = request.response().setStatusCode(status).putHeader("Content-Type", "text/plain");
            for (int i = 0; i < headers.length; i += 2) {
                response.putHeader(headers[i], headers[i + 1]);
            }
            response.endAndForget("scripted " + status);
        };
    }

    private List<Uni<Void>> sendMany(int count) {
        List<Uni<Void>> sends = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            sends.add(sender.send("events", new JsonObject().put("id", "e" + i)));
        }
        return sends;
    }

    private static void awaitAll(List<Uni<Void>> sends) {
        Uni.join().all(sends).andFailFast().await().atMost(Duration.ofSeconds(20));
    }

    @Test
    void concurrentRowsAreCoalescedIntoFewCallsAndEachArrivesOnce() {
        awaitAll(sendMany(450));
        Set<String> ids = new HashSet<>();
        int rows = 0;
        for (Received r : received) {
            rows += r.rows().size();
            r.rows().forEach(line -> ids.add(new JsonObject(line).getString("id")));
            assertTrue(r.uri().startsWith("/v0/events?"), r.uri());
            assertTrue(r.uri().contains("name=events") && r.uri().contains("wait=true"), r.uri());
            assertFalse(r.uri().contains("p.test-token"), "the token never goes in the URL");
            assertEquals("Bearer p.test-token", r.authorization());
        }
        assertEquals(450, rows);
        assertEquals(450, ids.size());
        assertTrue(received.size() <= 6, "450 rows in batches of 100 need 5 calls, not " + received.size());
        assertEquals(0, sender.pendingRows());
    }

    @Test
    void whileACallIsInFlightTheNextBatchKeepsGrowing() {
        script.add(request -> vertx.setTimer(300, id -> request.response().setStatusCode(200)
                .endAndForget(new JsonObject().put("successful_rows", 1).put("quarantined_rows", 0).encode())));
        Uni<Void> first = sender.send("events", new JsonObject().put("id", "first")).memoize().indefinitely();
        first.subscribe().with(ignored -> { }, ignored -> { });
        io.smallrye.mutiny.Uni.createFrom().voidItem().onItem().delayIt().by(Duration.ofMillis(100)).await().indefinitely();
        awaitAll(sendMany(40));
        first.await().atMost(Duration.ofSeconds(5));
        assertEquals(List.of(1, 40), received.stream().map(r -> r.rows().size()).toList(),
                "the 40 rows that came during the first call went out together after it");
    }

    @Test
    void aLoneRowIsSentAfterTheLingerTime() {
        long start = System.currentTimeMillis();
        sender.send("events", new JsonObject().put("id", "alone")).await().atMost(Duration.ofSeconds(5));
        assertEquals(1, received.size());
        assertTrue(received.getFirst().atMillis() - start >= 15, "waited for more rows first");
    }

    @Test
    void a429IsRetriedAfterRetryAfter() {
        script.add(status(429, "Retry-After", "1"));
        sender.send("events", new JsonObject().put("id", "limited")).await().atMost(Duration.ofSeconds(10));
        assertEquals(2, received.size());
        long waited = received.get(1).atMillis() - received.get(0).atMillis();
        assertTrue(waited >= 950, "retried after " + waited + " ms, before Retry-After");
        assertEquals(1.0, metrics.counter("emitkit.tinybird.events.retries", "reason", "429").count());
    }

    @Test
    void a429WithoutRetryAfterFallsBackToTheRateLimitReset() {
        script.add(status(429, "X-RateLimit-Reset", "0.5"));
        sender.send("events", new JsonObject().put("id", "limited")).await().atMost(Duration.ofSeconds(10));
        assertEquals(2, received.size());
        assertTrue(received.get(1).atMillis() - received.get(0).atMillis() >= 450);
    }

    @Test
    void a503IsRetriedWithBackoffUntilItSucceeds() {
        script.add(status(503));
        script.add(status(503));
        awaitAll(sendMany(10));
        assertEquals(3, received.size());
        assertEquals(10, received.get(2).rows().size());
        assertEquals(2.0, metrics.counter("emitkit.tinybird.events.retries", "reason", "503").count());
    }

    @Test
    void retriesAreBounded() {
        for (int i = 0; i < 10; i++) {
            script.add(status(503));
        }
        TinybirdException error = assertThrows(TinybirdException.class,
                () -> sender.send("events", new JsonObject().put("id", "doomed")).await().atMost(Duration.ofSeconds(20)));
        assertEquals(503, error.status());
        assertEquals(4, received.size());
    }

    @Test
    void a400IsNotRetriedAndReachesEveryCaller() {
        script.add(status(400));
        // Subscribed together, so that the three rows share one batch.
        List<Uni<Void>> sends = sendMany(3).stream().map(send -> send.memoize().indefinitely()).toList();
        sends.forEach(send -> send.subscribe().with(ignored -> { }, ignored -> { }));
        for (Uni<Void> send : sends) {
            Throwable failure = assertThrows(RuntimeException.class, () -> send.await().atMost(Duration.ofSeconds(5)));
            assertInstanceOf(TinybirdException.class, failure);
            assertEquals(400, ((TinybirdException) failure).status());
            assertFalse(failure.getMessage().contains("p.test-token"));
        }
        assertEquals(1, received.size());
    }

    @Test
    void aConnectionClosedMidRequestIsRetried() {
        script.add(request -> request.connection().closeAndForget());
        sender.send("events", new JsonObject().put("id", "reset")).await().atMost(Duration.ofSeconds(10));
        assertEquals(2, received.size());
        assertEquals(1.0, metrics.counter("emitkit.tinybird.events.retries", "reason", "connection").count());
    }

    @Test
    void quarantinedRowsAreCountedNotIgnored() {
        script.add(request -> request.response().setStatusCode(200)
                .endAndForget(new JsonObject().put("successful_rows", 1).put("quarantined_rows", 2).encode()));
        awaitAll(sendMany(3));
        assertEquals(2.0, metrics.counter("emitkit.tinybird.quarantined.rows").count());
    }
}

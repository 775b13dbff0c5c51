package com.emitkit.events.tinybird;

import com.emitkit.events.config.EmitKitConfig;
import com.emitkit.events.config.TestConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonArray;
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
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Events API sender against a scripted fake Tinybird on loopback. The fake stores the ids of the
 * rows it acknowledged and answers the sender's id lookups ({@code /v0/sql}) from them, like Tinybird.
 */
class TinybirdEventsSenderTest {

    /** One Events API call the fake received. */
    record Received(String uri, String authorization, List<String> rows, long atMillis) {
    }

    /** One batch handed to the fallback. */
    record Kept(List<String> ids, boolean mayHaveLanded, String reason) {
    }

    Vertx vertx;
    HttpServer fake;
    final List<Received> received = Collections.synchronizedList(new ArrayList<>());
    final List<String> lookups = Collections.synchronizedList(new ArrayList<>());
    /** How many times the fake stored each id. */
    final Map<String, Integer> stored = new ConcurrentHashMap<>();
    /** Scripted answers to Events API calls, in order; when empty, store the rows and answer 200. */
    final ConcurrentLinkedQueue<Consumer<Call>> script = new ConcurrentLinkedQueue<>();
    final List<Kept> kept = Collections.synchronizedList(new ArrayList<>());
    volatile boolean fallbackWorks = true;
    SimpleMeterRegistry metrics;
    TinybirdEventsSender sender;

    /** An Events API call in the fake, to answer. */
    record Call(HttpServerRequest request, List<String> rows, Runnable store) {
    }

    @BeforeEach
    void start() {
        vertx = Vertx.vertx();
        fake = vertx.createHttpServer().requestHandler(request -> request.body().subscribe().with(body -> {
            if (request.path().equals("/v0/sql")) {
                lookup(request, body.toString());
                return;
            }
            List<String> rows = gunzipLines(body.getBytes());
            received.add(new Received(request.uri(), request.getHeader("Authorization"), rows, System.currentTimeMillis()));
            Runnable store = () -> rows.forEach(row -> stored.merge(new JsonObject(row).getString("id"), 1, Integer::sum));
            Consumer<Call> answer = script.poll();
            if (answer != null) {
                answer.accept(new Call(request, rows, store));
            } else {
                store.run();
                ok(request, rows.size(), 0);
            }
        })).listenAndAwait(0, "127.0.0.1");
        sender = sender(Map.of());
    }

    private TinybirdEventsSender sender(Map<String, String> overrides) {
        metrics = new SimpleMeterRegistry();
        Map<String, String> properties = new HashMap<>(Map.of("emitkit.tinybird.batch.max-rows", "100",
                "emitkit.tinybird.batch.linger", "20ms", "emitkit.tinybird.retry.max-attempts", "4",
                "emitkit.tinybird.retry.initial-backoff", "20ms", "emitkit.tinybird.retry.max-backoff", "200ms",
                "emitkit.tinybird.timeout", "1s", "emitkit.tinybird.circuit-breaker.request-volume", "1000"));
        properties.putAll(overrides);
        EmitKitConfig config = TestConfig.emitKit(properties);
        TinybirdTarget target = new TinybirdTarget(URI.create("http://127.0.0.1:" + fake.actualPort()), "p.test-token", false);
        TinybirdClient client = new TinybirdClient(vertx, () -> target, config.tinybird().timeout(),
                config.tinybird().circuitBreaker(), metrics);
        DeliveryFallback fallback = (datasource, rows, mayHaveLanded, reason) -> {
            if (!fallbackWorks) {
                return Uni.createFrom().failure(new IllegalStateException("database down"));
            }
            kept.add(new Kept(rows.stream().map(TinybirdRow::id).toList(), mayHaveLanded, reason));
            return Uni.createFrom().voidItem();
        };
        return new TinybirdEventsSender(vertx, new DeliveryPolicy(new EventsApiWriter(client, metrics), fallback, config, metrics),
                config, metrics);
    }

    @AfterEach
    void stop() {
        fake.closeAndAwait();
        vertx.closeAndAwait();
    }

    private static final Pattern ID_LIST = Pattern.compile("AND id IN \\(([^)]*)\\)");

    private void lookup(HttpServerRequest request, String sql) {
        lookups.add(sql);
        Matcher ids = ID_LIST.matcher(sql);
        assertTrue(ids.find(), sql);
        JsonArray data = new JsonArray();
        for (String quoted : ids.group(1).split(",")) {
            String id = quoted.substring(1, quoted.length() - 1);
            if (stored.containsKey(id)) {
                data.add(new JsonObject().put("id", id));
            }
        }
        request.response().putHeader("Content-Type", "application/json")
                .endAndForget(new JsonObject().put("data", data).encode());
    }

    private static void ok(HttpServerRequest request, int successful, int quarantined) {
        request.response().setStatusCode(200).putHeader("Content-Type", "application/json")
                .endAndForget(new JsonObject().put("successful_rows", successful).put("quarantined_rows", quarantined).encode());
    }

    private static List<String> gunzipLines(byte[] gzipped) {
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(gzipped))) {
            String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            return text.lines().filter(l -> !l.isBlank()).toList();
        } catch (IOException e) {
            throw new IllegalStateException("the sender must gzip its bodies", e);
        }
    }

    private static Consumer<Call> status(int status, String... headers) {
        return call -> {
            var response = call.request().response().setStatusCode(status).putHeader("Content-Type", "text/plain")
                    .putHeader("X-Request-ID", "upstream-" + status);
            for (int i = 0; i < headers.length; i += 2) {
                response.putHeader(headers[i], headers[i + 1]);
            }
            response.endAndForget("scripted " + status);
        };
    }

    private static TinybirdRow row(String id) {
        String organization = "org_1";
        String createdAt = "2026-11-25 10:00:00.000";
        return new TinybirdRow(id, organization, createdAt, new JsonObject().put("id", id)
                .put("organization_id", organization).put("created_at", createdAt).encode());
    }

    /** One row through {@code sendAll}, failing with the reason it was not stored. */
    private Uni<Void> send(TinybirdRow row) {
        return sender.sendAll("events", List.of(row)).flatMap(outcomes -> outcomes.getFirst() == null
                ? Uni.createFrom().voidItem() : Uni.createFrom().failure(outcomes.getFirst()));
    }

    private List<Uni<Void>> sendMany(int count) {
        List<Uni<Void>> sends = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            sends.add(send(row("e" + i)));
        }
        return sends;
    }

    private static void awaitAll(List<Uni<Void>> sends) {
        Uni.join().all(sends).andFailFast().await().atMost(Duration.ofSeconds(20));
    }

    /** Subscribed together, so that the rows share one batch. */
    private List<Uni<Void>> startTogether(int count) {
        List<Uni<Void>> sends = sendMany(count).stream().map(send -> send.memoize().indefinitely()).toList();
        sends.forEach(send -> send.subscribe().with(ignored -> { }, ignored -> { }));
        return sends;
    }

    private void assertEachStoredOnce(int count) {
        for (int i = 0; i < count; i++) {
            assertEquals(1, stored.getOrDefault("e" + i, 0), "e" + i + " stored once");
        }
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
        assertTrue(lookups.isEmpty(), "nothing to look up when every call succeeded");
    }

    @Test
    void whileACallIsInFlightTheNextBatchKeepsGrowing() {
        script.add(call -> vertx.setTimer(300, id -> {
            call.store().run();
            ok(call.request(), 1, 0);
        }));
        Uni<Void> first = send(row("first")).memoize().indefinitely();
        first.subscribe().with(ignored -> { }, ignored -> { });
        Uni.createFrom().voidItem().onItem().delayIt().by(Duration.ofMillis(100)).await().indefinitely();
        awaitAll(sendMany(40));
        first.await().atMost(Duration.ofSeconds(5));
        assertEquals(List.of(1, 40), received.stream().map(r -> r.rows().size()).toList(),
                "the 40 rows that came during the first call went out together after it");
    }

    @Test
    void aLoneRowIsSentAfterTheLingerTime() {
        long start = System.currentTimeMillis();
        send(row("alone")).await().atMost(Duration.ofSeconds(5));
        assertEquals(1, received.size());
        assertTrue(received.getFirst().atMillis() - start >= 15, "waited for more rows first");
    }

    @Test
    void inServerlessModeARowGoesOutAtOnce() {
        sender = sender(Map.of("emitkit.serverless", "true", "emitkit.tinybird.batch.linger", "2s"));
        long start = System.currentTimeMillis();
        send(row("now")).await().atMost(Duration.ofSeconds(5));
        assertTrue(System.currentTimeMillis() - start < 1000, "no linger when the process may be frozen after the answer");
    }

    @Test
    void a429IsRetriedAfterRetryAfterWithoutALookup() {
        script.add(status(429, "Retry-After", "1"));
        send(row("limited")).await().atMost(Duration.ofSeconds(10));
        assertEquals(2, received.size());
        long waited = received.get(1).atMillis() - received.get(0).atMillis();
        assertTrue(waited >= 950, "retried after " + waited + " ms, before Retry-After");
        assertEquals(1.0, metrics.counter("emitkit.tinybird.events.retries", "reason", "429").count());
        assertTrue(lookups.isEmpty(), "a 429 stored nothing");
    }

    @Test
    void a429WithoutRetryAfterFallsBackToTheRateLimitReset() {
        script.add(status(429, "X-RateLimit-Reset", "0.5"));
        send(row("limited")).await().atMost(Duration.ofSeconds(10));
        assertEquals(2, received.size());
        assertTrue(received.get(1).atMillis() - received.get(0).atMillis() >= 450);
    }

    @Test
    void a429StormIsWaitedOutThenTheBatchIsKept() {
        for (int i = 0; i < 10; i++) {
            script.add(status(429, "Retry-After", "0.2"));
        }
        long start = System.currentTimeMillis();
        awaitAll(sendMany(5));
        assertEquals(4, received.size(), "max-attempts calls, each after its Retry-After");
        assertTrue(System.currentTimeMillis() - start >= 600);
        assertEquals(List.of(new Kept(List.of("e0", "e1", "e2", "e3", "e4"), false, "rate limited")), kept);
    }

    @Test
    void aRetryAfterLongerThanTheLimitIsNotWaitedFor() {
        script.add(status(429, "Retry-After", "3600"));
        long start = System.currentTimeMillis();
        send(row("later")).await().atMost(Duration.ofSeconds(5));
        assertTrue(System.currentTimeMillis() - start < 2000);
        assertEquals(1, kept.size());
    }

    @Test
    void a503IsRetriedWithBackoffUntilItSucceeds() {
        script.add(status(503));
        script.add(status(503));
        awaitAll(sendMany(10));
        assertEquals(3, received.size());
        assertEquals(10, received.get(2).rows().size());
        assertEquals(2.0, metrics.counter("emitkit.tinybird.events.retries", "reason", "503").count());
        assertEachStoredOnce(10);
    }

    @Test
    void aFailureAfterTheRowsWereStoredIsRetriedWithoutStoringThemTwice() {
        // Tinybird stored the batch, then the answer was a 500 (or the connection broke).
        script.add(call -> {
            call.store().run();
            status(500).accept(call);
        });
        awaitAll(startTogether(10));
        assertEquals(1, lookups.size(), "the retry asked which rows had landed");
        assertEquals(1, received.size(), "and found all of them: nothing sent again");
        assertEachStoredOnce(10);
    }

    @Test
    void aConnectionClosedMidRequestIsRetriedAndOnlyTheMissingRowsAreSent() {
        script.add(call -> {
            // Half the rows made it before the connection went.
            call.rows().subList(0, 5).forEach(row -> stored.merge(new JsonObject(row).getString("id"), 1, Integer::sum));
            call.request().connection().closeAndForget();
        });
        awaitAll(startTogether(10));
        assertEquals(2, received.size());
        assertEquals(5, received.get(1).rows().size(), "only the rows that had not landed");
        assertEquals(1.0, metrics.counter("emitkit.tinybird.events.retries", "reason", "connection").count());
        assertEachStoredOnce(10);
    }

    @Test
    void exhaustedRetriesKeepTheBatchAsMaybeLanded() {
        for (int i = 0; i < 10; i++) {
            script.add(status(503));
        }
        awaitAll(startTogether(3));
        assertEquals(4, received.size());
        assertEquals(List.of(new Kept(List.of("e0", "e1", "e2"), true, "retries exhausted")), kept);
        assertEquals(3.0, metrics.counter("emitkit.tinybird.fallback.rows").count());
    }

    @Test
    void whenNeitherTinybirdNorTheFallbackTakeABatchEveryCallerGetsTheUpstreamError() {
        fallbackWorks = false;
        for (int i = 0; i < 10; i++) {
            script.add(status(503));
        }
        for (Uni<Void> send : startTogether(3)) {
            Throwable failure = assertThrows(RuntimeException.class, () -> send.await().atMost(Duration.ofSeconds(20)));
            assertInstanceOf(TinybirdException.class, failure);
            assertEquals(503, ((TinybirdException) failure).status());
            assertEquals("upstream-503", ((TinybirdException) failure).requestId());
        }
    }

    @Test
    void a400IsNotRetriedAndTheBatchIsKept() {
        script.add(status(400));
        awaitAll(startTogether(3));
        assertEquals(1, received.size());
        assertEquals(List.of(new Kept(List.of("e0", "e1", "e2"), false, "refused (400)")), kept);
    }

    @Test
    void a400ReachesTheCallersWhenTheBatchCannotBeKept() {
        fallbackWorks = false;
        script.add(status(400));
        for (Uni<Void> send : startTogether(3)) {
            Throwable failure = assertThrows(RuntimeException.class, () -> send.await().atMost(Duration.ofSeconds(5)));
            assertInstanceOf(TinybirdException.class, failure);
            assertEquals(400, ((TinybirdException) failure).status());
            assertFalse(failure.getMessage().contains("p.test-token"));
        }
        assertEquals(1, received.size());
    }

    @Test
    void aTimeoutKeepsTheBatchAtOnceAsMaybeLanded() {
        // Slower than the client's 1 s timeout; the rows still land upstream in the end.
        script.add(call -> vertx.setTimer(1500, id -> {
            call.store().run();
            ok(call.request(), call.rows().size(), 0);
        }));
        long start = System.currentTimeMillis();
        awaitAll(startTogether(2));
        long took = System.currentTimeMillis() - start;
        assertTrue(took < 1500, "answered after the timeout, not after the slow upstream: " + took + " ms");
        assertEquals(List.of(new Kept(List.of("e0", "e1"), true, "timeout")), kept);
        assertEquals(1, received.size(), "not retried into a slow upstream");
    }

    @Test
    void anOpenCircuitKeepsBatchesWithoutCallingTinybird() {
        sender = sender(Map.of("emitkit.tinybird.circuit-breaker.request-volume", "4",
                "emitkit.tinybird.circuit-breaker.delay", "10s"));
        for (int i = 0; i < 4; i++) {
            script.add(status(503));
        }
        awaitAll(startTogether(1));
        int calls = received.size();
        assertEquals(2, calls, "503, lookup, 503, lookup: half of the last 4 calls failed and the circuit opened");
        assertEquals("circuit open", kept.getLast().reason());
        long start = System.currentTimeMillis();
        send(row("fast")).await().atMost(Duration.ofSeconds(5));
        assertTrue(System.currentTimeMillis() - start < 500, "an open circuit answers in milliseconds");
        assertEquals(calls, received.size(), "Tinybird was not called while the circuit is open");
        assertEquals("circuit open", kept.getLast().reason());
    }

    @Test
    void rowsSentTogetherAreAnsweredEachByTheCallThatCarriedThem() {
        // 150 rows with at most 100 per call: two calls. The first is refused (400) and cannot be kept.
        fallbackWorks = false;
        script.add(status(400));
        List<TinybirdRow> rows = new ArrayList<>();
        for (int i = 0; i < 150; i++) {
            rows.add(row("e" + i));
        }
        List<Throwable> outcomes = sender.sendAll("events", rows).await().atMost(Duration.ofSeconds(20));
        assertEquals(150, outcomes.size());
        assertEquals(2, received.size());
        for (int i = 0; i < 150; i++) {
            if (i < 100) {
                assertInstanceOf(TinybirdException.class, outcomes.get(i), "e" + i + " went in the refused call");
                assertEquals(0, stored.getOrDefault("e" + i, 0));
            } else {
                assertEquals(null, outcomes.get(i), "e" + i + " went in the acknowledged call");
                assertEquals(1, stored.get("e" + i));
            }
        }
        assertEquals(0, sender.pendingRows());
    }

    @Test
    void rowsOverThePendingLimitAreRefusedTogether() {
        sender = sender(Map.of("emitkit.tinybird.batch.max-pending-rows", "5"));
        List<Throwable> outcomes = sender.sendAll("events", List.of(row("a"), row("b"), row("c"), row("d"), row("e"), row("f")))
                .await().atMost(Duration.ofSeconds(5));
        assertEquals(6, outcomes.size());
        outcomes.forEach(failure -> assertInstanceOf(TinybirdEventsSender.Overloaded.class, failure));
        assertTrue(received.isEmpty());
        assertEquals(java.util.Arrays.asList(null, null), sender.sendAll("events", List.of(row("a"), row("b"))).await().atMost(Duration.ofSeconds(5)));
    }

    @Test
    void pastThePendingLimitWritesAreRefusedInsteadOfQueued() {
        sender = sender(Map.of("emitkit.tinybird.batch.max-pending-rows", "5", "emitkit.tinybird.batch.linger", "300ms"));
        List<Uni<Void>> sends = startTogether(5);
        assertThrows(TinybirdEventsSender.Overloaded.class,
                () -> send(row("sixth")).await().atMost(Duration.ofSeconds(5)));
        awaitAll(sends);
        send(row("later")).await().atMost(Duration.ofSeconds(5));
    }

    @Test
    void onShutdownABatchThatFailsIsKeptWithoutRetries() {
        sender = sender(Map.of("emitkit.tinybird.batch.linger", "1h"));
        script.add(status(503));
        List<Uni<Void>> sends = startTogether(2);
        sender.drain(Duration.ofSeconds(5));
        awaitAll(sends);
        assertEquals(1, received.size());
        assertEquals(List.of(new Kept(List.of("e0", "e1"), true, "shutting down")), kept);
    }

    @Test
    void onShutdownWaitingRowsAreSentAtOnce() {
        sender = sender(Map.of("emitkit.tinybird.batch.linger", "1h"));
        List<Uni<Void>> sends = startTogether(7);
        assertEquals(7, sender.pendingRows());
        sender.drain(Duration.ofSeconds(5));
        assertEquals(0, sender.pendingRows());
        awaitAll(sends);
        assertEachStoredOnce(7);
    }

    @Test
    void onShutdownABatchWaitingToBeRetriedIsNotWaitedFor() {
        script.add(status(429, "Retry-After", "20"));
        List<Uni<Void>> sends = startTogether(2);
        Uni.createFrom().voidItem().onItem().delayIt().by(Duration.ofMillis(300)).await().indefinitely();
        long start = System.currentTimeMillis();
        sender.drain(Duration.ofSeconds(10));
        assertTrue(System.currentTimeMillis() - start < 2000, "did not wait out Retry-After");
        awaitAll(sends);
        assertEquals(2, received.size(), "tried once more at once");
        assertEachStoredOnce(2);
    }

    @Test
    void quarantinedRowsAreCountedNotIgnored() {
        script.add(call -> ok(call.request(), 1, 2));
        awaitAll(startTogether(3));
        assertEquals(2.0, metrics.counter("emitkit.tinybird.quarantined.rows").count());
    }
}

package com.emitkit.events.query;

import com.emitkit.events.tenancy.Channels;
import com.emitkit.events.tenancy.TestTenants;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Reads (list, stats, stream connect) end to end against a Tinybird that fails: the service is pointed
 * at a scripted stand-in on loopback that answers every call with an error status and its own request id,
 * or never answers, with a 1 s Tinybird timeout.
 */
@QuarkusTest
@TestProfile(UpstreamFailureTest.FailingTinybirdProfile.class)
class UpstreamFailureTest {

    static final String UPSTREAM_REQUEST_ID = "tb-req-scripted-1";

    public static class FailingTinybirdProfile implements QuarkusTestProfile {
        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(ScriptedTinybird.class));
        }
    }

    /**
     * Answers every Tinybird API call with the status last scripted (and {@link #UPSTREAM_REQUEST_ID}), or,
     * scripted "silent", never. Scripted over HTTP ({@code PUT /script/<status|silent>}), since the test and
     * this resource may not share classes.
     */
    public static class ScriptedTinybird implements QuarkusTestResourceLifecycleManager {
        private Vertx vertx;

        @Override
        public Map<String, String> start() {
            vertx = Vertx.vertx();
            AtomicReference<String> script = new AtomicReference<>("503");
            HttpServer server = vertx.createHttpServer().requestHandler(request -> {
                if (request.path().startsWith("/script/")) {
                    script.set(request.path().substring("/script/".length()));
                    request.response().end();
                } else if (!script.get().equals("silent")) {
                    request.response().setStatusCode(Integer.parseInt(script.get())).putHeader("X-Request-ID", UPSTREAM_REQUEST_ID)
                            .putHeader("Content-Type", "application/json").end("{\"error\": \"scripted failure\"}");
                }
            }).listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().join();
            // The circuit breaker stays out of the way: each failure here must reach the mapping as Tinybird sent it.
            return Map.of("emitkit.tinybird.mode", "remote", "emitkit.tinybird.token", "p.scripted",
                    "emitkit.tinybird.api-url", "http://127.0.0.1:" + server.actualPort(), "emitkit.tinybird.timeout", "1s",
                    "emitkit.tinybird.circuit-breaker.request-volume", "100000");
        }

        @Override
        public void stop() {
            vertx.close().toCompletionStage().toCompletableFuture().orTimeout(10, TimeUnit.SECONDS).join();
        }
    }

    /** One answer: status, Retry-After, the JSON body, and how long it took. */
    record Answer(String read, int status, String retryAfter, JsonObject body, Duration took) {
    }

    @TestHTTPResource("/")
    URL service;

    @ConfigProperty(name = "emitkit.tinybird.api-url")
    URI tinybird;

    @Inject
    Channels channels;

    final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    private void script(String answer) throws Exception {
        HttpResponse<Void> scripted = http.send(HttpRequest.newBuilder(tinybird.resolve("/script/" + answer))
                .PUT(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.discarding());
        assertEquals(200, scripted.statusCode());
    }

    /** The three reads of one channel of a new organization (each scripted failure gets its own channel poller). */
    private List<Answer> reads() throws Exception {
        TestTenants.Tenant tenant = TestTenants.create("premium", List.of("read"));
        channels.resolve(tenant.organizationId(), tenant.siteId(), "payments", "", "").await().indefinitely();
        return List.of(read("list", "v1/events?channel=payments", tenant),
                read("stats", "v1/stats?channel=payments", tenant),
                read("stream connect", "v1/channels/payments/stream", tenant));
    }

    private Answer read(String name, String path, TestTenants.Tenant tenant) throws Exception {
        long start = System.nanoTime();
        // Bounded: a read that hung, or a stream that opened, fails the test instead of stalling it.
        HttpResponse<InputStream> response = http.send(HttpRequest.newBuilder(URI.create(service + path))
                .header("Authorization", "Bearer " + tenant.key()).header("Accept", "application/json, text/event-stream")
                .timeout(Duration.ofSeconds(15)).build(), HttpResponse.BodyHandlers.ofInputStream());
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        try (InputStream body = response.body()) {
            assertFalse(response.headers().firstValue("Content-Type").orElse("").startsWith("text/event-stream"),
                    name + " opened a stream on a failing Tinybird");
            return new Answer(name, response.statusCode(), response.headers().firstValue("Retry-After").orElse(null),
                    new JsonObject(new String(body.readAllBytes(), StandardCharsets.UTF_8)), took);
        }
    }

    @Test
    void tinybirdErrorsAreContractErrorsNamingTinybirdsRequestId() throws Exception {
        for (int upstream : new int[] {500, 503, 429, 400}) {
            script(Integer.toString(upstream));
            int expected = upstream == 400 ? 502 : 503;
            for (Answer answer : reads()) {
                String what = answer.read() + " when Tinybird answers " + upstream + ": " + answer.body();
                assertEquals(expected, answer.status(), what);
                assertEquals(false, answer.body().getBoolean("success"), what);
                assertNotNull(answer.body().getString("requestId"), what);
                assertTrue(answer.body().getString("error").contains("upstream " + upstream), what);
                assertTrue(answer.body().getString("error").contains(UPSTREAM_REQUEST_ID), what);
                assertEquals(expected == 503 ? "5" : null, answer.retryAfter(), what);
            }
        }
    }

    @Test
    void aTinybirdThatNeverAnswersIsA503WithinTheTimeout() throws Exception {
        script("silent");
        for (Answer answer : reads()) {
            String what = answer.read() + ": " + answer.body();
            assertEquals(503, answer.status(), what);
            assertEquals("5", answer.retryAfter(), what);
            assertTrue(answer.body().getString("error").contains("did not answer in time"), what);
            // The Tinybird timeout is 1 s here; a stream connect waits for one poll, bounded by it too.
            assertTrue(answer.took().compareTo(Duration.ofSeconds(5)) < 0, answer.read() + " took " + answer.took());
        }
    }
}

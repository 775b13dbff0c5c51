package com.emitkit.events.webhooks;

import com.emitkit.events.BenchmarkProfile;
import com.emitkit.events.tenancy.TestTenants;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A burst of 10,000 notify events to a site with 10 webhooks (all on one loopback receiver): the delivery rate,
 * p50/p99 from each event's 201 to each webhook's receipt of it, and the write path's throughput with those
 * webhooks next to the same burst for a site without any.
 */
@QuarkusTest
@Tag("benchmark")
@TestProfile(BenchmarkProfile.class)
class WebhookDeliveryBenchmark {

    private static final int EVENTS = 10_000;
    private static final int WEBHOOKS = 10;
    private static final int WRITERS = 32;

    @TestHTTPResource("/v1/events")
    URL events;

    /** When each event's 201 arrived (nanoTime), by event id; and the write path's events per second. */
    private record Burst(Map<String, Long> answeredAt, double perSecond) {
    }

    private Burst burst(String key, String label) throws Exception {
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        Map<String, Long> answeredAt = new ConcurrentHashMap<>();
        AtomicInteger next = new AtomicInteger();
        AtomicInteger failed = new AtomicInteger();
        long start = System.nanoTime();
        try (ExecutorService writers = Executors.newFixedThreadPool(WRITERS)) {
            List<Future<?>> running = new ArrayList<>();
            for (int w = 0; w < WRITERS; w++) {
                running.add(writers.submit(() -> {
                    for (int i = next.getAndIncrement(); i < EVENTS; i = next.getAndIncrement()) {
                        HttpRequest request = HttpRequest.newBuilder(URI.create(events.toString()))
                                .header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
                                .POST(HttpRequest.BodyPublishers.ofString("{\"channelName\":\"bench\",\"title\":\"" + label + " " + i
                                        + "\",\"tags\":[\"bench\"]}")).build();
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

    @Test
    void tenThousandNotifyEventsToTenWebhooks() throws Exception {
        TestTenants.Tenant quiet = TestTenants.create("unlimited", List.of("write"));
        TestTenants.Tenant notified = TestTenants.create("unlimited", List.of("write", "webhooks"));
        burst(quiet.key(), "warm-up");
        Burst without = burst(quiet.key(), "without");

        try (WebhookReceiver receiver = new WebhookReceiver()) {
            for (int w = 0; w < WEBHOOKS; w++) {
                given().header("Authorization", "Bearer " + notified.key()).contentType(ContentType.JSON)
                        .body(Map.of("url", receiver.url("/hook-" + w))).post("/v1/webhooks").then().statusCode(201);
            }
            long start = System.nanoTime();
            Burst with = burst(notified.key(), "with");
            long deadline = System.currentTimeMillis() + 15 * 60_000;
            while (System.currentTimeMillis() < deadline
                    && (receiver.count() < EVENTS * WEBHOOKS || receiver.distinctIds() < EVENTS * WEBHOOKS)) {
                Thread.sleep(500);
            }
            // A delivery received twice (a retry after an attempt that timed out on the sender's side) counts once,
            // at its first receipt.
            Map<String, Long> firstReceipt = new java.util.HashMap<>();
            int received = 0;
            for (int w = 0; w < WEBHOOKS; w++) {
                for (WebhookReceiver.Received r : receiver.at("/hook-" + w)) {
                    received++;
                    firstReceipt.merge(r.header("webhook-id") + " " + new JsonObject(r.body()).getString("event_id") + " " + w,
                            r.receivedAtNanos(), Math::min);
                }
            }
            List<Long> latenciesMicros = new ArrayList<>();
            long lastReceipt = 0;
            int deliveries = 0;
            for (Map.Entry<String, Long> receipt : firstReceipt.entrySet()) {
                Long answered = with.answeredAt().get(receipt.getKey().split(" ")[1]);
                if (answered != null) {
                    deliveries++;
                    latenciesMicros.add(Math.max(0, (receipt.getValue() - answered) / 1_000));
                    lastReceipt = Math.max(lastReceipt, receipt.getValue());
                }
            }
            latenciesMicros.sort(Long::compare);
            double deliverySeconds = (lastReceipt - start) / 1e9;
            System.out.printf("[webhooks] write path without webhooks: %.0f events/s; with 10 webhooks: %.0f events/s (%+.1f%%)%n",
                    without.perSecond(), with.perSecond(), (with.perSecond() / without.perSecond() - 1) * 100);
            System.out.printf("[webhooks] %d of %d deliveries received in %.1f s from the burst's start: %.0f deliveries/s"
                            + " (%d requests: %d repeated after a sender-side timeout)%n",
                    deliveries, EVENTS * WEBHOOKS, deliverySeconds, deliveries / deliverySeconds, received, received - deliveries);
            System.out.printf("[webhooks] 201 to receipt: p50 %.1f ms, p99 %.1f ms, max %.1f ms%n",
                    percentile(latenciesMicros, 0.50) / 1000.0, percentile(latenciesMicros, 0.99) / 1000.0,
                    latenciesMicros.getLast() / 1000.0);
            System.out.printf("[webhooks] RSS of the test JVM (service, engine, receiver): %d MB%n", BenchmarkProfile.rssMegabytes());
            assertEquals(EVENTS * WEBHOOKS, deliveries, "every event reached every webhook");
        }
    }

    private static long percentile(List<Long> sorted, double p) {
        return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p * sorted.size()) - 1));
    }
}

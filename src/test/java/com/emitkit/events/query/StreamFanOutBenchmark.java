package com.emitkit.events.query;

import com.emitkit.events.BenchmarkProfile;
import com.emitkit.events.tenancy.TestTenants;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.net.URL;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fan-out of the live stream: many SSE subscribers of one channel on this replica, the upstream polls
 * they cause, how long a new event takes to reach all of them, and RSS. Needs file descriptors for twice
 * the subscribers (client and server side in one process): {@code ulimit -n 65536} before
 * {@code ./mvnw verify -Pbenchmark}; with fewer, the subscriber count is lowered to fit.
 */
@QuarkusTest
@Tag("benchmark")
@TestProfile(BenchmarkProfile.class)
class StreamFanOutBenchmark {

    private static final int WANTED = 10_000;

    @TestHTTPResource("/")
    URL service;

    @Inject
    LiveStreams streams;

    @Test
    void tenThousandSubscribersOfOneChannel() throws Exception {
        int subscribers = Math.min(WANTED, (int) (openFileLimit() / 2) - 2_000);
        // Unlimited: its rate limit is lifted in the benchmark profile, and every connect counts.
        TestTenants.Tenant tenant = TestTenants.create("unlimited", List.of("write", "read"));
        String channelId = given().header("Authorization", "Bearer " + tenant.key()).contentType(ContentType.JSON)
                .body(Map.of("channelName", "fanout", "title", "creates the channel")).post("/v1/events")
                .then().statusCode(201).extract().path("data.channelId");

        Vertx vertx = Vertx.vertx();
        HttpClient client = vertx.createHttpClient(new HttpClientOptions().setMaxPoolSize(subscribers).setKeepAlive(true)
                .setIdleTimeout(0));
        CountDownLatch connected = new CountDownLatch(subscribers);
        AtomicInteger failed = new AtomicInteger();
        long[] arrivals = new long[subscribers];
        String marker = "\"title\":\"fan-out marker\"";
        CountDownLatch delivered = new CountDownLatch(subscribers);
        long connectStart = System.nanoTime();
        for (int i = 0; i < subscribers; i++) {
            int index = i;
            client.request(new RequestOptions().setMethod(HttpMethod.GET).setHost(service.getHost()).setPort(service.getPort())
                            .setURI("/v1/channels/fanout/stream").addHeader("Authorization", "Bearer " + tenant.key()))
                    .compose(request -> request.send())
                    .onSuccess(response -> {
                        connected.countDown();
                        StringBuilder seen = new StringBuilder();
                        response.handler(buffer -> {
                            if (arrivals[index] == 0) {
                                seen.append(buffer.toString());
                                if (seen.indexOf(marker) >= 0) {
                                    arrivals[index] = System.nanoTime();
                                    delivered.countDown();
                                }
                                if (seen.length() > 4096) {
                                    seen.delete(0, seen.length() - 256);
                                }
                            }
                        });
                    })
                    .onFailure(e -> {
                        failed.incrementAndGet();
                        connected.countDown();
                    });
        }
        assertTrue(connected.await(120, TimeUnit.SECONDS), "subscribers did not connect in time");
        double connectSeconds = (System.nanoTime() - connectStart) / 1e9;
        long pollsBefore = streams.pollsOf(tenant.organizationId(), tenant.siteId(), channelId);
        long sent = System.nanoTime();
        given().header("Authorization", "Bearer " + tenant.key()).contentType(ContentType.JSON)
                .body(Map.of("channelName", "fanout", "title", "fan-out marker")).post("/v1/events").then().statusCode(201);
        boolean all = delivered.await(60, TimeUnit.SECONDS);
        double waited = (System.nanoTime() - sent) / 1e9;
        long polls = streams.pollsOf(tenant.organizationId(), tenant.siteId(), channelId) - pollsBefore;
        long[] delays = Arrays.stream(arrivals).filter(a -> a > 0).map(a -> (a - sent) / 1_000_000).sorted().toArray();

        System.out.printf("%nSSE fan-out: %,d subscribers of one channel (connected in %.1f s, %d failed)%n",
                subscribers, connectSeconds, failed.get());
        System.out.printf("upstream polls of stream_events while the event went out (%.1f s): %d (one poller per channel)%n",
                waited, polls);
        System.out.printf("delivery of one new event, from its POST: %,d of %,d subscribers; p50 %d ms, p99 %d ms, last %d ms%n",
                delays.length, subscribers, delays.length == 0 ? -1 : delays[delays.length / 2],
                delays.length == 0 ? -1 : delays[(int) (delays.length * 0.99)], delays.length == 0 ? -1 : delays[delays.length - 1]);
        System.out.printf("process RSS with the subscribers connected (server and client sides): %d MB%n%n",
                BenchmarkProfile.rssMegabytes());
        client.close();
        vertx.close();
        assertTrue(all, "every subscriber got the event");
    }

    private static long openFileLimit() throws Exception {
        return java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/self/limits")).stream()
                .filter(l -> l.startsWith("Max open files")).map(l -> l.split("\\s+")[3]).mapToLong(Long::parseLong)
                .findFirst().orElse(4096);
    }
}

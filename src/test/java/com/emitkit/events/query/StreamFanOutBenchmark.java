package com.emitkit.events.query;

import com.emitkit.events.BenchmarkProfile;
import com.emitkit.events.tenancy.TestTenants;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fan-out of the live stream: 10,000 SSE subscribers of one channel on this replica, the upstream polls
 * they cause, how long a new event takes to reach all of them, and RSS. The subscribers run in a child
 * JVM ({@link SseSubscribers}, from the test classpath): the open-file limit is per process, so this one
 * only holds the service's side of each connection.
 */
@QuarkusTest
@Tag("benchmark")
@TestProfile(BenchmarkProfile.class)
class StreamFanOutBenchmark {

    private static final int SUBSCRIBERS = 10_000;
    private static final String MARKER = "fan-out marker";

    @TestHTTPResource("/")
    URL service;

    @Inject
    LiveStreams streams;

    @Test
    void tenThousandSubscribersOfOneChannel() throws Exception {
        assertTrue(openFileLimit() >= SUBSCRIBERS + 2_000, "the open-file limit leaves no room for " + SUBSCRIBERS
                + " connections next to the service's own files");
        // Unlimited: its rate limit is lifted in the benchmark profile, and every connect counts.
        TestTenants.Tenant tenant = TestTenants.create("unlimited", List.of("write", "read"));
        String channelId = given().header("Authorization", "Bearer " + tenant.key()).contentType(ContentType.JSON)
                .body(Map.of("channelName", "fanout", "title", "creates the channel")).post("/v1/events")
                .then().statusCode(201).extract().path("data.channelId");

        Process subscribers = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m", "-cp", System.getProperty("java.class.path"), SseSubscribers.class.getName(),
                service.getHost(), Integer.toString(service.getPort()), "/v1/channels/fanout/stream", tenant.key(),
                Integer.toString(SUBSCRIBERS), "\"title\":\"" + MARKER + "\"")
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(subscribers.getInputStream(), StandardCharsets.UTF_8));
             Writer in = new OutputStreamWriter(subscribers.getOutputStream(), StandardCharsets.UTF_8)) {
            String[] connected = out.readLine().split(" ");
            int ok = Integer.parseInt(connected[1]);
            long serviceRss = BenchmarkProfile.rssMegabytes();

            long pollsBefore = streams.pollsOf(tenant.organizationId(), tenant.siteId(), channelId);
            long sentNanos = System.nanoTime();
            long sent = System.currentTimeMillis();
            in.write("go\n");
            in.flush();
            given().header("Authorization", "Bearer " + tenant.key()).contentType(ContentType.JSON)
                    .body(Map.of("channelName", "fanout", "title", MARKER)).post("/v1/events").then().statusCode(201);
            String arrivalsLine = out.readLine();
            double waited = (System.nanoTime() - sentNanos) / 1e9;
            long polls = streams.pollsOf(tenant.organizationId(), tenant.siteId(), channelId) - pollsBefore;
            long subscriberRss = Long.parseLong(out.readLine().split(" ")[1]);
            long[] delays = Arrays.stream(arrivalsLine.substring("arrivals ".length()).split(",")).filter(s -> !s.isBlank())
                    .mapToLong(Long::parseLong).map(at -> at - sent).sorted().toArray();

            System.out.printf("%nSSE fan-out: %,d subscribers of one channel, in a separate process (connected in %.1f s, %s failed)%n",
                    ok, Long.parseLong(connected[3]) / 1000.0, connected[2]);
            System.out.printf("upstream polls of stream_events while the event went out (%.1f s): %d (one poller per channel)%n",
                    waited, polls);
            System.out.printf("delivery of one new event, from its POST: %,d of %,d subscribers; p50 %d ms, p99 %d ms, last %d ms%n",
                    delays.length, ok, percentile(delays, 0.5), percentile(delays, 0.99),
                    delays.length == 0 ? -1 : delays[delays.length - 1]);
            System.out.printf("RSS with the subscribers connected: service %d MB (with the embedded engines and test code),"
                    + " subscriber process %d MB%n%n", serviceRss, subscriberRss);
            assertEquals(SUBSCRIBERS, ok, "every subscriber connected");
            assertEquals(SUBSCRIBERS, delays.length, "every subscriber got the event");
        } finally {
            subscribers.destroy();
            subscribers.waitFor(30, TimeUnit.SECONDS);
        }
    }

    private static long percentile(long[] sorted, double fraction) {
        return sorted.length == 0 ? -1 : sorted[(int) (sorted.length * fraction)];
    }

    private static long openFileLimit() throws Exception {
        return java.nio.file.Files.readAllLines(Path.of("/proc/self/limits")).stream()
                .filter(l -> l.startsWith("Max open files")).map(l -> l.split("\\s+")[3]).mapToLong(Long::parseLong)
                .findFirst().orElse(4096);
    }
}

package com.emitkit.events.ingest;

import com.emitkit.events.tenancy.TestTenants;
import com.emitkit.events.tenancy.TestTenants.Tenant;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.GZIPOutputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Malformed input at volume, from several clients at once: every answer is a 4xx, never a 5xx, and the
 * service keeps serving valid requests afterwards.
 */
@QuarkusTest
class MalformedInputTest {

    @TestHTTPResource("/v1/events")
    URL events;
    @TestHTTPResource("/v1/events/batch")
    URL batch;

    record Bad(String kind, URL url, String encoding, byte[] body) {
    }

    private static byte[] gzip(byte[] raw) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(raw);
        }
        return out.toByteArray();
    }

    private List<Bad> corpus() throws IOException {
        String valid = "{\"channelName\":\"payments\",\"title\":\"Payment received\",\"tags\":[\"a\"],\"metadata\":{\"x\":1}}";
        byte[] bomb = gzip(new byte[64 * 1024 * 1024]);
        List<Bad> bad = new ArrayList<>();
        Random random = new Random(42);
        for (int cut = 1; cut < valid.length(); cut += 7) {
            bad.add(new Bad("truncated JSON", events, null, valid.substring(0, cut).getBytes(StandardCharsets.UTF_8)));
        }
        for (String wrong : List.of("{\"channelName\":1,\"title\":\"t\"}", "{\"channelName\":\"c\",\"title\":[]}",
                "{\"channelName\":\"c\",\"title\":\"t\",\"tags\":\"x\"}", "{\"channelName\":\"c\",\"title\":\"t\",\"metadata\":[1]}",
                "{\"channelName\":\"c\",\"title\":\"t\",\"notify\":\"yes\"}", "[]", "null", "42", "\"text\"", "{}",
                "{\"events\":{}}")) {
            bad.add(new Bad("wrong types", events, null, wrong.getBytes(StandardCharsets.UTF_8)));
        }
        bad.add(new Bad("huge string", events, null, ("{\"channelName\":\"c\",\"title\":\"" + "x".repeat(4 * 1024 * 1024) + "\"}")
                .getBytes(StandardCharsets.UTF_8)));
        bad.add(new Bad("huge tag list", events, null, ("{\"channelName\":\"c\",\"title\":\"t\",\"tags\":["
                + String.join(",", java.util.Collections.nCopies(100_000, "\"t\"")) + "]}").getBytes(StandardCharsets.UTF_8)));
        bad.add(new Bad("deep nesting", events, null, ("{\"channelName\":\"c\",\"title\":\"t\",\"metadata\":" + "{\"a\":".repeat(5000)
                + "1" + "}".repeat(5000) + "}").getBytes(StandardCharsets.UTF_8)));
        bad.add(new Bad("deep arrays", events, null, "[".repeat(100_000).getBytes(StandardCharsets.UTF_8)));
        byte[] invalidUtf8 = "{\"channelName\":\"c\",\"title\":\"\"}".getBytes(StandardCharsets.UTF_8);
        byte[] withBadBytes = new byte[invalidUtf8.length + 3];
        System.arraycopy(invalidUtf8, 0, withBadBytes, 0, 29);
        withBadBytes[29] = (byte) 0xC3;
        withBadBytes[30] = (byte) 0x28;
        withBadBytes[31] = (byte) 0xFF;
        System.arraycopy(invalidUtf8, 29, withBadBytes, 32, invalidUtf8.length - 29);
        bad.add(new Bad("invalid UTF-8", events, null, withBadBytes));
        bad.add(new Bad("gzip bomb", events, "gzip", bomb));
        bad.add(new Bad("gzip bomb (batch)", batch, "gzip", bomb));
        bad.add(new Bad("gzip bomb without header", events, null, bomb));
        bad.add(new Bad("corrupt gzip", events, "gzip", new byte[] {0x1f, (byte) 0x8b, 8, 0, 1, 2, 3}));
        byte[] noise = new byte[2048];
        for (int i = 0; i < 20; i++) {
            random.nextBytes(noise);
            bad.add(new Bad("random bytes", events, null, noise.clone()));
        }
        bad.add(new Bad("batch of 5000", batch, null, ("{\"events\":[" + String.join(",", java.util.Collections.nCopies(5000, valid)) + "]}")
                .getBytes(StandardCharsets.UTF_8)));
        return bad;
    }

    @Test
    void malformedBodiesGetOnlyClientErrors() throws Exception {
        Tenant tenant = TestTenants.create("unlimited", List.of("write"));
        List<Bad> corpus = corpus();
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        Map<String, Integer> byStatus = new ConcurrentHashMap<>();
        List<String> serverErrors = java.util.Collections.synchronizedList(new ArrayList<>());
        AtomicInteger sent = new AtomicInteger();
        List<Thread> clients = new ArrayList<>();
        for (int c = 0; c < 8; c++) {
            clients.add(Thread.ofVirtual().start(() -> {
                for (int round = 0; round < 5; round++) {
                    for (Bad bad : corpus) {
                        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(bad.url().toString()))
                                .header("Authorization", "Bearer " + tenant.key()).header("Content-Type", "application/json")
                                .timeout(Duration.ofSeconds(30)).POST(HttpRequest.BodyPublishers.ofByteArray(bad.body()));
                        if (bad.encoding() != null) {
                            request.header("Content-Encoding", bad.encoding());
                        }
                        try {
                            HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
                            sent.incrementAndGet();
                            byStatus.merge(bad.kind() + " " + response.statusCode(), 1, Integer::sum);
                            if (response.statusCode() >= 500 || response.statusCode() < 400) {
                                serverErrors.add(bad.kind() + " -> " + response.statusCode() + " " + response.body());
                            } else {
                                assertTrue(response.body().contains("\"error\""), bad.kind() + ": " + response.body());
                            }
                        } catch (IOException e) {
                            // The server may close the connection on a body over the wire limit, after its 413.
                            byStatus.merge(bad.kind() + " closed", 1, Integer::sum);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                            return;
                        }
                    }
                }
            }));
        }
        for (Thread client : clients) {
            client.join();
        }
        System.out.printf("[malformed] %d requests: %s%n", sent.get(), new TreeMap<>(byStatus));
        assertEquals(List.of(), serverErrors, "only 4xx for malformed input");
        HttpResponse<String> fine = http.send(HttpRequest.newBuilder(URI.create(events.toString()))
                .header("Authorization", "Bearer " + tenant.key()).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"channelName\":\"after\",\"title\":\"still serving\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(201, fine.statusCode(), fine.body());
    }
}

package com.emitkit.events.local;

import com.emitkit.events.BenchmarkProfile;
import com.emitkit.events.tinybird.TinybirdBackend;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Prints the embedded engine's start-up time, its seeding and Events API rates, and each endpoint
 * pipe's latency over HTTP on one million seeded events. Run with {@code ./mvnw verify -Pbenchmark}.
 */
@QuarkusTest
@Tag("benchmark")
@TestProfile(BenchmarkProfile.class)
class PipeLatencyBenchmark {

    private static final int EVENTS = 1_000_000;
    private static final int WARMUP = 20;
    private static final int ITERATIONS = 200;

    @Inject
    TinybirdBackend backend;

    @Inject
    EmbeddedTinybird embedded;

    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void pipeLatenciesOnOneMillionEvents() throws Exception {
        EmbeddedApi api = new EmbeddedApi(backend);
        System.out.printf("%nembedded engine start-up (empty data folder): %d ms%n", embedded.start().startup().toMillis());

        long seedStart = System.nanoTime();
        embedded.connection().query("""
                INSERT INTO events (id, organization_id, site_id, channel_id, channel_name, retention_tier, title,
                                    tags, user_id, created_at)
                SELECT
                    concat('evt_', leftPad(toString(number), 8, '0')),
                    'org_bench',
                    concat('site_', toString(number %% 3)),
                    concat('ch_', toString(number %% 10)),
                    concat('channel ', toString(number %% 10)),
                    ['basic', 'premium', 'unlimited'][1 + number %% 3],
                    concat('Event ', toString(number)),
                    arrayFilter(t -> cityHash64(number, t) %% 3 = 0, ['vip', 'eu', 'us', 'mobile', 'web']),
                    if(number %% 5 = 0, NULL, concat('user_', toString(number %% 10000))),
                    now64(3, 'UTC') - toIntervalMillisecond(intDiv(number * [7689600000, 31449600000, 86400000000][1 + number %% 3], %d))
                FROM numbers(%d)
                """.formatted(EVENTS, EVENTS), "TSV");
        double seedSeconds = (System.nanoTime() - seedStart) / 1e9;
        assertEquals(EVENTS, api.sql("SELECT count() AS n FROM events WHERE organization_id = 'org_bench'").getLong("data[0].n"));
        System.out.printf("seeded %,d events (each inside its tier's window, unlimited over 1000 days; both materializations) in %.1f s: %,.0f rows/s%n",
                EVENTS, seedSeconds, EVENTS / seedSeconds);

        measureEventsApi(api);

        String now = EmbeddedApi.at(Instant.now());
        String dayAgo = EmbeddedApi.at(Instant.now().minus(Duration.ofDays(1)));
        String weekAgo = EmbeddedApi.at(Instant.now().minus(Duration.ofDays(7)));
        String monthAgo = EmbeddedApi.at(Instant.now().minus(Duration.ofDays(30)));
        Map<String, String> cases = new LinkedHashMap<>();
        cases.put("get_events_paginated channel, limit 50", query("get_events_paginated",
                Map.of("organization_id", "org_bench", "channel_id", "ch_3", "limit", "50")));
        cases.put("get_events_paginated org, offset 10000", query("get_events_paginated",
                Map.of("organization_id", "org_bench", "limit", "50", "offset", "10000")));
        cases.put("get_events_paginated org, tag + 30 days", query("get_events_paginated",
                Map.of("organization_id", "org_bench", "tag_filter", "vip", "date_from", monthAgo, "limit", "50")));
        cases.put("stream_events since 1 day", query("stream_events",
                Map.of("organization_id", "org_bench", "channel_id", "ch_3", "since", dayAgo, "limit", "100")));
        cases.put("get_events_stats 7 days by hour", query("get_events_stats",
                Map.of("organization_id", "org_bench", "date_from", weekAgo, "date_to", now, "granularity", "hour")));
        cases.put("get_events_stats 30 days by day, channel", query("get_events_stats",
                Map.of("organization_id", "org_bench", "channel_id", "ch_3", "date_from", monthAgo, "date_to", now)));
        cases.put("get_events_stats all time by day", query("get_events_stats", Map.of("organization_id", "org_bench")));

        System.out.printf("%-44s %9s %9s %9s%n", "pipe (HTTP, " + ITERATIONS + " calls)", "p50 ms", "p99 ms", "mean ms");
        for (Map.Entry<String, String> c : cases.entrySet()) {
            URI uri = URI.create(api.url() + c.getValue());
            double[] millis = new double[ITERATIONS];
            for (int i = 0; i < WARMUP + ITERATIONS; i++) {
                long start = System.nanoTime();
                HttpResponse<byte[]> response = http.send(HttpRequest.newBuilder(uri)
                        .header("Authorization", "Bearer " + api.token()).build(), HttpResponse.BodyHandlers.ofByteArray());
                long elapsed = System.nanoTime() - start;
                assertEquals(200, response.statusCode(), () -> new String(response.body(), StandardCharsets.UTF_8));
                if (i >= WARMUP) {
                    millis[i - WARMUP] = elapsed / 1e6;
                }
            }
            Arrays.sort(millis);
            System.out.printf("%-44s %9.2f %9.2f %9.2f%n", c.getKey(), millis[ITERATIONS / 2],
                    millis[(int) Math.ceil(ITERATIONS * 0.99) - 1], Arrays.stream(millis).average().orElse(0));
        }
        System.out.printf("process RSS after the run: %d MB%n%n", BenchmarkProfile.rssMegabytes());
    }

    private void measureEventsApi(EmbeddedApi api) throws Exception {
        int batches = 20;
        int rowsPerBatch = 10_000;
        String now = EmbeddedApi.at(Instant.now());
        long start = System.nanoTime();
        for (int b = 0; b < batches; b++) {
            StringBuilder body = new StringBuilder();
            for (int r = 0; r < rowsPerBatch; r++) {
                body.append("{\"id\":\"api_").append(b).append('_').append(r)
                        .append("\",\"organization_id\":\"org_bench_api\",\"site_id\":\"s\",\"channel_id\":\"c\",")
                        .append("\"retention_tier\":\"basic\",\"title\":\"Payment received\",\"tags\":[\"eu\"],")
                        .append("\"user_id\":\"user_").append(r % 100).append("\",\"created_at\":\"").append(now).append("\"}\n");
            }
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(api.url() + "/v0/events?name=events&wait=true"))
                    .header("Authorization", "Bearer " + api.token())
                    .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, response.statusCode(), response.body());
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        System.out.printf("Events API: %,d rows in %d NDJSON requests of %,d in %.2f s: %,.0f rows/s%n",
                batches * rowsPerBatch, batches, rowsPerBatch, seconds, batches * rowsPerBatch / seconds);
    }

    private static String query(String pipe, Map<String, String> params) {
        return "/v0/pipes/" + pipe + ".json?" + params.entrySet().stream()
                .map(e -> e.getKey() + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
    }
}

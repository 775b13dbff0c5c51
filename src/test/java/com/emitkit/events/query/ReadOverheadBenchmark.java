package com.emitkit.events.query;

import com.emitkit.events.BenchmarkProfile;
import com.emitkit.events.local.EmbeddedApi;
import com.emitkit.events.local.EmbeddedTinybirdAccess;
import com.emitkit.events.tenancy.TestTenants;
import com.emitkit.events.tinybird.TinybirdBackend;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What the service adds to a list call: {@code GET /v1/events} (auth, retention rewrite, pipe call,
 * mapping) against the same pipe called directly on the embedded engine, over one million events of one
 * channel. Run with {@code ./mvnw verify -Pbenchmark}.
 */
@QuarkusTest
@Tag("benchmark")
@TestProfile(BenchmarkProfile.class)
class ReadOverheadBenchmark {

    private static final int EVENTS = 1_000_000;
    private static final int WARMUP = 30;
    private static final int ITERATIONS = 300;

    @TestHTTPResource("/")
    URL service;

    @Inject
    TinybirdBackend backend;

    @Inject
    EmbeddedTinybirdAccess engine;

    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void listOverheadOnOneMillionEvents() throws Exception {
        TestTenants.Tenant tenant = TestTenants.create("premium", List.of("write", "read"));
        String channelId = given().header("Authorization", "Bearer " + tenant.key()).contentType(ContentType.JSON)
                .body(Map.of("channelName", "bench", "title", "first")).post("/v1/events")
                .then().statusCode(201).extract().path("data.channelId");
        engine.execute("""
                INSERT INTO events (id, organization_id, site_id, channel_id, channel_name, retention_tier, title, created_at)
                SELECT concat('evt_', leftPad(toString(number), 8, '0')), '%s', '%s', '%s', 'bench', 'premium',
                       concat('Event ', toString(number)), now64(3, 'UTC') - toIntervalMillisecond(number * 25000)
                FROM numbers(%d)""".formatted(tenant.organizationId(), tenant.siteId(), channelId, EVENTS));

        EmbeddedApi tinybird = new EmbeddedApi(backend);
        // The same parameters the service sends, the retention module's cutoffs included.
        String basicCutoff = EmbeddedApi.at(Instant.now().minus(java.time.Duration.ofDays(90))).replace(" ", "%20");
        String premiumCutoff = EmbeddedApi.at(Instant.now().minus(java.time.Duration.ofDays(365))).replace(" ", "%20");
        String direct = tinybird.url() + "/v0/pipes/get_events_paginated.json?organization_id=" + tenant.organizationId()
                + "&site_id=" + tenant.siteId() + "&channel_id=" + channelId + "&limit=51"
                + "&basic_cutoff=" + basicCutoff + "&premium_cutoff=" + premiumCutoff;
        double[] pipe = measure(URI.create(direct), "Bearer " + tinybird.token());
        double[] list = measure(URI.create(service + "v1/events?channel=bench&limit=50"), "Bearer " + tenant.key());
        System.out.printf("%nlist of one channel, 50 per page, %,d events, %d calls each:%n", EVENTS, ITERATIONS);
        System.out.printf("%-40s p50 %6.2f ms   p99 %6.2f ms%n", "get_events_paginated on the engine", pipe[0], pipe[1]);
        System.out.printf("%-40s p50 %6.2f ms   p99 %6.2f ms%n", "GET /v1/events through the service", list[0], list[1]);
        System.out.printf("%-40s p50 %6.2f ms   p99 %6.2f ms%n%n", "added by the service", list[0] - pipe[0], list[1] - pipe[1]);
    }

    private double[] measure(URI uri, String authorization) throws Exception {
        double[] millis = new double[ITERATIONS];
        for (int i = 0; i < WARMUP + ITERATIONS; i++) {
            long start = System.nanoTime();
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(uri).header("Authorization", authorization).build(),
                    HttpResponse.BodyHandlers.ofString());
            long elapsed = System.nanoTime() - start;
            assertEquals(200, response.statusCode(), response.body());
            assertTrue(response.body().contains("evt_"), "the page has events");
            if (i >= WARMUP) {
                millis[i - WARMUP] = elapsed / 1e6;
            }
        }
        Arrays.sort(millis);
        return new double[] {millis[ITERATIONS / 2], millis[(int) Math.ceil(ITERATIONS * 0.99) - 1]};
    }
}

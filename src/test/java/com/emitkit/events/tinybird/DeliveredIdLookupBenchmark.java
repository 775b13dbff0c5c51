package com.emitkit.events.tinybird;

import com.emitkit.events.BenchmarkProfile;
import com.emitkit.events.local.EmbeddedApi;
import com.emitkit.events.local.EmbeddedTinybirdAccess;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * What it costs to ask Tinybird which ids of a batch it already holds (the check before a batch that may
 * have landed is sent again), on one million events of one organization: the lookups of 1,000 rows, as
 * the client splits and sends them, for a batch written within a second and for ids spread over years.
 */
@QuarkusTest
@Tag("benchmark")
@TestProfile(BenchmarkProfile.class)
class DeliveredIdLookupBenchmark {

    private static final int EVENTS = 1_000_000;
    private static final int ITERATIONS = 50;

    @Inject
    TinybirdBackend backend;
    @Inject
    EmbeddedTinybirdAccess engine;

    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void lookupsOfOneThousandIds() throws Exception {
        engine.execute("""
                INSERT INTO events (id, organization_id, site_id, channel_id, retention_tier, title, created_at)
                SELECT concat('lk_', toString(number)), 'org_lookup', 'site', 'ch', 'unlimited', 'Event',
                       now64(3, 'UTC') - toIntervalMillisecond(number * 60000)
                FROM numbers(%d)""".formatted(EVENTS));
        EmbeddedApi api = new EmbeddedApi(backend);
        System.out.printf("%nlookup of 1,000 ids in %,d events of one organization (%d runs)%n", EVENTS, ITERATIONS);
        measure(api, "one batch (1,000 consecutive events)",
                "SELECT id, organization_id, toString(created_at) AS t FROM events WHERE organization_id = 'org_lookup'"
                        + " ORDER BY created_at DESC LIMIT 1000");
        measure(api, "ids spread over 1.9 years",
                "SELECT id, organization_id, toString(created_at) AS t FROM events WHERE organization_id = 'org_lookup'"
                        + " ORDER BY cityHash64(id) LIMIT 1000");
    }

    private void measure(EmbeddedApi api, String label, String pick) throws Exception {
        List<Map<String, Object>> picked = api.sql(pick).getList("data");
        List<TinybirdRow> rows = picked.stream().map(r -> new TinybirdRow((String) r.get("id"), (String) r.get("organization_id"),
                (String) r.get("t"), "{}")).toList();
        List<List<TinybirdRow>> chunks = TinybirdClient.lookupChunks(rows);
        double[] millis = new double[ITERATIONS];
        for (int i = 0; i < ITERATIONS; i++) {
            long start = System.nanoTime();
            int found = 0;
            for (List<TinybirdRow> chunk : chunks) {
                HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(api.url() + "/v0/sql"))
                        .header("Authorization", "Bearer " + api.token())
                        .POST(HttpRequest.BodyPublishers.ofString(TinybirdClient.lookupSql("events", chunk))).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertEquals(200, response.statusCode(), response.body());
                found += new io.vertx.core.json.JsonObject(response.body()).getJsonArray("data").size();
            }
            assertEquals(rows.size(), found);
            millis[i] = (System.nanoTime() - start) / 1e6;
        }
        Arrays.sort(millis);
        System.out.printf("%-40s %d queries   p50 %7.2f ms   p99 %7.2f ms%n", label, chunks.size(), millis[ITERATIONS / 2],
                millis[ITERATIONS - 1]);
    }
}

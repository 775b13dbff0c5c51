package com.emitkit.events.local.api;

import com.emitkit.events.local.EmbeddedApi;
import com.emitkit.events.tinybird.TinybirdBackend;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;

import static com.emitkit.events.local.EmbeddedApi.event;
import static com.emitkit.events.local.EmbeddedApi.ndjson;
import static com.emitkit.events.local.EmbeddedApi.unique;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

@QuarkusTest
class EventsApiTest {

    @Inject
    TinybirdBackend backend;

    EmbeddedApi api;
    String organization;

    @BeforeEach
    void setUp() {
        api = new EmbeddedApi(backend);
        organization = unique("org");
    }

    private long countEvents() {
        return api.sql("SELECT count() AS n FROM events WHERE organization_id = '" + organization + "'").getLong("data[0].n");
    }

    @Test
    void ndjsonRowsLandWithEveryColumn() {
        Map<String, Object> full = event("e1", organization, "ch1", "premium", Instant.parse("2026-11-01T10:00:00.123Z"));
        full.putAll(Map.of("description", "paid", "icon", "💸", "tags", List.of("a", "b"), "metadata", Map.of("plan", "pro"),
                "user_id", "user_1", "notify", false, "display_as", "notification", "source", "api"));
        api.given().queryParam("name", "events").queryParam("wait", "true")
                .body(ndjson(List.of(full, event("e2", organization, "ch1", "basic", Instant.now()))))
                .post("/v0/events")
                .then().statusCode(200)
                .header("X-Request-ID", notNullValue())
                .contentType(startsWith("application/json"))
                .body("successful_rows", equalTo(2)).body("quarantined_rows", equalTo(0));

        JsonPath row = api.sql("SELECT * FROM events WHERE organization_id = '" + organization + "' AND id = 'e1'");
        assertEquals("💸", row.getString("data[0].icon"));
        assertEquals(List.of("a", "b"), row.getList("data[0].tags"));
        assertEquals("{\"plan\":\"pro\"}", row.getString("data[0].metadata"));
        assertEquals("user_1", row.getString("data[0].user_id"));
        assertEquals(false, row.getBoolean("data[0].notify"));
        assertEquals("2026-11-01 10:00:00.123", row.getString("data[0].created_at"));
        JsonPath defaults = api.sql("SELECT * FROM events WHERE organization_id = '" + organization + "' AND id = 'e2'");
        assertEquals(true, defaults.getBoolean("data[0].notify"));
        assertEquals("message", defaults.getString("data[0].display_as"));
        assertEquals(null, defaults.getString("data[0].user_id"));
    }

    @Test
    void withoutWaitTheAnswerIsAccepted() {
        api.given().queryParam("name", "events").body(ndjson(List.of(event("e1", organization, "c", "basic", Instant.now()))))
                .post("/v0/events")
                .then().statusCode(202).body("successful_rows", equalTo(1));
    }

    @Test
    void aBodySentWithAFormContentTypeIsStillReadAsNdjson() {
        // curl --data-binary sends application/x-www-form-urlencoded unless told otherwise.
        List<Map<String, Object>> rows = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            rows.add(event("f" + i, organization, "c", "basic", Instant.now()));
        }
        String body = ndjson(rows);
        assertTrue(body.length() > 8192, "longer than a form field may be");
        api.given().queryParam("name", "events").queryParam("wait", "true")
                .contentType("application/x-www-form-urlencoded").body(body)
                .post("/v0/events")
                .then().statusCode(200).body("successful_rows", equalTo(200));
        assertEquals(200, countEvents());
    }

    @Test
    void gzipBodiesAreReadByHeaderAndByMagicBytes() throws IOException {
        byte[] first = gzip(ndjson(List.of(event("g1", organization, "c", "basic", Instant.now()))));
        byte[] second = gzip(ndjson(List.of(event("g2", organization, "c", "basic", Instant.now()),
                event("g3", organization, "c", "basic", Instant.now()))));
        api.given().queryParam("name", "events").queryParam("wait", "true").header("Content-Encoding", "gzip")
                .body(first).post("/v0/events").then().statusCode(200).body("successful_rows", equalTo(1));
        api.given().queryParam("name", "events").queryParam("wait", "true")
                .body(second).post("/v0/events").then().statusCode(200).body("successful_rows", equalTo(2));
        assertEquals(3, countEvents());
    }

    @Test
    void rowsThatDoNotFitAreQuarantinedWhileGoodRowsLand() {
        Map<String, Object> badDate = event("bad_date", organization, "c", "basic", Instant.now());
        badDate.put("created_at", "yesterday-ish");
        Map<String, Object> missingTitle = event("no_title", organization, "c", "basic", Instant.now());
        missingTitle.remove("title");
        Map<String, Object> wrongType = event("bad_notify", organization, "c", "basic", Instant.now());
        wrongType.put("notify", "perhaps");
        String body = ndjson(List.of(event("good1", organization, "c", "basic", Instant.now()), badDate, missingTitle))
                + "{\"id\": \"truncated_" + organization + "\n" + ndjson(List.of(wrongType, event("good2", organization, "c", "basic", Instant.now())));

        api.given().queryParam("name", "events").queryParam("wait", "true").body(body)
                .post("/v0/events")
                .then().statusCode(200).body("successful_rows", equalTo(2)).body("quarantined_rows", equalTo(4));

        assertEquals(2, countEvents());
        JsonPath quarantine = api.sql("SELECT id, c__error_column, c__error, c__raw FROM events_quarantine"
                + " WHERE organization_id = '" + organization + "' OR c__raw LIKE '%truncated_" + organization + "%' ORDER BY c__raw");
        List<String> raws = quarantine.getList("data.c__raw");
        assertEquals(4, raws.size());
        assertEquals(List.of("created_at"), errorColumnsOf(quarantine, "bad_date"));
        assertEquals(List.of("title"), errorColumnsOf(quarantine, "no_title"));
        assertEquals(List.of("notify"), errorColumnsOf(quarantine, "bad_notify"));
    }

    private static List<String> errorColumnsOf(JsonPath quarantine, String id) {
        return quarantine.getList("data.findAll { it.id == '" + id + "' }.c__error_column[0]");
    }

    @Test
    void aWrongOrMissingTokenIs403() {
        String body = ndjson(List.of(event("t1", organization, "c", "basic", Instant.now())));
        api.anonymous().queryParam("name", "events").body(body).post("/v0/events")
                .then().statusCode(403).contentType(startsWith("text/plain")).body(containsString("token"));
        api.anonymous().header("Authorization", "Bearer p.nope").queryParam("name", "events").body(body).post("/v0/events")
                .then().statusCode(403);
        // The query parameter wins over the header, as on Tinybird.
        api.given().queryParam("token", "p.nope").queryParam("name", "events").body(body).post("/v0/events")
                .then().statusCode(403);
        api.anonymous().queryParam("token", api.token()).queryParam("name", "events").queryParam("wait", "true").body(body)
                .post("/v0/events").then().statusCode(200);
        assertEquals(1, countEvents());
    }

    @Test
    void anUnknownDatasourceIs404() {
        api.given().queryParam("name", "no_such_datasource").body("{\"a\":1}\n").post("/v0/events")
                .then().statusCode(404).contentType(startsWith("text/plain")).body(containsString("no_such_datasource"));
        api.given().body("{\"a\":1}\n").post("/v0/events").then().statusCode(400);
    }

    @Test
    void oversizeBodiesAre413OnTheWireAndAfterDecompression() throws IOException {
        byte[] tooBig = new byte[11 * 1024 * 1024];
        java.util.Arrays.fill(tooBig, (byte) ' ');
        api.given().queryParam("name", "events").body(tooBig).post("/v0/events")
                .then().statusCode(413);

        // 101 MB of blanks: about 100 KB of gzip, well under the wire limit.
        ByteArrayOutputStream bomb = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(bomb)) {
            byte[] chunk = new byte[1024 * 1024];
            java.util.Arrays.fill(chunk, (byte) ' ');
            for (int i = 0; i < 101; i++) {
                gz.write(chunk);
            }
        }
        api.given().queryParam("name", "events").header("Content-Encoding", "gzip").body(bomb.toByteArray())
                .post("/v0/events")
                .then().statusCode(413).contentType(startsWith("text/plain")).body(containsString("decompressed"));
        // Still serving.
        api.given().queryParam("name", "events").queryParam("wait", "true")
                .body(ndjson(List.of(event("after", organization, "c", "basic", Instant.now()))))
                .post("/v0/events").then().statusCode(200);
    }

    @Test
    void manyCallersMayInsertAndQueryAtOnce() throws Exception {
        int threads = 8;
        int requests = 10;
        int rowsPerRequest = 50;
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(threads);
        List<java.util.concurrent.Future<?>> done = new java.util.ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int thread = t;
            done.add(pool.submit(() -> {
                for (int r = 0; r < requests; r++) {
                    List<Map<String, Object>> rows = new java.util.ArrayList<>();
                    for (int i = 0; i < rowsPerRequest; i++) {
                        rows.add(event("c" + thread + "_" + r + "_" + i, organization, "ch" + thread, "premium", Instant.now()));
                    }
                    api.ingest(rows);
                    api.given().queryParam("organization_id", organization).queryParam("channel_id", "ch" + thread)
                            .get("/v0/pipes/get_events_paginated.json").then().statusCode(200);
                }
            }));
        }
        for (java.util.concurrent.Future<?> future : done) {
            future.get(2, java.util.concurrent.TimeUnit.MINUTES);
        }
        pool.shutdown();
        assertEquals(threads * requests * rowsPerRequest, countEvents());
    }

    private static byte[] gzip(String text) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        return out.toByteArray();
    }
}

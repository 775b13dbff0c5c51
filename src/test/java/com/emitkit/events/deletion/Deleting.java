package com.emitkit.events.deletion;

import com.emitkit.events.local.EmbeddedApi;
import com.emitkit.events.query.SseClient;
import com.emitkit.events.tenancy.TestTenants;
import com.emitkit.events.tenancy.TestTenants.Tenant;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.specification.RequestSpecification;

import java.net.URL;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What the deletion tests share: writing events, seeding older ones, and reading through every read path. */
final class Deleting {

    private final EmbeddedApi api;
    private final Tenant tenant;

    Deleting(EmbeddedApi api, Tenant tenant) {
        this.api = api;
        this.tenant = tenant;
    }

    static RequestSpecification as(String credential) {
        return given().header("Authorization", "Bearer " + credential).contentType(ContentType.JSON);
    }

    /** Posts an event through the public API; answers its id. */
    String post(String channel, String title, String userId) {
        Map<String, Object> body = new HashMap<>(Map.of("channelName", channel, "title", title, "tags", List.of("t")));
        if (userId != null) {
            body.put("userId", userId);
        }
        return as(tenant.key()).body(body).post("/v1/events").then().statusCode(201).extract().path("data.id");
    }

    /** Seeds events straight into the engine, hours in the past, so that statistics read them from the aggregates. */
    List<String> seed(String channelId, String userId, int... hoursAgo) {
        List<Map<String, Object>> rows = new ArrayList<>();
        Instant now = Instant.now();
        for (int hours : hoursAgo) {
            Map<String, Object> row = EmbeddedApi.event(EmbeddedApi.unique("evt_seed"), tenant.organizationId(), channelId, "premium",
                    now.minus(Duration.ofHours(hours)));
            row.put("site_id", tenant.siteId());
            row.put("user_id", userId);
            row.put("tags", List.of("t"));
            rows.add(row);
        }
        api.ingest(rows);
        return rows.stream().map(r -> (String) r.get("id")).toList();
    }

    /** The ids the list shows (the newest 1000). */
    List<String> listed(String channel) {
        return as(tenant.key()).queryParam("channel", channel).queryParam("limit", 100)
                .queryParam("date_from", Instant.now().minus(Duration.ofDays(10)).toString())
                .get("/v1/events").then().statusCode(200).extract().jsonPath().getList("data.events.id");
    }

    /** Statistics for the range, checked against the same figures computed from raw rows; answers the total. */
    long statsEqualRawRows(Duration span) {
        Instant to = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        Instant from = to.minus(span);
        JsonPath stats = as(tenant.key()).queryParam("date_from", from.toString()).queryParam("date_to", to.toString())
                .get("/v1/stats").then().statusCode(200).extract().jsonPath();
        String where = " FROM events WHERE organization_id = '" + tenant.organizationId() + "' AND created_at >= toDateTime64('"
                + EmbeddedApi.at(from) + "', 3, 'UTC') AND created_at < toDateTime64('" + EmbeddedApi.at(to) + "', 3, 'UTC')";
        JsonPath raw = api.sql("SELECT count() AS events, uniqExact(user_id) AS users" + where);
        assertEquals(Long.parseLong(raw.getString("data[0].events")), stats.getLong("data.totalEvents"), "events, as raw rows count them");
        assertEquals(Long.parseLong(raw.getString("data[0].users")), stats.getLong("data.uniqueUsers"), "users, as raw rows count them");
        String bucket = "day".equals(stats.getString("data.granularity")) ? "toStartOfDay(created_at)" : "toStartOfHour(created_at)";
        JsonPath timeline = api.sql("SELECT toString(toDateTime(" + bucket + ", 'UTC')) AS bucket, count() AS events" + where
                + " GROUP BY bucket ORDER BY bucket");
        Map<String, Long> rawBuckets = new HashMap<>();
        List<Map<String, Object>> rows = timeline.getList("data");
        rows.forEach(r -> rawBuckets.put((String) r.get("bucket"), Long.parseLong(String.valueOf(r.get("events")))));
        List<Map<String, Object>> served = stats.getList("data.timeline");
        Map<String, Long> servedBuckets = served.stream().collect(Collectors.toMap(b -> String.valueOf(b.get("bucket")),
                b -> Long.parseLong(String.valueOf(b.get("events")))));
        assertEquals(rawBuckets, servedBuckets, "every bucket of the timeline, as raw rows count it");
        return stats.getLong("data.totalEvents");
    }

    /** How many of the organization's events the engine holds that match the condition. */
    long stored(String condition) {
        return Long.parseLong(api.sql("SELECT count() AS n FROM events WHERE organization_id = '" + tenant.organizationId() + "' AND "
                + condition).getString("data[0].n"));
    }

    /** The ids a stream resumed after {@code lastEventId} replays. */
    static Set<String> replayed(URL base, String channel, String credential, String lastEventId) throws InterruptedException {
        SseClient.Connection connection = new SseClient(base).connect(channel, credential, lastEventId);
        try {
            return connection.untilQuiet(1500).stream().filter(e -> e.id() != null).map(SseClient.Received::id)
                    .collect(Collectors.toSet());
        } finally {
            connection.close();
        }
    }

    /** Waits until the deletion is done, and answers it. */
    static JsonPath awaitDone(String deletionId) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 60_000;
        JsonPath deletion;
        do {
            Thread.sleep(200);
            deletion = given().header("Authorization", TestTenants.ADMIN).get("/admin/deletions/" + deletionId)
                    .then().statusCode(200).extract().jsonPath();
        } while (!"done".equals(deletion.getString("data.status")) && System.currentTimeMillis() < deadline);
        assertEquals("done", deletion.getString("data.status"), "the deletion finished: " + deletion.prettify());
        assertTrue(deletion.getString("data.completedAt") != null);
        return deletion;
    }
}

package com.emitkit.events.local.api;

import com.emitkit.events.local.EmbeddedApi;
import com.emitkit.events.tinybird.TinybirdBackend;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static com.emitkit.events.local.EmbeddedApi.event;
import static com.emitkit.events.local.EmbeddedApi.unique;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Tinybird's Delete API ({@code POST /v0/datasources/<name>/delete}) and Jobs API on the embedded engine. */
@QuarkusTest
class DeleteApiTest {

    private static final String TIME = "\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2}\\.\\d{6}";

    @Inject
    TinybirdBackend backend;

    EmbeddedApi api;
    String organization;

    @BeforeEach
    void seed() {
        api = new EmbeddedApi(backend);
        organization = unique("org");
        Instant now = Instant.now();
        api.ingest(List.of(
                event("a", organization, "ch1", "basic", now.minusSeconds(30)),
                event("b", organization, "ch1", "basic", now.minusSeconds(20)),
                event("c", organization, "ch2", "basic", now.minusSeconds(10))));
    }

    @Test
    void aJobDeletesTheMatchingRowsForQueriesAndPipes() {
        JsonPath accepted = api.given().formParam("delete_condition", "organization_id = '" + organization + "' AND channel_id = 'ch1'")
                .post("/v0/datasources/events/delete")
                .then().statusCode(201).contentType(startsWith("application/json"))
                .body("status", equalTo("waiting"))
                .body("job.kind", equalTo("delete_data"))
                .body("job.status", equalTo("waiting"))
                .body("job.is_cancellable", equalTo(true))
                .body("job.started_at", nullValue())
                .body("job.created_at", matchesPattern(TIME))
                .body("job.datasource.name", equalTo("events"))
                .body("job.datasource.id", matchesPattern("t_[0-9a-f]{32}"))
                .body("job.delete_condition", containsString("channel_id = 'ch1'"))
                .extract().jsonPath();
        String id = accepted.getString("id");
        assertEquals(id, accepted.getString("job_id"));
        assertEquals(id, accepted.getString("delete_id"));
        assertEquals(id, accepted.getString("job.id"));
        assertEquals(id, accepted.getString("job.job_id"));
        assertTrue(accepted.getString("job_url").endsWith("/v0/jobs/" + id), accepted.getString("job_url"));

        JsonPath done = awaitFinished(id);
        assertEquals("done", done.getString("status"));
        assertEquals(false, done.getBoolean("is_cancellable"));
        assertTrue(done.getString("started_at").matches(TIME), done.getString("started_at"));
        assertTrue(done.getString("updated_at").compareTo(done.getString("created_at")) >= 0);
        assertFalse(done.getMap("").containsKey("error"));
        assertFalse(done.getMap("").containsKey("rows_affected"), "Tinybird's delete jobs have no rows_affected");

        assertEquals(List.of("c"), api.sql("SELECT id FROM events WHERE organization_id = '" + organization + "'").getList("data.id"));
        assertEquals(List.of("c"), api.pipe("get_events_paginated", Map.of("organization_id", organization)).getList("data.id"));
    }

    @Test
    void aDeleteDoesNotReachTheAggregatesButTheyCanBeDeletedFromThemselves() {
        String hourly = "SELECT countMerge(events) AS n FROM events_hourly WHERE organization_id = '" + organization + "'";
        assertFinished("done", submit("events", "organization_id = '" + organization + "'"));
        assertEquals(0, api.sql("SELECT count() AS n FROM events WHERE organization_id = '" + organization + "'").getLong("data[0].n"));
        assertEquals(3, api.sql(hourly).getLong("data[0].n"), "materialized views are insert triggers: deletes do not propagate");

        assertFinished("done", submit("events_hourly", "organization_id = '" + organization + "'"));
        assertEquals(0, api.sql(hourly).getLong("data[0].n"));
        assertEquals(3, api.sql("SELECT countMerge(events) AS n FROM events_daily WHERE organization_id = '" + organization + "'")
                .getLong("data[0].n"));
    }

    @Test
    void theConditionMayComeInTheQueryString() {
        String id = api.given().queryParam("delete_condition", "organization_id = '" + organization + "' AND id = 'a'")
                .post("/v0/datasources/events/delete").then().statusCode(201).extract().path("job_id");
        assertFinished("done", id);
        assertEquals(2, countEvents());
    }

    @Test
    void aDryRunCountsTheRowsAndDeletesNothing() {
        api.given().formParam("delete_condition", "organization_id = '" + organization + "' AND channel_id = 'ch1'")
                .formParam("dry_run", "true")
                .post("/v0/datasources/events/delete")
                .then().statusCode(200).contentType(startsWith("application/json"))
                .body("rows_to_be_deleted", equalTo(2))
                .body("job_id", nullValue());
        assertEquals(3, countEvents());
    }

    @Test
    void quarantinedRowsCanBeDeleted() {
        String marker = unique("bad");
        api.given().queryParam("name", "events").queryParam("wait", "true").body("{\"id\": \"" + marker + "\"}\n")
                .post("/v0/events").then().statusCode(200).body("quarantined_rows", equalTo(1));
        String quarantined = "SELECT count() AS n FROM events_quarantine WHERE id = '" + marker + "'";
        assertEquals(1, api.sql(quarantined).getLong("data[0].n"));

        String id = submit("events_quarantine", "id = '" + marker + "'");
        JsonPath job = assertFinished("done", id);
        assertEquals("events_quarantine", job.getString("datasource.name"));
        assertTrue(job.getString("datasource.id").matches("t_[0-9a-f]{32}_quarantine"), job.getString("datasource.id"));
        assertEquals(0, api.sql(quarantined).getLong("data[0].n"));
    }

    @Test
    void requestsTinybirdRefusesAreRefusedTheSameWay() {
        api.given().formParam("delete_condition", "1 = 1").post("/v0/datasources/no_such_datasource/delete")
                .then().statusCode(400).contentType(startsWith("application/json"))
                .body("error", equalTo("Data Source \"no_such_datasource\" does not exist, can not delete a non existing Data Source"));
        api.given().post("/v0/datasources/events/delete")
                .then().statusCode(400).body("error", equalTo("The delete_condition='delete_statement' is mandatory"));
        api.given().formParam("delete_condition", "   ").post("/v0/datasources/events/delete")
                .then().statusCode(400).body("error", equalTo("The delete_condition='delete_statement' is mandatory"));
        for (String condition : List.of("organization_id =", "1; DROP TABLE events", "1) OR (1", "id = 'a' -- comment")) {
            api.given().formParam("delete_condition", condition).post("/v0/datasources/events/delete")
                    .then().statusCode(400)
                    .body("error", startsWith("Failed to apply delete_condition='" + condition + "': "))
                    .body("error", not(containsString("formatQuerySingleLine")));
        }
        assertEquals(3, countEvents());
    }

    @Test
    void aConditionThatParsesButCannotRunFailsItsJob() {
        JsonPath job = assertFinished("error", submit("events", "no_such_column = 1"));
        assertTrue(job.getString("error").contains("no_such_column"), job.getString("error"));
        assertFalse(job.getString("error").contains("\n0. "), "no native stack trace");

        api.given().formParam("delete_condition", "no_such_column = 1").formParam("dry_run", "true")
                .post("/v0/datasources/events/delete")
                .then().statusCode(500).body("error", startsWith("Failed to delete with condition: \""));

        // A mutation that fails while it runs is killed, so that it does not hold back the next one.
        assertFinished("error", submit("events", "organization_id = '" + organization + "' AND throwIf(id = 'b') = 0"));
        assertFinished("done", submit("events", "organization_id = '" + organization + "' AND id = 'a'"));
        assertEquals(2, countEvents());
    }

    @Test
    void aTokenIsRequiredAndUnknownJobsAreNotFound() {
        api.anonymous().formParam("delete_condition", "1 = 1").post("/v0/datasources/events/delete").then().statusCode(403);
        api.anonymous().header("Authorization", "Bearer p.wrong").formParam("delete_condition", "1 = 1")
                .post("/v0/datasources/events/delete").then().statusCode(403).body("error", notNullValue());
        api.anonymous().get("/v0/jobs").then().statusCode(403);
        api.anonymous().get("/v0/jobs/" + submit("events", "id = 'nothing'")).then().statusCode(403);
        assertEquals(3, countEvents());

        api.given().get("/v0/jobs/no-such-job")
                .then().statusCode(404).contentType(startsWith("application/json"))
                .body("error", equalTo("Job with id \"no-such-job\" not found"));
    }

    @Test
    void jobsAreListedNewestFirstAndFiltered() {
        String failed = submit("events", "no_such_column = 1");
        String succeeded = submit("events", "organization_id = '" + organization + "' AND id = 'c'");
        assertFinished("error", failed);
        assertFinished("done", succeeded);

        JsonPath list = api.given().get("/v0/jobs").then().statusCode(200).contentType(startsWith("application/json"))
                .extract().jsonPath();
        List<String> ids = list.getList("jobs.id");
        assertTrue(ids.indexOf(succeeded) >= 0 && ids.indexOf(succeeded) < ids.indexOf(failed), ids.toString());
        Map<String, Object> entry = list.getMap("jobs.find { it.id == '" + succeeded + "' }");
        assertEquals("delete_data", entry.get("kind"));
        assertEquals("done", entry.get("status"));
        assertEquals(false, entry.get("is_cancellable"));
        assertTrue(((String) entry.get("job_url")).endsWith("/v0/jobs/" + succeeded));
        assertTrue(((String) entry.get("created_at")).matches(TIME));
        assertEquals("events", ((Map<?, ?>) entry.get("datasource")).get("name"));
        assertNotNull(((Map<?, ?>) entry.get("datasource")).get("id"));

        api.given().queryParam("status", "error").get("/v0/jobs").then().statusCode(200)
                .body("jobs.id", hasItem(failed)).body("jobs.id", not(hasItem(succeeded)));
        api.given().queryParam("kind", "import").get("/v0/jobs").then().statusCode(200).body("jobs", equalTo(List.of()));
        api.given().get("/v0/jobs/").then().statusCode(200).body("jobs.id", hasItem(succeeded));
    }

    private long countEvents() {
        return api.sql("SELECT count() AS n FROM events WHERE organization_id = '" + organization + "'").getLong("data[0].n");
    }

    private String submit(String datasource, String condition) {
        return api.given().formParam("delete_condition", condition).post("/v0/datasources/" + datasource + "/delete")
                .then().statusCode(201).extract().path("id");
    }

    private JsonPath assertFinished(String expected, String id) {
        JsonPath job = awaitFinished(id);
        assertEquals(expected, job.getString("status"), job.prettify());
        return job;
    }

    /** Polls the job until it is done or failed; the statuses it goes through must follow Tinybird's order. */
    private JsonPath awaitFinished(String id) {
        List<String> order = List.of("waiting", "working", "done");
        List<String> seen = new ArrayList<>();
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (true) {
            JsonPath job = api.given().get("/v0/jobs/" + id).then().statusCode(200).extract().jsonPath();
            String status = job.getString("status");
            if (seen.isEmpty() || !seen.getLast().equals(status)) {
                seen.add(status);
            }
            if (status.equals("done") || status.equals("error")) {
                List<String> progress = seen.stream().filter(s -> !s.equals("error")).toList();
                assertEquals(order.stream().filter(progress::contains).toList(), progress, "statuses seen: " + seen);
                return job;
            }
            assertTrue(System.nanoTime() < deadline, "job " + id + " still " + status);
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }
}

package com.emitkit.events.local.api;

import com.emitkit.events.local.EmbeddedApi;
import com.emitkit.events.tinybird.TinybirdBackend;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static com.emitkit.events.local.EmbeddedApi.event;
import static com.emitkit.events.local.EmbeddedApi.unique;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

@QuarkusTest
class PipesApiTest {

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
                event("c", organization, "ch1", "basic", now.minusSeconds(10))));
    }

    @Test
    void pagesOverManyPartsAreOrderedByTimeThenId() {
        // One insert per row: one part each, the shape under which chDB's top-K dynamic filtering misread ids as times.
        String org = unique("org");
        Instant base = Instant.now().minusSeconds(3600);
        List<String> expected = new java.util.ArrayList<>();
        for (int i = 0; i < 12; i++) {
            String id = "P_" + (char) ('a' + i) + "_" + i;
            api.ingest(List.of(event(id, org, "ch1", i % 2 == 0 ? "basic" : "premium", base.plusSeconds(i / 2))));
            expected.add(0, id);
        }
        assertEquals(false, api.sql("SELECT getSetting('use_top_k_dynamic_filtering') AS v").getBoolean("data[0].v"));
        for (int limit : new int[] {1, 2, 5}) {
            api.given().queryParam("organization_id", org).queryParam("limit", limit).get("/v0/pipes/get_events_paginated.json")
                    .then().statusCode(200).body("data.id", equalTo(expected.subList(0, limit)));
        }
    }

    @Test
    void jsonHasClickHouseShapeWithStatistics() {
        api.given().queryParam("organization_id", organization).get("/v0/pipes/get_events_paginated.json")
                .then().statusCode(200)
                .header("X-Request-ID", notNullValue())
                .contentType(startsWith("application/json"))
                .body("meta.name", hasItems("id", "created_at", "retention_tier"))
                .body("data.id", equalTo(List.of("c", "b", "a")))
                .body("rows", equalTo(3))
                .body("statistics.elapsed", notNullValue())
                .body("statistics.rows_read", greaterThanOrEqualTo(3));
    }

    @Test
    void csvAndNdjsonFormats() {
        String csv = api.given().queryParam("organization_id", organization).get("/v0/pipes/get_events_paginated.csv")
                .then().statusCode(200).contentType(startsWith("text/csv")).extract().asString();
        String[] lines = csv.strip().split("\n");
        assertEquals(4, lines.length);
        assertTrue(lines[0].startsWith("\"id\",\"organization_id\""), lines[0]);
        String ndjson = api.given().queryParam("organization_id", organization).get("/v0/pipes/get_events_paginated.ndjson")
                .then().statusCode(200).contentType(startsWith("application/x-ndjson")).extract().asString();
        assertEquals(3, ndjson.strip().split("\n").length);
        assertTrue(ndjson.startsWith("{\"id\":\"c\""), ndjson);
        api.given().queryParam("organization_id", organization).get("/v0/pipes/get_events_paginated.parquet")
                .then().statusCode(400).body("error", containsString("format"));
    }

    @Test
    void postedJsonParametersAreMergedWithTheQueryString() {
        api.given().contentType("application/json").body(Map.of("organization_id", organization, "limit", 2))
                .post("/v0/pipes/get_events_paginated.json")
                .then().statusCode(200).body("data.id", equalTo(List.of("c", "b")));
        api.given().queryParam("offset", 2).contentType("application/json").body(Map.of("organization_id", organization))
                .post("/v0/pipes/get_events_paginated.json")
                .then().statusCode(200).body("data.id", equalTo(List.of("a")));
    }

    @Test
    void parameterErrorsAre400WithTheReason() {
        // Tinybird's wording: the missing-parameter message lists every parameter without a default.
        api.given().get("/v0/pipes/get_events_paginated.json")
                .then().statusCode(400)
                .body("error", startsWith("Template Syntax Error: Required parameter is not defined. Check the parameters organization_id, "))
                .body("documentation", equalTo("https://www.tinybird.co/docs/cli/advanced-templates.html"));
        api.given().queryParam("organization_id", organization).queryParam("limit", "12x")
                .get("/v0/pipes/get_events_paginated.json")
                .then().statusCode(400).body("error", equalTo("Template Syntax Error: Error validating '12x' to type Int32"));
        api.given().queryParam("organization_id", organization).queryParam("limit", "5000")
                .get("/v0/pipes/get_events_paginated.json")
                .then().statusCode(400).body("error", equalTo("limit must be between 1 and 1000"));
        api.given().queryParam("organization_id", organization).queryParam("date_from", "2024-13-45 00:00:00")
                .get("/v0/pipes/get_events_paginated.json")
                .then().statusCode(400);
        api.given().queryParam("organization_id", organization).queryParam("granularity", "week")
                .get("/v0/pipes/get_events_stats.json")
                .then().statusCode(400).body("error", containsString("granularity"));
    }

    @Test
    void customErrorAnswersTheTemplatesStatusAndBody() {
        api.given().contentType("application/json")
                .body(Map.of("q", "%\nSELECT {{ custom_error({'error': 'teapot', 'code': 'E418'}, 418) }}"))
                .post("/v0/sql").then().statusCode(418).contentType(startsWith("application/json"))
                .body("error", equalTo("teapot")).body("code", equalTo("E418"));
    }

    @Test
    void injectionAttemptsStayLiteralValues() {
        for (String attempt : List.of(organization + "' OR '1'='1", organization + "\\' OR 1=1 --", "x'); DROP TABLE events; --",
                organization + "\u2028", "' UNION ALL SELECT * FROM system.tables --")) {
            api.given().queryParam("organization_id", attempt).get("/v0/pipes/get_events_paginated.json")
                    .then().statusCode(200).body("rows", equalTo(0));
        }
        api.given().queryParam("organization_id", organization).get("/v0/pipes/get_events_paginated.json")
                .then().statusCode(200).body("rows", equalTo(3));
    }

    @Test
    void unknownPipesAre404AndBadTokens403() {
        api.given().get("/v0/pipes/no_such_pipe.json").then().statusCode(404).body("error", containsString("no_such_pipe"));
        api.anonymous().queryParam("organization_id", organization).get("/v0/pipes/get_events_paginated.json")
                .then().statusCode(403).contentType(startsWith("application/json")).body("error", containsString("token"));
    }

    @Test
    void qRunsSqlOverThePipeResult() {
        api.given().queryParam("organization_id", organization).queryParam("q", "SELECT count() AS n, max(id) AS last FROM _")
                .get("/v0/pipes/get_events_paginated.json")
                .then().statusCode(200).body("data[0].n", equalTo(3)).body("data[0].last", equalTo("c"));
        api.given().queryParam("organization_id", organization).queryParam("q", "SELECT 1 FROM _; DROP TABLE events")
                .get("/v0/pipes/get_events_paginated.json")
                .then().statusCode(400).body("error", containsString("one statement"));
        api.given().queryParam("organization_id", organization).queryParam("q", "INSERT INTO events SELECT * FROM _")
                .get("/v0/pipes/get_events_paginated.json")
                .then().statusCode(400);
    }

    @Test
    void queryApiRunsOneReadOnlySelect() {
        api.given().queryParam("q", "SELECT count() AS n FROM events WHERE organization_id = '" + organization + "' FORMAT JSON")
                .get("/v0/sql").then().statusCode(200).body("data[0].n", equalTo(3));
        String tsv = api.given().body("SELECT id FROM events WHERE organization_id = '" + organization + "' ORDER BY id")
                .post("/v0/sql").then().statusCode(200).extract().asString();
        assertEquals("a\nb\nc\n", tsv);
        api.given().contentType("application/json")
                .body(Map.of("q", "%\nSELECT count() AS n FROM events WHERE organization_id = {{ String(org) }} FORMAT JSON",
                        "org", organization))
                .post("/v0/sql").then().statusCode(200).body("data[0].n", equalTo(3));
        for (String refused : List.of("DROP TABLE events", "SELECT 1; DROP TABLE events", "INSERT INTO events (id) VALUES ('x')",
                "SHOW TABLES", "SELECT 1 -- ; comment\n; DROP TABLE events")) {
            api.given().queryParam("q", refused).get("/v0/sql").then().statusCode(400).body("error", notNullValue());
        }
        api.given().queryParam("q", "SELECT no_such_column FROM events").get("/v0/sql")
                .then().statusCode(400).header("X-DB-Exception-Code", "47");
        api.given().queryParam("q", "SELECT count() AS n FROM events WHERE organization_id = '" + organization + "' FORMAT JSON")
                .get("/v0/sql").then().statusCode(200).body("data[0].n", equalTo(3));
    }

    @Test
    void aQueryStopsAfterTinybirdsTenSecondTimeoutWith408() {
        long started = System.nanoTime();
        api.given().queryParam("q", "SELECT count() FROM numbers(1000000000000) WHERE NOT ignore(sipHash64(number))")
                .get("/v0/sql").then().statusCode(408).header("X-DB-Exception-Code", "159").body("error", notNullValue());
        long seconds = Duration.ofNanos(System.nanoTime() - started).toSeconds();
        assertTrue(seconds >= 9 && seconds < 60, "stopped after " + seconds + " s");
    }

    @Test
    void tokensAreListedLikeTinybirdLocal() {
        String adminToken = RestAssured.given().baseUri(api.url()).get("/tokens")
                .then().statusCode(200).body("user_token", notNullValue()).body("workspace_admin_token", notNullValue())
                .extract().path("admin_token");
        assertEquals(api.token(), adminToken);
    }
}

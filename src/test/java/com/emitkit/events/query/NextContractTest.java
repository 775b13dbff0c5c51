package com.emitkit.events.query;

import com.emitkit.events.local.EmbeddedApi;
import com.emitkit.events.tenancy.TestTenants;
import com.emitkit.events.tinybird.TinybirdBackend;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.response.ValidatableResponse;
import io.restassured.specification.RequestSpecification;
import io.smallrye.jwt.build.Jwt;
import io.smallrye.jwt.build.JwtClaimsBuilder;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URL;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The next SDK line's read endpoints and shapes (emitkit-product.md), beside the v2 contract they extend. */
@QuarkusTest
class NextContractTest {

    private static final String SECRET = "test-dashboard-secret-of-at-least-32-bytes!!";
    private static final String ISSUER = "https://dashboard.test";

    @Inject
    TinybirdBackend backend;
    @Inject
    Pool pool;
    @TestHTTPResource("/")
    URL base;

    TestTenants.Tenant tenant;

    @BeforeEach
    void tenant() {
        tenant = TestTenants.create("premium", List.of("write", "read"));
    }

    private static RequestSpecification as(TestTenants.Tenant t) {
        return given().header("Authorization", "Bearer " + t.key()).contentType(ContentType.JSON);
    }

    private static RequestSpecification with(String token) {
        return given().header("Authorization", "Bearer " + token);
    }

    private static JwtClaimsBuilder claims(String organizationId) {
        Instant now = Instant.now();
        return Jwt.issuer(ISSUER).subject("dashboard-user").claim("org", organizationId).issuedAt(now).expiresAt(now.plusSeconds(300));
    }

    private JsonPath post(String channel, String title) {
        return as(tenant).body(Map.of("channelName", channel, "title", title)).post("/v1/events")
                .then().statusCode(201).extract().jsonPath();
    }

    @Test
    void meSaysWhoTheCredentialIs() {
        as(tenant).get("/v1/me").then().statusCode(200)
                .body("data.organization.id", equalTo(tenant.organizationId())).body("data.organization.name", equalTo("Acme"))
                .body("data.project.id", equalTo(tenant.siteId())).body("data.project.name", equalTo("web"))
                .body("data.scopes", equalTo(List.of("events:write", "events:read")))
                .body("data.via", equalTo("api_key"));
        // A write-only key (what the SDKs hold) may ask too.
        TestTenants.Tenant writer = TestTenants.create("basic", List.of("write"));
        as(writer).get("/v1/me").then().statusCode(200).body("data.scopes", equalTo(List.of("events:write")));
        // A key that may erase users says so, under the one name the next contract and this service share.
        TestTenants.Tenant eraser = TestTenants.create("basic", List.of("write", "identities:write", "delete", "webhooks"));
        as(eraser).get("/v1/me").then().statusCode(200)
                .body("data.scopes", equalTo(List.of("events:write", "identities:write", "delete", "webhooks")));
        with(claims(tenant.organizationId()).claim("channels", List.of("payments")).signWithSecret(SECRET)).get("/v1/me")
                .then().statusCode(200)
                .body("data.via", equalTo("dashboard_token")).body("data.project", nullValue())
                .body("data.scopes", equalTo(List.of("events:read"))).body("data.channels", equalTo(List.of("payments")));
        given().get("/v1/me").then().statusCode(401).header("WWW-Authenticate", "Bearer").body("code", equalTo("unauthorized"));
    }

    @Test
    void channelNamesAreSluggedAndTheFirstNameIsKept() {
        String id = as(tenant).body(Map.of("channelName", "Payments", "title", "one", "icon", "💰", "description", "Money in"))
                .post("/v1/events").then().statusCode(201).body("data.channelName", equalTo("Payments"))
                .extract().path("data.channelId");
        assertEquals(id, post("payments", "two").getString("data.channelId"));
        JsonPath third = post("PAYMENTS", "three");
        assertEquals(id, third.getString("data.channelId"));
        assertEquals("Payments", third.getString("data.channelName"));
        post("Sign ups", "a");
        post("sign\tups", "b");
        as(tenant).get("/v1/channels").then().statusCode(200)
                .body("data.channels.name", equalTo(List.of("Payments", "Sign ups")))
                .body("data.channels.slug", equalTo(List.of("payments", "sign-ups")))
                .body("data.channels[0].id", equalTo(id)).body("data.channels[0].icon", equalTo("💰"))
                .body("data.channels[0].description", equalTo("Money in")).body("data.channels[0].createdAt", notNullValue());
        as(tenant).queryParam("channel", "pAyMeNtS").get("/v1/events").then().statusCode(200)
                .body("data.events.title", equalTo(List.of("three", "two", "one")))
                .body("data.events.channelName", equalTo(List.of("Payments", "Payments", "Payments")));
        // A token narrowed to a channel sees it under any spelling, and lists only it.
        String token = claims(tenant.organizationId()).claim("channels", List.of("PAYMENTS")).signWithSecret(SECRET);
        with(token).get("/v1/channels").then().statusCode(200).body("data.channels.name", equalTo(List.of("Payments")));
        with(token).queryParam("channel", "payments").get("/v1/events").then().statusCode(200).body("data.events", hasSize(3));
    }

    /** V5 merged channels that slug alike: the survivor's reads cover the events Tinybird holds under the merged ids. */
    @Test
    void aMergedChannelsEventsStayVisibleUnderTheSurvivor() throws Exception {
        // As V5 leaves them: the oldest of the two survives, the other is marked merged into it.
        String survivor = "ch_survivor_" + tenant.organizationId();
        String merged = "ch_merged_" + tenant.organizationId();
        pool.preparedQuery("""
                        INSERT INTO channels (id, organization_id, site_id, name, slug, merged_into, created_at)
                        VALUES ($1, $3, $4, 'payments', 'payments', NULL, now() - interval '2 days'),
                               ($2, $3, $4, 'Payments', 'payments', $1, now() - interval '1 day')""")
                .execute(Tuple.of(survivor, merged, tenant.organizationId(), tenant.siteId())).await().indefinitely();
        assertEquals(survivor, post("Payments", "current").getString("data.channelId"));
        Map<String, Object> old = EmbeddedApi.event("evt_merged_old", tenant.organizationId(), merged, "premium",
                Instant.now().minus(Duration.ofHours(1)));
        old.put("site_id", tenant.siteId());
        new EmbeddedApi(backend).ingest(List.of(old));
        as(tenant).queryParam("channel", "Payments").get("/v1/events").then().statusCode(200)
                .body("data.events.id", hasSize(2)).body("data.events[1].id", equalTo("evt_merged_old"));
        as(tenant).queryParam("channel", "payments").get("/v1/stats").then().statusCode(200).body("data.totalEvents", equalTo(2));
        as(tenant).get("/v1/channels").then().body("data.channels.id", equalTo(List.of(survivor)));

        SseClient.Connection stream = new SseClient(base).connect("payments", tenant.key(), null);
        try {
            // The stream sends what is created after it opened: its head arrives once it has.
            assertEquals(200, stream.response().get(10, java.util.concurrent.TimeUnit.SECONDS).statusCode());
            Map<String, Object> late = EmbeddedApi.event("evt_merged_live", tenant.organizationId(), merged, "premium", Instant.now());
            late.put("site_id", tenant.siteId());
            new EmbeddedApi(backend).ingest(List.of(late));
            assertEquals("evt_merged_live", stream.next().id());
        } finally {
            stream.close();
        }
    }

    @Test
    void oneEventByIdWithinRetention() {
        JsonPath created = post("payments", "found");
        String id = created.getString("data.id");
        as(tenant).get("/v1/events/" + id).then().statusCode(200)
                .body("data.id", equalTo(id)).body("data.title", equalTo("found")).body("data.channelName", equalTo("payments"));
        as(tenant).get("/v1/events/evt_nope").then().statusCode(404).body("code", equalTo("not_found"))
                .body("success", equalTo(false)).body("requestId", notNullValue());
        // Another organization's event is as absent as an unknown one.
        TestTenants.Tenant other = TestTenants.create("premium", List.of("read"));
        as(other).get("/v1/events/" + id).then().statusCode(404).body("code", equalTo("not_found"));
        // Stored, but past its tier's window: gone.
        Map<String, Object> expired = EmbeddedApi.event("evt_expired", tenant.organizationId(), created.getString("data.channelId"),
                "basic", Instant.now().minus(Duration.ofDays(120)));
        expired.put("site_id", tenant.siteId());
        new EmbeddedApi(backend).ingest(List.of(expired));
        as(tenant).get("/v1/events/evt_expired").then().statusCode(404).body("code", equalTo("not_found"));
        // A token narrowed to other channels learns nothing of it.
        with(claims(tenant.organizationId()).claim("channels", List.of("signups")).signWithSecret(SECRET))
                .get("/v1/events/" + id).then().statusCode(404);
        with(claims(tenant.organizationId()).signWithSecret(SECRET)).get("/v1/events/" + id).then().statusCode(200);
    }

    @Test
    void beforeIsTheCursorAndSinceTheLowerBound() {
        List<String> ids = new ArrayList<>();
        for (String title : List.of("first", "second", "third")) {
            ids.add(post("payments", title).getString("data.id"));
        }
        String cursor = as(tenant).queryParam("limit", 2).get("/v1/events").then().statusCode(200)
                .body("data.events.id", equalTo(List.of(ids.get(2), ids.get(1)))).extract().path("data.nextCursor");
        as(tenant).queryParam("before", cursor).get("/v1/events").then().statusCode(200)
                .body("data.events.id", equalTo(List.of(ids.get(0)))).body("data.nextCursor", nullValue());
        as(tenant).queryParam("before", cursor).queryParam("cursor", cursor).get("/v1/events").then().statusCode(200);
        as(tenant).queryParam("before", cursor).queryParam("cursor", "other").get("/v1/events").then().statusCode(400)
                .body("code", equalTo("validation_error"));
        String secondAt = as(tenant).get("/v1/events/" + ids.get(1)).then().extract().path("data.createdAt");
        as(tenant).queryParam("since", secondAt.replace(' ', 'T') + "Z").get("/v1/events").then().statusCode(200)
                .body("data.events.id", equalTo(List.of(ids.get(2), ids.get(1))));
        as(tenant).queryParam("since", "yesterday").get("/v1/events").then().statusCode(400).body("code", equalTo("validation_error"));
    }

    @Test
    void identifyTakesUserIdInCamelCase() {
        as(tenant).body(Map.of("userId", "u-camel", "properties", Map.of("plan", "pro"))).post("/v1/identify")
                .then().statusCode(200).body("data.userId", equalTo("u-camel"));
        as(tenant).body(Map.of("userId", "u-1", "user_id", "u-1")).post("/v1/identify").then().statusCode(200);
        as(tenant).body(Map.of("userId", "u-1", "user_id", "u-2")).post("/v1/identify").then().statusCode(400)
                .body("code", equalTo("validation_error")).body("details[0].path", equalTo(List.of("userId")));
    }

    /** Every kind of refusal, on every surface, carries its stable code; every 401 its challenge. */
    @Test
    void everyErrorCarriesItsCode() {
        ValidatableResponse invalid = as(tenant).body(Map.of("title", "no channel")).post("/v1/events").then().statusCode(400);
        invalid.body("code", equalTo("validation_error")).body("details[0].path", equalTo(List.of("channelName")));
        as(tenant).contentType(ContentType.TEXT).body("x").post("/v1/events").then().statusCode(415).body("code", equalTo("validation_error"));
        for (String path : List.of("/v1/events", "/v1/channels", "/v1/channels/payments/stream", "/v1/me")) {
            given().get(path).then().statusCode(401).header("WWW-Authenticate", "Bearer").body("code", equalTo("unauthorized"));
            given().header("Authorization", "Bearer emitkit_unknown").get(path).then().statusCode(401)
                    .header("WWW-Authenticate", "Bearer").body("code", equalTo("unauthorized"));
        }
        given().contentType(ContentType.JSON).body(Map.of("channelName", "c", "title", "t")).post("/v1/events").then().statusCode(401)
                .header("WWW-Authenticate", "Bearer").body("code", equalTo("unauthorized"));
        given().header("Authorization", "Bearer wrong-admin-token").get("/admin/organizations/" + tenant.organizationId())
                .then().statusCode(401).header("WWW-Authenticate", "Bearer").body("code", equalTo("unauthorized"));
        given().header("Authorization", TestTenants.ADMIN).get("/admin/organizations/org_nope").then().statusCode(404)
                .body("code", equalTo("not_found"));
        TestTenants.Tenant writer = TestTenants.create("basic", List.of("write"));
        as(writer).get("/v1/events").then().statusCode(403).body("code", equalTo("forbidden"));
        as(tenant).get("/v1/nothing-here").then().statusCode(404).body("code", equalTo("not_found"));
        for (int i = 0; i < 20; i++) {
            as(writer).get("/v1/me").then().statusCode(200);
        }
        as(writer).get("/v1/me").then().statusCode(429).body("code", equalTo("rate_limited"));
    }

    /** 1 MiB per request body (on the wire, and once decompressed), 16 KB per stored event: 413 payload_too_large. */
    @Test
    void bodiesOver1MiBAndEventsOver16KBAre413() throws Exception {
        int mib = 1024 * 1024;
        java.net.http.HttpClient http = java.net.http.HttpClient.newBuilder().version(java.net.http.HttpClient.Version.HTTP_1_1).build();
        java.util.function.Function<java.net.http.HttpRequest.BodyPublisher, java.net.http.HttpResponse<String>> send = body -> {
            try {
                // Expect: 100-continue lets the client read the 413 the server sends before taking the body.
                return http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(base + "v1/events"))
                        .header("Authorization", "Bearer " + tenant.key()).header("Content-Type", "application/json")
                        .expectContinue(true).POST(body).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        };
        java.net.http.HttpResponse<String> declared = send.apply(java.net.http.HttpRequest.BodyPublishers.ofByteArray(new byte[mib + 1]));
        assertEquals(413, declared.statusCode());
        assertEquals("payload_too_large", JsonPath.from(declared.body()).getString("code"));
        // Chunked, its length unknown until read: Quarkus' own 413 (no body), still a 413.
        assertEquals(413, send.apply(java.net.http.HttpRequest.BodyPublishers.ofInputStream(
                () -> new java.io.ByteArrayInputStream(new byte[mib + 1]))).statusCode());

        // Small on the wire, over 1 MiB once inflated.
        java.io.ByteArrayOutputStream zipped = new java.io.ByteArrayOutputStream();
        try (java.util.zip.GZIPOutputStream gzip = new java.util.zip.GZIPOutputStream(zipped)) {
            gzip.write(("{\"channelName\": \"c\", \"title\": \"t\", \"pad\": \"" + " ".repeat(mib) + "\"}").getBytes());
        }
        as(tenant).header("Content-Encoding", "gzip").body(zipped.toByteArray()).post("/v1/events").then().statusCode(413)
                .body("code", equalTo("payload_too_large"));

        // Just under 1 MiB, in events under 16 KB each: accepted.
        List<Map<String, Object>> events = new ArrayList<>();
        for (int i = 0; i < 70; i++) {
            events.add(Map.of("channelName", "bulk", "title", "e" + i, "metadata", Map.of("pad", "x".repeat(14_000))));
        }
        as(tenant).body(Map.of("events", events)).post("/v1/events/batch").then().statusCode(200).body("data.accepted", equalTo(70));

        Map<String, Object> tooBig = Map.of("channelName", "c", "title", "t", "metadata", Map.of("pad", "x".repeat(16 * 1024)));
        as(tenant).body(tooBig).post("/v1/events").then().statusCode(413).body("code", equalTo("payload_too_large"));
        as(tenant).body(Map.of("events", List.of(tooBig, Map.of("channelName", "c", "title", "fits")))).post("/v1/events/batch")
                .then().statusCode(200).body("data.accepted", equalTo(1))
                .body("data.results[0].code", equalTo("payload_too_large")).body("data.results[1].success", equalTo(true));
    }

    @Test
    void aStreamTakesADashboardTokenAsAccessTokenButNeverAnApiKey() throws Exception {
        post("payments", "before");
        String token = claims(tenant.organizationId()).signWithSecret(SECRET);
        given().queryParam("access_token", token).get("/v1/channels/nope/stream").then().statusCode(404).body("code", equalTo("not_found"));
        given().queryParam("access_token", tenant.key()).get("/v1/channels/payments/stream").then().statusCode(401)
                .header("WWW-Authenticate", "Bearer").body("code", equalTo("unauthorized"));
        given().queryParam("access_token", token + "x").get("/v1/channels/payments/stream").then().statusCode(401)
                .body("code", equalTo("unauthorized"));
        with(token).queryParam("access_token", token).get("/v1/channels/payments/stream").then().statusCode(400);
        // Only the stream takes it: a list still needs the header.
        given().queryParam("access_token", token).get("/v1/events").then().statusCode(401);
        java.net.http.HttpResponse<java.io.InputStream> open = java.net.http.HttpClient.newHttpClient().send(
                java.net.http.HttpRequest.newBuilder(java.net.URI.create(base + "v1/channels/payments/stream?access_token=" + token))
                        .header("Accept", "text/event-stream").build(), java.net.http.HttpResponse.BodyHandlers.ofInputStream());
        try (java.io.InputStream body = open.body()) {
            assertEquals(200, open.statusCode());
            assertEquals("text/event-stream", open.headers().firstValue("Content-Type").orElse("").split(";")[0]);
        }
    }
}

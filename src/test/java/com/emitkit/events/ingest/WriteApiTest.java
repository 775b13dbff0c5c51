package com.emitkit.events.ingest;

import com.emitkit.events.local.EmbeddedApi;
import com.emitkit.events.tenancy.TestTenants;
import com.emitkit.events.tenancy.TestTenants.Tenant;
import com.emitkit.events.tinybird.TinybirdBackend;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.specification.RequestSpecification;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;

import static com.emitkit.events.tenancy.TestTenants.ADMIN;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The SDKs' write API over HTTP, with tenancy in the embedded PostgreSQL and events in the embedded Tinybird. */
@QuarkusTest
class WriteApiTest {

    @Inject
    TinybirdBackend backend;

    @io.quarkus.test.common.http.TestHTTPResource("/")
    java.net.URL baseUrl;

    EmbeddedApi tinybird;
    Tenant tenant;

    @BeforeEach
    void setUp() {
        tinybird = new EmbeddedApi(backend);
        tenant = TestTenants.create("premium", List.of("write"));
    }

    private RequestSpecification as(Tenant t) {
        return given().header("Authorization", "Bearer " + t.key()).contentType(ContentType.JSON);
    }

    private JsonPath stored(String eventId) {
        return tinybird.sql("SELECT * FROM events WHERE id = '" + eventId + "'");
    }

    @Test
    void anEventWithEveryFieldIsStoredWithTheOrganizationsTier() {
        String id = as(tenant).header("X-Request-ID", "client-req-1")
                .body(Map.of("channelName", "payments", "title", "Payment received", "description", "€99.00",
                        "icon", "💸", "tags", List.of("vip", "eu"), "metadata", Map.of("amount", 99.99),
                        "notify", false, "displayAs", "notification", "source", "checkout", "userId", "user_42"))
                .post("/v1/events")
                .then().statusCode(201)
                .header("X-Request-ID", "client-req-1")
                .body("success", equalTo(true)).body("requestId", equalTo("client-req-1"))
                .body("data.id", startsWith("evt_")).body("data.retentionTier", equalTo("premium"))
                .extract().path("data.id");
        JsonPath row = stored(id);
        assertEquals(tenant.organizationId(), row.getString("data[0].organization_id"));
        assertEquals(tenant.siteId(), row.getString("data[0].site_id"));
        assertEquals("payments", row.getString("data[0].channel_name"));
        assertEquals("premium", row.getString("data[0].retention_tier"));
        assertEquals("user_42", row.getString("data[0].user_id"));
        assertEquals("💸", row.getString("data[0].icon"));
        assertEquals(List.of("vip", "eu"), row.getList("data[0].tags"));
        assertEquals("{\"amount\":99.99}", row.getString("data[0].metadata"));
        assertEquals(false, row.getBoolean("data[0].notify"));
        assertEquals("notification", row.getString("data[0].display_as"));
    }

    @Test
    void anAliasAddedByIdentifyNamesItsUserInTheNextEvent() {
        String before = as(tenant).body(Map.of("channelName", "signups", "title", "Before", "userId", "zoe@example.com"))
                .post("/v1/events").then().statusCode(201).extract().path("data.id");
        assertEquals("zoe@example.com", stored(before).getString("data[0].user_id"), "no alias yet: the value itself");
        as(tenant).body(Map.of("user_id", "user_zoe", "aliases", List.of("zoe@example.com"))).post("/v1/identify")
                .then().statusCode(200);
        // The earlier lookup was cached; identify invalidates it on this replica at once.
        String after = as(tenant).body(Map.of("channelName", "signups", "title", "After", "userId", "zoe@example.com"))
                .post("/v1/events").then().statusCode(201).extract().path("data.id");
        assertEquals("user_zoe", stored(after).getString("data[0].user_id"));
    }

    @Test
    void validationErrorsListEveryFieldInTheContractsShape() {
        as(tenant).body(Map.of("title", 5, "tags", List.of("ok", 7), "displayAs", "popup"))
                .post("/v1/events")
                .then().statusCode(400)
                .header("X-Request-ID", notNullValue())
                .body("success", equalTo(false)).body("error", equalTo("Validation failed"))
                .body("requestId", notNullValue())
                .body("details.path", equalTo(List.of(List.of("channelName"), List.of("title"), List.of("tags", 1),
                        List.of("displayAs"))));
        as(tenant).body("{\"channelName\": \"c\", \"title\": ").post("/v1/events")
                .then().statusCode(400).body("success", equalTo(false)).body("error", containsString("not valid JSON"));
        given().header("Authorization", "Bearer " + tenant.key()).contentType("text/plain").body("hello")
                .post("/v1/events").then().statusCode(415).body("success", equalTo(false));
    }

    @Test
    void keysAreChecked() {
        Map<String, String> event = Map.of("channelName", "c", "title", "t");
        given().contentType(ContentType.JSON).body(event).post("/v1/events")
                .then().statusCode(401).body("success", equalTo(false));
        given().header("Authorization", "Bearer emitkit_notakey").contentType(ContentType.JSON).body(event)
                .post("/v1/events").then().statusCode(401);
        Tenant readOnly = TestTenants.create("basic", List.of("read"));
        as(readOnly).body(event).post("/v1/events").then().statusCode(403).body("error", containsString("write"));

        as(tenant).body(event).post("/v1/events").then().statusCode(201);
        given().header("Authorization", ADMIN).delete("/admin/organizations/" + tenant.organizationId() + "/api-keys/"
                + tenant.keyId()).then().statusCode(204);
        as(tenant).body(event).post("/v1/events").then().statusCode(403).body("error", containsString("revoked"));
    }

    @Test
    void aKeyWritesOnlyIntoItsOwnOrganization() {
        Tenant other = TestTenants.create("basic", List.of("write"));
        String mine = as(tenant).body(Map.of("channelName", "shared-name", "title", "A's event")).post("/v1/events")
                .then().statusCode(201).extract().path("data.channelId");
        String theirs = as(other).body(Map.of("channelName", "shared-name", "title", "B's event")).post("/v1/events")
                .then().statusCode(201).extract().path("data.channelId");
        assertNotEquals(mine, theirs);
        // An organization_id in the body is ignored: the key decides.
        String id = as(other).body(Map.of("channelName", "x", "title", "t", "organization_id", tenant.organizationId()))
                .post("/v1/events").then().statusCode(201).extract().path("data.id");
        assertEquals(other.organizationId(), stored(id).getString("data[0].organization_id"));
        assertEquals(1, tinybird.sql("SELECT count() AS n FROM events WHERE organization_id = '" + tenant.organizationId()
                + "'").getInt("data[0].n"));
    }

    @Test
    void aTierChangeAppliesOnlyToLaterEvents() {
        Tenant basic = TestTenants.create("basic", List.of("write"));
        String before = as(basic).body(Map.of("channelName", "c", "title", "before")).post("/v1/events")
                .then().statusCode(201).extract().path("data.id");
        given().header("Authorization", ADMIN).contentType(ContentType.JSON).body(Map.of("retentionTier", "unlimited"))
                .patch("/admin/organizations/" + basic.organizationId()).then().statusCode(200)
                .body("data.tier", equalTo("unlimited"));
        String after = as(basic).body(Map.of("channelName", "c", "title", "after")).post("/v1/events")
                .then().statusCode(201).extract().path("data.id");
        assertEquals("basic", stored(before).getString("data[0].retention_tier"));
        assertEquals("unlimited", stored(after).getString("data[0].retention_tier"));
    }

    @Test
    void identifyAddsAliasesThatEventsResolve() {
        as(tenant).body(Map.of("user_id", "user_1", "properties", Map.of("plan", "pro"), "aliases", List.of("ann@example.com", "ann")))
                .post("/v1/identify")
                .then().statusCode(200)
                .body("data.userId", equalTo("user_1")).body("data.properties.plan", equalTo("pro"))
                .body("data.aliases.created", equalTo(List.of("ann@example.com", "ann")))
                .body("data.aliases.failed", hasSize(0)).body("data.updatedAt", notNullValue());
        as(tenant).body(Map.of("user_id", "user_2", "aliases", List.of("ann", "bob")))
                .post("/v1/identify")
                .then().statusCode(200)
                .body("data.aliases.created", equalTo(List.of("bob")))
                .body("data.aliases.failed[0].alias", equalTo("ann"))
                .body("data.aliases.failed[0].reason", notNullValue());
        // Properties are replaced, not merged.
        as(tenant).body(Map.of("user_id", "user_1", "properties", Map.of("seats", 3))).post("/v1/identify")
                .then().statusCode(200).body("data.properties.plan", nullValue()).body("data.properties.seats", equalTo(3));

        String id = as(tenant).body(Map.of("channelName", "c", "title", "t", "userId", "ann@example.com")).post("/v1/events")
                .then().statusCode(201).body("data.userId", equalTo("user_1")).extract().path("data.id");
        assertEquals("user_1", stored(id).getString("data[0].user_id"));
        as(tenant).body(Map.of("aliases", "nope")).post("/v1/identify")
                .then().statusCode(400).body("details.path", equalTo(List.of(List.of("user_id"), List.of("aliases"))));
    }

    @Test
    void aBatchAnswersPerEvent() {
        JsonPath result = as(tenant).body(Map.of("events", List.of(
                        Map.of("channelName", "c", "title", "one"),
                        Map.of("channelName", "c"),
                        Map.of("channelName", "c", "title", "three"))))
                .post("/v1/events/batch")
                .then().statusCode(200).body("data.accepted", equalTo(2)).body("data.rejected", equalTo(1))
                .extract().jsonPath();
        assertEquals(List.of(true, false, true), result.getList("data.results.success"));
        assertEquals(List.of(List.of("title")), result.getList("data.results[1].details.path"));
        assertEquals("one", stored(result.getString("data.results[0].id")).getString("data[0].title"));
        as(tenant).body(Map.of("events", List.of())).post("/v1/events/batch").then().statusCode(400);
    }

    @Test
    void gzipBodiesAreAcceptedAndBombsRefused() throws Exception {
        String id = given().header("Authorization", "Bearer " + tenant.key()).contentType(ContentType.JSON)
                .header("Content-Encoding", "gzip").body(gzip("{\"channelName\":\"c\",\"title\":\"zipped\"}".getBytes()))
                .post("/v1/events").then().statusCode(201).extract().path("data.id");
        assertEquals("zipped", stored(id).getString("data[0].title"));
        byte[] bomb = gzip(new byte[20 * 1024 * 1024]);
        given().header("Authorization", "Bearer " + tenant.key()).contentType(ContentType.JSON)
                .header("Content-Encoding", "gzip").body(bomb)
                .post("/v1/events").then().statusCode(413).body("success", equalTo(false));
    }

    @Test
    void anIdempotencyKeyReplaysTheFirstAnswerAndRefusesAnotherBody() {
        String first = as(tenant).header("Idempotency-Key", "pay-1").body(Map.of("channelName", "c", "title", "once"))
                .post("/v1/events").then().statusCode(201).header("X-Idempotent-Replay", nullValue())
                .extract().path("data.id");
        as(tenant).header("Idempotency-Key", "pay-1").body(Map.of("channelName", "c", "title", "once"))
                .post("/v1/events").then().statusCode(201).header("X-Idempotent-Replay", "true")
                .body("data.id", equalTo(first));
        as(tenant).header("Idempotency-Key", "pay-1").body(Map.of("channelName", "c", "title", "twice"))
                .post("/v1/events").then().statusCode(409).body("code", equalTo("idempotency_conflict"));
        // Keys are per organization.
        Tenant other = TestTenants.create("basic", List.of("write"));
        as(other).header("Idempotency-Key", "pay-1").body(Map.of("channelName", "c", "title", "once"))
                .post("/v1/events").then().statusCode(201).header("X-Idempotent-Replay", nullValue());
        assertEquals(1, tinybird.sql("SELECT count() AS n FROM events WHERE organization_id = '" + tenant.organizationId()
                + "'").getInt("data[0].n"));
    }

    @Test
    void everyAnswerCarriesRateLimitHeadersAndOversizeBodiesAre413() throws Exception {
        as(tenant).body(Map.of("channelName", "c", "title", "t")).post("/v1/events")
                .then().statusCode(201)
                .header("X-RateLimit-Limit", "3000").header("X-RateLimit-Remaining", notNullValue())
                .header("X-RateLimit-Reset", notNullValue());
        // Expect: 100-continue lets the client read the 413 the server sends before taking the body.
        java.net.http.HttpResponse<String> tooLarge = java.net.http.HttpClient.newBuilder()
                .version(java.net.http.HttpClient.Version.HTTP_1_1).build().send(
                java.net.http.HttpRequest.newBuilder(java.net.URI.create(baseUrl + "v1/events"))
                        .header("Authorization", "Bearer " + tenant.key()).header("Content-Type", "application/json")
                        .expectContinue(true)
                        .POST(java.net.http.HttpRequest.BodyPublishers.ofByteArray(new byte[6 * 1024 * 1024])).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertEquals(413, tooLarge.statusCode());
        assertTrue(tooLarge.body().startsWith("{"), "413 body: [" + tooLarge.body() + "] " + tooLarge.headers().map());
        JsonPath body = JsonPath.from(tooLarge.body());
        assertEquals(false, body.getBoolean("success"));
        assertTrue(body.getString("error").contains("too large"), tooLarge.body());
        assertTrue(tooLarge.headers().firstValue("X-Request-ID").isPresent());
    }

    @Test
    void browsersFromTheDashboardMayCallAndReadTheHeaders() {
        given().header("Origin", "https://dashboard.example.com").header("Access-Control-Request-Method", "POST")
                .header("Access-Control-Request-Headers", "authorization,content-type,idempotency-key")
                .options("/v1/events")
                .then().statusCode(200)
                .header("Access-Control-Allow-Origin", "https://dashboard.example.com")
                .header("Access-Control-Allow-Headers", containsString("Idempotency-Key"));
        as(tenant).header("Origin", "https://dashboard.example.com").body(Map.of("channelName", "c", "title", "t"))
                .post("/v1/events").then().statusCode(201)
                .header("Access-Control-Expose-Headers", containsString("X-RateLimit-Remaining"));
    }

    private static byte[] gzip(byte[] data) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(data);
        }
        return out.toByteArray();
    }
}

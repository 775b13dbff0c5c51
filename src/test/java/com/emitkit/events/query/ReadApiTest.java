package com.emitkit.events.query;

import com.emitkit.events.local.EmbeddedApi;
import com.emitkit.events.tenancy.TestTenants;
import com.emitkit.events.tinybird.TinybirdBackend;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.specification.RequestSpecification;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The dashboard's reads over HTTP, through the retention module, on events seeded in the embedded Tinybird. */
@QuarkusTest
class ReadApiTest {

    @Inject
    TinybirdBackend backend;

    TestTenants.Tenant tenant;
    String channelId;
    String liveId;
    final Instant now = Instant.now();

    private RequestSpecification as(TestTenants.Tenant t) {
        return given().header("Authorization", "Bearer " + t.key());
    }

    private Map<String, Object> seeded(TestTenants.Tenant t, String channel, String id, String tier, long daysAgo) {
        Map<String, Object> row = EmbeddedApi.event(id, t.organizationId(), channel, tier, now.minus(Duration.ofDays(daysAgo)));
        row.put("site_id", t.siteId());
        return row;
    }

    @BeforeEach
    void seed() {
        // Unlimited once, premium now: its unlimited events stay visible, whatever their age.
        tenant = TestTenants.create("unlimited", List.of("write", "read"));
        TestTenants.changeTier(tenant, "premium");
        JsonPath live = as(tenant).contentType(ContentType.JSON).body(Map.of("channelName", "payments", "title", "live", "tags", List.of("vip")))
                .post("/v1/events").then().statusCode(201).extract().jsonPath();
        channelId = live.getString("data.channelId");
        liveId = live.getString("data.id");
        new EmbeddedApi(backend).ingest(List.of(
                seeded(tenant, channelId, "A_basic_150d", "basic", 150),
                seeded(tenant, channelId, "B_premium_89d", "premium", 89),
                seeded(tenant, channelId, "C_unlimited_730d", "unlimited", 730),
                seeded(tenant, channelId, "D_basic_10d", "basic", 10),
                seeded(tenant, channelId, "E_premium_400d", "premium", 400),
                seeded(tenant, "ch_other", "F_other_channel", "basic", 1)));
    }

    @Test
    void theSetupGuidesExampleHoldsThroughListAndStats() {
        String threeYearsAgo = now.minus(Duration.ofDays(1100)).toString();
        as(tenant).queryParam("channel", "payments").queryParam("date_from", threeYearsAgo).get("/v1/events")
                .then().statusCode(200)
                .body("success", equalTo(true))
                .body("data.events.id", equalTo(List.of(liveId, "D_basic_10d", "B_premium_89d", "C_unlimited_730d")))
                .body("data.hasMore", equalTo(false));
        as(tenant).queryParam("channel", "payments").queryParam("date_from", threeYearsAgo).get("/v1/stats")
                .then().statusCode(200)
                .body("data.totalEvents", equalTo(4)).body("data.granularity", equalTo("day"))
                .body("data.tags[0].tag", equalTo("vip"));
        as(tenant).get("/v1/events").then().statusCode(200)
                .body("data.events.id", equalTo(List.of(liveId, "F_other_channel", "D_basic_10d", "B_premium_89d",
                        "C_unlimited_730d")));
    }

    @Test
    void pagesFollowTheCursorWithoutGapsOrRepeats() {
        List<String> seen = new ArrayList<>();
        String cursor = null;
        for (int page = 0; page < 5; page++) {
            RequestSpecification request = as(tenant).queryParam("channel", "payments").queryParam("limit", 2);
            if (cursor != null) {
                request.queryParam("cursor", cursor);
            }
            JsonPath body = request.get("/v1/events").then().statusCode(200).extract().jsonPath();
            seen.addAll(body.getList("data.events.id"));
            if (!body.getBoolean("data.hasMore")) {
                break;
            }
            cursor = body.getString("data.nextCursor");
        }
        assertEquals(List.of(liveId, "D_basic_10d", "B_premium_89d", "C_unlimited_730d"), seen);
    }

    @Test
    void aKeyReadsOnlyItsOwnOrganization() {
        TestTenants.Tenant other = TestTenants.create("unlimited", List.of("write", "read"));
        String theirs = as(other).contentType(ContentType.JSON).body(Map.of("channelName", "payments", "title", "theirs"))
                .post("/v1/events").then().statusCode(201).extract().path("data.id");
        as(other).queryParam("channel", "payments").queryParam("organization_id", tenant.organizationId())
                .get("/v1/events").then().statusCode(200).body("data.events.id", equalTo(List.of(theirs)));
        as(other).queryParam("organization_id", tenant.organizationId()).get("/v1/stats")
                .then().statusCode(200).body("data.totalEvents", equalTo(1));
        as(tenant).queryParam("channel", "payments").get("/v1/events").then().statusCode(200)
                .body("data.events.id", org.hamcrest.Matchers.not(org.hamcrest.Matchers.hasItem(theirs)));
    }

    @Test
    void readsNeedTheReadScopeAndClearParameters() {
        TestTenants.Tenant writer = TestTenants.create("basic", List.of("write"));
        as(writer).get("/v1/events").then().statusCode(403).body("error", containsString("read"));
        given().get("/v1/events").then().statusCode(401);
        as(tenant).queryParam("limit", 0).get("/v1/events").then().statusCode(400).body("error", containsString("'limit'"));
        as(tenant).queryParam("date_from", "last tuesday").get("/v1/events").then().statusCode(400)
                .body("error", containsString("'date_from'"));
        as(tenant).queryParam("cursor", "not-a-cursor").get("/v1/events").then().statusCode(400)
                .body("error", containsString("'cursor'"));
        as(tenant).queryParam("date_from", "2026-11-02").queryParam("date_to", "2026-11-01").get("/v1/stats")
                .then().statusCode(400);
        as(tenant).queryParam("channel", "never-used").get("/v1/events").then().statusCode(200)
                .body("data.events.size()", equalTo(0));
    }

    @Test
    void aForgedCursorOrAnOverlongLastEventIdIsTheClientsMistakeNotAnUpstreamFailure() {
        java.util.Base64.Encoder base64 = java.util.Base64.getUrlEncoder();
        for (String forged : List.of("{\"t\":\"yesterday\",\"i\":\"evt_1\"}", "{\"t\":\"2026-11-01 10:00:00\",\"i\":\"evt_1\"}",
                "{\"t\":\"2026-11-01 10:00:00.000\",\"i\":\"" + "x".repeat(300) + "\"}")) {
            as(tenant).queryParam("cursor", base64.encodeToString(forged.getBytes(java.nio.charset.StandardCharsets.UTF_8)))
                    .get("/v1/events").then().statusCode(400).body("error", containsString("'cursor'"));
        }
        as(tenant).header("Last-Event-ID", "evt_" + "x".repeat(5000)).get("/v1/channels/payments/stream")
                .then().statusCode(400).body("error", containsString("Last-Event-ID"));
    }

    @Test
    void eventsAreShownInTheApisShape() {
        JsonPath event = as(tenant).queryParam("channel", "payments").queryParam("limit", 1).get("/v1/events")
                .then().statusCode(200).extract().jsonPath();
        assertEquals("live", event.getString("data.events[0].title"));
        assertEquals("payments", event.getString("data.events[0].channelName"));
        assertEquals(List.of("vip"), event.getList("data.events[0].tags"));
        assertEquals("premium", event.getString("data.events[0].retentionTier"));
        assertTrue(event.getBoolean("data.events[0].notify"));
        assertFalse(event.getString("data.nextCursor").isBlank());
    }
}

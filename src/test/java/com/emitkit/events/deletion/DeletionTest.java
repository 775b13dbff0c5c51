package com.emitkit.events.deletion;

import com.emitkit.events.local.EmbeddedApi;
import com.emitkit.events.tenancy.TestTenants;
import com.emitkit.events.tenancy.TestTenants.Tenant;
import com.emitkit.events.tinybird.TinybirdBackend;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.smallrye.jwt.build.Jwt;
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

import static com.emitkit.events.deletion.Deleting.as;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Each deletion end to end on the embedded engine: before and after through the list, the statistics (equal to
 * the figures computed from raw rows, aggregates included), a stream's replay and {@code /v0/sql}.
 */
@QuarkusTest
class DeletionTest {

    private static final List<String> SCOPES = List.of("write", "read", "delete", "identities:write");

    @Inject
    TinybirdBackend backend;
    @Inject
    Pool pool;
    @Inject
    DeletionWorker worker;

    @TestHTTPResource("/")
    URL base;

    EmbeddedApi api;
    Tenant tenant;
    Deleting deleting;

    @BeforeEach
    void setUp() {
        api = new EmbeddedApi(backend);
        tenant = TestTenants.create("premium", SCOPES);
        deleting = new Deleting(api, tenant);
    }

    private String channelIdOf(String eventId) {
        return api.sql("SELECT channel_id FROM events WHERE id = '" + eventId + "'").getString("data[0].channel_id");
    }

    @Test
    void erasingAUserRemovesTheirEventsEverywhereAndKeepsTheFiguresExact() throws Exception {
        String early = deleting.post("erase", "Before the alias", "alias-zoe");
        as(tenant.key()).body(Map.of("user_id", "zoe", "aliases", List.of("alias-zoe"))).post("/v1/identify").then().statusCode(200);
        List<String> zoe = new ArrayList<>(List.of(early, deleting.post("erase", "Signed up", "zoe"),
                deleting.post("erase", "Paid", "zoe")));
        String channel = channelIdOf(early);
        zoe.addAll(deleting.seed(channel, "zoe", 26, 30, 50));
        zoe.addAll(deleting.seed(channel, "alias-zoe", 40));
        List<String> others = new ArrayList<>(deleting.seed(channel, "bob", 30, 31));
        others.add(deleting.post("erase", "Other", "bob"));
        assertEquals(10, deleting.listed("erase").size(), () -> "listed " + deleting.listed("erase") + " of " + zoe + others);
        assertEquals(10, deleting.statsEqualRawRows(Duration.ofDays(5)));
        assertEquals(9, deleting.statsEqualRawRows(Duration.ofHours(47)), "the oldest of them is 50 hours old");

        as(tenant.key()).delete("/v1/identities/alias-zoe").then().statusCode(400).body("success", equalTo(false));
        JsonPath erased = as(tenant.key()).delete("/v1/identities/zoe").then().statusCode(200).extract().jsonPath();
        assertEquals("zoe", erased.getString("data.userId"));
        assertEquals("erased", erased.getString("data.status"));
        assertEquals(1, erased.getInt("data.aliasesDeleted"));
        assertEquals(7, erased.getLong("data.productEventsDetached"));

        assertEquals(others.stream().sorted().toList(), deleting.listed("erase").stream().sorted().toList());
        assertEquals(3, deleting.statsEqualRawRows(Duration.ofDays(5)));
        assertEquals(3, deleting.statsEqualRawRows(Duration.ofHours(47)));
        as(tenant.key()).queryParam("date_from", Instant.now().minus(Duration.ofDays(5)).toString()).get("/v1/stats")
                .then().body("data.uniqueUsers", equalTo(1));
        assertEquals(0, deleting.stored("user_id IN ('zoe', 'alias-zoe')"));
        assertTrue(Deleting.replayed(base, "erase", tenant.key(), others.getFirst()).stream().noneMatch(zoe::contains));

        // Identified afresh: a new identity whose new events stay, also after the deletion's last pass.
        as(tenant.key()).body(Map.of("user_id", "zoe", "properties", Map.of("plan", "pro"))).post("/v1/identify").then().statusCode(200);
        String again = deleting.post("erase", "Back again", "zoe");
        JsonPath done = Deleting.awaitDone(erased.getString("data.id"));
        assertEquals(7, done.getLong("data.eventsDeleted"));
        assertEquals("key:" + tenant.keyId(), done.getString("data.requestedBy"));
        assertTrue(deleting.listed("erase").contains(again));
        assertEquals(1, deleting.stored("user_id = 'zoe'"));
    }

    @Test
    void deletingAnEventRemovesItFromListsStatisticsAndReplays() throws Exception {
        String first = deleting.post("single", "First", "ann");
        String channel = channelIdOf(first);
        List<String> seeded = deleting.seed(channel, "ann", 28, 29);
        String last = deleting.post("single", "Last", "ann");
        assertEquals(4, deleting.statsEqualRawRows(Duration.ofDays(5)));
        String older = seeded.getFirst();

        Tenant reader = TestTenants.create("premium", List.of("read"));
        as(reader.key()).delete("/v1/events/" + older).then().statusCode(403);
        JsonPath deleted = as(tenant.key()).delete("/v1/events/" + older).then().statusCode(200).extract().jsonPath();
        assertEquals("deleted", deleted.getString("data.status"));
        assertEquals(1, deleted.getLong("data.eventsDeleted"));
        // Idempotent: asked again, the same deletion answers.
        as(tenant.key()).delete("/v1/events/" + older).then().statusCode(200).body("data.id", equalTo(deleted.getString("data.id")));

        assertFalse(deleting.listed("single").contains(older));
        assertEquals(3, deleting.statsEqualRawRows(Duration.ofDays(5)));
        assertEquals(3, deleting.statsEqualRawRows(Duration.ofHours(47)));
        assertEquals(0, deleting.stored("id = '" + older + "'"));
        assertFalse(Deleting.replayed(base, "single", tenant.key(), seeded.getLast()).contains(older));

        // The live stream's memory forgets it too: a resume from there does not send it.
        String recent = deleting.post("single", "Recent", "ann");
        as(tenant.key()).delete("/v1/events/" + recent).then().statusCode(200);
        assertFalse(Deleting.replayed(base, "single", tenant.key(), last).contains(recent));

        JsonPath done = Deleting.awaitDone(deleted.getString("data.id"));
        assertEquals("event", done.getString("data.kind"));
        assertEquals(older, done.getString("data.eventId"));
    }

    @Test
    void theAdminTokenDeletesForTheOrganizationItNames() {
        String event = deleting.post("admin", "By admin", "carl");
        given().header("Authorization", TestTenants.ADMIN).delete("/v1/events/" + event).then().statusCode(400);
        given().header("Authorization", TestTenants.ADMIN).queryParam("organizationId", tenant.organizationId())
                .delete("/v1/events/" + event).then().statusCode(200).body("data.eventsDeleted", equalTo(1));
        given().header("Authorization", TestTenants.ADMIN).queryParam("organizationId", tenant.organizationId())
                .delete("/v1/identities/carl").then().statusCode(200).body("data.aliasesDeleted", equalTo(0))
                .body("data.productEventsDetached", equalTo(0));
        given().header("Authorization", TestTenants.ADMIN).queryParam("organizationId", tenant.organizationId())
                .queryParam("status", "nonsense").get("/admin/deletions").then().statusCode(400);
        List<String> kinds = given().header("Authorization", TestTenants.ADMIN).queryParam("organizationId", tenant.organizationId())
                .get("/admin/deletions").then().statusCode(200).body("data[0].requestedBy", equalTo("admin"))
                .body("data[0].userIds", nullValue()).extract().path("data.kind");
        assertEquals(List.of("identity", "event"), kinds);
    }

    @Test
    void aDeletedSiteIsHiddenAtOnceRestorableAndPurgedAfterItsWindow() throws Exception {
        String siteB = given().header("Authorization", TestTenants.ADMIN).contentType(ContentType.JSON).body(Map.of("name", "shop"))
                .post("/admin/organizations/" + tenant.organizationId() + "/sites").then().statusCode(201).extract().path("data.id");
        String keyB = given().header("Authorization", TestTenants.ADMIN).contentType(ContentType.JSON)
                .body(Map.of("siteId", siteB, "scopes", List.of("write", "read")))
                .post("/admin/organizations/" + tenant.organizationId() + "/api-keys").then().statusCode(201).extract().path("data.key");
        deleting.post("everywhere", "Site A", "ann");
        String onB = as(keyB).body(Map.of("channelName", "everywhere", "title", "Site B", "userId", "bob")).post("/v1/events")
                .then().statusCode(201).extract().path("data.id");
        String dashboard = Jwt.issuer("https://dashboard.test").subject("ops").claim("org", tenant.organizationId())
                .issuedAt(Instant.now()).expiresAt(Instant.now().plusSeconds(300)).signWithSecret("test-dashboard-secret-of-at-least-32-bytes!!");
        assertEquals(2, as(dashboard).get("/v1/stats").then().statusCode(200).extract().jsonPath().getLong("data.totalEvents"));

        JsonPath softDeleted = given().header("Authorization", TestTenants.ADMIN)
                .delete("/admin/organizations/" + tenant.organizationId() + "/sites/" + siteB).then().statusCode(200).extract().jsonPath();
        assertTrue(softDeleted.getString("data.purgeAfter") != null, "a premium site is purged after its window");
        as(keyB).body(Map.of("channelName", "everywhere", "title", "Refused")).post("/v1/events").then().statusCode(403);
        assertEquals(1, as(dashboard).get("/v1/stats").then().extract().jsonPath().getLong("data.totalEvents"));
        List<String> visible = as(dashboard).queryParam("limit", 100).get("/v1/events").then().statusCode(200).extract().path("data.events.id");
        assertFalse(visible.contains(onB));

        given().header("Authorization", TestTenants.ADMIN)
                .post("/admin/organizations/" + tenant.organizationId() + "/sites/" + siteB + "/restore").then().statusCode(200);
        assertEquals(2, as(dashboard).get("/v1/stats").then().extract().jsonPath().getLong("data.totalEvents"));
        as(keyB).body(Map.of("channelName", "everywhere", "title", "Back")).post("/v1/events").then().statusCode(201);

        given().header("Authorization", TestTenants.ADMIN)
                .delete("/admin/organizations/" + tenant.organizationId() + "/sites/" + siteB).then().statusCode(200);
        // Not yet due: nothing is purged. Then the window has passed.
        assertTrue(worker.schedulePurges().await().atMost(Duration.ofSeconds(10)).stream().noneMatch(d -> siteB.equals(d.siteId())));
        pool.preparedQuery("UPDATE sites SET deleted_at = now() - interval '366 days' WHERE id = $1").execute(Tuple.of(siteB))
                .await().atMost(Duration.ofSeconds(10));
        String purge = worker.schedulePurges().await().atMost(Duration.ofSeconds(10)).stream().filter(d -> siteB.equals(d.siteId()))
                .findFirst().orElseThrow().id();
        given().header("Authorization", TestTenants.ADMIN)
                .post("/admin/organizations/" + tenant.organizationId() + "/sites/" + siteB + "/restore").then().statusCode(409);
        JsonPath done = Deleting.awaitDone(purge);
        assertEquals(2, done.getLong("data.eventsDeleted"));
        assertEquals("schedule", done.getString("data.requestedBy"));
        assertEquals(0, deleting.stored("site_id = '" + siteB + "'"));
        assertEquals(0L, pool.preparedQuery("SELECT count(*) FROM sites WHERE id = $1").execute(Tuple.of(siteB))
                .await().atMost(Duration.ofSeconds(10)).iterator().next().getLong(0));
        assertEquals(1, deleting.statsEqualRawRows(Duration.ofDays(5)));
    }

    @Test
    void anUnlimitedOrganizationsSiteIsNeverPurgedAutomatically() {
        Tenant unlimited = TestTenants.create("unlimited", SCOPES);
        given().header("Authorization", TestTenants.ADMIN)
                .delete("/admin/organizations/" + unlimited.organizationId() + "/sites/" + unlimited.siteId())
                .then().statusCode(200).body("data.purgeAfter", nullValue());
        pool.preparedQuery("UPDATE sites SET deleted_at = now() - interval '3650 days' WHERE id = $1").execute(Tuple.of(unlimited.siteId()))
                .await().atMost(Duration.ofSeconds(10));
        assertTrue(worker.schedulePurges().await().atMost(Duration.ofSeconds(10)).stream()
                .noneMatch(d -> unlimited.siteId().equals(d.siteId())));
    }
}

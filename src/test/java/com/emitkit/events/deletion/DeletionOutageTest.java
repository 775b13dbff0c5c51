package com.emitkit.events.deletion;

import com.emitkit.events.local.EmbeddedApi;
import com.emitkit.events.outbox.FaultyTinybird;
import com.emitkit.events.outbox.FaultyTinybirdProfile;
import com.emitkit.events.tenancy.TestTenants;
import com.emitkit.events.tenancy.TestTenants.Tenant;
import com.emitkit.events.tinybird.TinybirdBackend;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static com.emitkit.events.deletion.Deleting.as;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Deletions asked while Tinybird is down: recorded, answered 202, retried, and carried out after recovery; an event
 * of the erased user accepted during the outage (kept in the outbox) is never delivered, and nothing reappears.
 */
@QuarkusTest
@TestProfile(FaultyTinybirdProfile.class)
class DeletionOutageTest {

    @Inject
    TinybirdBackend backend;
    @Inject
    Pool pool;

    @AfterEach
    void recover() {
        FaultyTinybird.mode = FaultyTinybird.Mode.PASS;
    }

    private long kept(String organizationId, String userId) {
        return pool.preparedQuery("SELECT count(*) FROM outbox_rows WHERE organization_id = $1 AND (line::jsonb ->> 'user_id') = $2")
                .execute(Tuple.of(organizationId, userId)).await().atMost(Duration.ofSeconds(10)).iterator().next().getLong(0);
    }

    private JsonPath deletion(String id) {
        return given().header("Authorization", TestTenants.ADMIN).get("/admin/deletions/" + id).then().statusCode(200)
                .extract().jsonPath();
    }

    @Test
    void aDeletionDuringAnOutageCompletesAfterRecoveryAndNothingReappears() throws Exception {
        FaultyTinybird.mode = FaultyTinybird.Mode.PASS;
        Tenant tenant = TestTenants.create("premium", List.of("write", "read", "delete", "identities:write"));
        Deleting deleting = new Deleting(new EmbeddedApi(backend), tenant);
        String dora = deleting.post("outage", "Dora signed up", "dora");
        String eve = deleting.post("outage", "Eve signed up", "eve");
        String stays = deleting.post("outage", "Eve paid", "eve");

        FaultyTinybird.mode = FaultyTinybird.Mode.DOWN;
        String doraDuringOutage = deleting.post("outage", "Dora paid", "dora");
        assertEquals(1, kept(tenant.organizationId(), "dora"), "accepted during the outage: kept in the outbox");
        String erasure = as(tenant.key()).delete("/v1/identities/dora").then().statusCode(202)
                .body("data.status", equalTo("erased")).body("data.productEventsDetached", nullValue())
                .extract().path("data.id");
        String eventDeletion = as(tenant.key()).delete("/v1/events/" + eve).then().statusCode(202)
                .body("data.status", equalTo("pending")).extract().path("data.id");
        assertEquals(0, kept(tenant.organizationId(), "dora"), "the erased user's kept row is never delivered");
        JsonPath failing = deletion(erasure);
        assertTrue(List.of("pending", "running").contains(failing.getString("data.status")), failing.prettify());
        assertTrue(failing.getInt("data.attempts") >= 1 && failing.getString("data.lastError") != null, failing.prettify());

        FaultyTinybird.mode = FaultyTinybird.Mode.PASS;
        assertEquals(1, Deleting.awaitDone(erasure).getLong("data.eventsDeleted"));
        assertEquals(1, Deleting.awaitDone(eventDeletion).getLong("data.eventsDeleted"));

        // The outbox relays what it still holds; none of it is the deleted events.
        Thread.sleep(2_000);
        List<String> listed = deleting.listed("outage");
        assertEquals(List.of(stays), listed);
        assertFalse(listed.contains(doraDuringOutage) || listed.contains(dora) || listed.contains(eve));
        assertEquals(0, deleting.stored("user_id = 'dora' OR id = '" + eve + "'"));
        assertEquals(1, deleting.statsEqualRawRows(Duration.ofDays(1)));
    }
}

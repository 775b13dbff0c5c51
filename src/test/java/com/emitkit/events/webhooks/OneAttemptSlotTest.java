package com.emitkit.events.webhooks;

import com.emitkit.events.tenancy.TestTenants;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A replica with a single attempt slot: notices recorded while it is busy wait for their fan-out (and are listed as
 * pending deliveries, with the webhook-id they will carry), deliveries fanned out beyond the free slot are claimed
 * later, and every one still arrives exactly once. A notice left by another replica is fanned out by this one's poll.
 */
@QuarkusTest
@TestProfile(OneAttemptSlotTest.OneSlot.class)
class OneAttemptSlotTest {

    public static class OneSlot implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            // The timeout well past the slow answer below, which must not be retried.
            return Map.of("emitkit.webhooks.batch", "1", "emitkit.webhooks.timeout", "10s");
        }
    }

    static WebhookReceiver receiver;

    @Inject
    Pool pool;

    @BeforeAll
    static void startReceiver() throws Exception {
        receiver = new WebhookReceiver();
    }

    @AfterAll
    static void stopReceiver() {
        receiver.close();
    }

    /** A standard webhook of the tenant's site to the receiver's {@code path}; its id. */
    private static String webhook(TestTenants.Tenant tenant, String path) {
        return given().header("Authorization", "Bearer " + tenant.key()).contentType(ContentType.JSON)
                .body(Map.of("url", receiver.url(path))).post("/v1/webhooks").then().statusCode(201).extract().path("data.id");
    }

    @Test
    void deliveriesRecordedWithoutAFreeSlotAreClaimedLaterAndArriveOnce() throws Exception {
        TestTenants.Tenant tenant = TestTenants.create("basic", List.of("write", "webhooks"));
        String webhook = webhook(tenant, "/one-slot");
        // The first delivery holds the only slot for 3 s: the next request finds none free.
        receiver.answer("/one-slot", new WebhookReceiver.Answer(200, null, 3_000));
        String first = given().header("Authorization", "Bearer " + tenant.key()).contentType(ContentType.JSON)
                .body(Map.of("channelName", "payments", "title", "first")).post("/v1/events")
                .then().statusCode(201).extract().path("data.id");
        List<String> batch = given().header("Authorization", "Bearer " + tenant.key()).contentType(ContentType.JSON)
                .body(Map.of("events", List.of(Map.of("channelName", "payments", "title", "second"),
                        Map.of("channelName", "payments", "title", "third"), Map.of("channelName", "payments", "title", "fourth"))))
                .post("/v1/events/batch").then().statusCode(200).extract().path("data.results.id");
        // While the slot is taken: the first delivery in flight and the batch's three notices, all pending.
        List<String> pending = given().header("Authorization", "Bearer " + tenant.key())
                .get("/v1/webhooks/" + webhook + "/deliveries?status=pending").then().statusCode(200)
                .extract().path("data.id");
        assertEquals(4, pending.size(), "pending while the slot is busy: " + pending);
        given().header("Authorization", "Bearer " + tenant.key()).get("/v1/webhooks/" + webhook).then().statusCode(200)
                .body("data.pendingDeliveries", org.hamcrest.Matchers.is(4));
        receiver.await("/one-slot", 4, 20_000);
        assertEquals(Set.copyOf(pending), receiver.at("/one-slot").stream().map(r -> r.header("webhook-id")).collect(Collectors.toSet()),
                "each delivery carries the id it was listed with");
        // The slot is free again: of the next batch's three deliveries one is leased, two are claimed later.
        List<String> next = given().header("Authorization", "Bearer " + tenant.key()).contentType(ContentType.JSON)
                .body(Map.of("events", List.of(Map.of("channelName", "payments", "title", "fifth"),
                        Map.of("channelName", "payments", "title", "sixth"), Map.of("channelName", "payments", "title", "seventh"))))
                .post("/v1/events/batch").then().statusCode(200).extract().path("data.results.id");
        receiver.await("/one-slot", 7, 20_000);
        Thread.sleep(500);
        List<WebhookReceiver.Received> received = receiver.at("/one-slot");
        assertEquals(7, received.size(), "each event once");
        Set<String> events = received.stream().map(r -> new JsonObject(r.body()).getString("event_id")).collect(Collectors.toSet());
        assertEquals(Set.of(first, batch.get(0), batch.get(1), batch.get(2), next.get(0), next.get(1), next.get(2)), events);
        assertEquals(7, received.stream().map(r -> r.header("webhook-id")).distinct().count());
    }

    @Test
    void aNoticeLeftByAnotherReplicaIsFannedOutByThePoll() throws Exception {
        TestTenants.Tenant tenant = TestTenants.create("basic", List.of("write", "webhooks"));
        String first = webhook(tenant, "/orphan-a");
        String second = webhook(tenant, "/orphan-b");
        // As a replica that died right after recording it would leave it: nobody on this one was told.
        String event = new JsonObject().put("event_id", "evt_orphaned").put("channel_name", "payments").put("title", "left behind")
                .put("tags", List.of()).put("metadata", new JsonObject()).encode();
        pool.preparedQuery("INSERT INTO webhook_notices (id, event_id, event, webhook_ids) VALUES ($1, 'evt_orphaned', $2, $3)")
                .execute(Tuple.of("ntc_orphanedNoticeOfTest01", event, new String[] {first, second}))
                .await().indefinitely();
        WebhookReceiver.Received atFirst = receiver.await("/orphan-a", 1, 20_000).get(0);
        WebhookReceiver.Received atSecond = receiver.await("/orphan-b", 1, 20_000).get(0);
        assertEquals("msg_orphanedNoticeOfTest01_1", atFirst.header("webhook-id"));
        assertEquals("msg_orphanedNoticeOfTest01_2", atSecond.header("webhook-id"));
        assertEquals("left behind", new JsonObject(atFirst.body()).getString("title"));
        assertEquals(0L, pool.query("SELECT count(*) FROM webhook_notices WHERE id = 'ntc_orphanedNoticeOfTest01'").execute()
                .await().indefinitely().iterator().next().getLong(0), "the notice is gone once fanned out");
    }
}

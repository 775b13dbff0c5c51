package com.emitkit.events.webhooks;

import com.emitkit.events.tenancy.TestTenants;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import com.emitkit.events.notify.Notifications;
import com.emitkit.events.notify.NotifiedEvent;
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
    @Inject
    Notifications notifications;

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
    void anAbandonedNoticeIsFannedOutByThePollAndAnUnsettledOneIsNot() throws Exception {
        TestTenants.Tenant tenant = TestTenants.create("basic", List.of("write", "webhooks"));
        String first = webhook(tenant, "/orphan-a");
        String second = webhook(tenant, "/orphan-b");
        String recent = webhook(tenant, "/unsettled");
        // As a replica that died after recording them would leave them: nobody on this one settled them. The old one
        // is past DeliveryRelay.ABANDONED_AFTER; the recent one's request might still be running, its event refused.
        String event = new JsonObject().put("event_id", "evt_orphaned").put("channel_name", "payments").put("title", "left behind")
                .put("tags", List.of()).put("metadata", new JsonObject()).encode();
        pool.preparedQuery("""
                        INSERT INTO webhook_notices (id, event_id, event, webhook_ids, accepted_at)
                        VALUES ($1, 'evt_orphaned', $2, $3, now() - interval '6 minutes'),
                               ('ntc_unsettledNoticeOfTest01', 'evt_unsettled', $2, $4, now())""")
                .execute(Tuple.of("ntc_orphanedNoticeOfTest01", event, new String[] {first, second}, new String[] {recent}))
                .await().indefinitely();
        WebhookReceiver.Received atFirst = receiver.await("/orphan-a", 1, 20_000).get(0);
        WebhookReceiver.Received atSecond = receiver.await("/orphan-b", 1, 20_000).get(0);
        assertEquals("msg_orphanedNoticeOfTest01_1", atFirst.header("webhook-id"));
        assertEquals("msg_orphanedNoticeOfTest01_2", atSecond.header("webhook-id"));
        assertEquals("left behind", new JsonObject(atFirst.body()).getString("title"));
        // Polls run every 100 ms here: a second's worth of them left the recent notice alone.
        Thread.sleep(1_000);
        assertEquals(List.of(), noticeIds("evt_orphaned"), "the abandoned notice is gone once fanned out");
        assertEquals(List.of("ntc_unsettledNoticeOfTest01"), noticeIds("evt_unsettled"), "the unsettled one waits");
        assertEquals(0, receiver.at("/unsettled").size());
        pool.query("DELETE FROM webhook_notices WHERE event_id = 'evt_unsettled'").execute().await().indefinitely();
    }

    /** A notice is settled once its event's outcome is known: withdrawn if the event was refused, delivered if not. */
    @Test
    void settlingWithdrawsTheNoticesOfRefusedEventsAndDeliversTheOthers() throws Exception {
        TestTenants.Tenant tenant = TestTenants.create("basic", List.of("write", "webhooks"));
        webhook(tenant, "/settled");
        List<NotifiedEvent> events = List.of(
                new NotifiedEvent("evt_refusedOfSettleTest01", "chn_x", "payments", "refused", "", "", List.of(), null, null,
                        "2026-12-04T00:00:00Z"),
                new NotifiedEvent("evt_acceptedOfSettleTest1", "chn_x", "payments", "accepted", "", "", List.of(), null, null,
                        "2026-12-04T00:00:00Z"));
        Notifications.Recorded recorded = notifications.record(tenant.organizationId(), tenant.siteId(), events)
                .await().indefinitely();
        assertEquals(2, noticeIds("%OfSettleTest%").size(), "both recorded before the outcome is known");
        notifications.settle(recorded, Set.of("evt_refusedOfSettleTest01")).await().indefinitely();
        List<WebhookReceiver.Received> received = receiver.await("/settled", 1, 20_000);
        assertEquals("evt_acceptedOfSettleTest1", new JsonObject(received.get(0).body()).getString("event_id"));
        Thread.sleep(500);
        assertEquals(1, receiver.at("/settled").size(), "the refused event's notice was withdrawn, not sent");
        assertEquals(List.of(), noticeIds("%OfSettleTest%"));
    }

    /** The notices waiting whose event id is like {@code eventIds} (SQL LIKE). */
    private List<String> noticeIds(String eventIds) {
        List<String> ids = new java.util.ArrayList<>();
        pool.preparedQuery("SELECT id FROM webhook_notices WHERE event_id LIKE $1 ORDER BY id").execute(Tuple.of(eventIds))
                .await().indefinitely().forEach(row -> ids.add(row.getString("id")));
        return ids;
    }
}

package com.emitkit.events.deletion;

import com.emitkit.events.tenancy.TestTenants;
import com.emitkit.events.tenancy.TestTenants.Tenant;
import com.emitkit.events.webhooks.WebhookReceiver;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static com.emitkit.events.deletion.Deleting.as;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A deletion takes its events out of webhook delivery too: deliveries waiting for a retry or failed for good, and
 * notices not fanned out yet, so no webhook is sent a deleted event's data afterwards and none of it stays.
 */
@QuarkusTest
class DeletionWithdrawsWebhooksTest {

    private static final List<String> SCOPES = List.of("write", "webhooks", "identities:write", "delete");

    static WebhookReceiver receiver;

    @Inject
    Pool pool;

    @BeforeAll
    static void startReceiver() throws Exception {
        receiver = new WebhookReceiver();
        // Every attempt fails: deliveries wait for their retries (200 ms doubling here), then fail for good.
        receiver.answerUsually(500);
    }

    @AfterAll
    static void stopReceiver() {
        receiver.close();
    }

    private static String webhook(Tenant tenant, String path) {
        return as(tenant.key()).body(Map.of("url", receiver.url(path))).post("/v1/webhooks").then().statusCode(201)
                .extract().path("data.id");
    }

    private static String post(Tenant tenant, String title, String userId) {
        return as(tenant.key()).body(Map.of("channelName", "orders", "title", title, "userId", userId))
                .post("/v1/events").then().statusCode(201).extract().path("data.id");
    }

    /** The event ids of the webhook's undelivered deliveries, waiting notices included. */
    private static Set<String> undelivered(Tenant tenant, String webhookId) {
        List<String> ids = as(tenant.key()).get("/v1/webhooks/" + webhookId + "/deliveries").then().statusCode(200)
                .extract().jsonPath().getList("data.eventId");
        return new HashSet<>(ids);
    }

    /** How many attempts the receiver got for each of the events. */
    private static long attemptsFor(String path, Set<String> eventIds) {
        return receiver.at(path).stream()
                .filter(received -> eventIds.contains(new JsonObject(received.body()).getString("event_id"))).count();
    }

    @Test
    void erasingAUserAndDeletingAnEventWithdrawTheirDeliveries() throws Exception {
        Tenant tenant = TestTenants.create("basic", SCOPES);
        String webhookId = webhook(tenant, "/down");
        as(tenant.key()).body(Map.of("user_id", "zoe")).post("/v1/identify").then().statusCode(200);
        Set<String> zoe = Set.of(post(tenant, "Zoe paid", "zoe"), post(tenant, "Zoe left", "zoe"));
        String bob = post(tenant, "Bob paid", "bob");
        Set<String> all = new HashSet<>(zoe);
        all.add(bob);
        // Each has been attempted (and refused) at least once: all three are deliveries now, not notices.
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (receiver.at("/down").stream().map(r -> new JsonObject(r.body()).getString("event_id")).distinct().count() < 3) {
            assertTrue(System.nanoTime() < deadline, "every event was attempted");
            Thread.sleep(20);
        }
        assertEquals(all, undelivered(tenant, webhookId));

        as(tenant.key()).delete("/v1/identities/zoe").then().statusCode(200);
        assertEquals(Set.of(bob), undelivered(tenant, webhookId), "Zoe's deliveries are gone, Bob's wait");
        long zoeAttempts = attemptsFor("/down", zoe);
        // Retries would have come in this time (200 ms, then 400 ms, 800 ms): none for Zoe's events.
        Thread.sleep(1_500);
        assertEquals(zoeAttempts, attemptsFor("/down", zoe), "no attempt for an erased user's event after the erasure");
        assertEquals(0L, count("SELECT count(*) FROM webhook_deliveries WHERE event_id = ANY($1)", zoe.toArray(String[]::new)));

        as(tenant.key()).delete("/v1/events/" + bob).then().statusCode(200);
        assertEquals(Set.of(), undelivered(tenant, webhookId), "a deleted event's delivery, failed or waiting, is gone");
    }

    @Test
    void erasingAUserWithdrawsNoticesNotFannedOutYetUpToTheErasure() {
        Tenant tenant = TestTenants.create("basic", SCOPES);
        String webhookId = webhook(tenant, "/notices");
        String otherOrganizations = webhook(TestTenants.create("basic", SCOPES), "/elsewhere");
        Instant now = Instant.now();
        // As a request leaves them before they are settled: fresh, so the relay's poll leaves them alone for minutes.
        List<String> inserted = new ArrayList<>();
        insertNotice("ntc_zoeBeforeErasure0000001", "evt_zoe_before", "zoe", now.minusSeconds(60), webhookId, inserted);
        insertNotice("ntc_zoeAfterErasure00000001", "evt_zoe_after", "zoe", now.plusSeconds(3600), webhookId, inserted);
        insertNotice("ntc_bobOfThisSite000000001", "evt_bob", "bob", now.minusSeconds(60), webhookId, inserted);
        // Another organization's Zoe is not this one's.
        insertNotice("ntc_zoeOfAnotherOrg0000001", "evt_zoe_other_org", "zoe", now.minusSeconds(60), otherOrganizations, inserted);
        try {
            as(tenant.key()).delete("/v1/identities/zoe").then().statusCode(200);
            List<String> left = pool.preparedQuery("SELECT event_id FROM webhook_notices WHERE id = ANY($1) ORDER BY event_id")
                    .execute(Tuple.of(inserted.toArray(String[]::new))).await().indefinitely()
                    .stream().map(row -> row.getString("event_id")).toList();
            assertEquals(List.of("evt_bob", "evt_zoe_after", "evt_zoe_other_org"), left,
                    "Zoe's notice from before the erasure went; a later event of hers, Bob's and another organization's stay");
        } finally {
            pool.preparedQuery("DELETE FROM webhook_notices WHERE id = ANY($1)").execute(Tuple.of(inserted.toArray(String[]::new)))
                    .await().indefinitely();
        }
    }

    private void insertNotice(String id, String eventId, String userId, Instant createdAt, String webhookId, List<String> inserted) {
        String event = new JsonObject().put("event_id", eventId).put("channel_name", "orders").put("title", "t")
                .put("tags", List.of()).put("metadata", new JsonObject()).put("user_id", userId)
                .put("created_at", createdAt.toString()).encode();
        pool.preparedQuery("INSERT INTO webhook_notices (id, event_id, event, webhook_ids) VALUES ($1, $2, $3, $4)")
                .execute(Tuple.of(id, eventId, event, new String[] {webhookId})).await().indefinitely();
        inserted.add(id);
    }

    private long count(String sql, String[] ids) {
        return pool.preparedQuery(sql).execute(Tuple.of((Object) ids)).await().indefinitely().iterator().next().getLong(0);
    }
}

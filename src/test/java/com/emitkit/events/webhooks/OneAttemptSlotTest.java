package com.emitkit.events.webhooks;

import com.emitkit.events.tenancy.TestTenants;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
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
 * A replica with a single attempt slot: deliveries recorded while it is busy are written unleased and claimed later,
 * those of a batch beyond the free slot too, and every one still arrives exactly once.
 */
@QuarkusTest
@TestProfile(OneAttemptSlotTest.OneSlot.class)
class OneAttemptSlotTest {

    public static class OneSlot implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("emitkit.webhooks.batch", "1");
        }
    }

    static WebhookReceiver receiver;

    @BeforeAll
    static void startReceiver() throws Exception {
        receiver = new WebhookReceiver();
    }

    @AfterAll
    static void stopReceiver() {
        receiver.close();
    }

    @Test
    void deliveriesRecordedWithoutAFreeSlotAreClaimedLaterAndArriveOnce() throws Exception {
        TestTenants.Tenant tenant = TestTenants.create("basic", List.of("write", "webhooks"));
        given().header("Authorization", "Bearer " + tenant.key()).contentType(ContentType.JSON)
                .body(Map.of("url", receiver.url("/one-slot"))).post("/v1/webhooks").then().statusCode(201);
        // The first delivery holds the only slot for 1.5 s: the next request finds none free.
        receiver.answer("/one-slot", new WebhookReceiver.Answer(200, null, 1_500));
        String first = given().header("Authorization", "Bearer " + tenant.key()).contentType(ContentType.JSON)
                .body(Map.of("channelName", "payments", "title", "first")).post("/v1/events")
                .then().statusCode(201).extract().path("data.id");
        List<String> batch = given().header("Authorization", "Bearer " + tenant.key()).contentType(ContentType.JSON)
                .body(Map.of("events", List.of(Map.of("channelName", "payments", "title", "second"),
                        Map.of("channelName", "payments", "title", "third"), Map.of("channelName", "payments", "title", "fourth"))))
                .post("/v1/events/batch").then().statusCode(200).extract().path("data.results.id");
        receiver.await("/one-slot", 4, 20_000);
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
}

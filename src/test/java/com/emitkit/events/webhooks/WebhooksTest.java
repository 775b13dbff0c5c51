package com.emitkit.events.webhooks;

import com.emitkit.events.tenancy.TestTenants;
import com.emitkit.events.webhooks.WebhookReceiver.Answer;
import com.emitkit.events.webhooks.WebhookReceiver.Received;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.hasKey;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Channel webhooks end to end: managed over HTTP, fed by POST /v1/events, received by a server on loopback. */
@QuarkusTest
class WebhooksTest {

    private static final long WAIT = 20_000;
    static WebhookReceiver receiver;

    @BeforeAll
    static void startReceiver() throws Exception {
        receiver = new WebhookReceiver();
    }

    @AfterAll
    static void stopReceiver() {
        receiver.close();
    }

    private static TestTenants.Tenant tenant() {
        return TestTenants.create("basic", List.of("write", "webhooks"));
    }

    private static JsonPath create(TestTenants.Tenant tenant, Map<String, Object> body) {
        return given().header("Authorization", "Bearer " + tenant.key()).contentType(ContentType.JSON).body(body)
                .post("/v1/webhooks").then().statusCode(201).extract().jsonPath();
    }

    private static String post(TestTenants.Tenant tenant, Map<String, Object> event) {
        return given().header("Authorization", "Bearer " + tenant.key()).contentType(ContentType.JSON).body(event)
                .post("/v1/events").then().statusCode(201).extract().path("data.id");
    }

    private static Map<String, Object> event(String channel, String title, Object... more) {
        Map<String, Object> event = new HashMap<>(Map.of("channelName", channel, "title", title));
        for (int i = 0; i < more.length; i += 2) {
            event.put((String) more[i], more[i + 1]);
        }
        return event;
    }

    @Test
    void managedThroughTheApiWithTheWebhooksScope() {
        TestTenants.Tenant tenant = tenant();
        JsonPath created = create(tenant, Map.of("url", receiver.url("/manage"), "channels", List.of("payments"),
                "tags", List.of("vip"), "format", "slack"));
        String id = created.getString("data.id");
        assertTrue(created.getString("data.secret").startsWith("whsec_"));
        assertEquals("slack", created.getString("data.format"));

        String auth = "Bearer " + tenant.key();
        given().header("Authorization", auth).get("/v1/webhooks").then().statusCode(200)
                .body("data", hasSize(1)).body("data[0].id", equalTo(id)).body("data[0]", not(hasKey("secret")))
                .body("data[0].status", equalTo("active"));
        given().header("Authorization", auth).contentType(ContentType.JSON).body(Map.of("channels", List.of(), "format", "discord"))
                .patch("/v1/webhooks/" + id).then().statusCode(200)
                .body("data.channels", hasSize(0)).body("data.format", equalTo("discord")).body("data.tags[0]", equalTo("vip"));
        given().header("Authorization", auth).post("/v1/webhooks/" + id + "/pause").then().statusCode(200)
                .body("data.status", equalTo("paused")).body("data.pausedReason", equalTo("manual"));
        given().header("Authorization", auth).post("/v1/webhooks/" + id + "/resume").then().statusCode(200)
                .body("data.status", equalTo("active")).body("data.pausedReason", nullValue());
        String rotated = given().header("Authorization", auth).post("/v1/webhooks/" + id + "/rotate-secret").then().statusCode(200)
                .extract().path("data.secret");
        assertTrue(rotated.startsWith("whsec_") && !rotated.equals(created.getString("data.secret")));

        // The admin API sees the organization's webhooks.
        given().header("Authorization", TestTenants.ADMIN).get("/admin/organizations/" + tenant.organizationId() + "/webhooks")
                .then().statusCode(200).body("data[0].id", equalTo(id)).body("data[0]", not(hasKey("secret")));
        given().get("/admin/organizations/" + tenant.organizationId() + "/webhooks").then().statusCode(401);

        given().header("Authorization", auth).delete("/v1/webhooks/" + id).then().statusCode(204);
        given().header("Authorization", auth).get("/v1/webhooks/" + id).then().statusCode(404).body("success", equalTo(false));
    }

    @Test
    void refusesBadRequestsAndOtherCredentials() {
        TestTenants.Tenant tenant = tenant();
        String auth = "Bearer " + tenant.key();
        given().header("Authorization", auth).contentType(ContentType.JSON).body(Map.of("url", "ftp://example.com/x"))
                .post("/v1/webhooks").then().statusCode(400).body("details[0].path[0]", equalTo("url"));
        given().header("Authorization", auth).contentType(ContentType.JSON)
                .body(Map.of("url", receiver.url("/x"), "format", "teams")).post("/v1/webhooks").then().statusCode(400)
                .body("details[0].path[0]", equalTo("format"));
        given().contentType(ContentType.JSON).body(Map.of("url", receiver.url("/x"))).post("/v1/webhooks").then().statusCode(401);
        // Bodies go through the public API's strict reader: a NUL in a tag, a wrong type, text after the value.
        given().header("Authorization", auth).contentType(ContentType.JSON)
                .body("{\"url\": \"" + receiver.url("/x") + "\", \"tags\": [\"ok\", \"bad\\u0000\"]}")
                .post("/v1/webhooks").then().statusCode(400).body("code", equalTo("validation_error"))
                .body("details[0].path", equalTo(List.of("tags", 1)));
        given().header("Authorization", auth).contentType(ContentType.JSON).body(Map.of("url", receiver.url("/x"), "channels", "payments"))
                .post("/v1/webhooks").then().statusCode(400).body("details[0].path[0]", equalTo("channels"));
        given().header("Authorization", auth).contentType(ContentType.JSON).body("{\"url\": \"" + receiver.url("/x") + "\"} {}")
                .patch("/v1/webhooks/" + create(tenant, Map.of("url", receiver.url("/x"))).getString("data.id"))
                .then().statusCode(400).body("code", equalTo("validation_error"));
        TestTenants.Tenant writer = TestTenants.create("basic", List.of("write"));
        given().header("Authorization", "Bearer " + writer.key()).get("/v1/webhooks").then().statusCode(403);
        // Another site's webhook does not exist for this key.
        String theirs = create(tenant(), Map.of("url", receiver.url("/theirs"))).getString("data.id");
        given().header("Authorization", auth).post("/v1/webhooks/" + theirs + "/pause").then().statusCode(404);
        // The admin API creates one on a named site of the organization only.
        given().header("Authorization", TestTenants.ADMIN).contentType(ContentType.JSON).body(Map.of("url", receiver.url("/x")))
                .post("/admin/organizations/" + tenant.organizationId() + "/webhooks").then().statusCode(400)
                .body("details[0].path[0]", equalTo("siteId"));
        given().header("Authorization", TestTenants.ADMIN).contentType(ContentType.JSON)
                .body(Map.of("url", receiver.url("/admin-made"), "siteId", tenant.siteId()))
                .post("/admin/organizations/" + tenant.organizationId() + "/webhooks").then().statusCode(201)
                .body("data.secret", startsWith("whsec_"));
    }

    @Test
    void standardFormatIsSignedTheStandardWebhooksWay() throws Exception {
        TestTenants.Tenant tenant = tenant();
        String secret = create(tenant, Map.of("url", receiver.url("/standard"))).getString("data.secret");
        String eventId = post(tenant, event("payments", "Payment received", "description", "Order #12", "icon", "💰",
                "tags", List.of("vip", "eu"), "metadata", Map.of("amount", 42), "userId", "user-1"));

        Received request = receiver.await("/standard", 1, WAIT).getFirst();
        assertTrue(StandardWebhooksVerifier.verify(secret, request.header("webhook-id"), request.header("webhook-timestamp"),
                request.header("webhook-signature"), request.body()), "the signature verifies");
        assertTrue(!StandardWebhooksVerifier.verify(secret, request.header("webhook-id"), request.header("webhook-timestamp"),
                request.header("webhook-signature"), request.body() + " "), "a changed body does not verify");
        assertEquals("application/json", request.header("content-type"));
        JsonObject payload = new JsonObject(request.body());
        assertEquals(Set.of("event_id", "channel_id", "title", "description", "icon", "tags", "metadata", "user_id", "created_at"),
                payload.fieldNames());
        assertEquals(eventId, payload.getString("event_id"));
        assertEquals("Payment received", payload.getString("title"));
        assertEquals("Order #12", payload.getString("description"));
        assertEquals("💰", payload.getString("icon"));
        assertEquals(List.of("vip", "eu"), payload.getJsonArray("tags").getList());
        assertEquals(42, payload.getJsonObject("metadata").getInteger("amount"));
        assertEquals("user-1", payload.getString("user_id"));
        assertTrue(payload.getString("created_at").endsWith("Z"), payload.getString("created_at"));
    }

    @Test
    void slackAndDiscordGetTheirOwnFields() throws Exception {
        TestTenants.Tenant tenant = tenant();
        create(tenant, Map.of("url", receiver.url("/slack"), "format", "slack"));
        create(tenant, Map.of("url", receiver.url("/discord"), "format", "discord"));
        post(tenant, event("signups", "New signup", "description", "<b>Ada</b> joined", "icon", "🎉", "tags", List.of("trial")));

        JsonObject slack = new JsonObject(receiver.await("/slack", 1, WAIT).getFirst().body());
        assertEquals("🎉 New signup", slack.getString("text"));
        JsonObject header = slack.getJsonArray("blocks").getJsonObject(0);
        assertEquals("header", header.getString("type"));
        assertEquals("🎉 New signup", header.getJsonObject("text").getString("text"));
        assertEquals("&lt;b&gt;Ada&lt;/b&gt; joined", slack.getJsonArray("blocks").getJsonObject(1).getJsonObject("text").getString("text"));
        String context = slack.getJsonArray("blocks").getJsonObject(2).getJsonArray("elements").getJsonObject(0).getString("text");
        assertTrue(context.contains("#signups") && context.contains("`trial`"), context);

        JsonObject discord = new JsonObject(receiver.await("/discord", 1, WAIT).getFirst().body());
        JsonObject embed = discord.getJsonArray("embeds").getJsonObject(0);
        assertEquals("🎉 New signup", embed.getString("title"));
        assertEquals("<b>Ada</b> joined", embed.getString("description"));
        assertEquals("signups", embed.getJsonArray("fields").getJsonObject(0).getString("value"));
        assertEquals("trial", embed.getJsonArray("fields").getJsonObject(1).getString("value"));
        assertTrue(embed.getString("timestamp").endsWith("Z"));
    }

    /** Channels are matched by slug, as channels are: a webhook for "Payments" follows "payments". */
    @Test
    void onlyMatchingNotifyEventsAreSent() throws Exception {
        TestTenants.Tenant tenant = tenant();
        create(tenant, Map.of("url", receiver.url("/payments-only"), "channels", List.of("Payments")));
        create(tenant, Map.of("url", receiver.url("/vip-only"), "tags", List.of("vip")));
        create(tenant, Map.of("url", receiver.url("/everything")));
        post(tenant, event("payments", "quiet", "notify", false, "tags", List.of("vip")));
        post(tenant, event("signups", "signup", "tags", List.of("vip")));
        post(tenant, event("payments", "payment"));
        post(tenant, event("signups", "last"));

        assertEquals(3, receiver.await("/everything", 3, WAIT).size());
        Thread.sleep(500);
        assertEquals(List.of("signup", "payment", "last"), titles("/everything"));
        assertEquals(List.of("payment"), titles("/payments-only"));
        assertEquals(List.of("signup"), titles("/vip-only"));
    }

    private static List<String> titles(String path) {
        return receiver.at(path).stream().map(r -> new JsonObject(r.body()).getString("title")).sorted((a, b) ->
                order(a) - order(b)).toList();
    }

    private static int order(String title) {
        return List.of("quiet", "signup", "payment", "last").indexOf(title);
    }

    @Test
    void retriesAfterAServerErrorWithTheSameWebhookId() throws Exception {
        TestTenants.Tenant tenant = tenant();
        receiver.answer("/flaky", Answer.status(500), Answer.status(503));
        create(tenant, Map.of("url", receiver.url("/flaky")));
        post(tenant, event("ops", "flaky"));
        List<Received> attempts = receiver.await("/flaky", 3, WAIT);
        assertEquals(3, attempts.size());
        assertEquals(1, attempts.stream().map(r -> r.header("webhook-id")).collect(Collectors.toSet()).size());
        Thread.sleep(1_000);
        assertEquals(3, receiver.at("/flaky").size(), "no attempt after the 2xx");
    }

    @Test
    void honoursRetryAfterOnA429() throws Exception {
        TestTenants.Tenant tenant = tenant();
        receiver.answer("/limited", new Answer(429, "2", 0));
        create(tenant, Map.of("url", receiver.url("/limited")));
        post(tenant, event("ops", "limited"));
        List<Received> attempts = receiver.await("/limited", 2, WAIT);
        assertEquals(2, attempts.size());
        assertEquals(attempts.get(0).header("webhook-id"), attempts.get(1).header("webhook-id"));
        long waitedMillis = (attempts.get(1).receivedAtNanos() - attempts.get(0).receivedAtNanos()) / 1_000_000;
        // The test profile's backoff after a first failure is 200 ms; the receiver asked for 2 s.
        assertTrue(waitedMillis >= 1_900, "waited " + waitedMillis + " ms");
    }

    @Test
    void retriesAfterATimeout() throws Exception {
        TestTenants.Tenant tenant = tenant();
        // The test profile's timeout is 2 s.
        receiver.answer("/slow", new Answer(200, null, 3_500));
        create(tenant, Map.of("url", receiver.url("/slow")));
        post(tenant, event("ops", "slow"));
        List<Received> attempts = receiver.await("/slow", 2, WAIT);
        assertEquals(2, attempts.size());
        assertEquals(attempts.get(0).header("webhook-id"), attempts.get(1).header("webhook-id"));
    }

    @Test
    void failsForGoodAfterTheLastAttemptAndPausesTheWebhook() throws Exception {
        TestTenants.Tenant tenant = tenant();
        receiver.answer("/broken", Answer.status(500), Answer.status(500), Answer.status(500), Answer.status(500));
        String id = create(tenant, Map.of("url", receiver.url("/broken"))).getString("data.id");
        String eventId = post(tenant, event("ops", "broken"));
        // The test profile makes 4 attempts.
        assertEquals(4, receiver.await("/broken", 4, WAIT).size());
        String admin = "/admin/organizations/" + tenant.organizationId() + "/webhooks/" + id;
        long deadline = System.currentTimeMillis() + WAIT;
        while (!"paused".equals(given().header("Authorization", TestTenants.ADMIN).get(admin).path("data.status"))
                && System.currentTimeMillis() < deadline) {
            Thread.sleep(50);
        }
        given().header("Authorization", TestTenants.ADMIN).get(admin).then().statusCode(200)
                .body("data.status", equalTo("paused")).body("data.pausedReason", equalTo("failing"))
                .body("data.failedDeliveries", equalTo(1));
        given().header("Authorization", TestTenants.ADMIN).get(admin + "/deliveries?status=failed").then().statusCode(200)
                .body("data", hasSize(1)).body("data[0].eventId", equalTo(eventId)).body("data[0].attempts", equalTo(4))
                .body("data[0].lastStatus", equalTo(500)).body("data[0].lastError", startsWith("HTTP 500"));

        // Paused: new events are not sent to it; resumed, they are.
        post(tenant, event("ops", "while paused"));
        given().header("Authorization", TestTenants.ADMIN).post(admin + "/resume").then().statusCode(200)
                .body("data.status", equalTo("active"));
        post(tenant, event("ops", "after resume"));
        assertEquals(5, receiver.await("/broken", 5, WAIT).size());
        Thread.sleep(500);
        assertEquals("after resume", new JsonObject(receiver.at("/broken").getLast().body()).getString("title"));
        assertEquals(5, receiver.at("/broken").size());
    }
}

package com.emitkit.events.webhooks;

import com.emitkit.events.PackagedService;
import com.emitkit.events.local.postgres.EmbeddedPostgresServer;
import io.restassured.http.ContentType;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The packaged service killed (SIGKILL) while every delivery is being retried, then started again once the
 * receiver is back: each accepted notify event reaches the webhook, with the webhook-id its first attempts had,
 * and once only.
 */
class WebhookRestartIT {

    private static final int EVENTS = 40;

    @Test
    void deliveriesSurviveAKillWithTheirWebhookIds() throws Exception {
        Path postgresData = Path.of("/var/tmp/emitkit", "webhook-it-" + ProcessHandle.current().pid());
        Path engineData = Files.createDirectories(Path.of("target", "webhook-it-engine-" + System.currentTimeMillis()));
        int port = PackagedService.freePort();
        int enginePort = PackagedService.freePort();
        Map<String, String> env = Map.of(
                "EMITKIT_TINYBIRD_MODE", "embedded",
                "EMITKIT_LOCAL_PORT", Integer.toString(enginePort),
                "EMITKIT_LOCAL_DATA_DIR", engineData.toString(),
                "EMITKIT_SHUTDOWN_DELAY", "0s",
                "EMITKIT_WEBHOOKS_ALLOW_PRIVATE_ADDRESSES", "true",
                "EMITKIT_WEBHOOKS_TIMEOUT", "2s",
                "EMITKIT_WEBHOOKS_INITIAL_BACKOFF", "200ms",
                "EMITKIT_WEBHOOKS_MAX_BACKOFF", "1s",
                "EMITKIT_WEBHOOKS_MAX_ATTEMPTS", "1000",
                "EMITKIT_WEBHOOKS_POLL_INTERVAL", "100ms");
        Path log = Path.of("target", "webhook-it-service.log");
        try (EmbeddedPostgresServer postgres = EmbeddedPostgresServer.start(postgresData, 0);
             WebhookReceiver receiver = new WebhookReceiver()) {
            receiver.answerUsually(503);
            PackagedService service = PackagedService.start(port, postgres, env, List.of(), log);
            String key = service.newApiKey("unlimited", List.of("write", "webhooks"));
            given().baseUri(service.base()).header("Authorization", "Bearer " + key).contentType(ContentType.JSON)
                    .body(Map.of("url", receiver.url("/hook"))).post("/v1/webhooks").then().statusCode(201);
            Set<String> events = new HashSet<>();
            for (int i = 0; i < EVENTS; i++) {
                events.add(given().baseUri(service.base()).header("Authorization", "Bearer " + key).contentType(ContentType.JSON)
                        .body(Map.of("channelName", "restart", "title", "event " + i)).post("/v1/events")
                        .then().statusCode(201).extract().path("data.id"));
            }
            // Every delivery was attempted (and refused) before the kill.
            receiver.await("/hook", EVENTS, r -> true, 60_000);
            long deadline = System.currentTimeMillis() + 60_000;
            while (idsSeen(receiver).size() < EVENTS && System.currentTimeMillis() < deadline) {
                Thread.sleep(50);
            }
            Set<String> idsBefore = idsSeen(receiver);
            assertEquals(EVENTS, idsBefore.size(), "one webhook-id per event before the kill");
            service.process().destroyForcibly().waitFor();

            receiver.answerUsually(200);
            int attemptsBefore = receiver.at("/hook").size();
            service = PackagedService.start(port, postgres, env, List.of(), log);
            try {
                // Attempts cut short by the kill wait out their claim (twice the timeout and 30 s) before another.
                deadline = System.currentTimeMillis() + 120_000;
                while (delivered(receiver, attemptsBefore).size() < EVENTS && System.currentTimeMillis() < deadline) {
                    Thread.sleep(100);
                }
                Thread.sleep(2_000);
                List<WebhookReceiver.Received> after = receiver.at("/hook").subList(attemptsBefore, receiver.at("/hook").size());
                Map<String, Long> deliveriesPerId = after.stream().collect(Collectors.groupingBy(r -> r.header("webhook-id"),
                        Collectors.counting()));
                assertEquals(idsBefore, deliveriesPerId.keySet(), "the same webhook-ids, none new, none lost");
                assertTrue(deliveriesPerId.values().stream().allMatch(count -> count == 1), "each delivered once: " + deliveriesPerId);
                Set<String> eventIds = after.stream().map(r -> new io.vertx.core.json.JsonObject(r.body()).getString("event_id"))
                        .collect(Collectors.toSet());
                assertEquals(events, eventIds, "every accepted event");
            } finally {
                service.close();
            }
        } finally {
            PackagedService.deleteTree(postgresData);
        }
    }

    private static Set<String> idsSeen(WebhookReceiver receiver) {
        return receiver.at("/hook").stream().map(r -> r.header("webhook-id")).collect(Collectors.toSet());
    }

    private static Set<String> delivered(WebhookReceiver receiver, int from) {
        List<WebhookReceiver.Received> all = receiver.at("/hook");
        return all.subList(from, all.size()).stream().map(r -> r.header("webhook-id")).collect(Collectors.toSet());
    }
}

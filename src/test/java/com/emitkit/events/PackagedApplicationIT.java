package com.emitkit.events;

import io.quarkus.test.junit.QuarkusIntegrationTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.specification.RequestSpecification;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.startsWith;

/**
 * The packaged application, as it ships: the native executable under {@code -Pnative}, else the jar. It
 * needs a PostgreSQL ({@code QUARKUS_DATASOURCE_*}, or {@code EMITKIT_EMBEDDED_POSTGRES=true} for the jar)
 * and runs against a Tinybird that does not answer (writes go to the outbox), so it goes through the response
 * bodies of the public and admin APIs: a type missing from the native image's reflection fails here. Its
 * settings (that Tinybird, the admin token) are the {@code quarkus.test.arg-line} in the pom: a test profile
 * would keep it from training the AOT cache ({@code -Paot}).
 */
@QuarkusIntegrationTest
class PackagedApplicationIT {

    static final String ADMIN_TOKEN = "packaged-application-admin-token";

    @Test
    void readyButDegradedWhileTinybirdDoesNotAnswer() {
        given().get("/q/health/live").then().statusCode(200).body("status", equalTo("UP"));
        // Writes are kept in the outbox meanwhile: still ready, as long as PostgreSQL is.
        given().get("/q/health/ready").then().statusCode(200)
                .body("checks.find { it.name == 'delivery' }.data.status", equalTo("degraded"));
    }

    @Test
    void theApisAnswerInTheirContractsShape() {
        String org = admin().body(Map.of("name", "Packaged", "retentionTier", "premium")).post("/admin/organizations")
                .then().statusCode(201).body("success", equalTo(true)).body("data.tier", equalTo("premium"))
                .extract().path("data.id");
        String site = admin().body(Map.of("name", "web")).post("/admin/organizations/" + org + "/sites")
                .then().statusCode(201).body("data.organizationId", equalTo(org)).extract().path("data.id");
        JsonPath key = admin().body(Map.of("siteId", site, "scopes", List.of("write", "read")))
                .post("/admin/organizations/" + org + "/api-keys")
                .then().statusCode(201).body("data.key", startsWith("emitkit_")).extract().jsonPath();
        admin().get("/admin/organizations/" + org + "/api-keys").then().statusCode(200)
                .body("data.id", hasItem(key.getString("data.id")));
        String apiKey = key.getString("data.key");

        // Accepted into the outbox while Tinybird is away.
        as(apiKey).body(Map.of("channelName", "payments", "title", "Kept for later")).post("/v1/events").then().statusCode(201)
                .body("success", equalTo(true)).body("data.id", startsWith("evt_")).body("data.retentionTier", equalTo("premium"));
        as(apiKey).body(Map.of("title", "No channel")).post("/v1/events").then().statusCode(400)
                .body("success", equalTo(false)).body("details.path", hasItem(List.of("channelName")));
        // The second answer is the first one, replayed from PostgreSQL.
        for (int attempt = 0; attempt < 2; attempt++) {
            as(apiKey).header("Idempotency-Key", "batch-1")
                    .body(Map.of("events", List.of(Map.of("title", "No channel"), Map.of("channelName", "c"))))
                    .post("/v1/events/batch").then().statusCode(200)
                    .body("data.accepted", equalTo(0)).body("data.rejected", equalTo(2))
                    .body("data.results", hasSize(2)).body("data.results[1].details.path", hasItem(List.of("title")));
        }
        as(apiKey).body(Map.of("user_id", "user_1", "properties", Map.of("plan", "pro"), "aliases", List.of("u1@example.com")))
                .post("/v1/identify").then().statusCode(200)
                .body("data.userId", equalTo("user_1")).body("data.aliases.created", hasItem("u1@example.com"));
        // A channel nobody wrote to is answered from PostgreSQL alone.
        as(apiKey).get("/v1/events?channel=unknown").then().statusCode(200)
                .body("data.events", hasSize(0)).body("data.hasMore", equalTo(false));
        given().get("/v1/events").then().statusCode(401).body("success", equalTo(false));
    }

    private static RequestSpecification admin() {
        return as(ADMIN_TOKEN);
    }

    private static RequestSpecification as(String token) {
        return given().header("Authorization", "Bearer " + token).contentType(ContentType.JSON);
    }
}

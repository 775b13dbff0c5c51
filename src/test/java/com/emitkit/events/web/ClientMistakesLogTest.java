package com.emitkit.events.web;

import com.emitkit.events.tenancy.TestTenants;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.specification.RequestSpecification;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.function.Function;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.lessThan;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Client mistakes are 4xx in the API's error shape, and none of them logs at ERROR: a key cannot flood the error log. */
@QuarkusTest
class ClientMistakesLogTest {

    @Test
    void clientMistakesAre4xxAndNeverLoggedAtError() {
        TestTenants.Tenant tenant = TestTenants.create("unlimited", List.of("write", "read"));
        String key = "Bearer " + tenant.key();
        String forgedCursor = Base64.getUrlEncoder().encodeToString("{\"t\":\"2026-99-99 99:99:99.999\",\"i\":\"evt_1\"}"
                .getBytes(StandardCharsets.UTF_8));
        List<Function<RequestSpecification, io.restassured.response.Response>> mistakes = List.of(
                r -> r.header("Authorization", key).contentType("application/json").body("{\"channelName\":").post("/v1/events"),
                r -> r.header("Authorization", key).contentType("application/json").body("{\"channelName\":5,\"title\":[]}").post("/v1/events"),
                r -> r.header("Authorization", key).contentType("application/json").header("Content-Encoding", "gzip")
                        .body("not gzip").post("/v1/events"),
                r -> r.header("Authorization", key).contentType("application/json").header("Idempotency-Key", "k".repeat(300))
                        .body("{\"channelName\":\"c\",\"title\":\"t\"}").post("/v1/events"),
                r -> r.header("Authorization", key).contentType("application/json").body("{\"events\":{}}").post("/v1/events/batch"),
                r -> r.header("Authorization", key).contentType("application/json").body("{\"user_id\":\"u\",\"properties\":{\"\\u0000\":1}}")
                        .post("/v1/identify"),
                r -> r.header("Authorization", key).urlEncodingEnabled(false).get("/v1/events?channel=%00"),
                r -> r.header("Authorization", key).queryParam("cursor", forgedCursor).get("/v1/events"),
                r -> r.header("Authorization", key).queryParam("date_from", "yesterday").get("/v1/stats"),
                r -> r.header("Authorization", key).urlEncodingEnabled(false).get("/v1/channels/%C0%80/stream"),
                r -> r.header("Authorization", key).header("Last-Event-ID", "e".repeat(5000)).get("/v1/channels/c/stream"),
                r -> r.header("Authorization", "Bearer emitkit_unknown").get("/v1/events"),
                r -> r.header("Authorization", "Bearer not.a.jwt").get("/v1/events"),
                r -> r.header("Authorization", TestTenants.ADMIN).contentType("application/json").body("{\"name\":{\"a\":1}}")
                        .post("/admin/organizations"),
                r -> r.header("Authorization", TestTenants.ADMIN).contentType("application/json").body("[]").post("/admin/organizations"),
                r -> r.header("Authorization", TestTenants.ADMIN).urlEncodingEnabled(false).get("/admin/organizations/%ED%A0%80"));
        try (ErrorLogs logs = ErrorLogs.capture()) {
            for (var mistake : mistakes) {
                mistake.apply(given()).then().statusCode(lessThan(500)).statusCode(org.hamcrest.Matchers.greaterThanOrEqualTo(400))
                        .body("success", equalTo(false)).body("requestId", startsWith("req_"));
            }
            assertEquals(List.of(), logs.lines(), "client mistakes logged at ERROR");
        }
    }
}

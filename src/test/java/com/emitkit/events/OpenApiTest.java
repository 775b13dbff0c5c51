package com.emitkit.events;

import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

@QuarkusTest
class OpenApiTest {

    @Test
    void thePublicApiIsDocumented() {
        given().queryParam("format", "json").get("/q/openapi").then().statusCode(200)
                .body("paths.'/v1/events'.post", notNullValue())
                .body("paths.'/v1/events'.get.parameters.find { it.name == 'cursor' }", notNullValue())
                .body("paths.'/v1/events/batch'.post", notNullValue())
                .body("paths.'/v1/identify'.post", notNullValue())
                .body("paths.'/v1/stats'.get", notNullValue())
                .body("paths.'/v1/identities/{userId}'.delete", notNullValue())
                .body("paths.'/v1/events/{id}'.delete", notNullValue())
                .body("paths.'/v1/channels/{channel}/stream'.get.parameters.find { it.name == 'Last-Event-ID' }", notNullValue())
                .body("paths.'/v1/channels/{channel}/stream'.get.parameters.find { it.name == 'access_token' }.in", equalTo("query"))
                .body("paths.'/v1/me'.get", notNullValue())
                .body("paths.'/v1/channels'.get", notNullValue())
                .body("paths.'/v1/events/{id}'.get", notNullValue())
                .body("paths.'/v1/events'.get.parameters.name", hasItems("before", "since"))
                .body("components.securitySchemes.bearer.scheme", equalTo("bearer"))
                .body("components.schemas.Failure.properties.code.enum", hasItems("validation_error", "unauthorized",
                        "forbidden", "not_found", "idempotency_conflict", "payload_too_large", "rate_limited", "internal_error"));
    }

    /** Every endpoint of the public and admin APIs names its credential and documents its error answers. */
    @Test
    void everyProtectedOperationNamesTheBearerSchemeAndItsErrors() {
        Map<String, Map<String, Map<String, Object>>> paths = given().queryParam("format", "json").get("/q/openapi")
                .then().statusCode(200).extract().jsonPath().getMap("paths");
        List<String> checked = new ArrayList<>();
        paths.forEach((path, operations) -> {
            if (path.startsWith("/v1/") || path.startsWith("/admin/")) {
                operations.forEach((method, operation) -> {
                    assertEquals(List.of(Map.of("bearer", List.of())), operation.get("security"), method + " " + path);
                    assertNotNull(((Map<?, ?>) operation.get("responses")).get("default"), method + " " + path);
                    checked.add(method + " " + path);
                });
            }
        });
        assertTrue(checked.size() >= 15, checked.toString());
    }
}

package com.emitkit.events;

import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.notNullValue;

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
                .body("paths.'/v1/channels/{channel}/stream'.get.parameters.find { it.name == 'Last-Event-ID' }", notNullValue());
    }
}

package com.emitkit.events.query;

import com.emitkit.events.tenancy.TestTenants;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;

/**
 * Filter values with the characters Tinybird's renderer escapes ({@code %} among them, whose backslash ClickHouse
 * keeps) still find what was stored, through the list and the statistics, on the embedded engine.
 */
@QuarkusTest
class AwkwardValuesFilterTest {

    @ParameterizedTest
    @ValueSource(strings = {"50%", "it's", "say \"hi\"", "back\\slash", "tick`tock", "a\\%b", "%'\"\\`", "line\nbreak\ttab"})
    void aValueWithCharactersTinybirdEscapesIsFoundByEveryFilter(String value) {
        TestTenants.Tenant tenant = TestTenants.create("basic", List.of("write", "read"));
        String channel = "channel " + value;
        String id = as(tenant).contentType(ContentType.JSON)
                .body(Map.of("channelName", channel, "title", "awkward", "tags", List.of(value, "plain"), "userId", "user " + value))
                .post("/v1/events").then().statusCode(201).extract().path("data.id");
        as(tenant).contentType(ContentType.JSON).body(Map.of("channelName", "other", "title", "control", "tags", List.of("plain")))
                .post("/v1/events").then().statusCode(201);

        as(tenant).queryParam("channel", channel).get("/v1/events").then().statusCode(200)
                .body("data.events.id", equalTo(List.of(id)));
        as(tenant).queryParam("tag", value).get("/v1/events").then().statusCode(200)
                .body("data.events.id", equalTo(List.of(id)));
        as(tenant).queryParam("user_id", "user " + value).get("/v1/events").then().statusCode(200)
                .body("data.events.id", equalTo(List.of(id)))
                .body("data.events[0].tags", equalTo(List.of(value, "plain")));
        as(tenant).queryParam("channel", channel).get("/v1/stats").then().statusCode(200)
                .body("data.totalEvents", equalTo(1))
                .body("data.tags.tag", equalTo(List.of(value, "plain").stream().sorted().toList()));
    }

    private static RequestSpecification as(TestTenants.Tenant tenant) {
        return given().header("Authorization", "Bearer " + tenant.key());
    }
}

package com.emitkit.events.ingest;

import com.emitkit.events.tenancy.TestTenants;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;

/** JSON that a lax parser would read as something the client did not mean is refused with a clear 400 (or 415). */
@QuarkusTest
class StrictJsonTest {

    private static final String EVENT = "{\"channelName\":\"payments\",\"title\":\"Paid\",\"metadata\":{\"amount\":%s}}";

    TestTenants.Tenant tenant;

    @BeforeEach
    void tenant() {
        tenant = TestTenants.create("basic", List.of("write"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"/v1/events", "/v1/events/batch", "/v1/identify"})
    void textAfterTheJsonValueIsRefused(String path) {
        String body = path.equals("/v1/identify") ? "{\"user_id\":\"u1\"} {\"user_id\":\"u2\"}"
                : path.endsWith("batch") ? "{\"events\":[" + EVENT.formatted("1") + "]}garbage" : EVENT.formatted("1") + " trailing";
        post(path, body).then().statusCode(400).body("success", equalTo(false))
                .body("error", containsString("not valid JSON")).body("requestId", startsWith("req_"));
    }

    @Test
    void aKeyTwiceIsRefusedNotReadAsItsLastValue() {
        post("/v1/events", "{\"channelName\":\"payments\",\"title\":\"a\",\"title\":\"b\"}").then().statusCode(400)
                .body("error", containsString("Duplicate field 'title'"));
        post("/v1/events", EVENT.formatted("{\"x\":1,\"x\":2}")).then().statusCode(400)
                .body("error", containsString("Duplicate field 'x'"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"1e400", "-1e400", "[1, 2e999]"})
    void aNumberBeyondADoubleIsRefusedNotStoredAsInfinity(String number) {
        post("/v1/events", EVENT.formatted(number)).then().statusCode(400)
                .body("error", containsString("beyond the range of a double"));
    }

    @Test
    void anUnknownContentEncodingIs415() {
        given().header("Authorization", "Bearer " + tenant.key()).contentType("application/json").header("Content-Encoding", "br")
                .body(EVENT.formatted("1")).post("/v1/events").then().statusCode(415)
                .body("error", containsString("Content-Encoding 'br'"));
        given().header("Authorization", "Bearer " + tenant.key()).contentType("application/json").header("Content-Encoding", "identity")
                .body(EVENT.formatted("1.5e300")).post("/v1/events").then().statusCode(201);
    }

    private io.restassured.response.Response post(String path, String body) {
        return given().header("Authorization", "Bearer " + tenant.key()).contentType("application/json").body(body).post(path);
    }
}

package com.emitkit.events.web;

import com.emitkit.events.tenancy.TestTenants;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.ValidatableResponse;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayOutputStream;
import java.net.Socket;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static io.restassured.RestAssured.given;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.startsWith;

/**
 * NUL, lone surrogates and malformed UTF-8 on every path that reaches PostgreSQL or Tinybird: a 400 naming the
 * field, never a 500 from the store, never a '?' stored in place of what was sent.
 */
@QuarkusTest
class HostileTextTest {

    @TestHTTPResource("/")
    URL base;

    TestTenants.Tenant tenant;

    @BeforeEach
    void tenant() {
        tenant = TestTenants.create("premium", List.of("write", "read"));
    }

    private ValidatableResponse post(String path, String credential, byte[] body) {
        return given().header("Authorization", credential).contentType("application/json").body(body).post(path).then();
    }

    private ValidatableResponse post(String path, String body) {
        return post(path, "Bearer " + tenant.key(), body.getBytes(StandardCharsets.UTF_8));
    }

    private static void refused(ValidatableResponse response, List<Object> path) {
        response.statusCode(400).body("success", equalTo(false)).body("requestId", startsWith("req_"))
                .body("details.path", hasItem(path));
    }

    @Test
    void identifyRefusesNulAndLoneSurrogatesInEveryText() {
        refused(post("/v1/identify", "{\"user_id\":\"u\\u0000\"}"), List.of("user_id"));
        refused(post("/v1/identify", "{\"user_id\":\"u1\",\"aliases\":[\"a\",\"b\\u0000\"]}"), List.of("aliases", 1));
        refused(post("/v1/identify", "{\"user_id\":\"u1\",\"properties\":{\"k\\u0000\":1}}"), List.of("properties", "k\u0000"));
        refused(post("/v1/identify", "{\"user_id\":\"u1\",\"properties\":{\"plan\":\"\\ud800\"}}"), List.of("properties", "plan"));
        refused(post("/v1/identify", "{\"user_id\":\"\\udc00x\"}"), List.of("user_id"));
    }

    @Test
    void eventsRefuseThemInMetadataAndInEachEventOfABatch() {
        refused(post("/v1/events", "{\"channelName\":\"c\",\"title\":\"t\",\"metadata\":{\"a\":[\"\\u0000\"]}}"),
                List.of("metadata", "a", 0));
        refused(post("/v1/events/batch", "{\"events\":[{\"channelName\":\"c\",\"title\":\"t\"},{\"channelName\":\"c\\ud83d\",\"title\":\"t\"}]}"),
                List.of("events", 1, "channelName"));
        // Events are read token by token: what they skip (unknown fields, fields around the events) is checked too.
        refused(post("/v1/events", "{\"channelName\":\"c\",\"title\":\"t\",\"later\":{\"x\":[{\"k\\u0000\":1}]}}"),
                List.of("later", "x", 0, "k\u0000"));
        ValidatableResponse around = post("/v1/events/batch", "{\"before\":[\"\\ud800\"],\"events\":[{\"channelName\":\"c\","
                + "\"title\":\"t\",\"metadata\":{\"k\\u0000\":1}}],\"after\":\"\\u0000\"}");
        refused(around, List.of("before", 0));
        around.body("details.path", hasItem(List.of("events", 0, "metadata", "k\u0000"))).body("details.path", hasItem(List.of("after")));
        // A lone surrogate in a key: Jackson's reader of bytes refuses it as it reads (still a 400, without a path).
        post("/v1/events/batch", "{\"events\":[{\"channelName\":\"c\",\"title\":\"t\",\"metadata\":{\"\\udc00\":1}}]}")
                .statusCode(400).body("code", org.hamcrest.Matchers.notNullValue()).body("error", containsString("surrogate"));
        post("/v1/events", "Bearer " + tenant.key(), new byte[] {'{', '"', 'a', '"', ':', '"', (byte) 0xC0, (byte) 0x80, '"', '}'})
                .statusCode(400).body("error", containsString("not valid UTF-8"));
    }

    @Test
    void eventsPastTheBatchLimitAreCheckedThoughNotValidated() {
        StringBuilder body = new StringBuilder("{\"events\":[");
        for (int i = 0; i < 1_001; i++) {
            body.append(i == 0 ? "" : ",").append("{\"channelName\":\"c\",\"title\":\"t\"}");
        }
        String tooMany = body + "]}";
        given().header("Authorization", "Bearer " + tenant.key()).contentType("application/json").body(tooMany)
                .post("/v1/events/batch").then().statusCode(400).body("details.path", hasItem(List.of("events")));
        refused(post("/v1/events/batch", body + ",{\"title\":\"\\u0000\"}]}"), List.of("events", 1001, "title"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"C080", "E08080", "EDA080", "F4908080", "FF"})
    void malformedUtf8BytesAreRefusedNotDecoded(String hex) {
        // An overlong NUL, an overlong 3-byte form, an encoded surrogate, beyond U+10FFFF, a byte UTF-8 never has.
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes("{\"user_id\":\"u".getBytes(StandardCharsets.UTF_8));
        body.writeBytes(java.util.HexFormat.of().parseHex(hex));
        body.writeBytes("\"}".getBytes(StandardCharsets.UTF_8));
        post("/v1/identify", "Bearer " + tenant.key(), body.toByteArray()).statusCode(400)
                .body("error", containsString("not valid UTF-8"));
    }

    @Test
    void validTextStaysAcceptedByteOrderMarkIncluded() {
        post("/v1/events", "\uFEFF{\"channelName\":\"caf\u00e9 \ud83c\udf89\",\"title\":\"\ud83d\ude00 {{x}} ' -- \\\\\"}").statusCode(201);
        post("/v1/identify", "{\"user_id\":\"\u65e5\u672c\",\"properties\":{\"\ud83d\ude00\":\"\u00e9\"}}").statusCode(200);
    }

    @Test
    void queryAndPathParametersAreChecked() {
        String key = "Bearer " + tenant.key();
        for (String bad : List.of("%00", "a%C0%80", "%ED%A0%80", "%FF")) {
            refused(given().header("Authorization", key).urlEncodingEnabled(false).get("/v1/events?channel=" + bad).then(),
                    List.of("channel"));
        }
        refused(given().header("Authorization", key).urlEncodingEnabled(false).get("/v1/events?tag=%00").then(), List.of("tag"));
        refused(given().header("Authorization", key).urlEncodingEnabled(false).get("/v1/events?user_id=%ED%B0%80").then(),
                List.of("user_id"));
        refused(given().header("Authorization", key).urlEncodingEnabled(false).get("/v1/stats?channel=x%00").then(),
                List.of("channel"));
        refused(given().header("Authorization", key).urlEncodingEnabled(false).get("/v1/channels/a%00b/stream").then(),
                List.of("channel"));
        refused(given().header("Authorization", key).urlEncodingEnabled(false).get("/v1/channels/%C0%80/stream").then(),
                List.of("channel"));
    }

    @Test
    void aNulInAStoredHeaderIsRefusedByTheHttpServerItself() throws Exception {
        String event = "{\"channelName\":\"c\",\"title\":\"t\"}";
        String answer = raw("POST /v1/events HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + tenant.key()
                + "\r\nContent-Type: application/json\r\nIdempotency-Key: pay\u0000-1\r\nContent-Length: " + event.length()
                + "\r\nConnection: close\r\n\r\n" + event);
        assertThat(answer, startsWith("HTTP/1.1 400"));
        String stream = raw("GET /v1/channels/c/stream HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + tenant.key()
                + "\r\nLast-Event-ID: evt\u0000\r\nConnection: close\r\n\r\n");
        assertThat(stream, startsWith("HTTP/1.1 400"));
    }

    /** Like a NUL in a header, the HTTP layer refuses these itself, before any route (Texts would name the parameter). */
    @Test
    void malformedPercentEscapesAreRefusedByTheHttpServerItself() throws Exception {
        for (String bad : List.of("%zz", "%", "a%C")) {
            String answer = raw("GET /v1/events?channel=" + bad + " HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + tenant.key()
                    + "\r\nConnection: close\r\n\r\n");
            assertThat(answer, startsWith("HTTP/1.1 400"));
        }
    }

    /** A request as bytes on a socket: HTTP clients refuse to send a NUL in a header, or a malformed escape. */
    private String raw(String request) throws Exception {
        try (Socket socket = new Socket(base.getHost(), base.getPort())) {
            socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            socket.getOutputStream().flush();
            return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void adminNamesAndIdsAreChecked() {
        refused(post("/admin/organizations", TestTenants.ADMIN, "{\"name\":\"Acme\\u0000\"}".getBytes(StandardCharsets.UTF_8)),
                List.of("name"));
        refused(post("/admin/organizations/" + tenant.organizationId() + "/sites", TestTenants.ADMIN,
                "{\"name\":\"\\udfff\"}".getBytes(StandardCharsets.UTF_8)), List.of("name"));
        refused(given().header("Authorization", TestTenants.ADMIN).urlEncodingEnabled(false)
                .get("/admin/organizations/org%00").then(), List.of("organizationId"));
        refused(given().header("Authorization", TestTenants.ADMIN).urlEncodingEnabled(false)
                .delete("/admin/organizations/" + tenant.organizationId() + "/api-keys/key%00").then(), List.of("keyId"));
    }
}

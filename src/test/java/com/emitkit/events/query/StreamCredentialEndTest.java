package com.emitkit.events.query;

import com.emitkit.events.query.SseClient.Connection;
import com.emitkit.events.query.SseClient.Received;
import com.emitkit.events.tenancy.TestTenants;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.smallrye.jwt.build.Jwt;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URL;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** An open stream ends when its credential does: an API key's revocation, a dashboard token's expiry. */
@QuarkusTest
class StreamCredentialEndTest {

    @TestHTTPResource("/")
    URL base;

    TestTenants.Tenant tenant;
    SseClient sse;

    @BeforeEach
    void setUp() {
        tenant = TestTenants.create("premium", List.of("write", "read"));
        given().header("Authorization", "Bearer " + tenant.key()).contentType(ContentType.JSON)
                .body(Map.of("channelName", "live", "title", "creates the channel")).post("/v1/events").then().statusCode(201);
        sse = new SseClient(base);
    }

    @Test
    void aStreamEndsWithinTheKeyCacheBoundOfItsKeysRevocation() throws Exception {
        Connection stream = sse.connect("live", tenant.key(), null);
        Thread.sleep(1500);
        assertFalse(stream.ended().isDone(), "the stream stays open while its key is valid");
        Instant revoked = Instant.now();
        given().header("Authorization", TestTenants.ADMIN).delete("/admin/organizations/" + tenant.organizationId()
                + "/api-keys/" + tenant.keyId()).then().statusCode(204);
        Received error = errorEvent(stream, Duration.ofSeconds(7));
        assertTrue(Duration.between(revoked, Instant.now()).compareTo(Duration.ofSeconds(5)) <= 0);
        JsonPath body = JsonPath.from(error.data());
        assertEquals(false, body.getBoolean("success"));
        assertTrue(body.getString("error").contains("revoked"), error.data());
        assertNotNull(body.getString("requestId"));
        stream.ended().get(2, TimeUnit.SECONDS);
    }

    @Test
    void aStreamOpenedWithADashboardTokenEndsAtItsExpiry() throws Exception {
        Instant expiry = Instant.now().plusSeconds(3);
        endsAtExpiry(sse.connect("live", token(expiry), null), expiry);
    }

    /** A browser's EventSource sends the token as ?access_token=: the same caller, so the same end. */
    @Test
    void aStreamOpenedWithAnAccessTokenEndsAtItsExpiry() throws Exception {
        Instant expiry = Instant.now().plusSeconds(3);
        endsAtExpiry(sse.connectWithAccessToken("live", token(expiry)), expiry);
    }

    private String token(Instant expiry) {
        return Jwt.issuer(DashboardTokenTest.ISSUER).claim("org", tenant.organizationId())
                .issuedAt(Instant.now()).expiresAt(expiry).signWithSecret(DashboardTokenTest.SECRET);
    }

    private static void endsAtExpiry(Connection stream, Instant expiry) throws Exception {
        Received error = errorEvent(stream, Duration.ofSeconds(6));
        Instant ended = Instant.now();
        // exp has whole seconds: the stream ends within a second of it, not before.
        assertFalse(ended.isBefore(expiry.minusSeconds(1)), "ended at " + ended + ", before the expiry " + expiry);
        assertTrue(ended.isBefore(expiry.plusSeconds(2)), "ended at " + ended + ", long after the expiry " + expiry);
        assertTrue(JsonPath.from(error.data()).getString("error").contains("expired"), error.data());
        stream.ended().get(2, TimeUnit.SECONDS);
    }

    /** The first `error` event within the time, skipping the channel's events (heartbeats are not events). */
    private static Received errorEvent(Connection stream, Duration within) throws InterruptedException {
        Instant deadline = Instant.now().plus(within);
        for (Received event; (event = stream.events().poll(Math.max(1, Duration.between(Instant.now(), deadline).toMillis()),
                TimeUnit.MILLISECONDS)) != null; ) {
            if ("error".equals(event.name())) {
                return event;
            }
        }
        throw new AssertionError("no error event within " + within);
    }
}

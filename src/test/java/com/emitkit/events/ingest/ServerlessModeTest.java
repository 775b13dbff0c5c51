package com.emitkit.events.ingest;

import com.emitkit.events.local.EmbeddedApi;
import com.emitkit.events.tenancy.TestTenants;
import com.emitkit.events.tenancy.TestTenants.Tenant;
import com.emitkit.events.tinybird.TinybirdBackend;
import com.emitkit.events.tinybird.TinybirdEventsSender;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code EMITKIT_SERVERLESS=true}: the process may be frozen the moment a response is written, so when a
 * write is answered its row must already be stored, with nothing left waiting in memory; and a batching
 * linger (long here, to tell the modes apart) must not hold it back.
 */
@QuarkusTest
@TestProfile(ServerlessModeTest.Serverless.class)
class ServerlessModeTest {

    public static class Serverless implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("emitkit.serverless", "true", "emitkit.tinybird.batch.linger", "5s");
        }
    }

    @Inject
    TinybirdBackend backend;
    @Inject
    TinybirdEventsSender sender;

    @Test
    void aWriteIsStoredBeforeItsAnswerAndNothingWaitsInMemory() {
        Tenant tenant = TestTenants.create("premium", List.of("write"));
        long start = System.currentTimeMillis();
        String id = given().header("Authorization", "Bearer " + tenant.key()).contentType(ContentType.JSON)
                .body(Map.of("channelName", "lambda", "title", "Frozen right after"))
                .post("/v1/events").then().statusCode(201).extract().path("data.id");
        long took = System.currentTimeMillis() - start;
        // Right after the answer, as a frozen process would leave things.
        assertEquals(0, sender.pendingRows(), "no row waits in memory once the write is answered");
        assertEquals(1, new EmbeddedApi(backend).sql("SELECT id FROM events WHERE id = '" + id + "'").getList("data").size());
        assertTrue(took < 3000, "not held back by the 5 s linger: " + took + " ms");
    }
}

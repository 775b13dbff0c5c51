package com.emitkit.events;

import com.emitkit.events.tenancy.TestTenants;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;

/** The service's own metrics are on the Prometheus endpoint, next to Quarkus' HTTP and JVM ones. */
@QuarkusTest
class MetricsTest {

    @Test
    void ingestDeliveryOutboxStreamAndPipeMetricsAreExposed() {
        TestTenants.Tenant tenant = TestTenants.create("premium", List.of("write", "read"));
        given().header("Authorization", "Bearer " + tenant.key()).contentType(ContentType.JSON)
                .body(Map.of("channelName", "metrics", "title", "counted")).post("/v1/events").then().statusCode(201);
        given().header("Authorization", "Bearer " + tenant.key()).get("/v1/events").then().statusCode(200);
        String scrape = given().get("/q/metrics").then().statusCode(200).extract().asString();
        for (String metric : List.of("emitkit_events_ingested_total{outcome=\"accepted\",tier=\"premium\"}",
                "emitkit_tinybird_batch_rows_count", "emitkit_tinybird_events_latency_seconds_count",
                "emitkit_tinybird_events_responses_total{status=\"200\"}", "emitkit_tinybird_pending_rows",
                "emitkit_tinybird_circuit_open{calls=\"writes\"}", "emitkit_outbox_depth", "emitkit_outbox_oldest_age_seconds",
                "emitkit_stream_subscribers", "emitkit_tinybird_pipe_latency_seconds_count{outcome=\"success\",pipe=\"get_events_paginated\"}")) {
            org.hamcrest.MatcherAssert.assertThat(scrape, containsString(metric));
        }
    }
}

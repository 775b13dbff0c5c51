package com.emitkit.events.local;

import com.emitkit.events.tinybird.TinybirdBackend;
import com.emitkit.events.tinybird.TinybirdTarget;
import io.restassured.RestAssured;
import io.restassured.config.EncoderConfig;
import io.restassured.path.json.JsonPath;
import io.restassured.specification.RequestSpecification;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;

/** Test access to the embedded Tinybird the test application started, over its HTTP API. */
public final class EmbeddedApi {

    public static final DateTimeFormatter TIMESTAMP = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS")
            .withZone(ZoneOffset.UTC);

    private final TinybirdTarget target;

    public EmbeddedApi(TinybirdBackend backend) {
        this.target = backend.target();
    }

    public String token() {
        return target.token();
    }

    public String url() {
        return target.apiUrl().toString();
    }

    /** A request to the embedded API, authenticated. */
    public RequestSpecification given() {
        return anonymous().header("Authorization", "Bearer " + token());
    }

    /** A request to the embedded API without credentials. */
    public RequestSpecification anonymous() {
        // Bodies go out as UTF-8, as every real Tinybird client sends them.
        return RestAssured.given().baseUri(url()).config(RestAssured.config()
                .encoderConfig(EncoderConfig.encoderConfig().defaultContentCharset(StandardCharsets.UTF_8)));
    }

    /** Appends rows to the events datasource and asserts none was quarantined. */
    public void ingest(List<Map<String, Object>> rows) {
        given().queryParam("name", "events").queryParam("wait", "true")
                .body(ndjson(rows))
                .post("/v0/events")
                .then().statusCode(200)
                .body("successful_rows", org.hamcrest.Matchers.equalTo(rows.size()))
                .body("quarantined_rows", org.hamcrest.Matchers.equalTo(0));
    }

    public static String ndjson(List<Map<String, Object>> rows) {
        return rows.stream().map(r -> new io.vertx.core.json.JsonObject(r).encode()).collect(Collectors.joining("\n")) + "\n";
    }

    /** Calls an endpoint pipe's JSON endpoint and returns its {@code data}. */
    public JsonPath pipe(String name, Map<String, ?> params) {
        return given().queryParams(params).get("/v0/pipes/" + name + ".json")
                .then().statusCode(200).extract().jsonPath();
    }

    /** Runs a read-only query and returns its JSON. */
    public JsonPath sql(String sql) {
        return given().queryParam("q", sql + " FORMAT JSON").get("/v0/sql")
                .then().statusCode(200).extract().jsonPath();
    }

    /** A fresh identifier, so that runs sharing the test data folder never see each other's rows. */
    public static String unique(String prefix) {
        return prefix + "_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    }

    public static String at(Instant instant) {
        return TIMESTAMP.format(instant);
    }

    /** An event row as the service writes it. */
    public static Map<String, Object> event(String id, String organization, String channel, String tier, Instant createdAt) {
        return new java.util.HashMap<>(Map.of(
                "id", id,
                "organization_id", organization,
                "site_id", "site_1",
                "channel_id", channel,
                "channel_name", "payments",
                "retention_tier", tier,
                "title", "Event " + id,
                "created_at", at(createdAt)));
    }
}

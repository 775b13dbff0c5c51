package com.emitkit.events;

import com.emitkit.events.tenancy.local.EmbeddedPostgresServer;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The packaged service as a process of its own (embedded engine, PostgreSQL from this test), killed under
 * write load, abruptly (SIGKILL) and gracefully (SIGTERM), then started again: every event that got a
 * success answer is stored, once.
 */
class ProcessCrashIT {

    static final String ADMIN = "crash-test-admin-token";
    static EmbeddedPostgresServer postgres;
    static Path postgresData;
    static Path engineData;
    static int httpPort;
    static int enginePort;
    static String apiKey;
    Process service;

    @BeforeAll
    static void startPostgres() throws IOException {
        // Outside the project: as root PostgreSQL runs as nobody, who may not enter a clone under /root.
        postgresData = Path.of("/var/tmp/emitkit", "crash-it-" + ProcessHandle.current().pid());
        postgres = EmbeddedPostgresServer.start(postgresData, 0);
        engineData = Files.createDirectories(Path.of("target", "crash-it-engine-" + System.currentTimeMillis()));
        httpPort = freePort();
        enginePort = freePort();
    }

    @AfterAll
    static void stopPostgres() throws IOException {
        postgres.close();
        try (var files = Files.walk(postgresData)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private Process start() throws Exception {
        ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-jar", "target/quarkus-app/quarkus-run.jar");
        Map<String, String> env = builder.environment();
        env.remove("EMITKIT_EMBEDDED_POSTGRES");
        env.put("QUARKUS_HTTP_PORT", Integer.toString(httpPort));
        env.put("QUARKUS_DATASOURCE_REACTIVE_URL", postgres.reactiveUrl());
        env.put("QUARKUS_DATASOURCE_JDBC_URL", postgres.jdbcUrl());
        env.put("QUARKUS_DATASOURCE_USERNAME", postgres.username());
        env.put("QUARKUS_DATASOURCE_PASSWORD", postgres.password());
        env.put("EMITKIT_TINYBIRD_MODE", "embedded");
        env.put("EMITKIT_LOCAL_PORT", Integer.toString(enginePort));
        env.put("EMITKIT_LOCAL_DATA_DIR", engineData.toString());
        env.put("EMITKIT_ADMIN_TOKEN", ADMIN);
        env.put("EMITKIT_SHUTDOWN_DELAY", "0s");
        // Rows kept in the outbox at shutdown are relayed after the restart; look them up soon.
        env.put("EMITKIT_OUTBOX_SETTLE", "2s");
        env.put("EMITKIT_API_RATE_LIMIT_UNLIMITED", "1000000000");
        builder.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(Path.of("target", "crash-it-service.log").toFile()));
        Process process = builder.start();
        long deadline = System.currentTimeMillis() + 120_000;
        HttpClient http = HttpClient.newHttpClient();
        while (System.currentTimeMillis() < deadline) {
            assertTrue(process.isAlive(), "the service died at start; see target/crash-it-service.log");
            try {
                HttpResponse<String> ready = http.send(HttpRequest.newBuilder(URI.create(base() + "/q/health/ready")).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (ready.statusCode() == 200) {
                    return process;
                }
            } catch (IOException notYet) {
                // Not listening yet.
            }
            Thread.sleep(250);
        }
        throw new IllegalStateException("the service did not become ready; see target/crash-it-service.log");
    }

    private static String base() {
        return "http://127.0.0.1:" + httpPort;
    }

    private static String key() {
        if (apiKey == null) {
            RestAssured.baseURI = base();
            String org = RestAssured.given().header("Authorization", "Bearer " + ADMIN).contentType(ContentType.JSON)
                    .body(Map.of("name", "Crash", "retentionTier", "unlimited")).post("/admin/organizations")
                    .then().statusCode(201).extract().path("data.id");
            String site = RestAssured.given().header("Authorization", "Bearer " + ADMIN).contentType(ContentType.JSON)
                    .body(Map.of("name", "web")).post("/admin/organizations/" + org + "/sites")
                    .then().statusCode(201).extract().path("data.id");
            apiKey = RestAssured.given().header("Authorization", "Bearer " + ADMIN).contentType(ContentType.JSON)
                    .body(Map.of("siteId", site, "scopes", List.of("write"))).post("/admin/organizations/" + org + "/api-keys")
                    .then().statusCode(201).extract().path("data.key");
        }
        return apiKey;
    }

    /** Writers posting events while {@code stop} ends the process, {@code afterMillis} after they started. */
    private WriteLoad.Outcome writesWhile(long afterMillis, Runnable stop) throws Exception {
        WriteLoad load = WriteLoad.start(base() + "/v1/events", key(), "crash", 16);
        Thread.sleep(afterMillis);
        stop.run();
        service.waitFor(90, TimeUnit.SECONDS);
        return load.stop();
    }

    /** How many times each accepted event is stored, read from the engine of a running service. */
    private Map<String, Integer> stored() throws IOException {
        String token = new JsonObject(Files.readString(engineData.resolve("tokens.json"))).getString("admin_token");
        return WriteLoad.storedCopies("http://127.0.0.1:" + enginePort, token, "channel_name = 'crash'");
    }

    private void assertStoredOnce(String scenario, WriteLoad.Outcome outcome) throws Exception {
        Set<String> accepted = outcome.accepted();
        // Rows the stopped process kept in the outbox reach the engine through the restarted one's relay.
        Map<String, Integer> stored = stored();
        long deadline = System.currentTimeMillis() + 60_000;
        while (!stored.keySet().containsAll(accepted) && System.currentTimeMillis() < deadline) {
            Thread.sleep(250);
            stored = stored();
        }
        long delivered = accepted.stream().filter(stored::containsKey).count();
        long duplicated = stored.values().stream().filter(copies -> copies > 1).count();
        System.out.printf("[crash] %s: sent %d, accepted %d, delivered %d, duplicated %d, statuses %s%n", scenario,
                outcome.sent(), accepted.size(), delivered, duplicated, outcome.statuses());
        assertTrue(accepted.size() > 100, "the load ran: " + outcome.statuses());
        assertEquals(accepted.size(), delivered, "every accepted event is stored");
        assertEquals(0, duplicated, "none twice");
    }

    @Test
    void killedAbruptlyOrStoppedGracefullyUnderLoadNoAcceptedEventIsLost() throws Exception {
        service = start();
        WriteLoad.Outcome beforeKill = writesWhile(3000, () -> service.destroyForcibly());
        service = start();
        assertStoredOnce("kill -9 mid-load, restarted", beforeKill);

        long[] stopMillis = new long[1];
        WriteLoad.Outcome beforeTerm = writesWhile(3000, () -> {
            stopMillis[0] = System.currentTimeMillis();
            service.destroy();
        });
        long took = System.currentTimeMillis() - stopMillis[0];
        System.out.printf("[crash] SIGTERM: exited after %d ms with %d%n", took, service.exitValue());
        service = start();
        assertStoredOnce("SIGTERM mid-load, restarted", beforeTerm);
        service.destroy();
        service.waitFor(60, TimeUnit.SECONDS);
    }
}

package com.emitkit.events;

import com.emitkit.events.local.postgres.EmbeddedPostgresServer;
import io.restassured.http.ContentType;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The packaged service ({@code target/quarkus-app}, built by {@code package}) run as a process of its own, as
 * in production: on a given port, with PostgreSQL from the test, its log in a file.
 */
public final class PackagedService implements AutoCloseable {

    public static final String ADMIN_TOKEN = "packaged-service-admin-token";

    private final Process process;
    private final int port;

    private PackagedService(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    /**
     * Starts the service and waits until it is ready. {@code env} adds to (and may override) the defaults:
     * the given PostgreSQL, the admin token, rate limits out of the way.
     */
    public static PackagedService start(int port, EmbeddedPostgresServer postgres, Map<String, String> env, List<String> jvmOptions,
                                        Path log) throws Exception {
        Process process = launch(port, postgres, env, jvmOptions, log);
        PackagedService service = new PackagedService(process, port);
        long deadline = System.currentTimeMillis() + 120_000;
        HttpClient http = HttpClient.newHttpClient();
        while (System.currentTimeMillis() < deadline) {
            assertTrue(process.isAlive(), "the service died at start; see " + log);
            try {
                HttpResponse<String> ready = http.send(HttpRequest.newBuilder(URI.create(service.base() + "/q/health/ready")).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (ready.statusCode() == 200) {
                    return service;
                }
            } catch (IOException notYet) {
                // Not listening yet.
            }
            Thread.sleep(250);
        }
        process.destroyForcibly();
        throw new IllegalStateException("the service did not become ready; see " + log);
    }

    /** Starts the service process, as {@link #start} does, without waiting for anything. */
    public static Process launch(int port, EmbeddedPostgresServer postgres, Map<String, String> env, List<String> jvmOptions,
                                 Path log) throws IOException {
        // No --enable-native-access: the jar's manifest grants it, and an AOT cache (-Paot) recorded without the
        // option refuses a run with it.
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:ErrorFile=target/hs_err_pid%p.log"));
        command.addAll(jvmOptions);
        command.addAll(List.of("-jar", "target/quarkus-app/quarkus-run.jar"));
        ProcessBuilder builder = new ProcessBuilder(command);
        Map<String, String> environment = builder.environment();
        environment.remove("EMITKIT_EMBEDDED_POSTGRES");
        environment.put("QUARKUS_HTTP_PORT", Integer.toString(port));
        environment.put("QUARKUS_DATASOURCE_REACTIVE_URL", postgres.reactiveUrl());
        environment.put("QUARKUS_DATASOURCE_JDBC_URL", postgres.jdbcUrl());
        environment.put("QUARKUS_DATASOURCE_USERNAME", postgres.username());
        environment.put("QUARKUS_DATASOURCE_PASSWORD", postgres.password());
        environment.put("EMITKIT_ADMIN_TOKEN", ADMIN_TOKEN);
        environment.put("EMITKIT_API_RATE_LIMIT_UNLIMITED", "1000000000");
        environment.putAll(env);
        builder.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        return builder.start();
    }

    /** Deletes a folder and everything in it, e.g. a test PostgreSQL's data once it stopped. */
    public static void deleteTree(Path root) throws IOException {
        try (var paths = Files.walk(root)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        }
    }

    public static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    public String base() {
        return "http://127.0.0.1:" + port;
    }

    public Process process() {
        return process;
    }

    /** An organization of the given tier with a site and a key with these scopes, through the admin API. */
    public String newApiKey(String tier, List<String> scopes) {
        String org = given().baseUri(base()).header("Authorization", "Bearer " + ADMIN_TOKEN).contentType(ContentType.JSON)
                .body(Map.of("name", "Packaged", "retentionTier", tier)).post("/admin/organizations")
                .then().statusCode(201).extract().path("data.id");
        String site = given().baseUri(base()).header("Authorization", "Bearer " + ADMIN_TOKEN).contentType(ContentType.JSON)
                .body(Map.of("name", "web")).post("/admin/organizations/" + org + "/sites")
                .then().statusCode(201).extract().path("data.id");
        return given().baseUri(base()).header("Authorization", "Bearer " + ADMIN_TOKEN).contentType(ContentType.JSON)
                .body(Map.of("siteId", site, "scopes", scopes)).post("/admin/organizations/" + org + "/api-keys")
                .then().statusCode(201).extract().path("data.key");
    }

    /** The process's resident memory now ({@code VmRSS}) and at its highest ({@code VmHWM}), in MB. */
    public long[] rssMegabytes() throws IOException {
        return rssMegabytes(process.pid());
    }

    /** A process's resident memory now ({@code VmRSS}) and at its highest ({@code VmHWM}), in MB. */
    public static long[] rssMegabytes(long pid) throws IOException {
        List<String> status = Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"));
        return new long[] {kilobytes(status, "VmRSS:") / 1024, kilobytes(status, "VmHWM:") / 1024};
    }

    private static long kilobytes(List<String> status, String field) {
        return status.stream().filter(l -> l.startsWith(field)).map(l -> l.replaceAll("\\D", "")).mapToLong(Long::parseLong)
                .findFirst().orElse(0);
    }

    /** SIGTERM, and waits for the process to end. */
    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}

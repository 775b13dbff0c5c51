package com.emitkit.events;

import com.emitkit.events.local.postgres.EmbeddedPostgresServer;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
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

    static EmbeddedPostgresServer postgres;
    static Path postgresData;
    static Path engineData;
    static int httpPort;
    static int enginePort;
    static String apiKey;
    PackagedService service;

    @BeforeAll
    static void startPostgres() throws IOException {
        // Outside the project: as root PostgreSQL runs as nobody, who may not enter a clone under /root.
        postgresData = Path.of("/var/tmp/emitkit", "crash-it-" + ProcessHandle.current().pid());
        postgres = EmbeddedPostgresServer.start(postgresData, 0);
        engineData = Files.createDirectories(Path.of("target", "crash-it-engine-" + System.currentTimeMillis()));
        httpPort = PackagedService.freePort();
        enginePort = PackagedService.freePort();
    }

    @AfterAll
    static void stopPostgres() throws IOException {
        postgres.close();
        PackagedService.deleteTree(postgresData);
    }

    private PackagedService start() throws Exception {
        return PackagedService.start(httpPort, postgres, Map.of(
                "EMITKIT_TINYBIRD_MODE", "embedded",
                "EMITKIT_LOCAL_PORT", Integer.toString(enginePort),
                "EMITKIT_LOCAL_DATA_DIR", engineData.toString(),
                "EMITKIT_SHUTDOWN_DELAY", "0s",
                // Rows kept in the outbox at shutdown are relayed after the restart; look them up soon.
                "EMITKIT_OUTBOX_SETTLE", "2s"), List.of(), Path.of("target", "crash-it-service.log"));
    }

    private String key() {
        if (apiKey == null) {
            apiKey = service.newApiKey("unlimited", List.of("write"));
        }
        return apiKey;
    }

    /** Writers posting events while {@code stop} ends the process, {@code afterMillis} after they started. */
    private WriteLoad.Outcome writesWhile(long afterMillis, Runnable stop) throws Exception {
        WriteLoad load = WriteLoad.start(service.base() + "/v1/events", key(), "crash", 16);
        Thread.sleep(afterMillis);
        stop.run();
        service.process().waitFor(90, TimeUnit.SECONDS);
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
        WriteLoad.Outcome beforeKill = writesWhile(3000, () -> service.process().destroyForcibly());
        service = start();
        assertStoredOnce("kill -9 mid-load, restarted", beforeKill);

        long[] stopMillis = new long[1];
        WriteLoad.Outcome beforeTerm = writesWhile(3000, () -> {
            stopMillis[0] = System.currentTimeMillis();
            service.process().destroy();
        });
        long took = System.currentTimeMillis() - stopMillis[0];
        System.out.printf("[crash] SIGTERM: exited after %d ms with %d%n", took, service.process().exitValue());
        service = start();
        assertStoredOnce("SIGTERM mid-load, restarted", beforeTerm);
        service.close();
    }
}

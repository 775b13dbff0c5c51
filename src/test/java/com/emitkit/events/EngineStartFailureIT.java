package com.emitkit.events;

import com.emitkit.events.local.postgres.EmbeddedPostgresServer;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The packaged service whose embedded engine cannot start (its port is taken) stops with the reason and
 * exit status 1, and without a crash in chDB's exit handlers (which an open chDB session can cause).
 */
class EngineStartFailureIT {

    @Test
    void aTakenEnginePortStopsTheServiceWithItsReasonNotACrash() throws Exception {
        Path postgresData = Path.of("/var/tmp/emitkit", "engine-start-it-" + ProcessHandle.current().pid());
        Path log = Path.of("target", "engine-start-failure-it.log");
        Files.deleteIfExists(log);
        try (EmbeddedPostgresServer postgres = EmbeddedPostgresServer.start(postgresData, 0);
             ServerSocket taken = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
            Path engineData = Files.createDirectories(Path.of("target", "engine-start-it-" + System.currentTimeMillis()));
            Process service = PackagedService.launch(PackagedService.freePort(), postgres, Map.of(
                    "EMITKIT_TINYBIRD_MODE", "embedded",
                    "EMITKIT_LOCAL_PORT", Integer.toString(taken.getLocalPort()),
                    "EMITKIT_LOCAL_DATA_DIR", engineData.toString()), List.of(), log);
            assertTrue(service.waitFor(120, TimeUnit.SECONDS), "the service did not stop");
            String output = Files.readString(log);
            assertFalse(output.contains("A fatal error has been detected"), output);
            assertTrue(output.contains("The embedded Tinybird API could not listen on 127.0.0.1:" + taken.getLocalPort()), output);
            assertEquals(1, service.exitValue(), output);
        } finally {
            PackagedService.deleteTree(postgresData);
        }
    }
}

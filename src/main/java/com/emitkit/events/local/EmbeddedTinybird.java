package com.emitkit.events.local;

import com.emitkit.events.config.EmitKitConfig;
import com.emitkit.events.local.api.LocalTinybirdApi;
import com.emitkit.events.local.chdb.ChdbConnection;
import com.emitkit.events.local.chdb.ChdbLibrary;
import com.emitkit.events.local.chdb.ChdbLibraryFetcher;
import com.emitkit.events.local.datafile.TinybirdProject;
import com.emitkit.events.tinybird.spi.EmbeddedEngine;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.runtime.ShutdownEvent;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The embedded Tinybird: chDB loaded in-process, the project's datafiles installed into it, and
 * Tinybird's HTTP API served on loopback. The service reaches it over HTTP like any Tinybird.
 */
@ApplicationScoped
public class EmbeddedTinybird implements EmbeddedEngine {

    private static final Logger LOG = Logger.getLogger(EmbeddedTinybird.class);

    /** Where the embedded API listens, a token it accepts, and how long start-up took. */
    public record Started(URI apiUrl, String token, Duration startup) implements EmbeddedEngine.Endpoint {
    }

    private final EmitKitConfig.Local config;
    private final Vertx vertx;
    private final ObjectMapper json;
    private ChdbConnection connection;
    private EmbeddedWorkspace workspace;
    private HttpServer server;
    private Started started;

    EmbeddedTinybird(EmitKitConfig config, Vertx vertx, ObjectMapper json) {
        this.config = config.local();
        this.vertx = vertx;
        this.json = json;
    }

    /** Starts everything once; blocks (fetching chDB on first use), so call it at start-up. */
    @Override
    public synchronized Started start() {
        if (started != null) {
            return started;
        }
        long begin = System.nanoTime();
        Path dataDir = config.dataDir().toAbsolutePath();
        try {
            Files.createDirectories(dataDir.resolve("chdb"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the embedded engine's data folder " + dataDir, e);
        }
        TinybirdProject project = TinybirdProject.load(config.projectDir());
        Path library = ChdbLibraryFetcher.resolve(config.chdbLib(), config.cacheDir());
        connection = ChdbLibrary.load(library).connect(dataDir.resolve("chdb"));
        LocalTokens tokens;
        try {
            workspace = EmbeddedWorkspace.install(connection, project, config.recreateChangedDatasources(), json);
            tokens = LocalTokens.loadOrCreate(dataDir, json);
            LocalTinybirdApi api = new LocalTinybirdApi(vertx, workspace, tokens, json,
                    config.maxBodySize().asLongValue(), config.maxDecompressedSize().asLongValue());
            server = api.listen(config.host(), config.port()).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        } catch (RuntimeException e) {
            closeAfterFailedStart();
            throw e;
        } catch (Exception e) {
            closeAfterFailedStart();
            throw new IllegalStateException("The embedded Tinybird API could not listen on " + config.host() + ":"
                    + config.port() + " (set emitkit.local.port): " + e.getMessage(), e);
        }
        URI apiUrl = URI.create("http://" + config.host() + ":" + server.actualPort());
        started = new Started(apiUrl, tokens.adminToken(), Duration.ofNanos(System.nanoTime() - begin));
        LOG.infof("Embedded Tinybird (chDB %s) serving %s from %s, data in %s; started in %d ms",
                ChdbLibraryFetcher.VERSION, apiUrl, config.projectDir().toAbsolutePath(), dataDir, started.startup().toMillis());
        return started;
    }

    /**
     * A JVM that exits with the chDB session still open can crash in chDB's exit handlers (SIGSEGV, with a
     * JVM crash report). A failed start in a test JVM fires no ShutdownEvent (seen when a test application
     * failed to boot): the session is closed here.
     */
    private void closeAfterFailedStart() {
        connection.close();
        connection = null;
        workspace = null;
    }

    /** The workspace, for in-process seeding in tests and benchmarks. */
    public synchronized EmbeddedWorkspace workspace() {
        if (workspace == null) {
            throw new IllegalStateException("the embedded Tinybird is not started");
        }
        return workspace;
    }

    synchronized ChdbConnection connection() {
        workspace();
        return connection;
    }

    void stop(@Observes ShutdownEvent event) {
        synchronized (this) {
            if (server != null) {
                server.close().toCompletionStage().toCompletableFuture().orTimeout(10, TimeUnit.SECONDS).join();
            }
            if (connection != null) {
                connection.close();
            }
        }
    }
}

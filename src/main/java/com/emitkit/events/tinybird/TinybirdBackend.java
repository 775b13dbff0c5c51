package com.emitkit.events.tinybird;

import com.emitkit.events.config.EmitKitConfig;
import com.emitkit.events.config.TinybirdMode;
import com.emitkit.events.tinybird.spi.EmbeddedEngine;
import io.quarkus.runtime.ImageMode;
import io.quarkus.runtime.LaunchMode;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

/**
 * Decides at start-up which Tinybird the service uses: the remote workspace named by
 * {@code TINYBIRD_API_URL}/{@code TINYBIRD_TOKEN}, or the embedded engine.
 */
@ApplicationScoped
public class TinybirdBackend {

    private static final Logger LOG = Logger.getLogger(TinybirdBackend.class);

    private final EmitKitConfig.Tinybird config;
    /** The embedded engine, null in a build that leaves it out. */
    private final EmbeddedEngine embedded;
    private final LaunchMode launchMode;
    private volatile TinybirdTarget target;

    @Inject
    TinybirdBackend(EmitKitConfig config, Instance<EmbeddedEngine> embedded) {
        this(config, embedded.isResolvable() ? embedded.get() : null, LaunchMode.current());
    }

    TinybirdBackend(EmitKitConfig config, EmbeddedEngine embedded, LaunchMode launchMode) {
        this.config = config.tinybird();
        this.embedded = embedded;
        this.launchMode = launchMode;
    }

    void onStart(@Observes @Priority(100) StartupEvent event) {
        target();
    }

    /** The target, resolved (and the embedded engine started) on first use. */
    public TinybirdTarget target() {
        TinybirdTarget resolved = target;
        if (resolved == null) {
            synchronized (this) {
                if (target == null) {
                    target = resolve();
                }
                resolved = target;
            }
        }
        return resolved;
    }

    private TinybirdTarget resolve() {
        TinybirdMode mode = effectiveMode();
        if (mode == TinybirdMode.EMBEDDED) {
            // A constant in a native executable, so the embedded engine (chDB through FFM) is left out of it.
            if (ImageMode.current() == ImageMode.NATIVE_RUN) {
                throw new IllegalStateException("EMITKIT_TINYBIRD_MODE=embedded is not available in the native executable,"
                        + " which leaves the embedded engine out: set TINYBIRD_TOKEN (and TINYBIRD_API_URL) to use a"
                        + " Tinybird workspace, or run the JVM build for the embedded engine");
            }
            if (embedded == null) {
                throw new IllegalStateException("EMITKIT_TINYBIRD_MODE=embedded is not available in this build, which leaves"
                        + " the embedded engine out: set TINYBIRD_TOKEN (and TINYBIRD_API_URL) to use a Tinybird workspace");
            }
            EmbeddedEngine.Endpoint started = embedded.start();
            return new TinybirdTarget(started.apiUrl(), started.token(), true);
        }
        String token = config.token().filter(t -> !t.isBlank()).orElseThrow(() -> new IllegalStateException(
                "TINYBIRD_TOKEN is not set: set it to a token of your Tinybird workspace"
                        + " (and TINYBIRD_API_URL to its region), or set EMITKIT_TINYBIRD_MODE=embedded"
                        + " to run the embedded engine"));
        LOG.infof("Using Tinybird at %s", config.apiUrl());
        return new TinybirdTarget(config.apiUrl(), token, false);
    }

    /** AUTO: remote with a token; embedded without one, but only in dev and test, never silently in production. */
    TinybirdMode effectiveMode() {
        if (config.mode() != TinybirdMode.AUTO) {
            return config.mode();
        }
        boolean hasToken = config.token().filter(t -> !t.isBlank()).isPresent();
        if (hasToken || launchMode == LaunchMode.NORMAL) {
            return TinybirdMode.REMOTE;
        }
        return TinybirdMode.EMBEDDED;
    }
}

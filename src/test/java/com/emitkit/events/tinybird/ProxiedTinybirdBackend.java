package com.emitkit.events.tinybird;

import com.emitkit.events.config.EmitKitConfig;
import com.emitkit.events.local.EmbeddedTinybird;
import io.quarkus.runtime.LaunchMode;
import jakarta.inject.Singleton;
import jakarta.enterprise.inject.Alternative;

import java.util.function.BiConsumer;

/**
 * For tests that put a fault-injecting proxy between the service and the embedded engine: the engine is
 * started at start-up as usual (chDB must connect before the application is busy), the proxy is told
 * where it is, and the service talks to the proxy ({@code emitkit.tinybird.api-url}). Enabled by a test profile.
 */
@Alternative
@Singleton
public class ProxiedTinybirdBackend extends TinybirdBackend {

    /** Where the proxy forwards to: the engine's URL and token. Set by the test that owns the proxy. */
    public static volatile BiConsumer<java.net.URI, String> proxyUpstream = (url, token) -> { };

    private final EmitKitConfig config;
    private final EmbeddedTinybird embedded;
    private volatile TinybirdTarget target;

    ProxiedTinybirdBackend(EmitKitConfig config, EmbeddedTinybird embedded) {
        super(config, embedded, LaunchMode.current());
        this.config = config;
        this.embedded = embedded;
    }

    @Override
    public synchronized TinybirdTarget target() {
        if (target == null) {
            EmbeddedTinybird.Started engine = embedded.start();
            proxyUpstream.accept(engine.apiUrl(), engine.token());
            target = new TinybirdTarget(config.tinybird().apiUrl(), "p.through-the-proxy", false);
        }
        return target;
    }
}

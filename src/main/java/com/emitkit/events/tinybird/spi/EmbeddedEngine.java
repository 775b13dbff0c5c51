package com.emitkit.events.tinybird.spi;

import java.net.URI;

/**
 * What {@code TinybirdBackend} needs from an embedded Tinybird: started on demand, it serves Tinybird's HTTP
 * API somewhere. Declared here and implemented by the dev-only engine (package {@code local}), which this
 * service finds as a CDI bean of this type: production code never names it, and a build without it still
 * works against a remote workspace.
 */
public interface EmbeddedEngine {

    /** Where a started engine serves Tinybird's API, and a token it accepts. */
    interface Endpoint {
        URI apiUrl();

        String token();
    }

    /** Starts the engine once (later calls return the same endpoint). Blocks, so call it at start-up. */
    Endpoint start();
}

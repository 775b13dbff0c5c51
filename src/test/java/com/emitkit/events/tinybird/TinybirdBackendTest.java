package com.emitkit.events.tinybird;

import com.emitkit.events.config.EmitKitConfig;
import com.emitkit.events.config.TinybirdMode;
import io.quarkus.runtime.LaunchMode;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Duration;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TinybirdBackendTest {

    private static EmitKitConfig config(TinybirdMode mode, Optional<String> token) {
        EmitKitConfig.Tinybird tinybird = new EmitKitConfig.Tinybird() {
            public TinybirdMode mode() {
                return mode;
            }

            public Optional<String> token() {
                return token;
            }

            public URI apiUrl() {
                return URI.create("https://api.us-east.tinybird.co");
            }

            public Duration timeout() {
                return Duration.ofSeconds(10);
            }
        };
        return new EmitKitConfig() {
            public Tinybird tinybird() {
                return tinybird;
            }

            public Local local() {
                throw new UnsupportedOperationException("not needed: the embedded engine is not started here");
            }
        };
    }

    @Test
    void autoUsesTheEmbeddedEngineOnlyInDevAndTestWithoutAToken() {
        assertEquals(TinybirdMode.EMBEDDED, new TinybirdBackend(config(TinybirdMode.AUTO, Optional.empty()), null,
                LaunchMode.DEVELOPMENT).effectiveMode());
        assertEquals(TinybirdMode.EMBEDDED, new TinybirdBackend(config(TinybirdMode.AUTO, Optional.empty()), null,
                LaunchMode.TEST).effectiveMode());
        assertEquals(TinybirdMode.REMOTE, new TinybirdBackend(config(TinybirdMode.AUTO, Optional.of("p.token")), null,
                LaunchMode.DEVELOPMENT).effectiveMode());
        assertEquals(TinybirdMode.EMBEDDED, new TinybirdBackend(config(TinybirdMode.EMBEDDED, Optional.of("p.token")), null,
                LaunchMode.NORMAL).effectiveMode());
    }

    @Test
    void productionWithoutATokenFailsNamingTheVariable() {
        TinybirdBackend backend = new TinybirdBackend(config(TinybirdMode.AUTO, Optional.empty()), null, LaunchMode.NORMAL);
        IllegalStateException e = assertThrows(IllegalStateException.class, backend::target);
        assertTrue(e.getMessage().contains("TINYBIRD_TOKEN"), e.getMessage());
        assertTrue(e.getMessage().contains("EMITKIT_TINYBIRD_MODE=embedded"), e.getMessage());
    }

    @Test
    void remoteUsesTheConfiguredRegionAndNeverPrintsTheToken() {
        TinybirdTarget target = new TinybirdBackend(config(TinybirdMode.AUTO, Optional.of("p.secret-token")), null,
                LaunchMode.NORMAL).target();
        assertEquals(URI.create("https://api.us-east.tinybird.co"), target.apiUrl());
        assertEquals("p.secret-token", target.token());
        assertFalse(target.embedded());
        assertFalse(target.toString().contains("secret"), target.toString());
    }
}

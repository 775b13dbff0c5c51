package com.emitkit.events.tinybird;

import com.emitkit.events.config.EmitKitConfig;
import com.emitkit.events.config.TestConfig;
import com.emitkit.events.config.TinybirdMode;
import io.quarkus.runtime.LaunchMode;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TinybirdBackendTest {

    private static EmitKitConfig config(TinybirdMode mode, Optional<String> token) {
        Map<String, String> properties = new HashMap<>(Map.of("emitkit.tinybird.mode", mode.name(),
                "emitkit.tinybird.api-url", "https://api.us-east.tinybird.co"));
        token.ifPresent(t -> properties.put("emitkit.tinybird.token", t));
        return TestConfig.emitKit(properties);
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

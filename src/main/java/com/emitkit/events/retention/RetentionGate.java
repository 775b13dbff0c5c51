package com.emitkit.events.retention;

import com.emitkit.events.config.EmitKitConfig;
import com.emitkit.events.tinybird.TinybirdClient;
import com.emitkit.events.tinybird.TinybirdTime;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * The only way this service calls a Tinybird pipe. Before every call it rewrites the parameters: the
 * per-tier cutoffs ({@code basic_cutoff}, {@code premium_cutoff}) are computed here from one clock, and
 * a caller's own values for them are dropped. The pipes' per-row check by the tier stored on each event
 * stays as the second wall.
 */
@ApplicationScoped
public class RetentionGate {

    private static final Set<String> COMPUTED_HERE = Set.of("basic_cutoff", "premium_cutoff");

    private final TinybirdClient client;
    private final EmitKitConfig.Retention windows;
    private final Clock clock;

    @Inject
    RetentionGate(TinybirdClient client, EmitKitConfig config) {
        this(client, config.retention(), Clock.systemUTC());
    }

    RetentionGate(TinybirdClient client, EmitKitConfig.Retention windows, Clock clock) {
        this.client = client;
        this.windows = windows;
        this.clock = clock;
    }

    /** Calls a pipe with the parameters rewritten by {@link #rewrite(Map)}. */
    public Uni<JsonObject> query(String pipe, Map<String, String> params) {
        return client.queryPipe(pipe, rewrite(params));
    }

    /** The parameters a pipe receives: the caller's, with the cutoffs replaced by this module's. */
    Map<String, String> rewrite(Map<String, String> params) {
        Map<String, String> rewritten = new HashMap<>(params);
        COMPUTED_HERE.forEach(rewritten::remove);
        Instant now = clock.instant();
        rewritten.put("basic_cutoff", TinybirdTime.format(now.minus(windows.basic())));
        rewritten.put("premium_cutoff", TinybirdTime.format(now.minus(windows.premium())));
        return rewritten;
    }
}

package com.emitkit.events.retention;

import com.emitkit.events.config.EmitKitConfig;
import com.emitkit.events.tenancy.Organizations;
import com.emitkit.events.tenancy.RetentionTier;
import com.emitkit.events.tinybird.EndpointPipe;
import com.emitkit.events.tinybird.TinybirdClient;
import com.emitkit.events.tinybird.TinybirdTime;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The only way this service calls a Tinybird pipe. Before every call it rewrites the parameters from one
 * reading of one clock:
 * <ul>
 * <li>the per-tier cutoffs ({@code basic_cutoff}, {@code premium_cutoff}) are computed here, and a
 * caller's own values for them are dropped;</li>
 * <li>the parameter that bounds time from below is clamped to the oldest instant any of the
 * organization's events can still be visible at, which depends on the widest tier it ever held (its
 * events keep the tier they were created with): none for one that was ever unlimited.</li>
 * </ul>
 * The pipes' per-row check by the tier stored on each event stays as the second wall. A pipe this class
 * has no rule for does not compile. It also names the organization's deleted, not yet purged sites
 * ({@code hidden_sites}), whose events every read leaves out.
 */
@ApplicationScoped
public class RetentionGate {

    private static final Set<String> COMPUTED_HERE = Set.of("basic_cutoff", "premium_cutoff", "hidden_sites");

    /**
     * A pipe's parameter that bounds created_at from below, and the id that breaks ties at that instant
     * (a cursor), if any. Where an absent bound means "from the beginning" the clamp is filled in; for
     * stream_events an absent {@code since} means "the latest events", so only a given one is clamped.
     */
    private record LowerBound(String parameter, boolean fillWhenAbsent, String tieBreaker) {
    }

    private static LowerBound lowerBound(EndpointPipe pipe) {
        return switch (pipe) {
            case GET_EVENTS_PAGINATED, GET_EVENTS_STATS -> new LowerBound("date_from", true, null);
            case STREAM_EVENTS -> new LowerBound("since", false, "since_id");
        };
    }

    private final TinybirdClient client;
    private final Organizations organizations;
    private final EmitKitConfig.Retention windows;
    private final Clock clock;

    @Inject
    RetentionGate(TinybirdClient client, Organizations organizations, EmitKitConfig config, @RetentionClock Clock clock) {
        this(client, organizations, config.retention(), clock);
    }

    RetentionGate(TinybirdClient client, Organizations organizations, EmitKitConfig.Retention windows, Clock clock) {
        this.client = client;
        this.organizations = organizations;
        this.windows = windows;
        this.clock = clock;
    }

    /**
     * Calls a pipe for an organization whose widest tier ever is {@code widestTier}, with the parameters
     * rewritten by {@link #rewrite}, and without the events of its deleted sites.
     */
    public Uni<JsonObject> query(EndpointPipe pipe, RetentionTier widestTier, Map<String, String> params) {
        return organizations.hiddenSites(params.get("organization_id")).flatMap(hidden -> {
            Map<String, String> rewritten = rewrite(pipe, widestTier, params);
            if (!hidden.isEmpty()) {
                rewritten.put("hidden_sites", String.join(",", hidden));
            }
            return client.queryPipe(pipe, rewritten);
        });
    }

    /** The parameters a pipe receives: the caller's, with the cutoffs replaced and the lower time bound clamped. */
    Map<String, String> rewrite(EndpointPipe pipe, RetentionTier widestTier, Map<String, String> params) {
        LowerBound bound = lowerBound(pipe);
        Map<String, String> rewritten = new HashMap<>(params);
        COMPUTED_HERE.forEach(rewritten::remove);
        Instant now = clock.instant();
        rewritten.put("basic_cutoff", TinybirdTime.format(now.minus(windows.basic())));
        rewritten.put("premium_cutoff", TinybirdTime.format(now.minus(windows.premium())));
        oldestVisible(widestTier, now).ifPresent(oldest -> {
            String given = rewritten.get(bound.parameter());
            if (given == null ? bound.fillWhenAbsent() : TinybirdTime.parse(given).isBefore(oldest)) {
                rewritten.put(bound.parameter(), TinybirdTime.format(oldest));
                if (bound.tieBreaker() != null) {
                    // Every event at the clamp itself is after a cursor that was older.
                    rewritten.remove(bound.tieBreaker());
                }
            }
        });
        return rewritten;
    }

    /**
     * The oldest instant any event of an organization can be visible at: the longest window among the tiers
     * it can have events of (every tier up to its widest), none once it was ever unlimited.
     */
    private Optional<Instant> oldestVisible(RetentionTier widestTier, Instant now) {
        Duration longest = switch (widestTier) {
            case UNLIMITED -> null;
            case PREMIUM -> windows.premium().compareTo(windows.basic()) >= 0 ? windows.premium() : windows.basic();
            case BASIC -> windows.basic();
        };
        return Optional.ofNullable(longest).map(now::minus);
    }
}

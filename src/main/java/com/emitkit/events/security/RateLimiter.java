package com.emitkit.events.security;

import com.emitkit.events.config.EmitKitConfig;
import com.emitkit.events.tenancy.Caller;
import com.emitkit.events.web.ApiException;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.ConsumptionProbe;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A fixed window of requests per API key, sized by the organization's tier; every answer carries
 * {@code X-RateLimit-Limit/Remaining/Reset} (unix seconds), and going over is a 429 with Retry-After.
 */
@ApplicationScoped
public class RateLimiter {

    // Header names made once: Netty's headers take them as they are, on every answer.
    private static final CharSequence LIMIT = HttpHeaders.createOptimized("X-RateLimit-Limit");
    private static final CharSequence REMAINING = HttpHeaders.createOptimized("X-RateLimit-Remaining");
    private static final CharSequence RESET = HttpHeaders.createOptimized("X-RateLimit-Reset");

    /** A key's bucket, and the size it was made for. */
    private record SizedBucket(long limit, Bucket bucket) {
    }

    private final EmitKitConfig.RateLimit config;
    private final Cache<String, SizedBucket> buckets = Caffeine.newBuilder().expireAfterAccess(Duration.ofMinutes(30))
            .maximumSize(1_000_000).build();

    RateLimiter(EmitKitConfig config) {
        this.config = config.api().rateLimit();
    }

    /** Counts one request; throws the contract's 429 when the key's window is used up. */
    public void consume(Caller principal, HttpServerResponse response) {
        long limit = switch (principal.tier()) {
            case BASIC -> config.basic();
            case PREMIUM -> config.premium();
            case UNLIMITED -> config.unlimited();
        };
        // Keyed by the credential alone (no key built per request); a tier change gives the key a new bucket
        // at the new size.
        SizedBucket sized = buckets.get(principal.credentialId(), ignored -> sizedBucket(limit));
        if (sized.limit() != limit) {
            sized = sizedBucket(limit);
            buckets.put(principal.credentialId(), sized);
        }
        Bucket bucket = sized.bucket();
        ConsumptionProbe probe = bucket.tryConsumeAndReturnRemaining(1);
        long resetNanos = probe.isConsumed() ? probe.getNanosToWaitForReset() : probe.getNanosToWaitForRefill();
        long reset = TimeUnit.MILLISECONDS.toSeconds(System.currentTimeMillis() + TimeUnit.NANOSECONDS.toMillis(resetNanos) + 999);
        response.putHeader(LIMIT, Long.toString(limit))
                .putHeader(REMAINING, Long.toString(probe.getRemainingTokens()))
                .putHeader(RESET, Long.toString(reset));
        if (!probe.isConsumed()) {
            long retryAfter = Math.max(1, TimeUnit.NANOSECONDS.toSeconds(probe.getNanosToWaitForRefill() + 999_999_999));
            throw new ApiException(429, "Rate limit exceeded: " + limit + " requests per " + config.window().toSeconds()
                    + " s for this key", null, Map.of("Retry-After", Long.toString(retryAfter)));
        }
    }

    private SizedBucket sizedBucket(long limit) {
        return new SizedBucket(limit, Bucket.builder().addLimit(l -> l.capacity(limit).refillIntervally(limit, config.window())).build());
    }
}

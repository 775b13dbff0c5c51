package com.emitkit.events.security;

import com.emitkit.events.tenancy.ApiKeys;
import com.emitkit.events.tenancy.Caller;
import com.emitkit.events.web.ApiException;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.time.Instant;

/**
 * When the credential a request was admitted with ends, for requests that outlive their admission (the live
 * stream): a dashboard token at its {@code exp}, an API key once its revocation shows in the key cache
 * ({@link ApiKeys}: at once on the replica that revoked it, within the cache's bound on the others), looked up
 * again every {@link #KEY_RECHECK}. Works from the caller the request filter admitted, whatever way it read
 * the credential.
 */
@ApplicationScoped
public class CredentialExpiry {

    private static final Logger LOG = Logger.getLogger(CredentialExpiry.class);
    /** How often an open stream's API key is looked up again: a cache hit, but for the first after each expiry. */
    static final Duration KEY_RECHECK = Duration.ofSeconds(1);

    private final ApiKeys apiKeys;

    CredentialExpiry(ApiKeys apiKeys) {
        this.apiKeys = apiKeys;
    }

    /**
     * Completes, once the current request's credential no longer holds, with the refusal a new request with it
     * would get.
     */
    public Uni<ApiException> ended(RoutingContext context) {
        Caller caller = CallerAuthentication.caller(context);
        if (caller.expiresAt() != null) {
            Duration left = Duration.between(Instant.now(), caller.expiresAt());
            return Uni.createFrom().item(new ApiException(401, "The dashboard token expired: reconnect with a new one"))
                    .onItem().delayIt().by(left.isPositive() ? left : Duration.ofMillis(1));
        }
        String key = CallerAuthentication.credential(context);
        // A tick while a slow lookup runs is dropped, not a failure that would end the stream.
        return Multi.createFrom().ticks().every(KEY_RECHECK).onOverflow().drop()
                .onItem().transformToUniAndConcatenate(tick -> apiKeys.authenticate(key)
                        .map(lookup -> lookup.caller().isPresent())
                        // A lookup that fails (PostgreSQL unreachable) ends nothing: the next one decides.
                        .onFailure().invoke(e -> LOG.debugf("Re-checking a stream's API key failed: %s", e.getMessage()))
                        .onFailure().recoverWithItem(true))
                .select().where(active -> !active)
                .toUni()
                .replaceWith(CallerAuthentication.REVOKED);
    }
}

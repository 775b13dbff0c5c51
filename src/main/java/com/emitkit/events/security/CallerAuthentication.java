package com.emitkit.events.security;

import com.emitkit.events.tenancy.ApiKeys;
import com.emitkit.events.tenancy.Caller;
import com.emitkit.events.web.ApiException;
import io.smallrye.mutiny.Uni;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;

/** Turns an {@code Authorization: Bearer ...} header into the caller it speaks for, or the contract's 401/403. */
@ApplicationScoped
public class CallerAuthentication {

    private final ApiKeys apiKeys;
    private final DashboardTokenVerifier dashboardTokens;
    private final RateLimiter rateLimiter;

    CallerAuthentication(ApiKeys apiKeys, DashboardTokenVerifier dashboardTokens, RateLimiter rateLimiter) {
        this.apiKeys = apiKeys;
        this.dashboardTokens = dashboardTokens;
        this.rateLimiter = rateLimiter;
    }

    private Caller admit(Caller caller, String scope, RoutingContext context) {
        if (!caller.can(scope)) {
            throw new ApiException(403, "This credential lacks the '" + scope + "' scope");
        }
        rateLimiter.consume(caller, context.response());
        return caller;
    }

    /**
     * The caller an {@code emitkit_} API key or a dashboard token (JWT, reads only) speaks for, after
     * checking its scope and counting the request against its rate limit.
     */
    public Uni<Caller> require(String authorization, String scope, RoutingContext context) {
        if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return Uni.createFrom().failure(new ApiException(401, "Missing API key: send Authorization: Bearer <key>"));
        }
        String credential = authorization.substring(7).strip();
        if (!ApiKeys.looksLikeKey(credential) && dashboardTokens.enabled()) {
            return dashboardTokens.verify(credential).map(caller -> admit(caller, scope, context));
        }
        return apiKeys.authenticate(credential).map(lookup -> {
            if (lookup.revoked()) {
                throw new ApiException(403, "This API key has been revoked");
            }
            return admit(lookup.caller().orElseThrow(() -> new ApiException(401, "Invalid API key")), scope, context);
        });
    }
}

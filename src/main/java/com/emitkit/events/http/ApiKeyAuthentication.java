package com.emitkit.events.http;

import com.emitkit.events.tenancy.ApiKeyPrincipal;
import com.emitkit.events.tenancy.ApiKeys;
import io.smallrye.mutiny.Uni;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;

/** Turns an {@code Authorization: Bearer emitkit_...} header into the key's principal, or the contract's 401/403. */
@ApplicationScoped
public class ApiKeyAuthentication {

    private final ApiKeys apiKeys;
    private final RateLimiter rateLimiter;

    ApiKeyAuthentication(ApiKeys apiKeys, RateLimiter rateLimiter) {
        this.apiKeys = apiKeys;
        this.rateLimiter = rateLimiter;
    }

    /** The key's principal, after checking its scope and counting the request against its rate limit. */
    public Uni<ApiKeyPrincipal> require(String authorization, String scope, RoutingContext context) {
        if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return Uni.createFrom().failure(new ApiException(401, "Missing API key: send Authorization: Bearer <key>"));
        }
        return apiKeys.authenticate(authorization.substring(7).strip()).map(lookup -> {
            if (lookup.revoked()) {
                throw new ApiException(403, "This API key has been revoked");
            }
            ApiKeyPrincipal principal = lookup.principal()
                    .orElseThrow(() -> new ApiException(401, "Invalid API key"));
            if (!principal.can(scope)) {
                throw new ApiException(403, "This API key lacks the '" + scope + "' scope");
            }
            rateLimiter.consume(principal, context.response());
            return principal;
        });
    }
}

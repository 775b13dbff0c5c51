package com.emitkit.events.security;

import com.emitkit.events.tenancy.ApiKeys;
import com.emitkit.events.tenancy.Caller;
import com.emitkit.events.web.ApiException;
import io.smallrye.mutiny.Uni;
import io.vertx.ext.web.RoutingContext;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * The public API's authentication, as one request filter for the resources marked {@link WriteAccess},
 * {@link ReadAccess} or {@link WebhooksAccess}: turns {@code Authorization: Bearer ...} into the caller it speaks for (an
 * {@code emitkit_} API key, or a dashboard token for reads), checks the scope, counts the request against the
 * rate limit, and puts the caller on the request for the resource method ({@link #caller}). Refusals are the
 * contract's 401, 403 and 429.
 */
public class CallerAuthentication {

    private static final String CALLER = "emitkit.caller";

    private final ApiKeys apiKeys;
    private final DashboardTokenVerifier dashboardTokens;
    private final RateLimiter rateLimiter;

    CallerAuthentication(ApiKeys apiKeys, DashboardTokenVerifier dashboardTokens, RateLimiter rateLimiter) {
        this.apiKeys = apiKeys;
        this.dashboardTokens = dashboardTokens;
        this.rateLimiter = rateLimiter;
    }

    /** The caller the filter admitted for the current request. */
    public static Caller caller(RoutingContext context) {
        Caller caller = context.get(CALLER);
        if (caller == null) {
            throw new IllegalStateException("no caller on this request: mark its resource @WriteAccess or @ReadAccess");
        }
        return caller;
    }

    @ServerRequestFilter(priority = Priorities.AUTHENTICATION)
    @WriteAccess
    public Uni<Void> writer(ContainerRequestContext request, RoutingContext context) {
        return admit(request, Caller.WRITE, context);
    }

    @ServerRequestFilter(priority = Priorities.AUTHENTICATION)
    @ReadAccess
    public Uni<Void> reader(ContainerRequestContext request, RoutingContext context) {
        return admit(request, Caller.READ, context);
    }

    @ServerRequestFilter(priority = Priorities.AUTHENTICATION)
    @WebhooksAccess
    public Uni<Void> webhookManager(ContainerRequestContext request, RoutingContext context) {
        return admit(request, Caller.WEBHOOKS, context);
    }

    private Uni<Void> admit(ContainerRequestContext request, String scope, RoutingContext context) {
        return authenticate(request.getHeaderString(HttpHeaders.AUTHORIZATION)).map(caller -> {
            if (!caller.can(scope)) {
                throw new ApiException(403, "This credential lacks the '" + scope + "' scope");
            }
            rateLimiter.consume(caller, context.response());
            context.put(CALLER, caller);
            return null;
        });
    }

    /** The caller an {@code emitkit_} API key or a dashboard token (JWT, reads only) speaks for. */
    private Uni<Caller> authenticate(String authorization) {
        String credential = Bearer.credential(authorization);
        if (credential == null) {
            return Uni.createFrom().failure(new ApiException(401, "Missing API key: send Authorization: Bearer <key>"));
        }
        if (!ApiKeys.looksLikeKey(credential) && dashboardTokens.enabled()) {
            return dashboardTokens.verify(credential);
        }
        return apiKeys.authenticate(credential).map(lookup -> {
            if (lookup.revoked()) {
                throw new ApiException(403, "This API key has been revoked");
            }
            return lookup.caller().orElseThrow(() -> new ApiException(401, "Invalid API key"));
        });
    }
}

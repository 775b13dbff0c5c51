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
 * {@link ReadAccess}, {@link StreamAccess} or {@link AnyCredential}: turns {@code Authorization: Bearer ...}
 * (or, for a stream, a dashboard token as {@code ?access_token=}) into the caller it speaks for (an
 * {@code emitkit_} API key, or a dashboard token for reads), checks the scope, counts the request against the
 * rate limit, and puts the caller on the request for the resource method ({@link #caller}). Refusals are the
 * contract's 401, 403 and 429.
 */
public class CallerAuthentication {

    /** The query parameter a browser's EventSource carries its dashboard token in. Never logged. */
    public static final String ACCESS_TOKEN = "access_token";
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
            throw new IllegalStateException("no caller on this request: mark its resource with one of the access annotations");
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
    @AnyCredential
    public Uni<Void> anyone(ContainerRequestContext request, RoutingContext context) {
        return admit(request, null, context);
    }

    /**
     * The header as for any read, or else a dashboard token as {@code ?access_token=}: verified exactly as the
     * header's is, so the caller (and its expiry) is the same. An API key there is refused: it would end up in
     * browser histories and proxy logs, and it does not expire.
     */
    @ServerRequestFilter(priority = Priorities.AUTHENTICATION)
    @StreamAccess
    public Uni<Void> streamReader(ContainerRequestContext request, RoutingContext context) {
        String token = request.getUriInfo().getQueryParameters().getFirst(ACCESS_TOKEN);
        if (token == null) {
            return admit(request, Caller.READ, context);
        }
        if (request.getHeaderString(HttpHeaders.AUTHORIZATION) != null) {
            throw new ApiException(400, "Send one credential: the Authorization header or access_token, not both");
        }
        if (ApiKeys.looksLikeKey(token) || !dashboardTokens.enabled()) {
            throw new ApiException(401, "access_token takes a dashboard token only: send an API key as Authorization: Bearer");
        }
        return admit(dashboardTokens.verify(token), Caller.READ, context);
    }

    /** Admits the caller of the request's Authorization header when it has the scope (null: any credential). */
    private Uni<Void> admit(ContainerRequestContext request, String scope, RoutingContext context) {
        return admit(authenticate(request.getHeaderString(HttpHeaders.AUTHORIZATION)), scope, context);
    }

    private Uni<Void> admit(Uni<Caller> authenticated, String scope, RoutingContext context) {
        return authenticated.map(caller -> {
            if (scope != null && !caller.can(scope)) {
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

package com.emitkit.events.security;

import com.emitkit.events.tenancy.ApiKeys;
import com.emitkit.events.tenancy.Caller;
import com.emitkit.events.tenancy.Organizations;
import com.emitkit.events.web.ApiException;
import io.smallrye.mutiny.Uni;
import io.vertx.ext.web.RoutingContext;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

import java.util.Set;

/**
 * The public API's authentication, as one request filter for the resources marked {@link WriteAccess},
 * {@link ReadAccess}, {@link StreamAccess}, {@link WebhooksAccess} or {@link AnyCredential} (and {@link IdentitiesWriteAccess},
 * {@link DeleteAccess}, which also admit the admin token): turns {@code Authorization: Bearer ...}
 * (or, for a stream, a dashboard token as {@code ?access_token=}) into the caller it speaks for (an
 * {@code emitkit_} API key, or a dashboard token for reads), checks the scope, counts the request against the
 * rate limit, and puts the caller on the request for the resource method ({@link #caller}). Refusals are the
 * contract's 401, 403 and 429.
 */
public class CallerAuthentication {

    /** The query parameter a browser's EventSource carries its dashboard token in. Never logged. */
    public static final String ACCESS_TOKEN = "access_token";
    private static final String CALLER = "emitkit.caller";
    /** Stackless, so one instance serves every refusal. */
    static final ApiException REVOKED = new ApiException(403, "This API key has been revoked");
    /** The bearer credential the caller was admitted with, for {@link CredentialExpiry} to look an API key up again. */
    private static final String CREDENTIAL = "emitkit.credential";
    /** The credential id of a caller admitted by the admin token. */
    public static final String ADMIN = "admin";

    private final ApiKeys apiKeys;
    private final DashboardTokenVerifier dashboardTokens;
    private final RateLimiter rateLimiter;
    private final AdminToken adminToken;
    private final Organizations organizations;

    CallerAuthentication(ApiKeys apiKeys, DashboardTokenVerifier dashboardTokens, RateLimiter rateLimiter, AdminToken adminToken,
                         Organizations organizations) {
        this.apiKeys = apiKeys;
        this.dashboardTokens = dashboardTokens;
        this.rateLimiter = rateLimiter;
        this.adminToken = adminToken;
        this.organizations = organizations;
    }

    /** The caller the filter admitted for the current request. */
    public static Caller caller(RoutingContext context) {
        Caller caller = context.get(CALLER);
        if (caller == null) {
            throw new IllegalStateException("no caller on this request: mark its resource with one of the access annotations");
        }
        return caller;
    }

    static String credential(RoutingContext context) {
        String credential = context.get(CREDENTIAL);
        if (credential == null) {
            throw new IllegalStateException("no credential on this request: mark its resource with one of the access annotations");
        }
        return credential;
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
    @IdentitiesWriteAccess
    public Uni<Void> identitiesWriter(ContainerRequestContext request, RoutingContext context) {
        return admitKeyOrAdmin(request, Caller.IDENTITIES_WRITE, context);
    }

    @ServerRequestFilter(priority = Priorities.AUTHENTICATION)
    @DeleteAccess
    public Uni<Void> deleter(ContainerRequestContext request, RoutingContext context) {
        return admitKeyOrAdmin(request, Caller.DELETE, context);
    }

    /**
     * An API key with the scope, or the admin token speaking for the organization named by {@code ?organizationId=}
     * (every site of it; not rate limited).
     */
    private Uni<Void> admitKeyOrAdmin(ContainerRequestContext request, String scope, RoutingContext context) {
        if (!adminToken.matches(Bearer.credential(request.getHeaderString(HttpHeaders.AUTHORIZATION)))) {
            return admit(request, scope, context);
        }
        String organizationId = request.getUriInfo().getQueryParameters().getFirst("organizationId");
        if (organizationId == null || organizationId.isBlank()) {
            return Uni.createFrom().failure(new ApiException(400, "organizationId is required with the admin token"));
        }
        return organizations.get(organizationId).map(organization -> {
            context.put(CALLER, new Caller(ADMIN, organization.id(), null, organization.tier(), organization.widestTier(),
                    Set.of(scope)));
            return null;
        });
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
        return admit(dashboardTokens.verify(token), token, Caller.READ, context);
    }

    @ServerRequestFilter(priority = Priorities.AUTHENTICATION)
    @WebhooksAccess
    public Uni<Void> webhookManager(ContainerRequestContext request, RoutingContext context) {
        return admit(request, Caller.WEBHOOKS, context);
    }

    /** Admits the caller of the request's Authorization header when it has the scope (null: any credential). */
    private Uni<Void> admit(ContainerRequestContext request, String scope, RoutingContext context) {
        String credential = Bearer.credential(request.getHeaderString(HttpHeaders.AUTHORIZATION));
        return admit(authenticate(credential), credential, scope, context);
    }

    private Uni<Void> admit(Uni<Caller> authenticated, String credential, String scope, RoutingContext context) {
        return authenticated.map(caller -> {
            if (scope != null && !caller.can(scope)) {
                throw new ApiException(403, "This credential lacks the '" + scope + "' scope");
            }
            rateLimiter.consume(caller, context.response());
            context.put(CALLER, caller);
            context.put(CREDENTIAL, credential);
            return null;
        });
    }

    /** The caller an {@code emitkit_} API key or a dashboard token (JWT, reads only) speaks for. */
    private Uni<Caller> authenticate(String credential) {
        if (credential == null) {
            return Uni.createFrom().failure(new ApiException(401, "Missing API key: send Authorization: Bearer <key>"));
        }
        if (!ApiKeys.looksLikeKey(credential) && dashboardTokens.enabled()) {
            return dashboardTokens.verify(credential);
        }
        return apiKeys.authenticate(credential).map(lookup -> {
            if (lookup.revoked()) {
                throw REVOKED;
            }
            return lookup.caller().orElseThrow(() -> new ApiException(401, "Invalid API key"));
        });
    }
}

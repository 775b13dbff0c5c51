package com.emitkit.events.admin;

import com.emitkit.events.security.AdminAccess;
import com.emitkit.events.tenancy.ApiKeys;
import com.emitkit.events.tenancy.Caller;
import com.emitkit.events.tenancy.Organizations;
import com.emitkit.events.tenancy.RetentionTier;
import com.emitkit.events.web.ApiException;
import com.emitkit.events.web.ApiResponses.Success;
import com.emitkit.events.web.RequestIds;
import io.smallrye.mutiny.Uni;
import io.vertx.ext.web.RoutingContext;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.core.Response;

import java.util.List;

/**
 * The dashboard backend's admin API: organizations, sites, API keys and tiers. Protected by
 * {@code emitkit.api.admin-token} ({@link AdminAccess}); while that is unset the API answers 404 as if absent.
 */
@Path("/admin/organizations")
@AdminAccess
public class AdminResource {

    public record CreateOrganization(String name, String retentionTier) {
    }

    public record CreateSite(String name) {
    }

    public record CreateKey(String siteId, String name, List<String> scopes) {
    }

    public record ChangeTier(String retentionTier) {
    }

    private final Organizations organizations;
    private final ApiKeys apiKeys;

    AdminResource(Organizations organizations, ApiKeys apiKeys) {
        this.organizations = organizations;
        this.apiKeys = apiKeys;
    }

    @POST
    public Uni<Response> createOrganization(CreateOrganization request, RoutingContext context) {
        require(request != null && request.name() != null && !request.name().isBlank(), "name is required");
        return organizations.create(request.name().strip(), tier(request.retentionTier()))
                .map(org -> created(org, context));
    }

    @GET
    @Path("/{organizationId}")
    public Uni<Success<Organizations.Organization>> organization(@PathParam("organizationId") String organizationId,
                                                                 RoutingContext context) {
        return organizations.get(organizationId).map(org -> new Success<>(org, RequestIds.of(context)));
    }

    /** Only events created after the change get the new tier; earlier ones keep theirs. */
    @PATCH
    @Path("/{organizationId}")
    public Uni<Success<Organizations.Organization>> changeTier(@PathParam("organizationId") String organizationId,
                                                               ChangeTier request, RoutingContext context) {
        require(request != null, "retentionTier is required");
        return organizations.changeTier(organizationId, tier(request.retentionTier()))
                .map(org -> new Success<>(org, RequestIds.of(context)));
    }

    @POST
    @Path("/{organizationId}/sites")
    public Uni<Response> createSite(@PathParam("organizationId") String organizationId, CreateSite request, RoutingContext context) {
        require(request != null && request.name() != null && !request.name().isBlank(), "name is required");
        return organizations.createSite(organizationId, request.name().strip()).map(site -> created(site, context));
    }

    /** The clear key is in this answer only. */
    @POST
    @Path("/{organizationId}/api-keys")
    public Uni<Response> issueKey(@PathParam("organizationId") String organizationId, CreateKey request, RoutingContext context) {
        require(request != null && request.siteId() != null, "siteId is required");
        List<String> scopes = request.scopes() == null || request.scopes().isEmpty()
                ? List.of(Caller.WRITE) : request.scopes();
        require(Caller.SCOPES.containsAll(scopes), "scopes may only be " + String.join(", ", new java.util.TreeSet<>(Caller.SCOPES)));
        return apiKeys.issue(organizationId, request.siteId(), request.name() == null ? "API key" : request.name(), scopes)
                .map(key -> created(key, context));
    }

    @GET
    @Path("/{organizationId}/api-keys")
    public Uni<Success<List<ApiKeys.KeyInfo>>> keys(@PathParam("organizationId") String organizationId,
                                                    RoutingContext context) {
        return apiKeys.list(organizationId).map(keys -> new Success<>(keys, RequestIds.of(context)));
    }

    @DELETE
    @Path("/{organizationId}/api-keys/{keyId}")
    public Uni<Response> revoke(@PathParam("organizationId") String organizationId, @PathParam("keyId") String keyId) {
        return apiKeys.revoke(organizationId, keyId).map(revoked -> {
            if (!revoked) {
                throw new ApiException(404, "No active key " + keyId + " in organization " + organizationId);
            }
            return Response.noContent().build();
        });
    }

    private static RetentionTier tier(String name) {
        if (name == null) {
            return RetentionTier.BASIC;
        }
        try {
            return RetentionTier.fromWire(name);
        } catch (IllegalArgumentException e) {
            throw new ApiException(400, "retentionTier must be basic, premium or unlimited");
        }
    }

    private static void require(boolean condition, String message) {
        if (!condition) {
            throw new ApiException(400, message);
        }
    }

    private static Response created(Object data, RoutingContext context) {
        return Response.status(201).entity(new Success<>(data, RequestIds.of(context))).build();
    }
}

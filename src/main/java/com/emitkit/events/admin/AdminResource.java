package com.emitkit.events.admin;

import com.emitkit.events.security.AdminAccess;
import com.emitkit.events.tenancy.ApiKeys;
import com.emitkit.events.tenancy.Organizations;
import com.emitkit.events.tenancy.RetentionTier;
import com.emitkit.events.web.ApiException;
import com.emitkit.events.web.ApiResponses;
import com.emitkit.events.web.ApiResponses.Success;
import com.emitkit.events.web.JsonBodies;
import com.emitkit.events.web.RequestIds;
import io.smallrye.mutiny.Uni;
import io.vertx.ext.web.RoutingContext;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;

import java.util.List;

/**
 * The dashboard backend's admin API: organizations, sites, API keys and tiers. Protected by
 * {@code emitkit.api.admin-token} ({@link AdminAccess}); while that is unset the API answers 404 as if absent.
 */
@SecurityRequirement(name = ApiResponses.OPENAPI_SECURITY_SCHEME)
@APIResponse(responseCode = "default", description = ApiResponses.OPENAPI_ERRORS,
        content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ApiResponses.Failure.class)))
@Path("/admin/organizations")
@AdminAccess
@Consumes(MediaType.WILDCARD)
@Produces(MediaType.APPLICATION_JSON)
public class AdminResource {

    /** The request bodies, as OpenAPI describes them; {@link AdminRequest} reads them. */
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
    private final JsonBodies bodies;

    AdminResource(Organizations organizations, ApiKeys apiKeys, JsonBodies bodies) {
        this.organizations = organizations;
        this.apiKeys = apiKeys;
        this.bodies = bodies;
    }

    @POST
    @RequestBody(content = @Content(schema = @Schema(implementation = CreateOrganization.class)))
    public Uni<Response> createOrganization(byte[] body, @HeaderParam(HttpHeaders.CONTENT_TYPE) String contentType,
                                            @HeaderParam("Content-Encoding") String contentEncoding, RoutingContext context) {
        AdminRequest request = read(body, contentType, contentEncoding);
        String name = request.name("name", true);
        RetentionTier tier = request.tier(false);
        request.complete();
        return organizations.create(name, tier).map(org -> created(org, context));
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
    @RequestBody(content = @Content(schema = @Schema(implementation = ChangeTier.class)))
    public Uni<Success<Organizations.Organization>> changeTier(@PathParam("organizationId") String organizationId, byte[] body,
                                                               @HeaderParam(HttpHeaders.CONTENT_TYPE) String contentType,
                                                               @HeaderParam("Content-Encoding") String contentEncoding,
                                                               RoutingContext context) {
        AdminRequest request = read(body, contentType, contentEncoding);
        RetentionTier tier = request.tier(true);
        request.complete();
        return organizations.changeTier(organizationId, tier).map(org -> new Success<>(org, RequestIds.of(context)));
    }

    @POST
    @Path("/{organizationId}/sites")
    @RequestBody(content = @Content(schema = @Schema(implementation = CreateSite.class)))
    public Uni<Response> createSite(@PathParam("organizationId") String organizationId, byte[] body,
                                    @HeaderParam(HttpHeaders.CONTENT_TYPE) String contentType,
                                    @HeaderParam("Content-Encoding") String contentEncoding, RoutingContext context) {
        AdminRequest request = read(body, contentType, contentEncoding);
        String name = request.name("name", true);
        request.complete();
        return organizations.createSite(organizationId, name).map(site -> created(site, context));
    }

    /** The clear key is in this answer only. */
    @POST
    @Path("/{organizationId}/api-keys")
    @RequestBody(content = @Content(schema = @Schema(implementation = CreateKey.class)))
    public Uni<Response> issueKey(@PathParam("organizationId") String organizationId, byte[] body,
                                  @HeaderParam(HttpHeaders.CONTENT_TYPE) String contentType,
                                  @HeaderParam("Content-Encoding") String contentEncoding, RoutingContext context) {
        AdminRequest request = read(body, contentType, contentEncoding);
        String siteId = request.id("siteId");
        String name = request.name("name", false);
        List<String> scopes = request.scopes();
        request.complete();
        return apiKeys.issue(organizationId, siteId, name == null ? "API key" : name, scopes).map(key -> created(key, context));
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

    private AdminRequest read(byte[] body, String contentType, String contentEncoding) {
        return new AdminRequest(bodies.read(body, contentType, contentEncoding));
    }

    private static Response created(Object data, RoutingContext context) {
        return Response.status(201).entity(new Success<>(data, RequestIds.of(context))).build();
    }
}

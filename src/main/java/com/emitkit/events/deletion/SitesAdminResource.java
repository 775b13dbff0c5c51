package com.emitkit.events.deletion;

import com.emitkit.events.config.EmitKitConfig;
import com.emitkit.events.security.AdminAccess;
import com.emitkit.events.security.CallerAuthentication;
import com.emitkit.events.tenancy.Organizations;
import com.emitkit.events.web.ApiException;
import com.emitkit.events.web.ApiResponses.Success;
import com.emitkit.events.web.ApiResponses;
import com.emitkit.events.web.RequestIds;
import io.smallrye.mutiny.Uni;
import io.vertx.ext.web.RoutingContext;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;

/**
 * Deleting a site (admin): soft-deleted at once (its keys stop, its events are hidden), restorable until its
 * organization's tier window has passed, then purged by {@link DeletionWorker}; never automatically for unlimited.
 */
@SecurityRequirement(name = ApiResponses.OPENAPI_SECURITY_SCHEME)
@APIResponse(responseCode = "default", description = ApiResponses.OPENAPI_ERRORS,
        content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ApiResponses.Failure.class)))
@Path("/admin/organizations")
@AdminAccess
public class SitesAdminResource {

    private final Organizations organizations;
    private final DeletionAudit audit;
    private final EmitKitConfig.Retention windows;

    SitesAdminResource(Organizations organizations, DeletionAudit audit, EmitKitConfig config) {
        this.organizations = organizations;
        this.audit = audit;
        this.windows = config.retention();
    }

    /** Soft-deletes a site: its keys stop, its events are hidden, and it is purged once the tier's window passed. */
    @DELETE
    @Path("/{organizationId}/sites/{siteId}")
    public Uni<Success<Organizations.SiteState>> deleteSite(@PathParam("organizationId") String organizationId,
                                                           @PathParam("siteId") String siteId, RoutingContext context) {
        return organizations.deleteSite(organizationId, siteId, windows.basic(), windows.premium())
                .invoke(site -> audit.siteDeleted(organizationId, siteId, CallerAuthentication.ADMIN))
                .map(site -> new Success<>(site, RequestIds.of(context)));
    }

    @POST
    @Path("/{organizationId}/sites/{siteId}/restore")
    public Uni<Success<Organizations.Site>> restoreSite(@PathParam("organizationId") String organizationId,
                                                        @PathParam("siteId") String siteId, RoutingContext context) {
        return organizations.restoreSite(organizationId, siteId).map(outcome -> switch (outcome) {
            case RESTORED -> {
                audit.siteRestored(organizationId, siteId, CallerAuthentication.ADMIN);
                yield new Success<>(new Organizations.Site(siteId, organizationId, null), RequestIds.of(context));
            }
            case NOT_DELETED -> throw new ApiException(409, "Site " + siteId + " is not deleted");
            case PURGING -> throw new ApiException(409, "Site " + siteId + " is being purged: it can no longer be restored");
        });
    }
}

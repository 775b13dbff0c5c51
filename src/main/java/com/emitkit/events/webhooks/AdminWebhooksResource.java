package com.emitkit.events.webhooks;

import com.emitkit.events.notify.Webhooks;
import com.emitkit.events.security.AdminAccess;
import com.emitkit.events.web.ApiResponses;
import com.emitkit.events.web.JsonBodies;
import io.vertx.ext.web.RoutingContext;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.UriInfo;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;

/**
 * {@code /admin/organizations/{organizationId}/webhooks}: every webhook of an organization, for the dashboard
 * backend; {@code ?siteId=} narrows a list to one site, and a new webhook names its {@code siteId}.
 */
@SecurityRequirement(name = ApiResponses.OPENAPI_SECURITY_SCHEME)
@APIResponse(responseCode = "default", description = ApiResponses.OPENAPI_ERRORS,
        content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ApiResponses.Failure.class)))
@Path("/admin/organizations/{organizationId}/webhooks")
@AdminAccess
public class AdminWebhooksResource extends WebhookEndpoints {

    AdminWebhooksResource(Webhooks webhooks, JsonBodies bodies) {
        super(webhooks, bodies);
    }

    @Override
    Webhooks.Scope scope(RoutingContext context, UriInfo uri) {
        return new Webhooks.Scope(uri.getPathParameters().getFirst("organizationId"), uri.getQueryParameters().getFirst("siteId"));
    }

    @Override
    Webhooks.Scope siteOfNew(RoutingContext context, UriInfo uri, WebhookBody body) {
        if (body.siteId() == null || body.siteId().isBlank()) {
            throw invalid("siteId", "siteId is required");
        }
        return new Webhooks.Scope(uri.getPathParameters().getFirst("organizationId"), body.siteId());
    }
}

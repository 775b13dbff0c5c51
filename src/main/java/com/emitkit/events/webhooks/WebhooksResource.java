package com.emitkit.events.webhooks;

import com.emitkit.events.notify.Webhooks;
import com.emitkit.events.security.CallerAuthentication;
import com.emitkit.events.security.WebhooksAccess;
import com.emitkit.events.tenancy.Caller;
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

/** {@code /v1/webhooks}: the webhooks of the API key's site, for a key with the {@code webhooks} scope. */
@SecurityRequirement(name = ApiResponses.OPENAPI_SECURITY_SCHEME)
@APIResponse(responseCode = "default", description = ApiResponses.OPENAPI_ERRORS,
        content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ApiResponses.Failure.class)))
@Path("/v1/webhooks")
@WebhooksAccess
public class WebhooksResource extends WebhookEndpoints {

    WebhooksResource(Webhooks webhooks, JsonBodies bodies) {
        super(webhooks, bodies);
    }

    @Override
    Webhooks.Scope scope(RoutingContext context, UriInfo uri) {
        Caller caller = CallerAuthentication.caller(context);
        return new Webhooks.Scope(caller.organizationId(), caller.siteId());
    }

    @Override
    Webhooks.Scope siteOfNew(RoutingContext context, UriInfo uri, WebhookBody body) {
        return scope(context, uri);
    }
}

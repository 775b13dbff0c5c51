package com.emitkit.events.webhooks;

import com.emitkit.events.notify.Webhooks;
import com.emitkit.events.security.CallerAuthentication;
import com.emitkit.events.security.WebhooksAccess;
import com.emitkit.events.tenancy.Caller;
import io.vertx.ext.web.RoutingContext;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.UriInfo;

/** {@code /v1/webhooks}: the webhooks of the API key's site, for a key with the {@code webhooks} scope. */
@Path("/v1/webhooks")
@WebhooksAccess
public class WebhooksResource extends WebhookEndpoints {

    WebhooksResource(Webhooks webhooks) {
        super(webhooks);
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

package com.emitkit.events.web;

import io.quarkus.runtime.configuration.MemorySize;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Refuses a body whose declared length is over {@code quarkus.http.limits.max-body-size} before it is
 * read, with the API's JSON error: Quarkus' own 413 for it has an empty body. (A chunked body over the
 * limit still gets Quarkus' 413.)
 */
@ApplicationScoped
public class DeclaredBodyLimit {

    private final long maxBodySize;

    DeclaredBodyLimit(@ConfigProperty(name = "quarkus.http.limits.max-body-size") MemorySize maxBodySize) {
        this.maxBodySize = maxBodySize.asLongValue();
    }

    void install(@Observes Router router) {
        router.route().order(Integer.MIN_VALUE + 1).handler(this::check);
    }

    private void check(RoutingContext context) {
        String declared = context.request().getHeader("Content-Length");
        long length;
        try {
            length = declared == null ? -1 : Long.parseLong(declared.strip());
        } catch (NumberFormatException e) {
            length = -1;
        }
        if (length <= maxBodySize) {
            context.next();
            return;
        }
        context.response().setStatusCode(413).putHeader("Content-Type", "application/json").putHeader("Connection", "close")
                .end(new JsonObject().put("success", false)
                        .put("error", "Request body too large: the limit is " + maxBodySize + " bytes")
                        .put("code", ErrorCode.PAYLOAD_TOO_LARGE.wireName())
                        .put("requestId", RequestIds.of(context)).encode());
    }
}

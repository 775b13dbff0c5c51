package com.emitkit.events.web;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.quarkus.runtime.annotations.RegisterForReflection;
import io.vertx.ext.web.RoutingContext;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import java.util.List;

/**
 * The public API's response bodies, and the mapping of every failure to one of them: always JSON, also for
 * a route that produces another type (the SSE stream's refusals), always with a stable {@link ErrorCode},
 * and a 401 always with {@code WWW-Authenticate: Bearer}.
 */
public final class ApiResponses {

    private static final Logger LOG = Logger.getLogger(ApiResponses.class);

    /** {@code {"success": true, "data": ..., "requestId": ...}}: the SDKs unwrap {@code data}. */
    @RegisterForReflection
    public record Success<T>(boolean success, T data, String requestId) {
        public Success(T data, String requestId) {
            this(true, data, requestId);
        }
    }

    /** {@code {"success": false, "error": ..., "code": ..., "requestId": ..., "details": [...]}}. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @RegisterForReflection
    @Schema(name = "Failure", description = "Every error answer")
    public record Failure(boolean success, String error,
                          @Schema(description = "Stable: switch on this, not on error", enumeration = {"validation_error",
                                  "unauthorized", "forbidden", "not_found", "idempotency_conflict", "payload_too_large",
                                  "rate_limited", "internal_error"}) String code,
                          String requestId,
                          @Schema(description = "For a 400: every invalid field") List<Violation> details) {
        public Failure(int status, String error, String requestId, List<Violation> details) {
            this(false, error, ErrorCode.of(status).wireName(), requestId, details);
        }
    }

    /** The scheme a 401 names (RFC 6750): every credential of the public and admin APIs is a bearer token. */
    public static final String CHALLENGE = "Bearer";
    /** The OpenAPI security scheme of those credentials ({@code quarkus.smallrye-openapi.security-scheme-name}). */
    public static final String OPENAPI_SECURITY_SCHEME = "bearer";
    /** What the OpenAPI document says of every operation's error answers. */
    public static final String OPENAPI_ERRORS = "An error, in the Failure shape with its stable code";

    @ServerExceptionMapper
    public Response notFound(com.emitkit.events.tenancy.TenancyException.NotFound e, RoutingContext context) {
        return failure(404, e.getMessage(), context).build();
    }

    @ServerExceptionMapper
    public Response ambiguous(com.emitkit.events.tenancy.TenancyException.Ambiguous e, RoutingContext context) {
        return failure(400, e.getMessage() + ": use a credential for one site", context).build();
    }

    @ServerExceptionMapper
    public Response refused(ApiException e, RoutingContext context) {
        Response.ResponseBuilder response = failure(e.status(), e.getMessage(), context, e.details());
        e.headers().forEach(response::header);
        return response.build();
    }

    /** A refusal's body, also where it is not an answer's (the SSE stream's closing {@code error} event). */
    public static Failure body(ApiException e, RoutingContext context) {
        return new Failure(e.status(), e.getMessage(), RequestIds.of(context), e.details());
    }

    /** Anything unexpected is a 500 whose body names only the request id; the log has the rest. */
    @ServerExceptionMapper
    public Response unexpected(RuntimeException e, RoutingContext context) {
        if (e instanceof jakarta.ws.rs.WebApplicationException web && web.getResponse().getStatus() < 500) {
            int status = web.getResponse().getStatus();
            return failure(status, statusMessage(status), context).build();
        }
        LOG.errorf(e, "Request %s failed", RequestIds.of(context));
        return failure(500, "Internal error", context).build();
    }

    private static Response.ResponseBuilder failure(int status, String message, RoutingContext context) {
        return failure(status, message, context, null);
    }

    private static Response.ResponseBuilder failure(int status, String message, RoutingContext context, List<Violation> details) {
        Response.ResponseBuilder response = Response.status(status).type(MediaType.APPLICATION_JSON)
                .entity(new Failure(status, message, RequestIds.of(context), details));
        return status == 401 ? response.header(HttpHeaders.WWW_AUTHENTICATE, CHALLENGE) : response;
    }

    private static String statusMessage(int status) {
        return switch (status) {
            case 404 -> "Not found";
            case 405 -> "Method not allowed";
            case 406 -> "Not acceptable";
            case 413 -> "Request body too large";
            case 415 -> "Unsupported media type: send application/json";
            default -> "Bad request";
        };
    }
}

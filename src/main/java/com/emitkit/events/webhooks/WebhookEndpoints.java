package com.emitkit.events.webhooks;

import com.emitkit.events.notify.WebhookFormat;
import com.emitkit.events.notify.WebhookRefusal;
import com.emitkit.events.notify.Webhooks;
import com.emitkit.events.web.ApiException;
import com.emitkit.events.web.ApiResponses.Success;
import com.emitkit.events.web.JsonBodies;
import com.emitkit.events.web.RequestIds;
import com.emitkit.events.web.Violation;
import com.fasterxml.jackson.databind.JsonNode;
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
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The webhook endpoints, alike for an API key with the {@code webhooks} scope ({@code /v1/webhooks}, its site) and
 * for the admin API (an organization's webhooks): what differs is only whose webhooks a request reaches.
 */
@Produces(MediaType.APPLICATION_JSON)
public abstract class WebhookEndpoints {

    /**
     * A webhook to create, or the changes to one (absent fields stay as they are). {@code siteId} only on the admin
     * API, where it is required on creation.
     */
    public record WebhookBody(String siteId, String url, List<String> channels, List<String> tags, String format) {
    }

    private final Webhooks webhooks;
    private final JsonBodies bodies;

    WebhookEndpoints(Webhooks webhooks, JsonBodies bodies) {
        this.webhooks = webhooks;
        this.bodies = bodies;
    }

    /** Whose webhooks this request reaches. */
    abstract Webhooks.Scope scope(RoutingContext context, UriInfo uri);

    /** The organization and site a new webhook belongs to. */
    abstract Webhooks.Scope siteOfNew(RoutingContext context, UriInfo uri, WebhookBody body);

    /** Creates a webhook: 201 with its id and its secret, which no other answer shows. */
    @POST
    @Consumes(MediaType.WILDCARD)
    @RequestBody(content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = WebhookBody.class)))
    public Uni<Response> create(byte[] body, @HeaderParam(HttpHeaders.CONTENT_TYPE) String contentType,
                                @HeaderParam("Content-Encoding") String contentEncoding, RoutingContext context, @Context UriInfo uri) {
        WebhookBody request = read(body, contentType, contentEncoding);
        return refusals(() -> webhooks.create(siteOfNew(context, uri, request), spec(request)))
                .map(created -> Response.status(201).entity(new Success<>(created, RequestIds.of(context))).build());
    }

    @GET
    public Uni<Success<List<Webhooks.Webhook>>> list(RoutingContext context, @Context UriInfo uri) {
        return refusals(() -> webhooks.list(scope(context, uri))).map(list -> new Success<>(list, RequestIds.of(context)));
    }

    @GET
    @Path("/{webhookId}")
    public Uni<Success<Webhooks.Webhook>> get(@PathParam("webhookId") String webhookId, RoutingContext context, @Context UriInfo uri) {
        return refusals(() -> webhooks.get(scope(context, uri), webhookId)).map(webhook -> new Success<>(webhook, RequestIds.of(context)));
    }

    /** Changes the URL, channels, tags or format; the secret and the paused state stay. */
    @PATCH
    @Path("/{webhookId}")
    @Consumes(MediaType.WILDCARD)
    @RequestBody(content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = WebhookBody.class)))
    public Uni<Success<Webhooks.Webhook>> update(@PathParam("webhookId") String webhookId, byte[] body,
                                                 @HeaderParam(HttpHeaders.CONTENT_TYPE) String contentType,
                                                 @HeaderParam("Content-Encoding") String contentEncoding,
                                                 RoutingContext context, @Context UriInfo uri) {
        WebhookBody request = read(body, contentType, contentEncoding);
        return refusals(() -> webhooks.update(scope(context, uri), webhookId, spec(request)))
                .map(webhook -> new Success<>(webhook, RequestIds.of(context)));
    }

    /** Stops sending: new events are not recorded for it, and its waiting deliveries wait until it is resumed. */
    @POST
    @Path("/{webhookId}/pause")
    public Uni<Success<Webhooks.Webhook>> pause(@PathParam("webhookId") String webhookId, RoutingContext context, @Context UriInfo uri) {
        return refusals(() -> webhooks.pause(scope(context, uri), webhookId)).map(webhook -> new Success<>(webhook, RequestIds.of(context)));
    }

    @POST
    @Path("/{webhookId}/resume")
    public Uni<Success<Webhooks.Webhook>> resume(@PathParam("webhookId") String webhookId, RoutingContext context, @Context UriInfo uri) {
        return refusals(() -> webhooks.resume(scope(context, uri), webhookId)).map(webhook -> new Success<>(webhook, RequestIds.of(context)));
    }

    /** A new secret, shown in this answer only; attempts from now on are signed with it. */
    @POST
    @Path("/{webhookId}/rotate-secret")
    public Uni<Success<Webhooks.RotatedSecret>> rotateSecret(@PathParam("webhookId") String webhookId, RoutingContext context, @Context UriInfo uri) {
        return refusals(() -> webhooks.rotateSecret(scope(context, uri), webhookId)).map(secret -> new Success<>(secret, RequestIds.of(context)));
    }

    @DELETE
    @Path("/{webhookId}")
    public Uni<Response> delete(@PathParam("webhookId") String webhookId, RoutingContext context, @Context UriInfo uri) {
        return refusals(() -> webhooks.delete(scope(context, uri), webhookId)).map(deleted -> Response.noContent().build());
    }

    /** Deliveries not delivered yet ({@code pending}) or for good ({@code failed}), with their last status and error. */
    @GET
    @Path("/{webhookId}/deliveries")
    public Uni<Success<List<Webhooks.Delivery>>> deliveries(@PathParam("webhookId") String webhookId,
                                                           @QueryParam("status") String status, RoutingContext context, @Context UriInfo uri) {
        if (status != null && !status.equals("pending") && !status.equals("failed")) {
            throw invalid("status", "status must be pending or failed");
        }
        return refusals(() -> webhooks.deliveries(scope(context, uri), webhookId, status))
                .map(deliveries -> new Success<>(deliveries, RequestIds.of(context)));
    }

    /**
     * The body through the public API's one JSON reader (strict JSON, gzip capped, every text checked), then field by
     * field: a field of the wrong type is a 400 naming it, never a mapping error.
     */
    private WebhookBody read(byte[] body, String contentType, String contentEncoding) {
        JsonNode node = bodies.read(body, contentType, contentEncoding);
        if (!node.isObject()) {
            throw new ApiException(400, "Validation failed", List.of(new Violation(List.of(), "Expected a JSON object")), Map.of());
        }
        return new WebhookBody(text(node, "siteId"), text(node, "url"), texts(node, "channels"), texts(node, "tags"),
                text(node, "format"));
    }

    private static String text(JsonNode body, String field) {
        JsonNode value = body.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isTextual()) {
            throw invalid(field, field + " must be a string");
        }
        return value.textValue();
    }

    private static List<String> texts(JsonNode body, String field) {
        JsonNode value = body.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        List<String> texts = new ArrayList<>();
        if (value.isArray()) {
            value.forEach(item -> texts.add(item.isTextual() ? item.textValue() : null));
        }
        if (!value.isArray() || texts.contains(null)) {
            throw invalid(field, field + " must be an array of strings");
        }
        return texts;
    }

    private static Webhooks.Spec spec(WebhookBody body) {
        WebhookFormat format = null;
        if (body.format() != null) {
            format = WebhookFormat.fromWire(body.format());
            if (format == null) {
                throw invalid("format", "format must be standard, slack or discord");
            }
        }
        return new Webhooks.Spec(body.url(), body.channels(), body.tags(), format);
    }

    /** Runs the action, answering its refusals as the API's 400 (with the field) or 404. */
    private static <T> Uni<T> refusals(Supplier<Uni<? extends T>> action) {
        return Uni.createFrom().deferred(action).onFailure(WebhookRefusal.class).transform(failure -> {
            WebhookRefusal refusal = (WebhookRefusal) failure;
            return refusal.notFound() ? new ApiException(404, refusal.getMessage()) : invalid(refusal.field(), refusal.getMessage());
        });
    }

    static ApiException invalid(String field, String message) {
        return new ApiException(400, "Validation failed", List.of(new Violation(List.of(field), message)), Map.of());
    }
}

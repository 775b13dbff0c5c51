package com.emitkit.events.webhooks;

import com.emitkit.events.notify.WebhookFormat;
import com.emitkit.events.notify.WebhookRefusal;
import com.emitkit.events.notify.Webhooks;
import com.emitkit.events.web.ApiException;
import com.emitkit.events.web.ApiResponses.Success;
import com.emitkit.events.web.RequestIds;
import com.emitkit.events.web.Violation;
import io.smallrye.mutiny.Uni;
import io.vertx.ext.web.RoutingContext;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;

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

    WebhookEndpoints(Webhooks webhooks) {
        this.webhooks = webhooks;
    }

    /** Whose webhooks this request reaches. */
    abstract Webhooks.Scope scope(RoutingContext context, UriInfo uri);

    /** The organization and site a new webhook belongs to. */
    abstract Webhooks.Scope siteOfNew(RoutingContext context, UriInfo uri, WebhookBody body);

    /** Creates a webhook: 201 with its id and its secret, which no other answer shows. */
    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    public Uni<Response> create(WebhookBody body, RoutingContext context, @Context UriInfo uri) {
        WebhookBody request = body == null ? new WebhookBody(null, null, null, null, null) : body;
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
    @Consumes(MediaType.APPLICATION_JSON)
    public Uni<Success<Webhooks.Webhook>> update(@PathParam("webhookId") String webhookId, WebhookBody body, RoutingContext context, @Context UriInfo uri) {
        WebhookBody request = body == null ? new WebhookBody(null, null, null, null, null) : body;
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

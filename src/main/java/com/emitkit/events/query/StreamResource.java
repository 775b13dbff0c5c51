package com.emitkit.events.query;

import com.emitkit.events.config.EmitKitConfig;
import com.emitkit.events.security.CallerAuthentication;
import com.emitkit.events.security.CredentialExpiry;
import com.emitkit.events.security.StreamAccess;
import com.emitkit.events.tenancy.Caller;
import com.emitkit.events.tenancy.Channels;
import com.emitkit.events.web.ApiException;
import com.emitkit.events.web.ApiResponses;
import com.emitkit.events.web.UpstreamFailures;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.ext.web.RoutingContext;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.NameBinding;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.Sse;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.ParameterIn;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;

/**
 * {@code GET /v1/channels/{channel}/stream}: a channel's new events as Server-Sent Events, the event id
 * as the SSE id; reconnecting with Last-Event-ID resumes after it. Comment lines keep idle streams open.
 * The channel is checked, and the subscription readied (the channel's feed answers, a resume point is
 * found), in a request filter after the caller's, because an SSE answer's head is sent as soon as the
 * stream starts: refusals and upstream failures must be answered before.
 */
@SecurityRequirement(name = ApiResponses.OPENAPI_SECURITY_SCHEME)
@APIResponse(responseCode = "default", description = ApiResponses.OPENAPI_ERRORS,
        content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ApiResponses.Failure.class)))
@Path("/v1/channels/{channel}/stream")
@StreamAccess
public class StreamResource {

    private static final String SUBSCRIPTION = "emitkit.stream-subscription";

    /** Marks the method whose requests {@link #open} readies. */
    @NameBinding
    @Retention(RetentionPolicy.RUNTIME)
    @interface Opened {
    }

    private final Channels channels;
    private final LiveStreams streams;
    private final CredentialExpiry credentials;
    private final ObjectMapper json;
    private final Duration heartbeat;

    StreamResource(Channels channels, LiveStreams streams, CredentialExpiry credentials, ObjectMapper json, EmitKitConfig config) {
        this.channels = channels;
        this.streams = streams;
        this.credentials = credentials;
        this.json = json;
        this.heartbeat = config.stream().heartbeat();
    }

    @ServerRequestFilter
    @Opened
    public Uni<Void> open(ContainerRequestContext request, RoutingContext context) {
        String channel = request.getUriInfo().getPathParameters().getFirst("channel");
        Caller caller = CallerAuthentication.caller(context);
        return ReadScope.visibleChannel(caller, channel, channels)
                .map(found -> found.orElseThrow(() -> new ApiException(404, "No channel named '" + channel + "'")))
                .flatMap(ref -> streams.open(caller, ref, request.getHeaderString("Last-Event-ID"))
                        .onFailure().transform(UpstreamFailures::of))
                .invoke(opening -> context.put(SUBSCRIPTION, opening))
                .replaceWithVoid();
    }

    @GET
    @Opened
    @Produces(MediaType.SERVER_SENT_EVENTS)
    @Operation(summary = "A channel's new events as Server-Sent Events")
    @Parameter(name = "Last-Event-ID", in = ParameterIn.HEADER, description = "Resume after this event (read by the filter)")
    @Parameter(name = CallerAuthentication.ACCESS_TOKEN, in = ParameterIn.QUERY, description = "A dashboard token (never an API key),"
            + " for browsers' EventSource, which cannot send Authorization; the stream ends when it expires, as with the header")
    public Multi<OutboundSseEvent> stream(@PathParam("channel") String channel, @Context Sse sse, RoutingContext context) {
        // Proxies such as nginx buffer responses unless told not to, which would hold events back.
        context.response().putHeader("X-Accel-Buffering", "no");
        LiveStreams.Opening opening = context.get(SUBSCRIPTION);
        Multi<OutboundSseEvent> events = streams.subscribe(opening).map(item -> toSse(sse, item));
        Multi<OutboundSseEvent> heartbeats = Multi.createFrom().ticks().every(heartbeat)
                .map(tick -> sse.newEventBuilder().comment("heartbeat").build());
        // The stream lives as long as its credential: once that ends, an error event, then the end of the stream.
        AtomicReference<OutboundSseEvent> ending = new AtomicReference<>();
        Multi<OutboundSseEvent> end = credentials.ended(context)
                .map(refusal -> sse.newEventBuilder().name("error").mediaType(MediaType.APPLICATION_JSON_TYPE)
                        .data(write(ApiResponses.body(refusal, context))).build())
                .invoke(ending::set).toMulti();
        return Multi.createBy().merging().streams(events, heartbeats, end)
                .select().first(event -> event != ending.get())
                .onCompletion().switchTo(() -> ending.get() == null ? Multi.createFrom().empty() : Multi.createFrom().item(ending.get()));
    }

    private OutboundSseEvent toSse(Sse sse, ChannelPoller.Item item) {
        return switch (item) {
            case ChannelPoller.Delivered delivered -> sse.newEventBuilder().id(delivered.event().id()).name("event")
                    .mediaType(MediaType.APPLICATION_JSON_TYPE).data(write(delivered.event())).build();
            case ChannelPoller.Resync resync -> sse.newEventBuilder().name("resync")
                    .data("{\"reason\":\"Last-Event-ID " + resync.lastEventId().replaceAll("[^A-Za-z0-9_-]", "")
                            + " is too old to resume from: reload the list\"}").build();
        };
    }

    private String write(Object value) {
        try {
            return json.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}

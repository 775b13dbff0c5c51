package com.emitkit.events.query;

import com.emitkit.events.security.CallerAuthentication;
import com.emitkit.events.security.ReadAccess;
import com.emitkit.events.tenancy.Caller;
import com.emitkit.events.tenancy.Channels;
import com.emitkit.events.web.ApiResponses.Success;
import com.emitkit.events.web.ApiResponses;
import com.emitkit.events.web.RequestIds;
import io.quarkus.runtime.annotations.RegisterForReflection;
import io.smallrye.mutiny.Uni;
import io.vertx.ext.web.RoutingContext;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;

import java.util.List;

/** {@code GET /v1/channels}: the channels the credential can read, by name. */
@SecurityRequirement(name = ApiResponses.OPENAPI_SECURITY_SCHEME)
@APIResponse(responseCode = "default", description = ApiResponses.OPENAPI_ERRORS,
        content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ApiResponses.Failure.class)))
@Path("/v1/channels")
@ReadAccess
@Produces(MediaType.APPLICATION_JSON)
public class ChannelsResource {

    @RegisterForReflection
    public record ChannelList(List<Channels.ChannelInfo> channels) {
    }

    private final Channels channels;

    ChannelsResource(Channels channels) {
        this.channels = channels;
    }

    @GET
    @Operation(summary = "The site's channels (every site's for a credential without one), by name")
    public Uni<Success<ChannelList>> list(RoutingContext context) {
        Caller caller = CallerAuthentication.caller(context);
        return channels.list(caller.organizationId(), caller.siteId())
                .map(all -> new Success<>(new ChannelList(all.stream().filter(c -> caller.sees(c.name())).toList()),
                        RequestIds.of(context)));
    }
}

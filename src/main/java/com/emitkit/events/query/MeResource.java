package com.emitkit.events.query;

import com.emitkit.events.security.AnyCredential;
import com.emitkit.events.security.CallerAuthentication;
import com.emitkit.events.tenancy.Caller;
import com.emitkit.events.tenancy.Organizations;
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

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** {@code GET /v1/me}: who the credential is, in the next contract's shape. Any credential may ask, whatever its scopes. */
@SecurityRequirement(name = ApiResponses.OPENAPI_SECURITY_SCHEME)
@APIResponse(responseCode = "default", description = ApiResponses.OPENAPI_ERRORS,
        content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ApiResponses.Failure.class)))
@Path("/v1/me")
@AnyCredential
@Produces(MediaType.APPLICATION_JSON)
public class MeResource {

    /** An organization or a site (the next contract's "project") by id and name. */
    @RegisterForReflection
    public record Named(String id, String name) {
    }

    /**
     * {@code via} is {@code api_key} or {@code dashboard_token}; {@code channels} the names a dashboard token is
     * narrowed to (null: all).
     */
    @RegisterForReflection
    public record Me(Named organization, Named project, List<String> scopes, String via, Set<String> channels) {
    }

    private final Organizations organizations;

    MeResource(Organizations organizations) {
        this.organizations = organizations;
    }

    @GET
    @Operation(summary = "The credential's organization, site (project) and scopes")
    public Uni<Success<Me>> me(RoutingContext context) {
        Caller caller = CallerAuthentication.caller(context);
        Uni<Optional<Organizations.Site>> site = caller.siteId() == null ? Uni.createFrom().item(Optional.empty())
                : organizations.site(caller.organizationId(), caller.siteId());
        return Uni.combine().all().unis(organizations.get(caller.organizationId()), site).asTuple()
                .map(found -> new Success<>(new Me(new Named(found.getItem1().id(), found.getItem1().name()),
                        found.getItem2().map(s -> new Named(s.id(), s.name())).orElse(null), scopes(caller),
                        caller.isDashboardToken() ? "dashboard_token" : "api_key", caller.channels()), RequestIds.of(context)));
    }

    /**
     * What the credential may do, under the next contract's names where one names the same right ({@code write} is
     * {@code events:write}, {@code read} is {@code events:read}) and under ours otherwise. {@code identities:write}
     * is listed only for a key that has it, since only that scope erases a user here (identify needs {@code write}).
     */
    private static List<String> scopes(Caller caller) {
        List<String> scopes = new ArrayList<>();
        for (String scope : Caller.SCOPES) {
            if (caller.can(scope)) {
                scopes.add(switch (scope) {
                    case Caller.WRITE -> "events:write";
                    case Caller.READ -> "events:read";
                    default -> scope;
                });
            }
        }
        return scopes;
    }
}

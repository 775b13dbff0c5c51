package com.emitkit.events.ingest;

import com.emitkit.events.security.CallerAuthentication;
import com.emitkit.events.security.WriteAccess;
import com.emitkit.events.tenancy.Caller;
import com.emitkit.events.tenancy.Identities;
import com.emitkit.events.web.ApiException;
import com.emitkit.events.web.ApiResponses.Success;
import com.emitkit.events.web.ApiResponses;
import com.emitkit.events.web.JsonBodies;
import com.emitkit.events.web.RequestIds;
import com.emitkit.events.web.Violation;
import com.fasterxml.jackson.databind.JsonNode;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code POST /v1/identify}: a user's properties (replaced on each call) and aliases. The user is
 * {@code user_id} (v2) or {@code userId} (the next contract); both at once must agree.
 */
@SecurityRequirement(name = ApiResponses.OPENAPI_SECURITY_SCHEME)
@APIResponse(responseCode = "default", description = ApiResponses.OPENAPI_ERRORS,
        content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ApiResponses.Failure.class)))
@Path("/v1/identify")
@WriteAccess
@Consumes(MediaType.WILDCARD)
@Produces(MediaType.APPLICATION_JSON)
public class IdentifyResource {

    static final int MAX_ALIASES = 20;
    static final int MAX_ID = 255;
    static final int MAX_PROPERTIES_BYTES = 16 * 1024;

    /** The contract's {@code data}: {@code aliases} has {@code created} and {@code failed}. */
    public record IdentifyResult(String id, String userId, Map<String, Object> properties, Aliases aliases, String updatedAt) {
    }

    public record Aliases(List<String> created, List<Identities.FailedAlias> failed) {
    }

    private final JsonBodies bodies;
    private final Identities identities;

    IdentifyResource(JsonBodies bodies, Identities identities) {
        this.bodies = bodies;
        this.identities = identities;
    }

    @POST
    public Uni<Success<IdentifyResult>> identify(byte[] body, @HeaderParam(HttpHeaders.CONTENT_TYPE) String contentType,
                                                 @HeaderParam("Content-Encoding") String contentEncoding,
                                                 RoutingContext context) {
        Caller principal = CallerAuthentication.caller(context);
        JsonNode request = bodies.read(body, contentType, contentEncoding);
        List<Violation> violations = new ArrayList<>();
        String userId = userId(request, violations);
        JsonNode properties = request.get("properties");
        if (properties != null && !properties.isNull() && !properties.isObject()) {
            violations.add(new Violation(List.of("properties"), "Expected a JSON object"));
        } else if (properties != null && properties.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8).length
                > MAX_PROPERTIES_BYTES) {
            violations.add(new Violation(List.of("properties"), "At most " + MAX_PROPERTIES_BYTES + " bytes of JSON"));
        }
        Set<String> aliases = new LinkedHashSet<>();
        JsonNode aliasNodes = request.get("aliases");
        if (aliasNodes != null && !aliasNodes.isNull()) {
            if (!aliasNodes.isArray() || aliasNodes.size() > MAX_ALIASES) {
                violations.add(new Violation(List.of("aliases"), "Expected an array of at most " + MAX_ALIASES + " strings"));
            } else {
                for (int i = 0; i < aliasNodes.size(); i++) {
                    String alias = identifier(aliasNodes.get(i), List.of("aliases", i), violations);
                    if (alias != null && !alias.equals(userId)) {
                        aliases.add(alias);
                    }
                }
            }
        }
        if (!violations.isEmpty()) {
            throw ApiException.validation(violations);
        }
        JsonObject props = properties == null || properties.isNull() ? new JsonObject() : new JsonObject(properties.toString());
        return identities.identify(principal.organizationId(), userId, props, List.copyOf(aliases))
                .map(identity -> new Success<>(new IdentifyResult(identity.userId(), identity.userId(),
                        identity.properties().getMap(), new Aliases(identity.aliasesCreated(), identity.aliasesFailed()),
                        identity.updatedAt().toInstant().toString()), RequestIds.of(context)));
    }

    private static String userId(JsonNode request, List<Violation> violations) {
        JsonNode snake = request.get("user_id");
        JsonNode camel = request.get("userId");
        if (camel == null || camel.isNull()) {
            return identifier(snake, List.of("user_id"), violations);
        }
        String userId = identifier(camel, List.of("userId"), violations);
        if (userId != null && snake != null && !snake.isNull() && !snake.equals(camel)) {
            violations.add(new Violation(List.of("userId"), "Differs from user_id: send one of them"));
            return null;
        }
        return userId;
    }

    private static String identifier(JsonNode node, List<Object> path, List<Violation> violations) {
        if (node == null || node.isNull()) {
            violations.add(new Violation(path, "Required"));
            return null;
        }
        if (!node.isTextual() || node.textValue().isBlank() || node.textValue().length() > MAX_ID) {
            violations.add(new Violation(path, "Expected a non-empty string of at most " + MAX_ID + " characters"));
            return null;
        }
        return node.textValue();
    }
}

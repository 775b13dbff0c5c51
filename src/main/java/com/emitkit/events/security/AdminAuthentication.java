package com.emitkit.events.security;

import com.emitkit.events.config.EmitKitConfig;
import com.emitkit.events.web.ApiException;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Optional;

/**
 * Admits requests to {@link AdminAccess} resources that carry {@code emitkit.api.admin-token}; while that is
 * unset, they are answered 404 as if the admin API were absent.
 */
public class AdminAuthentication {

    private final Optional<byte[]> adminToken;

    AdminAuthentication(EmitKitConfig config) {
        this.adminToken = config.api().adminToken().filter(t -> !t.isBlank()).map(t -> t.getBytes(StandardCharsets.UTF_8));
    }

    @ServerRequestFilter(priority = Priorities.AUTHENTICATION)
    @AdminAccess
    public void admit(ContainerRequestContext request) {
        if (adminToken.isEmpty()) {
            throw new ApiException(404, "Not found");
        }
        String given = Bearer.credential(request.getHeaderString(HttpHeaders.AUTHORIZATION));
        // Compared in constant time: the answer's timing tells nothing about the token.
        if (given == null || !MessageDigest.isEqual(given.getBytes(StandardCharsets.UTF_8), adminToken.get())) {
            throw new ApiException(401, "Invalid admin token");
        }
    }
}

package com.emitkit.events.security;

import com.emitkit.events.web.ApiException;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * Admits requests to {@link AdminAccess} resources that carry {@code emitkit.api.admin-token}; while that is
 * unset, they are answered 404 as if the admin API were absent.
 */
public class AdminAuthentication {

    private final AdminToken adminToken;

    AdminAuthentication(AdminToken adminToken) {
        this.adminToken = adminToken;
    }

    @ServerRequestFilter(priority = Priorities.AUTHENTICATION)
    @AdminAccess
    public void admit(ContainerRequestContext request) {
        if (!adminToken.configured()) {
            throw new ApiException(404, "Not found");
        }
        if (!adminToken.matches(Bearer.credential(request.getHeaderString(HttpHeaders.AUTHORIZATION)))) {
            throw new ApiException(401, "Invalid admin token");
        }
    }
}

package com.emitkit.events.tenancy;

import java.util.Set;

/** Who an API key speaks for: its organization (with the organization's current tier), site and scopes. */
public record ApiKeyPrincipal(String keyId, String organizationId, String siteId, RetentionTier tier, Set<String> scopes) {

    public static final String WRITE = "write";
    public static final String READ = "read";

    public boolean can(String scope) {
        return scopes.contains(scope);
    }
}

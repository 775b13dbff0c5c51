package com.emitkit.events.tenancy;

import java.time.Instant;
import java.util.List;
import java.util.Set;

/**
 * Who a request speaks for, from its credential (an API key, or a dashboard token): the organization
 * (with its current tier, and the widest it ever held, which bounds how old its visible events can be),
 * the site (null: every site of the organization), the scopes, the channel names a dashboard token is
 * narrowed to (null: all), and when the credential expires (null: never by itself; an API key ends when revoked).
 */
public record Caller(String credentialId, String organizationId, String siteId, RetentionTier tier, RetentionTier widestTier,
                     Set<String> scopes, Set<String> channels, Instant expiresAt) {

    public static final String WRITE = "write";
    public static final String READ = "read";
    /** Managing the site's webhooks through {@code /v1/webhooks}. */
    public static final String WEBHOOKS = "webhooks";
    /** Erase an identity ({@code DELETE /v1/identities/{user_id}}). */
    public static final String IDENTITIES_WRITE = "identities:write";
    /** Delete single events ({@code DELETE /v1/events/{id}}). */
    public static final String DELETE = "delete";
    /** Every scope an API key can be issued with: the one place they are declared. */
    public static final List<String> SCOPES = List.of(WRITE, READ, IDENTITIES_WRITE, DELETE, WEBHOOKS);
    /** How a dashboard token's credential id begins (an API key's is its {@code key_} id). */
    public static final String DASHBOARD_TOKEN = "jwt:";

    /** An API key's caller: one site, every channel, no expiry. */
    public Caller(String credentialId, String organizationId, String siteId, RetentionTier tier, RetentionTier widestTier,
                  Set<String> scopes) {
        this(credentialId, organizationId, siteId, tier, widestTier, scopes, null, null);
    }

    public boolean isDashboardToken() {
        return credentialId.startsWith(DASHBOARD_TOKEN);
    }

    public boolean can(String scope) {
        return scopes.contains(scope);
    }

    /** Whether this caller may see the named channel: names are compared as channels are told apart, by slug. */
    public boolean sees(String channel) {
        if (channels == null) {
            return true;
        }
        String slug = Channels.slug(channel);
        return channels.stream().anyMatch(allowed -> Channels.slug(allowed).equals(slug));
    }
}

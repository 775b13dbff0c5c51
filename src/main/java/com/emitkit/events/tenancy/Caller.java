package com.emitkit.events.tenancy;

import java.util.Set;

/**
 * Who a request speaks for, from its credential (an API key, or a dashboard token): the organization
 * (with its current tier, and the widest it ever held, which bounds how old its visible events can be),
 * the site (null: every site of the organization), the scopes, and the channel names a dashboard token is
 * narrowed to (null: all).
 */
public record Caller(String credentialId, String organizationId, String siteId, RetentionTier tier, RetentionTier widestTier,
                     Set<String> scopes, Set<String> channels) {

    public static final String WRITE = "write";
    public static final String READ = "read";
    /** Managing the site's webhooks through {@code /v1/webhooks}. */
    public static final String WEBHOOKS = "webhooks";
    /** Every scope a key may be issued with. */
    public static final Set<String> SCOPES = Set.of(WRITE, READ, WEBHOOKS);

    /** An API key's caller: one site, every channel. */
    public Caller(String credentialId, String organizationId, String siteId, RetentionTier tier, RetentionTier widestTier,
                  Set<String> scopes) {
        this(credentialId, organizationId, siteId, tier, widestTier, scopes, null);
    }

    public boolean can(String scope) {
        return scopes.contains(scope);
    }

    /** Whether this caller may see the named channel. */
    public boolean sees(String channel) {
        return channels == null || channels.contains(channel);
    }
}

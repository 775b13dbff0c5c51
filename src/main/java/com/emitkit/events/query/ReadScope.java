package com.emitkit.events.query;

import com.emitkit.events.tenancy.Caller;
import com.emitkit.events.tenancy.Channels;
import com.emitkit.events.web.ApiException;
import io.smallrye.mutiny.Uni;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a read may see: the caller's organization, a site (the credential's, or the named channel's; null:
 * every site) and a channel (null: every channel). Lists, statistics, replays and live polls all narrow their
 * pipe parameters through it, and a named channel is checked against the caller's once, here. A channel
 * that others were merged into (they slug alike) covers their events too: {@code merged_channel_ids}.
 */
record ReadScope(String organizationId, String siteId, String channelId, List<String> mergedChannelIds) {

    ReadScope(String organizationId, String siteId, String channelId) {
        this(organizationId, siteId, channelId, List.of());
    }

    /** One channel of the caller's organization. */
    static ReadScope of(Caller caller, Channels.ChannelRef channel) {
        return new ReadScope(caller.organizationId(), channel.siteId(), channel.id(), channel.mergedIds());
    }

    /**
     * The channel a caller names, if it exists: 403 when the credential is limited to other channels. Found
     * among the credential's site's channels, or every site's when it has none.
     */
    static Uni<Optional<Channels.ChannelRef>> visibleChannel(Caller caller, String name, Channels channels) {
        if (!caller.sees(name)) {
            return Uni.createFrom().failure(new ApiException(403, "This credential is limited to channels " + caller.channels()));
        }
        return channels.find(caller.organizationId(), caller.siteId(), name);
    }

    /** A pipe's parameters: the given ones, narrowed to this scope. */
    Map<String, String> params(Map<String, String> given) {
        Map<String, String> params = new HashMap<>(given);
        params.put("organization_id", organizationId);
        if (siteId != null) {
            params.put("site_id", siteId);
        }
        if (channelId != null) {
            params.put("channel_id", channelId);
        }
        if (!mergedChannelIds.isEmpty()) {
            params.put("merged_channel_ids", String.join(",", mergedChannelIds));
        }
        return params;
    }
}

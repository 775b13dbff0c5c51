package com.emitkit.events.query;

import com.emitkit.events.config.EmitKitConfig;
import com.emitkit.events.retention.RetentionGate;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Multi;
import io.vertx.mutiny.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.HashMap;
import java.util.Map;

/** The channels being streamed on this replica: one {@link ChannelPoller} per channel, while it has subscribers. */
@ApplicationScoped
public class LiveStreams {

    private final RetentionGate pipes;
    private final Vertx vertx;
    private final EmitKitConfig.Stream config;
    private final Map<String, ChannelPoller> pollers = new HashMap<>();

    LiveStreams(RetentionGate pipes, Vertx vertx, EmitKitConfig config, MeterRegistry metrics) {
        this.pipes = pipes;
        this.vertx = vertx;
        this.config = config.stream();
        Gauge.builder("emitkit.stream.subscribers", this, LiveStreams::subscribers)
                .description("Open live streams (SSE) on this replica").register(metrics);
        Gauge.builder("emitkit.stream.channels", pollers, Map::size)
                .description("Channels polled for live streams on this replica").register(metrics);
    }

    private double subscribers() {
        synchronized (pollers) {
            return pollers.values().stream().mapToInt(ChannelPoller::subscribers).sum();
        }
    }

    /** A channel's events from now on (after {@code lastEventId} when resuming), shared with its other subscribers. */
    Multi<ChannelPoller.Item> subscribe(String organizationId, String siteId, String channelId, String lastEventId) {
        String key = organizationId + "/" + siteId + "/" + channelId;
        return Multi.createFrom().emitter(emitter -> {
            ChannelPoller poller;
            synchronized (pollers) {
                poller = pollers.computeIfAbsent(key, ignored -> new ChannelPoller(organizationId, siteId, channelId, pipes,
                        vertx, config, () -> forget(key)));
                poller.subscribe(emitter, lastEventId);
            }
            emitter.onTermination(() -> poller.unsubscribe(emitter));
        });
    }

    private void forget(String key) {
        synchronized (pollers) {
            ChannelPoller poller = pollers.get(key);
            if (poller != null && poller.idle()) {
                pollers.remove(key);
            }
        }
    }

    /** The polls a channel's poller made, 0 when none runs: for tests of the one-poll-per-interval rule. */
    long pollsOf(String organizationId, String siteId, String channelId) {
        synchronized (pollers) {
            ChannelPoller poller = pollers.get(organizationId + "/" + siteId + "/" + channelId);
            return poller == null ? 0 : poller.polls();
        }
    }
}

package com.emitkit.events.outbox;

import com.emitkit.events.tinybird.TinybirdBackend;
import com.emitkit.events.tinybird.TinybirdClient;
import com.emitkit.events.tinybird.TinybirdTarget;
import io.smallrye.health.api.AsyncHealthCheck;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

import java.time.Duration;

/**
 * Where accepted events go. Tinybird answering: {@code direct}. Tinybird down: still ready but
 * {@code degraded}, because writes are kept in the outbox; the service is down only when PostgreSQL is
 * too, which the datasource's own readiness check reports. The outbox's depth and oldest row are shown
 * either way.
 */
@Readiness
@ApplicationScoped
public class DeliveryReadinessCheck implements AsyncHealthCheck {

    private final TinybirdClient client;
    private final TinybirdBackend backend;
    private final OutboxRelay relay;

    DeliveryReadinessCheck(TinybirdClient client, TinybirdBackend backend, OutboxRelay relay) {
        this.client = client;
        this.backend = backend;
        this.relay = relay;
    }

    @Override
    public Uni<HealthCheckResponse> call() {
        return client.ping().map(ok -> (String) null)
                .ifNoItem().after(Duration.ofSeconds(5)).failWith(() -> new IllegalStateException("no answer within 5 s"))
                .onFailure().recoverWithItem(error -> String.valueOf(error.getMessage()))
                .map(this::report);
    }

    private HealthCheckResponse report(String tinybirdError) {
        TinybirdTarget target = backend.target();
        OutboxRelay.Backlog backlog = relay.backlog();
        HealthCheckResponseBuilder builder = HealthCheckResponse.named("delivery").up()
                .withData("status", tinybirdError == null ? "direct" : "degraded")
                .withData("tinybird", tinybirdError == null ? "up" : "down: " + tinybirdError)
                .withData("url", target.apiUrl().toString())
                .withData("embedded", target.embedded())
                .withData("outbox_rows", backlog.rows())
                .withData("outbox_oldest_seconds", backlog.oldest().toSeconds());
        return builder.build();
    }
}

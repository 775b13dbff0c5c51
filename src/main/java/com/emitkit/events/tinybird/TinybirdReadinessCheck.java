package com.emitkit.events.tinybird;

import io.smallrye.health.api.AsyncHealthCheck;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

import java.time.Duration;

/** Ready only while Tinybird (remote or embedded) answers an authenticated query. */
@Readiness
@ApplicationScoped
public class TinybirdReadinessCheck implements AsyncHealthCheck {

    private final TinybirdClient client;
    private final TinybirdBackend backend;

    TinybirdReadinessCheck(TinybirdClient client, TinybirdBackend backend) {
        this.client = client;
        this.backend = backend;
    }

    @Override
    public Uni<HealthCheckResponse> call() {
        TinybirdTarget target = backend.target();
        return client.ping()
                .map(ok -> HealthCheckResponse.named("tinybird").up()
                        .withData("url", target.apiUrl().toString()).withData("embedded", target.embedded()).build())
                .onFailure().recoverWithItem(error -> HealthCheckResponse.named("tinybird").down()
                        .withData("url", target.apiUrl().toString()).withData("error", String.valueOf(error.getMessage())).build())
                .ifNoItem().after(Duration.ofSeconds(5)).recoverWithItem(() -> HealthCheckResponse.named("tinybird").down()
                        .withData("url", target.apiUrl().toString()).withData("error", "no answer within 5 s").build());
    }
}

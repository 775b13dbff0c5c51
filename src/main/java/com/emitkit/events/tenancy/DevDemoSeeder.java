package com.emitkit.events.tenancy;

import io.quarkus.runtime.LaunchMode;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.time.Duration;
import java.util.List;

/**
 * On the first dev-mode start (no organization yet), creates a demo organization, site and API key and
 * prints the key and a ready-to-paste curl line, once: the key is not stored in clear anywhere.
 */
@ApplicationScoped
public class DevDemoSeeder {

    private final Organizations organizations;
    private final ApiKeys apiKeys;
    private final int httpPort;

    DevDemoSeeder(Organizations organizations, ApiKeys apiKeys, @ConfigProperty(name = "quarkus.http.port") int httpPort) {
        this.organizations = organizations;
        this.apiKeys = apiKeys;
        this.httpPort = httpPort;
    }

    void onStart(@Observes StartupEvent event) {
        if (LaunchMode.current() != LaunchMode.DEVELOPMENT) {
            return;
        }
        organizations.any().flatMap(any -> any ? Uni.createFrom().nullItem() : seed())
                .await().atMost(Duration.ofSeconds(30));
    }

    private Uni<ApiKeys.IssuedKey> seed() {
        return organizations.create("Demo organization", RetentionTier.PREMIUM)
                .flatMap(org -> organizations.createSite(org.id(), "Demo site"))
                .flatMap(site -> apiKeys.issue(site.organizationId(), site.id(), "Demo key",
                        List.of(Caller.WRITE, Caller.READ)))
                .invoke(key -> System.out.printf("""

                        ==== EmitKit demo organization %s, site %s ====
                        API key (shown once, stored only hashed): %s
                        Try it:
                          curl -s -X POST http://localhost:%d/v1/events -H 'Authorization: Bearer %s' \\
                               -H 'Content-Type: application/json' -d '{"channelName":"payments","title":"Payment received","icon":"💸"}'

                        """, key.organizationId(), key.siteId(), key.key(), httpPort, key.key()));
    }
}

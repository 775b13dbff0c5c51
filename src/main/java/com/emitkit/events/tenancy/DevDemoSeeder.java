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
 * On every dev-mode start, prints a working API key and a ready-to-paste curl line: the demo organization
 * and site are created the first time, and a new demo key is issued each time, because a key is stored only
 * hashed and cannot be shown again. Earlier demo keys stay valid.
 */
@ApplicationScoped
public class DevDemoSeeder {

    private static final String ORGANIZATION = "Demo organization";
    private static final String SITE = "Demo site";
    /** JVM-wide, because a live reload starts the application again in a new class loader: one key per dev session. */
    private static final String ISSUED_PROPERTY = "com.emitkit.demo-key-issued";

    private final Organizations organizations;
    private final ApiKeys apiKeys;
    private final int httpPort;

    DevDemoSeeder(Organizations organizations, ApiKeys apiKeys, @ConfigProperty(name = "quarkus.http.port") int httpPort) {
        this.organizations = organizations;
        this.apiKeys = apiKeys;
        this.httpPort = httpPort;
    }

    void onStart(@Observes StartupEvent event) {
        if (LaunchMode.current() != LaunchMode.DEVELOPMENT || System.getProperty(ISSUED_PROPERTY) != null) {
            return;
        }
        demoSite().flatMap(site -> apiKeys.issue(site.organizationId(), site.id(), "Demo key", List.of(Caller.WRITE, Caller.READ)))
                .invoke(this::print)
                .await().atMost(Duration.ofSeconds(30));
        System.setProperty(ISSUED_PROPERTY, "true");
    }

    private Uni<Organizations.Site> demoSite() {
        return organizations.firstSite(ORGANIZATION, SITE).flatMap(found -> found.isPresent()
                ? Uni.createFrom().item(found.get())
                : organizations.create(ORGANIZATION, RetentionTier.PREMIUM)
                        .flatMap(org -> organizations.createSite(org.id(), SITE)));
    }

    private void print(ApiKeys.IssuedKey key) {
        System.out.printf("""

                ==== EmitKit demo organization %s, site %s ====
                API key (new for this dev session, stored only hashed): %s
                Try it:
                  curl -s -X POST http://localhost:%d/v1/events -H 'Authorization: Bearer %s' \\
                       -H 'Content-Type: application/json' -d '{"channelName":"payments","title":"Payment received","icon":"💸"}'

                """, key.organizationId(), key.siteId(), key.key(), httpPort, key.key());
    }
}

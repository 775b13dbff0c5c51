package com.emitkit.events.outbox;

import com.emitkit.events.tinybird.ProxiedTinybirdBackend;
import io.quarkus.test.junit.QuarkusTestProfile;

import java.util.List;
import java.util.Map;
import java.util.Set;

/** The service behind {@link FaultyTinybird}, with short timeouts so that faults show within seconds. */
public class FaultyTinybirdProfile implements QuarkusTestProfile {

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.ofEntries(
                Map.entry("emitkit.tinybird.timeout", "1s"),
                Map.entry("emitkit.tinybird.retry.max-attempts", "3"),
                Map.entry("emitkit.tinybird.retry.initial-backoff", "50ms"),
                Map.entry("emitkit.tinybird.retry.max-backoff", "200ms"),
                Map.entry("emitkit.tinybird.retry.max-retry-after", "2s"),
                Map.entry("emitkit.tinybird.circuit-breaker.request-volume", "6"),
                Map.entry("emitkit.tinybird.circuit-breaker.delay", "1s"),
                Map.entry("emitkit.outbox.relay-interval", "200ms"),
                Map.entry("emitkit.outbox.settle", "3s"),
                Map.entry("emitkit.api.rate-limit.premium", "1000000000"),
                Map.entry("quarkus.log.category.\"com.emitkit.events.outbox\".level", "DEBUG"));
    }

    @Override
    public Set<Class<?>> getEnabledAlternatives() {
        return Set.of(ProxiedTinybirdBackend.class);
    }

    @Override
    public List<TestResourceEntry> testResources() {
        return List.of(new TestResourceEntry(FaultyTinybird.class));
    }
}

package com.emitkit.events.tinybird;

import com.emitkit.events.config.EmitKitConfig;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.smallrye.faulttolerance.api.CircuitBreakerState;
import io.smallrye.faulttolerance.api.TypedGuard;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.core.buffer.Buffer;
import io.vertx.mutiny.ext.web.client.HttpRequest;
import io.vertx.mutiny.ext.web.client.HttpResponse;
import io.vertx.mutiny.ext.web.client.WebClient;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.util.TypeLiteral;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The one HTTP client to Tinybird (remote or embedded alike): keep-alive, bounded by a timeout, the
 * token only ever in the Authorization header. Writes and reads each go through a circuit breaker, so
 * a dead upstream costs callers milliseconds instead of a timeout each.
 */
@ApplicationScoped
public class TinybirdClient {

    /** Characters of ids and organizations per lookup query; the rest of its text stays under 300. */
    static final int LOOKUP_BUDGET = 7800;
    private static final Logger LOG = Logger.getLogger(TinybirdClient.class);
    private static final Pattern DATASOURCE_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    private final WebClient client;
    private final Supplier<TinybirdTarget> target;
    private final long timeoutMillis;
    private final TypedGuard<Uni<HttpResponse<Buffer>>> writes;
    private final TypedGuard<Uni<HttpResponse<Buffer>>> reads;
    private final MeterRegistry metrics;

    @Inject
    TinybirdClient(Vertx vertx, TinybirdBackend backend, EmitKitConfig config, MeterRegistry metrics) {
        this(vertx, backend::target, config.tinybird().timeout(), config.tinybird().circuitBreaker(), metrics);
    }

    TinybirdClient(Vertx vertx, Supplier<TinybirdTarget> target, Duration timeout, EmitKitConfig.CircuitBreaker breaker,
                   MeterRegistry metrics) {
        this.client = WebClient.create(vertx, new WebClientOptions().setKeepAlive(true).setTryUseCompression(true)
                .setUserAgent("emitkit-events"));
        this.target = target;
        this.timeoutMillis = timeout.toMillis();
        this.metrics = metrics;
        this.writes = guard("writes", breaker, metrics);
        this.reads = guard("reads", breaker, metrics);
    }

    private static TypedGuard<Uni<HttpResponse<Buffer>>> guard(String calls, EmitKitConfig.CircuitBreaker breaker,
                                                              MeterRegistry metrics) {
        AtomicInteger open = metrics.gauge("emitkit.tinybird.circuit.open", Tags.of("calls", calls), new AtomicInteger());
        return TypedGuard.create(new TypeLiteral<Uni<HttpResponse<Buffer>>>() {
                })
                .withCircuitBreaker()
                .onStateChange(state -> {
                    open.set(state == CircuitBreakerState.CLOSED ? 0 : 1);
                    LOG.warnf("Circuit breaker for Tinybird %s is now %s", calls, state);
                })
                .requestVolumeThreshold(breaker.requestVolume())
                .failureRatio(breaker.failureRatio())
                .delay(breaker.delay().toMillis(), ChronoUnit.MILLIS)
                // Tinybird unreachable, timing out or failing (5xx) counts against the breaker; refusals (4xx) do not.
                .when(failure -> TinybirdFailure.of(failure).upstreamDown())
                .done()
                .build();
    }

    /** Calls an endpoint pipe's JSON endpoint with the given parameters. */
    public Uni<JsonObject> queryPipe(EndpointPipe pipe, Map<String, String> params) {
        Timer.Sample sample = Timer.start(metrics);
        return reads.get(() -> {
                    HttpRequest<Buffer> request = request(HttpMethod.GET, "/v0/pipes/" + pipe.fileName() + ".json");
                    params.forEach(request::addQueryParam);
                    return request.send().map(TinybirdClient::success);
                })
                .map(HttpResponse::bodyAsJsonObject)
                .onTermination().invoke((item, failure, cancelled) -> sample.stop(metrics.timer("emitkit.tinybird.pipe.latency",
                        "pipe", pipe.fileName(), "outcome", failure == null ? "success" : "failure")));
    }

    /** A cheap authenticated round trip, for readiness; outside the breaker, so it sees recovery at once. */
    public Uni<Void> ping() {
        return request(HttpMethod.GET, "/v0/sql").addQueryParam("q", "SELECT 1 FORMAT JSON").send()
                .map(response -> {
                    success(response);
                    return null;
                });
    }

    /**
     * One Events API call with gzipped NDJSON, waiting for the write. Fails with {@link TinybirdException}
     * for an error status, with the breaker's exception while it is open.
     */
    Uni<HttpResponse<Buffer>> appendEvents(String datasource, Buffer gzippedNdjson) {
        return writes.get(() -> request(HttpMethod.POST, "/v0/events")
                .addQueryParam("name", datasource).addQueryParam("wait", "true")
                .putHeader("Content-Type", "application/x-ndjson")
                .putHeader("Content-Encoding", "gzip")
                .sendBuffer(gzippedNdjson)
                .map(TinybirdClient::success));
    }

    /** The ids among these rows that the datasource already holds (looked up by organization, time and id). */
    Uni<Set<String>> storedIds(String datasource, List<TinybirdRow> rows) {
        if (!DATASOURCE_NAME.matcher(datasource).matches()) {
            throw new IllegalArgumentException("not a datasource name: " + datasource);
        }
        List<Uni<Set<String>>> lookups = new ArrayList<>();
        for (List<TinybirdRow> chunk : lookupChunks(rows)) {
            lookups.add(sql(lookupSql(datasource, chunk))
                    .map(response -> {
                        Set<String> ids = new HashSet<>();
                        JsonArray data = response.getJsonArray("data", new JsonArray());
                        for (int i = 0; i < data.size(); i++) {
                            ids.add(data.getJsonObject(i).getString("id"));
                        }
                        return ids;
                    }));
        }
        if (lookups.isEmpty()) {
            return Uni.createFrom().item(Set.of());
        }
        return Uni.join().all(lookups).andFailFast().map(found -> found.stream()
                .flatMap(Set::stream).collect(Collectors.toSet()));
    }

    /** Rows in chunks whose lookup stays within Tinybird's 8 KB limit on a query's text. */
    static List<List<TinybirdRow>> lookupChunks(List<TinybirdRow> rows) {
        List<List<TinybirdRow>> chunks = new ArrayList<>();
        List<TinybirdRow> chunk = new ArrayList<>();
        int length = 0;
        for (TinybirdRow row : rows) {
            // Each row adds its id (and at most its organization) as quoted literals.
            int added = row.id().length() + row.organizationId().length() + 6;
            if (!chunk.isEmpty() && length + added > LOOKUP_BUDGET) {
                chunks.add(chunk);
                chunk = new ArrayList<>();
                length = 0;
            }
            chunk.add(row);
            length += added;
        }
        if (!chunk.isEmpty()) {
            chunks.add(chunk);
        }
        return chunks;
    }

    static String lookupSql(String datasource, List<TinybirdRow> rows) {
        Set<String> organizations = new TreeSet<>();
        String from = null;
        String to = null;
        for (TinybirdRow row : rows) {
            organizations.add(row.organizationId());
            from = from == null || row.createdAt().compareTo(from) < 0 ? row.createdAt() : from;
            to = to == null || row.createdAt().compareTo(to) > 0 ? row.createdAt() : to;
        }
        // The sorting key starts with organization_id and the partitions are by month: this reads few granules.
        return "SELECT id FROM " + datasource
                + " WHERE organization_id IN (" + organizations.stream().map(TinybirdClient::literal).collect(Collectors.joining(","))
                + ") AND created_at BETWEEN toDateTime64(" + literal(from) + ", 3, 'UTC') AND toDateTime64(" + literal(to) + ", 3, 'UTC')"
                + " AND id IN (" + rows.stream().map(r -> literal(r.id())).collect(Collectors.joining(",")) + ")"
                + " FORMAT JSON";
    }

    /**
     * Runs a read-only query through the Query API ({@code POST /v0/sql}) and answers its JSON; the SQL must end
     * with {@code FORMAT JSON}. Part of the write path (deletions look their rows up with it): under the writes' breaker.
     */
    public Uni<JsonObject> sql(String sql) {
        return writes.get(() -> request(HttpMethod.POST, "/v0/sql")
                        .putHeader("Content-Type", "text/plain; charset=utf-8")
                        .sendBuffer(Buffer.buffer(sql))
                        .map(TinybirdClient::success))
                .map(HttpResponse::bodyAsJsonObject);
    }

    /** Tinybird's Delete API: queues a job that deletes the datasource's rows matching the condition; answers its id. */
    public Uni<String> deleteRows(String datasource, String condition) {
        if (!DATASOURCE_NAME.matcher(datasource).matches()) {
            throw new IllegalArgumentException("not a datasource name: " + datasource);
        }
        return writes.get(() -> request(HttpMethod.POST, "/v0/datasources/" + datasource + "/delete")
                        .sendForm(io.vertx.mutiny.core.MultiMap.caseInsensitiveMultiMap().add("delete_condition", condition))
                        .map(TinybirdClient::success))
                .map(response -> response.bodyAsJsonObject().getString("job_id"));
    }

    /** A job as {@code GET /v0/jobs/<id>} shows it: {@code status} is waiting, working, done or error. */
    public Uni<JsonObject> job(String jobId) {
        return writes.get(() -> request(HttpMethod.GET, "/v0/jobs/" + jobId).send().map(TinybirdClient::success))
                .map(HttpResponse::bodyAsJsonObject);
    }

    /** A string as a ClickHouse literal, for SQL this service writes itself. */
    public static String literal(String value) {
        return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'";
    }

    private HttpRequest<Buffer> request(HttpMethod method, String path) {
        TinybirdTarget current = target.get();
        return client.requestAbs(method, current.apiUrl().resolve(path).toString())
                .bearerTokenAuthentication(current.token())
                .timeout(timeoutMillis);
    }

    static TinybirdException error(HttpResponse<Buffer> response) {
        String body = response.bodyAsString();
        String message = body == null ? "" : body.length() > 500 ? body.substring(0, 500) + "..." : body;
        return new TinybirdException(response.statusCode(), response.getHeader("X-Request-ID"), message,
                response.getHeader("Retry-After"), response.getHeader("X-RateLimit-Reset"));
    }

    private static HttpResponse<Buffer> success(HttpResponse<Buffer> response) {
        if (response.statusCode() >= 200 && response.statusCode() < 300) {
            return response;
        }
        throw error(response);
    }

    @PreDestroy
    void close() {
        client.close();
    }
}

package com.emitkit.events.tinybird;

import com.emitkit.events.config.EmitKitConfig;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.core.buffer.Buffer;
import io.vertx.mutiny.ext.web.client.HttpRequest;
import io.vertx.mutiny.ext.web.client.HttpResponse;
import io.vertx.mutiny.ext.web.client.WebClient;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.time.Duration;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The one HTTP client to Tinybird (remote or embedded alike): keep-alive, bounded by a timeout, the
 * token only ever in the Authorization header.
 */
@ApplicationScoped
public class TinybirdClient {

    private final WebClient client;
    private final Supplier<TinybirdTarget> target;
    private final long timeoutMillis;

    @Inject
    TinybirdClient(Vertx vertx, TinybirdBackend backend, EmitKitConfig config) {
        this(vertx, backend::target, config.tinybird().timeout());
    }

    TinybirdClient(Vertx vertx, Supplier<TinybirdTarget> target, Duration timeout) {
        this.client = WebClient.create(vertx, new WebClientOptions().setKeepAlive(true).setTryUseCompression(true)
                .setUserAgent("emitkit-events"));
        this.target = target;
        this.timeoutMillis = timeout.toMillis();
    }

    /** Calls an endpoint pipe's JSON endpoint with the given parameters. */
    public Uni<JsonObject> queryPipe(String pipe, Map<String, String> params) {
        HttpRequest<Buffer> request = request(HttpMethod.GET, "/v0/pipes/" + pipe + ".json");
        params.forEach(request::addQueryParam);
        return request.send().map(response -> success(response).bodyAsJsonObject());
    }

    /** A cheap authenticated round trip, for readiness. */
    public Uni<Void> ping() {
        return request(HttpMethod.GET, "/v0/sql").addQueryParam("q", "SELECT 1 FORMAT JSON").send()
                .map(response -> {
                    success(response);
                    return null;
                });
    }

    /** One Events API call with gzipped NDJSON, waiting for the write; the caller judges the status. */
    Uni<HttpResponse<Buffer>> postEvents(String datasource, Buffer gzippedNdjson) {
        return request(HttpMethod.POST, "/v0/events")
                .addQueryParam("name", datasource).addQueryParam("wait", "true")
                .putHeader("Content-Type", "application/x-ndjson")
                .putHeader("Content-Encoding", "gzip")
                .sendBuffer(gzippedNdjson);
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
        return new TinybirdException(response.statusCode(), response.getHeader("X-Request-ID"), message);
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

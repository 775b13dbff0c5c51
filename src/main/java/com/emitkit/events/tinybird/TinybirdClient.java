package com.emitkit.events.tinybird;

import com.emitkit.events.config.EmitKitConfig;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.core.buffer.Buffer;
import io.vertx.mutiny.ext.web.client.HttpRequest;
import io.vertx.mutiny.ext.web.client.HttpResponse;
import io.vertx.mutiny.ext.web.client.WebClient;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;

import java.net.URI;
import java.util.Map;

/**
 * The one HTTP client to Tinybird (remote or embedded alike): keep-alive, bounded by a timeout, the
 * token only ever in the Authorization header.
 */
@ApplicationScoped
public class TinybirdClient {

    private final WebClient client;
    private final TinybirdBackend backend;
    private final long timeoutMillis;

    TinybirdClient(Vertx vertx, TinybirdBackend backend, EmitKitConfig config) {
        this.client = WebClient.create(vertx, new WebClientOptions().setKeepAlive(true).setTryUseCompression(true)
                .setUserAgent("emitkit-events"));
        this.backend = backend;
        this.timeoutMillis = config.tinybird().timeout().toMillis();
    }

    /** Calls an endpoint pipe's JSON endpoint with the given parameters. */
    public Uni<JsonObject> queryPipe(String pipe, Map<String, String> params) {
        HttpRequest<Buffer> request = request("/v0/pipes/" + pipe + ".json");
        params.forEach(request::addQueryParam);
        return request.send().map(response -> success(response).bodyAsJsonObject());
    }

    /** Appends NDJSON rows through the Events API, waiting for the write to be acknowledged. */
    public Uni<JsonObject> appendEvents(String datasource, Buffer ndjson) {
        return request("/v0/events").method(io.vertx.core.http.HttpMethod.POST)
                .addQueryParam("name", datasource).addQueryParam("wait", "true")
                .putHeader("Content-Type", "application/x-ndjson")
                .sendBuffer(ndjson).map(response -> success(response).bodyAsJsonObject());
    }

    /** A cheap authenticated round trip, for readiness. */
    public Uni<Void> ping() {
        return request("/v0/sql").addQueryParam("q", "SELECT 1 FORMAT JSON").send()
                .map(response -> {
                    success(response);
                    return null;
                });
    }

    private HttpRequest<Buffer> request(String path) {
        TinybirdTarget target = backend.target();
        URI uri = target.apiUrl().resolve(path);
        return client.requestAbs(io.vertx.core.http.HttpMethod.GET, uri.toString())
                .bearerTokenAuthentication(target.token())
                .timeout(timeoutMillis);
    }

    private static HttpResponse<Buffer> success(HttpResponse<Buffer> response) {
        if (response.statusCode() >= 200 && response.statusCode() < 300) {
            return response;
        }
        String body = response.bodyAsString();
        String message = body == null ? "" : body.length() > 500 ? body.substring(0, 500) + "..." : body;
        throw new TinybirdException(response.statusCode(), response.getHeader("X-Request-ID"), message);
    }

    @PreDestroy
    void close() {
        client.close();
    }
}

package com.emitkit.events.outbox;

import com.emitkit.events.tinybird.ProxiedTinybirdBackend;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.client.WebClient;

import java.net.URI;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A proxy between the service and the real embedded engine that can be told to fail like a remote
 * Tinybird does: down (503), hanging, slow (answering after the client's timeout, the insert done),
 * closing the connection mid-answer (the insert done), or rate limiting (429 with Retry-After).
 */
public class FaultyTinybird implements QuarkusTestResourceLifecycleManager {

    public enum Mode { PASS, DOWN, HANG, SLOW, CLOSE_MID_BODY, RATE_LIMITED }

    public static volatile Mode mode = Mode.PASS;
    static volatile URI upstream;
    static volatile String token;
    /** Events API calls answered 429, for checking that Retry-After was honoured. */
    static final AtomicInteger rateLimited = new AtomicInteger();

    private Vertx vertx;
    private HttpServer server;
    private WebClient client;

    @Override
    public Map<String, String> start() {
        vertx = Vertx.vertx();
        client = WebClient.create(vertx);
        try {
            server = vertx.createHttpServer().requestHandler(this::handle).listen(0, "127.0.0.1")
                    .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        ProxiedTinybirdBackend.proxyUpstream = (url, engineToken) -> {
            upstream = url;
            token = engineToken;
        };
        return Map.of("emitkit.tinybird.api-url", "http://127.0.0.1:" + server.actualPort());
    }

    @Override
    public void stop() {
        vertx.close();
    }

    private void handle(HttpServerRequest request) {
        request.body().onSuccess(body -> {
            boolean events = request.path().equals("/v0/events");
            Mode now = upstream == null ? Mode.DOWN : mode;
            switch (now) {
                case DOWN -> request.response().setStatusCode(503).putHeader("X-Request-ID", "proxy-down").end("down");
                case HANG -> { }
                case RATE_LIMITED -> {
                    if (events) {
                        rateLimited.incrementAndGet();
                        request.response().setStatusCode(429).putHeader("Retry-After", "1").end("slow down");
                    } else {
                        forward(request, body, 0, false);
                    }
                }
                case SLOW -> forward(request, body, events ? 2_000 : 0, false);
                case CLOSE_MID_BODY -> forward(request, body, 0, events);
                case PASS -> forward(request, body, 0, false);
            }
        });
    }

    private void forward(HttpServerRequest request, Buffer body, long delayMillis, boolean closeMidBody) {
        var call = client.requestAbs(request.method(), upstream.resolve(request.uri()).toString())
                .putHeader("Authorization", "Bearer " + token);
        for (String header : new String[] {"Content-Type", "Content-Encoding"}) {
            if (request.getHeader(header) != null) {
                call.putHeader(header, request.getHeader(header));
            }
        }
        call.sendBuffer(body).onComplete(result -> vertx.setTimer(Math.max(1, delayMillis), id -> {
            if (result.failed()) {
                request.response().setStatusCode(502).end(result.cause().toString());
                return;
            }
            var answer = result.result();
            var response = request.response().setStatusCode(answer.statusCode());
            answer.headers().forEach(response::putHeader);
            if (closeMidBody) {
                // Headers and half the body, then the connection goes.
                Buffer full = answer.bodyAsBuffer() == null ? Buffer.buffer("{}") : answer.bodyAsBuffer();
                response.putHeader("Content-Length", Integer.toString(full.length()));
                response.write(full.getBuffer(0, full.length() / 2));
                request.connection().close();
                return;
            }
            response.end(answer.bodyAsBuffer() == null ? Buffer.buffer() : answer.bodyAsBuffer());
        }));
    }
}

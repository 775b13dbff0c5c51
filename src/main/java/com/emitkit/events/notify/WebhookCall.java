package com.emitkit.events.notify;

import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.streams.WriteStream;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.core.buffer.Buffer;
import io.vertx.mutiny.core.net.SocketAddress;
import io.vertx.mutiny.ext.web.client.WebClient;
import io.vertx.mutiny.ext.web.codec.BodyCodec;

import java.net.InetAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Map;

/**
 * One delivery attempt over HTTP: the host resolved and checked by the {@link AddressGuard}, the connection made to
 * that checked address while Host and TLS (SNI, certificate) keep the URL's name; redirects not followed; a
 * deadline over the whole call; of the answer only its status, Retry-After and a short start of its body.
 */
final class WebhookCall {

    /** Bytes of a response body kept for the delivery's last error; the rest is read and dropped. */
    static final int BODY_CAP = 512;

    /**
     * What an attempt came to: a 2xx ({@link #delivered}), or the status (0 without one), the error, and how long the
     * receiver asked to wait (null when it did not).
     */
    record Outcome(int status, String error, Duration retryAfter) {
        boolean delivered() {
            return status >= 200 && status < 300;
        }
    }

    private final WebClient client;
    private final AddressGuard guard;
    private final Duration timeout;

    /** {@code connections}: per receiver, as many as attempts may run at once, so none waits for one within its deadline. */
    WebhookCall(Vertx vertx, AddressGuard guard, Duration timeout, int connections) {
        this.client = WebClient.create(vertx, new WebClientOptions().setFollowRedirects(false).setKeepAlive(true)
                .setForceSni(true).setVerifyHost(true).setConnectTimeout((int) timeout.toMillis())
                .setUserAgent("emitkit-webhooks").setMaxPoolSize(connections));
        this.guard = guard;
        this.timeout = timeout;
    }

    /** POSTs the body with the given headers; never fails: a failure is an {@link Outcome} too. */
    Uni<Outcome> post(URI url, Map<String, String> headers, String body) {
        boolean tls = "https".equalsIgnoreCase(url.getScheme());
        int port = url.getPort() > 0 ? url.getPort() : tls ? 443 : 80;
        String path = (url.getRawPath() == null || url.getRawPath().isEmpty() ? "/" : url.getRawPath())
                + (url.getRawQuery() == null ? "" : "?" + url.getRawQuery());
        return Uni.createFrom().item(() -> {
                    try {
                        return guard.check(url.getHost());
                    } catch (Exception e) {
                        throw new IllegalStateException(e instanceof AddressGuard.RefusedAddress ? e.getMessage()
                                : "cannot resolve " + url.getHost(), e);
                    }
                })
                // Name resolution blocks: off the event loop.
                .runSubscriptionOn(Infrastructure.getDefaultWorkerPool())
                .flatMap(address -> send(address, url.getHost(), port, tls, path, headers, body))
                .ifNoItem().after(timeout).failWith(() -> new IllegalStateException("no answer within " + timeout.toSeconds() + " s"))
                .onFailure().recoverWithItem(failure -> new Outcome(0, message(failure), null));
    }

    private Uni<Outcome> send(InetAddress address, String host, int port, boolean tls, String path, Map<String, String> headers,
                              String body) {
        CappedBody answer = new CappedBody();
        var request = client.request(HttpMethod.POST, SocketAddress.inetSocketAddress(port, address.getHostAddress()),
                        new RequestOptions().setHost(host).setPort(port).setURI(path).setSsl(tls))
                .timeout(timeout.toMillis())
                .as(BodyCodec.pipe(io.vertx.mutiny.core.streams.WriteStream.newInstance(answer)));
        headers.forEach(request::putHeader);
        request.putHeader("content-type", "application/json");
        return request.sendBuffer(Buffer.buffer(body)).map(response -> {
            int status = response.statusCode();
            return status >= 200 && status < 300 ? new Outcome(status, null, null)
                    : new Outcome(status, "HTTP " + status + (answer.text().isEmpty() ? "" : ": " + answer.text()),
                    retryAfter(response.getHeader("Retry-After")));
        });
    }

    /** Retry-After as seconds or as an HTTP date; null when absent or unreadable. */
    static Duration retryAfter(String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            return Duration.ofSeconds(Math.max(0, Long.parseLong(value.strip())));
        } catch (NumberFormatException notSeconds) {
            try {
                Duration until = Duration.between(Instant.now(), ZonedDateTime.parse(value.strip(), DateTimeFormatter.RFC_1123_DATE_TIME));
                return until.isNegative() ? Duration.ZERO : until;
            } catch (RuntimeException notADate) {
                return null;
            }
        }
    }

    private static String message(Throwable failure) {
        String message = failure.getMessage() == null ? failure.getClass().getSimpleName() : failure.getMessage();
        return message.length() > BODY_CAP ? message.substring(0, BODY_CAP) : message;
    }

    /** Keeps the first {@link #BODY_CAP} bytes of a response body and drops the rest as it arrives. */
    private static final class CappedBody implements WriteStream<io.vertx.core.buffer.Buffer> {

        private final io.vertx.core.buffer.Buffer kept = io.vertx.core.buffer.Buffer.buffer();

        String text() {
            return new String(kept.getBytes(), StandardCharsets.UTF_8).strip().replaceAll("\\s+", " ");
        }

        @Override
        public Future<Void> write(io.vertx.core.buffer.Buffer data) {
            int room = BODY_CAP - kept.length();
            if (room > 0) {
                kept.appendBuffer(data, 0, Math.min(room, data.length()));
            }
            return Future.succeededFuture();
        }

        @Override
        public void write(io.vertx.core.buffer.Buffer data, Handler<AsyncResult<Void>> handler) {
            write(data).onComplete(handler);
        }

        @Override
        public Future<Void> end() {
            return Future.succeededFuture();
        }

        @Override
        public void end(Handler<AsyncResult<Void>> handler) {
            handler.handle(Future.succeededFuture());
        }

        @Override
        public WriteStream<io.vertx.core.buffer.Buffer> exceptionHandler(Handler<Throwable> handler) {
            return this;
        }

        @Override
        public WriteStream<io.vertx.core.buffer.Buffer> setWriteQueueMaxSize(int maxSize) {
            return this;
        }

        @Override
        public boolean writeQueueFull() {
            return false;
        }

        @Override
        public WriteStream<io.vertx.core.buffer.Buffer> drainHandler(Handler<Void> handler) {
            return this;
        }
    }
}

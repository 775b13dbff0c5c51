package com.emitkit.events.query;

import java.net.URI;
import java.net.URL;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertNotNull;

/** Real SSE connections to the service under test, their events parsed into a queue. */
public final class SseClient {

    /** One SSE event as received. */
    public record Received(String id, String name, String data) {
    }

    /** A running SSE connection, its events in a queue; {@code ended} completes when the server ends the stream. */
    public record Connection(BlockingQueue<Received> events, CompletableFuture<HttpResponse<Stream<String>>> response,
                      CompletableFuture<Void> ended) {
        public Received next() throws InterruptedException {
            Received event = events.poll(10, TimeUnit.SECONDS);
            assertNotNull(event, "no event within 10 s");
            return event;
        }

        /** The events that arrive until none has for {@code quietMillis}. */
        public List<Received> untilQuiet(long quietMillis) throws InterruptedException {
            List<Received> received = new ArrayList<>();
            for (Received event; (event = events.poll(quietMillis, TimeUnit.MILLISECONDS)) != null; ) {
                received.add(event);
            }
            return received;
        }

        public void close() {
            response.thenAccept(r -> r.body().close());
            response.cancel(true);
        }
    }

    private final URL base;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    public SseClient(URL base) {
        this.base = base;
    }

    public Connection connect(String channel, String credential, String lastEventId) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + "v1/channels/" + channel + "/stream"))
                .header("Authorization", "Bearer " + credential);
        if (lastEventId != null) {
            request.header("Last-Event-ID", lastEventId);
        }
        return open(request);
    }

    /** As a browser's EventSource opens it: the dashboard token as {@code ?access_token=}, no Authorization header. */
    public Connection connectWithAccessToken(String channel, String token) {
        return open(HttpRequest.newBuilder(URI.create(base + "v1/channels/" + channel + "/stream?access_token="
                + URLEncoder.encode(token, StandardCharsets.UTF_8))));
    }

    private Connection open(HttpRequest.Builder request) {
        request.header("Accept", "text/event-stream");
        BlockingQueue<Received> events = new LinkedBlockingQueue<>();
        CompletableFuture<HttpResponse<Stream<String>>> response = http.sendAsync(request.build(), HttpResponse.BodyHandlers.ofLines());
        CompletableFuture<Void> ended = new CompletableFuture<>();
        response.thenAcceptAsync(r -> {
            String id = null;
            String name = null;
            StringBuilder data = new StringBuilder();
            try {
                for (String line : (Iterable<String>) r.body()::iterator) {
                    if (line.isEmpty()) {
                        if (data.length() > 0) {
                            events.add(new Received(id, name, data.toString()));
                        }
                        id = null;
                        name = null;
                        data.setLength(0);
                    } else if (line.startsWith("id:")) {
                        id = line.substring(3).strip();
                    } else if (line.startsWith("event:")) {
                        name = line.substring(6).strip();
                    } else if (line.startsWith("data:")) {
                        data.append(line.substring(5).strip());
                    }
                }
                ended.complete(null);
            } catch (RuntimeException closed) {
                // The test closed the connection.
            }
        });
        return new Connection(events, response, ended);
    }
}

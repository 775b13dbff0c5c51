package com.emitkit.events.webhooks;

import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.function.Predicate;

/**
 * An HTTP receiver on loopback for webhook tests: records every request per path and answers 200 (or the status
 * set with {@link #answerUsually}), or what a test queued for that path (a status, a Retry-After, a delay).
 */
public final class WebhookReceiver implements AutoCloseable {

    /** One request as received, with its arrival time. */
    public record Received(String path, Map<String, String> headers, String body, long receivedAtNanos) {
        public String header(String name) {
            return headers.get(name.toLowerCase());
        }
    }

    /** What to answer to one request. */
    public record Answer(int status, String retryAfter, long delayMillis) {
        public static Answer status(int status) {
            return new Answer(status, null, 0);
        }
    }

    private final HttpServer server;
    /** A queue, not a copy-on-write list: a benchmark's receiver takes 100,000 requests. */
    private final Queue<Received> received = new ConcurrentLinkedQueue<>();
    private final Map<String, Queue<Answer>> answers = new ConcurrentHashMap<>();
    private volatile int usualStatus = 200;

    public WebhookReceiver() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/", exchange -> {
            long at = System.nanoTime();
            String body;
            try (InputStream in = exchange.getRequestBody()) {
                body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            Map<String, String> headers = new ConcurrentHashMap<>();
            exchange.getRequestHeaders().forEach((name, values) -> headers.put(name.toLowerCase(), values.getFirst()));
            String path = exchange.getRequestURI().getPath();
            received.add(new Received(path, headers, body, at));
            Queue<Answer> queued = answers.get(path);
            Answer answer = queued == null || queued.isEmpty() ? Answer.status(usualStatus) : queued.poll();
            if (answer.delayMillis() > 0) {
                try {
                    Thread.sleep(answer.delayMillis());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            if (answer.retryAfter() != null) {
                exchange.getResponseHeaders().add("Retry-After", answer.retryAfter());
            }
            byte[] reply = "ok".getBytes(StandardCharsets.UTF_8);
            try {
                exchange.sendResponseHeaders(answer.status(), reply.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(reply);
                }
            } catch (IOException clientGone) {
                // The sender gave up (its timeout): nothing to answer.
            }
            exchange.close();
        });
        server.start();
    }

    public String url(String path) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    public int port() {
        return server.getAddress().getPort();
    }

    /** Queues answers for the next requests to {@code path}, in order; after them, 200. */
    public void answer(String path, Answer... next) {
        answers.computeIfAbsent(path, p -> new ConcurrentLinkedQueue<>()).addAll(List.of(next));
    }

    /** The status of requests no queued answer is for (200 unless set). */
    public void answerUsually(int status) {
        usualStatus = status;
    }

    /** Requests received so far, on every path. */
    public int count() {
        return received.size();
    }

    /** Distinct webhook-ids received so far, on every path. */
    public long distinctIds() {
        return received.stream().map(r -> r.header("webhook-id")).distinct().count();
    }

    public List<Received> at(String path) {
        return new ArrayList<>(received.stream().filter(r -> r.path().equals(path)).toList());
    }

    /** Waits until {@code path} received {@code count} requests matching {@code which}; returns them. */
    public List<Received> await(String path, int count, Predicate<Received> which, long timeoutMillis) throws InterruptedException {
        long deadline = System.currentTimeMillis() + timeoutMillis;
        while (true) {
            List<Received> matching = at(path).stream().filter(which).toList();
            if (matching.size() >= count || System.currentTimeMillis() > deadline) {
                return matching;
            }
            Thread.sleep(20);
        }
    }

    public List<Received> await(String path, int count, long timeoutMillis) throws InterruptedException {
        return await(path, count, r -> true, timeoutMillis);
    }

    @Override
    public void close() {
        server.stop(0);
    }
}

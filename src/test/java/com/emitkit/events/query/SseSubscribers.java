package com.emitkit.events.query;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The subscriber side of {@link StreamFanOutBenchmark}, in a process of its own: the open-file limit is per
 * process, and one process holding both ends of every connection reached it before 10,000 subscribers.
 * <p>
 * Arguments: host, port, path, API key, subscribers, and the text that marks the awaited event. Prints
 * {@code connected <ok> <failed> <millis>} once every connection answered, waits for a line on stdin
 * (the event is being sent), then prints {@code arrivals <epoch millis of each subscriber that saw it,
 * comma-separated>} and {@code rss <megabytes>}, and exits.
 */
public final class SseSubscribers {

    private SseSubscribers() {
    }

    public static void main(String[] args) throws Exception {
        String host = args[0];
        int port = Integer.parseInt(args[1]);
        String path = args[2];
        String key = args[3];
        int subscribers = Integer.parseInt(args[4]);
        String marker = args[5];

        Vertx vertx = Vertx.vertx();
        HttpClient client = vertx.createHttpClient(new HttpClientOptions().setMaxPoolSize(subscribers).setKeepAlive(true)
                .setIdleTimeout(0));
        CountDownLatch answered = new CountDownLatch(subscribers);
        AtomicInteger failed = new AtomicInteger();
        AtomicLongArray arrivals = new AtomicLongArray(subscribers);
        CountDownLatch delivered = new CountDownLatch(subscribers);
        long start = System.nanoTime();
        for (int i = 0; i < subscribers; i++) {
            int index = i;
            client.request(new RequestOptions().setMethod(HttpMethod.GET).setHost(host).setPort(port).setURI(path)
                            .addHeader("Authorization", "Bearer " + key).addHeader("Accept", "text/event-stream"))
                    .compose(request -> request.send())
                    .onSuccess(response -> {
                        if (response.statusCode() != 200) {
                            failed.incrementAndGet();
                            delivered.countDown();
                        }
                        answered.countDown();
                        StringBuilder seen = new StringBuilder();
                        response.handler(buffer -> {
                            if (arrivals.get(index) == 0) {
                                seen.append(buffer.toString(StandardCharsets.UTF_8));
                                if (seen.indexOf(marker) >= 0) {
                                    arrivals.set(index, System.currentTimeMillis());
                                    delivered.countDown();
                                }
                                if (seen.length() > 4096) {
                                    seen.delete(0, seen.length() - 256);
                                }
                            }
                        });
                    })
                    .onFailure(e -> {
                        failed.incrementAndGet();
                        delivered.countDown();
                        answered.countDown();
                    });
        }
        answered.await(180, TimeUnit.SECONDS);
        System.out.printf("connected %d %d %d%n", subscribers - failed.get() - (int) answered.getCount(), failed.get(),
                (System.nanoTime() - start) / 1_000_000);
        System.out.flush();

        new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
        delivered.await(60, TimeUnit.SECONDS);
        StringBuilder line = new StringBuilder("arrivals ");
        for (int i = 0; i < subscribers; i++) {
            if (arrivals.get(i) > 0) {
                line.append(arrivals.get(i)).append(',');
            }
        }
        System.out.println(line);
        System.out.println("rss " + Files.readAllLines(Path.of("/proc/self/status")).stream().filter(l -> l.startsWith("VmRSS:"))
                .map(l -> l.replaceAll("\\D", "")).mapToLong(Long::parseLong).findFirst().orElse(0) / 1024);
        System.out.flush();
        client.close();
        vertx.close();
        System.exit(0);
    }
}

package com.emitkit.events;

import io.restassured.RestAssured;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Steady write load for fault tests: writers each posting one event per request to {@code POST /v1/events}
 * until stopped, recording the id of every event answered 201, the count of each status (-1: no answer,
 * the connection failed) and each request's latency, in the order the answers came.
 */
public final class WriteLoad {

    /** What a load run saw. */
    public record Outcome(Set<String> accepted, Map<Integer, Integer> statuses, List<Long> latenciesMillis) {
        public int sent() {
            return statuses.values().stream().mapToInt(Integer::intValue).sum();
        }

        public long p50() {
            List<Long> sorted = latenciesMillis.stream().sorted().toList();
            return sorted.isEmpty() ? 0 : sorted.get(sorted.size() / 2);
        }
    }

    private final Set<String> accepted = ConcurrentHashMap.newKeySet();
    private final Map<Integer, Integer> statuses = new ConcurrentHashMap<>();
    private final List<Long> latencies = Collections.synchronizedList(new ArrayList<>());
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final List<Thread> writers = new ArrayList<>();

    private WriteLoad() {
    }

    /** Starts {@code writers} writers posting events of {@code channel} with the API key. */
    public static WriteLoad start(String eventsUrl, String apiKey, String channel, int writers) {
        WriteLoad load = new WriteLoad();
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        for (int w = 0; w < writers; w++) {
            int writer = w;
            load.writers.add(Thread.ofVirtual().start(() -> {
                int n = 0;
                while (load.running.get()) {
                    String body = new JsonObject().put("channelName", channel).put("title", "w" + writer + " #" + n++).encode();
                    HttpRequest request = HttpRequest.newBuilder(URI.create(eventsUrl))
                            .header("Authorization", "Bearer " + apiKey).header("Content-Type", "application/json")
                            .timeout(Duration.ofSeconds(60))
                            .POST(HttpRequest.BodyPublishers.ofString(body)).build();
                    long start = System.nanoTime();
                    try {
                        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
                        load.latencies.add((System.nanoTime() - start) / 1_000_000);
                        load.statuses.merge(response.statusCode(), 1, Integer::sum);
                        if (response.statusCode() == 201) {
                            load.accepted.add(new JsonObject(response.body()).getJsonObject("data").getString("id"));
                        }
                    } catch (IOException failed) {
                        load.statuses.merge(-1, 1, Integer::sum);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }));
        }
        return load;
    }

    /** Stops the writers, waits for their last answers, and says what they saw. */
    public Outcome stop() throws InterruptedException {
        running.set(false);
        for (Thread writer : writers) {
            writer.join();
        }
        return new Outcome(accepted, new TreeMap<>(statuses), latencies);
    }

    /** How many times each event matching {@code where} is stored, read through an engine's {@code /v0/sql}. */
    public static Map<String, Integer> storedCopies(String engineUrl, String token, String where) {
        List<Map<String, Object>> rows = RestAssured.given().baseUri(engineUrl).header("Authorization", "Bearer " + token)
                .queryParam("q", "SELECT id, count() AS copies FROM events WHERE " + where + " GROUP BY id FORMAT JSON")
                .get("/v0/sql").then().statusCode(200).extract().jsonPath().getList("data");
        Map<String, Integer> copies = new HashMap<>();
        rows.forEach(row -> copies.put((String) row.get("id"), ((Number) row.get("copies")).intValue()));
        return copies;
    }
}

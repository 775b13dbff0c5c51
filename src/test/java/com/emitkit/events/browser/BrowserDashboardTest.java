package com.emitkit.events.browser;

import com.emitkit.events.tenancy.TestTenants;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.smallrye.jwt.build.Jwt;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.stream.Stream;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The dashboard as a real browser runs it: headless Chromium (Debian's {@code chromium}, which the build installs
 * through {@code .mvn/ensure-chromium.sh}) loads a page served on loopback, from another origin than the service's. With a dashboard token
 * the page lists events with {@code fetch}, opens the live stream with {@code EventSource} (the token as
 * {@code ?access_token=}, the one thing EventSource can carry), and sees an event the test posts meanwhile.
 * The same page from a foreign origin is refused by CORS. The pages report back to the page server.
 */
@QuarkusTest
@TestProfile(BrowserDashboardTest.PageOrigin.class)
class BrowserDashboardTest {

    private static final String SECRET = "test-dashboard-secret-of-at-least-32-bytes!!";
    private static final String ISSUER = "https://dashboard.test";
    private static final long BROWSER_WAIT_SECONDS = 60;

    /** The page server, started before the service so that its origin is in the service's CORS settings. */
    static final PageServer PAGES = new PageServer();

    /** CORS allows the page's origin (what EMITKIT_CORS_ORIGINS sets in production); access logs are on. */
    public static class PageOrigin implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("quarkus.http.cors.origins", PAGES.origin("127.0.0.1"),
                    "quarkus.http.access-log.enabled", "true");
        }
    }

    @TestHTTPResource("/")
    URL service;

    @AfterAll
    static void stopPages() {
        PAGES.stop();
    }

    @Test
    void theDashboardPageListsStreamsAndSeesANewEventWhileAForeignOriginIsRefused() throws Exception {
        TestTenants.Tenant tenant = TestTenants.create("basic", List.of("write"));
        String earlier = post(tenant, "earlier");
        Instant now = Instant.now();
        String token = Jwt.issuer(ISSUER).subject("browser-user").claim("org", tenant.organizationId())
                .claim("site", tenant.siteId()).issuedAt(now).expiresAt(now.plusSeconds(600)).signWithSecret(SECRET);
        String api = service.toString().replaceAll("/$", "");
        PAGES.serve("dashboard.html", page(api, token, DASHBOARD_SCRIPT));
        PAGES.serve("foreign.html", page(api, token, FOREIGN_SCRIPT));

        List<String> logged = Collections.synchronizedList(new ArrayList<>());
        Handler capture = new Handler() {
            @Override
            public void publish(LogRecord record) {
                logged.add(record.getLoggerName() + " " + record.getMessage() + " " + java.util.Arrays.toString(record.getParameters()));
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        java.util.logging.Logger root = java.util.logging.Logger.getLogger("");
        root.addHandler(capture);
        try (Browser browser = Browser.open(PAGES.origin("127.0.0.1") + "/dashboard.html")) {
            browser.await(PAGES.report("opened"));
            String live = post(tenant, "live");
            JsonPath seen = browser.await(PAGES.report("dashboard"));
            assertEquals(200, seen.getInt("listStatus"), seen.prettify());
            assertEquals(List.of(earlier), seen.getList("listed"), "fetch lists the events");
            assertNotNull(seen.getString("requestId"), "exposed headers are readable");
            assertEquals(live, seen.getString("streamed.id"), "EventSource receives the event posted meanwhile");
            assertEquals("live", seen.getString("streamed.title"));
            assertEquals(live, seen.getString("lastEventId"));
        } finally {
            root.removeHandler(capture);
        }
        try (Browser browser = Browser.open(PAGES.origin("localhost") + "/foreign.html")) {
            JsonPath foreign = browser.await(PAGES.report("foreign"));
            assertEquals("refused", foreign.getString("fetch"), foreign.prettify());
            assertEquals("refused", foreign.getString("stream"), foreign.prettify());
        }

        List<String> lines = List.copyOf(logged);
        assertTrue(lines.stream().anyMatch(l -> l.contains("/v1/channels/payments/stream")),
                "the access log names the stream's path: " + lines);
        assertFalse(lines.stream().anyMatch(l -> l.contains(token) || l.contains("access_token")),
                "a log line shows the token: " + lines.stream().filter(l -> l.contains("access_token") || l.contains(token)).toList());
    }

    private static String post(TestTenants.Tenant tenant, String title) {
        return given().header("Authorization", "Bearer " + tenant.key()).contentType(ContentType.JSON)
                .body(Map.of("channelName", "payments", "title", title)).post("/v1/events")
                .then().statusCode(201).extract().path("data.id");
    }

    private static String page(String api, String token, String script) {
        return "<!doctype html><html><body><script>\nconst API = " + jsString(api) + ";\nconst TOKEN = " + jsString(token)
                + ";\nconst report = (name, body) => fetch('/report/' + name, {method: 'POST', body: JSON.stringify(body)});\n"
                + script + "\n</script></body></html>";
    }

    private static String jsString(String value) {
        return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'";
    }

    private static final String DASHBOARD_SCRIPT = """
            (async () => {
              const result = {};
              try {
                const list = await fetch(API + '/v1/events?channel=payments', {headers: {Authorization: 'Bearer ' + TOKEN}});
                result.listStatus = list.status;
                result.requestId = list.headers.get('X-Request-ID');
                result.listed = (await list.json()).data.events.map(e => e.id);
              } catch (e) {
                result.listError = String(e);
              }
              const stream = new EventSource(API + '/v1/channels/payments/stream?access_token=' + encodeURIComponent(TOKEN));
              stream.onopen = () => report('opened', {});
              stream.addEventListener('event', e => {
                result.streamed = JSON.parse(e.data);
                result.lastEventId = e.lastEventId;
                stream.close();
                report('dashboard', result);
              });
              stream.onerror = () => {
                if (stream.readyState === EventSource.CLOSED) {
                  result.streamError = 'closed';
                  report('dashboard', result);
                }
              };
            })();
            """;

    private static final String FOREIGN_SCRIPT = """
            (async () => {
              const result = {};
              try {
                await fetch(API + '/v1/events', {headers: {Authorization: 'Bearer ' + TOKEN}});
                result.fetch = 'allowed';
              } catch (e) {
                result.fetch = 'refused';
              }
              const stream = new EventSource(API + '/v1/channels/payments/stream?access_token=' + encodeURIComponent(TOKEN));
              stream.onopen = () => { result.stream = 'opened'; stream.close(); report('foreign', result); };
              stream.onerror = () => { result.stream = 'refused'; stream.close(); report('foreign', result); };
            })();
            """;

    /** Pages on loopback, and the reports the pages post back, by name. */
    static final class PageServer {
        private final HttpServer server;
        private final Map<String, byte[]> pages = new ConcurrentHashMap<>();
        private final Map<String, CompletableFuture<String>> reports = new ConcurrentHashMap<>();

        PageServer() {
            try {
                server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            server.createContext("/", this::handle);
            server.start();
        }

        String origin(String host) {
            return "http://" + host + ":" + server.getAddress().getPort();
        }

        void serve(String name, String html) {
            pages.put("/" + name, html.getBytes(StandardCharsets.UTF_8));
        }

        CompletableFuture<String> report(String name) {
            return reports.computeIfAbsent(name, n -> new CompletableFuture<>());
        }

        private void handle(HttpExchange exchange) throws IOException {
            String path = exchange.getRequestURI().getPath();
            try (exchange) {
                if (path.startsWith("/report/") && exchange.getRequestMethod().equals("POST")) {
                    report(path.substring("/report/".length())).complete(new String(exchange.getRequestBody().readAllBytes(),
                            StandardCharsets.UTF_8));
                    exchange.sendResponseHeaders(204, -1);
                    return;
                }
                byte[] page = pages.get(path);
                if (page == null) {
                    exchange.sendResponseHeaders(404, -1);
                    return;
                }
                exchange.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
                exchange.sendResponseHeaders(200, page.length);
                exchange.getResponseBody().write(page);
            }
        }

        void stop() {
            server.stop(0);
        }
    }

    /** Headless Chromium on one page; its output kept to explain a page that never reported. */
    record Browser(Process process, Path profile, Path output) implements AutoCloseable {

        static Browser open(String url) throws IOException {
            String chromium = executable().orElseThrow(() -> new AssertionError(
                    "Chromium is missing: this test drives a real browser. Install Debian's package (apt-get install -y chromium;"
                            + " the build does as root) or point CHROMIUM_BIN at a Chromium executable."));
            Path profile = Files.createTempDirectory("emitkit-chromium");
            Path output = profile.resolve("chromium.log");
            // No sandbox: CI runs as root, where Chromium's sandbox refuses to start.
            Process process = new ProcessBuilder(chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                    "--disable-extensions", "--user-data-dir=" + profile, url)
                    .redirectErrorStream(true).redirectOutput(output.toFile()).start();
            return new Browser(process, profile, output);
        }

        static Optional<String> executable() {
            String configured = System.getenv("CHROMIUM_BIN");
            if (configured != null && !configured.isBlank()) {
                return Optional.of(configured);
            }
            return Stream.of(System.getenv().getOrDefault("PATH", "").split(":"))
                    .flatMap(dir -> Stream.of("chromium", "chromium-browser", "google-chrome").map(name -> Path.of(dir, name)))
                    .filter(Files::isExecutable).map(Path::toString).findFirst();
        }

        JsonPath await(CompletableFuture<String> report) throws Exception {
            try {
                return JsonPath.from(report.get(BROWSER_WAIT_SECONDS, TimeUnit.SECONDS));
            } catch (TimeoutException e) {
                return fail("The page did not report within " + BROWSER_WAIT_SECONDS + " s; Chromium said:\n"
                        + (Files.exists(output) ? Files.readString(output) : "(nothing)"));
            }
        }

        @Override
        public void close() throws Exception {
            process.descendants().forEach(ProcessHandle::destroy);
            process.destroy();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
            try (Stream<Path> files = Files.walk(profile)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}

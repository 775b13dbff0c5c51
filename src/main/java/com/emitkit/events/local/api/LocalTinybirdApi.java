package com.emitkit.events.local.api;

import com.emitkit.events.local.DeleteJobs;
import com.emitkit.events.local.EmbeddedWorkspace;
import com.emitkit.events.local.IngestResult;
import com.emitkit.events.local.LocalTokens;
import com.emitkit.events.local.UnknownResourceException;
import com.emitkit.events.local.chdb.ChdbException;
import com.emitkit.events.codec.RequestBodies;
import com.emitkit.events.local.chdb.ChdbResult;
import com.emitkit.events.local.template.TemplateCustomErrorException;
import com.emitkit.events.local.template.TemplateException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import org.jboss.logging.Logger;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;

/**
 * Tinybird's HTTP API over the embedded workspace: the same paths, status codes, headers and bodies
 * (Events API errors as text/plain, pipe and query errors as JSON). Engine calls block, so they run
 * on worker threads, never on the event loop.
 */
public final class LocalTinybirdApi {

    private static final Logger LOG = Logger.getLogger(LocalTinybirdApi.class);
    private static final Set<String> NOT_TEMPLATE_PARAMS = Set.of("token", "format");
    private static final Map<String, String> PIPE_FORMATS = Map.of("json", "JSON", "csv", "CSVWithNames", "ndjson", "JSONEachRow");
    private static final int DB_TIMEOUT = 159;
    private static final int DB_MEMORY_LIMIT = 241;
    private static final String DOCS = "https://www.tinybird.co/docs/forward/api-reference";

    private final Vertx vertx;
    private final EmbeddedWorkspace workspace;
    private final LocalTokens tokens;
    private final ObjectMapper json;
    private final long maxBodySize;
    private final long maxDecompressedSize;

    public LocalTinybirdApi(Vertx vertx, EmbeddedWorkspace workspace, LocalTokens tokens, ObjectMapper json,
                            long maxBodySize, long maxDecompressedSize) {
        this.vertx = vertx;
        this.workspace = workspace;
        this.tokens = tokens;
        this.json = json;
        this.maxBodySize = maxBodySize;
        this.maxDecompressedSize = maxDecompressedSize;
    }

    /** Starts listening; the future completes with the server once it is bound. */
    public Future<HttpServer> listen(String host, int port) {
        return vertx.createHttpServer(new HttpServerOptions().setHost(host).setPort(port))
                .requestHandler(router())
                .listen();
    }

    private Router router() {
        Router router = Router.router(vertx);
        router.route().handler(ctx -> {
            ctx.response().putHeader("X-Request-ID", UUID.randomUUID().toString());
            ctx.next();
        });
        router.get("/tokens").handler(ctx -> sendJson(ctx, 200, tokens.asJson(json).toString()));
        router.post("/v0/events").handler(LocalTinybirdApi::notAForm);
        router.post("/v0/events").handler(BodyHandler.create(false).setBodyLimit(maxBodySize))
                .handler(this::authorizeText).handler(this::events).failureHandler(this::bodyFailure);
        router.route("/v0/pipes/:file").method(HttpMethod.GET).method(HttpMethod.POST)
                .handler(BodyHandler.create(false).setBodyLimit(maxBodySize))
                .handler(this::authorizeJson).handler(this::pipe).failureHandler(this::bodyFailure);
        router.route("/v0/sql").method(HttpMethod.GET).method(HttpMethod.POST)
                .handler(BodyHandler.create(false).setBodyLimit(maxBodySize))
                .handler(this::authorizeJson).handler(this::sql).failureHandler(this::bodyFailure);
        router.post("/v0/datasources/:name/delete").handler(BodyHandler.create(false).setBodyLimit(maxBodySize))
                .handler(this::authorizeJson).handler(this::deleteRows).failureHandler(this::bodyFailure);
        router.get("/v0/jobs").handler(this::authorizeJson).handler(this::jobs);
        router.get("/v0/jobs/:id").handler(this::authorizeJson).handler(this::job);
        router.route().handler(ctx -> sendError(ctx, 404, "Not found: " + ctx.request().path(), true));
        return router;
    }

    /**
     * The Events API reads its body as NDJSON whatever the Content-Type says. A form type (curl
     * --data-binary's default) would otherwise make the body handler parse it as form fields and fail
     * on the first long line.
     */
    private static void notAForm(RoutingContext ctx) {
        String type = Optional.ofNullable(ctx.request().getHeader(HttpHeaders.CONTENT_TYPE)).orElse("").toLowerCase(Locale.ROOT);
        if (type.startsWith("application/x-www-form-urlencoded") || type.startsWith("multipart/")) {
            ctx.request().headers().remove(HttpHeaders.CONTENT_TYPE);
        }
        ctx.next();
    }

    private void events(RoutingContext ctx) {
        String datasource = ctx.request().getParam("name");
        if (datasource == null || datasource.isBlank()) {
            sendError(ctx, 400, "The 'name' parameter (the Data Source) is required", false);
            return;
        }
        String format = Optional.ofNullable(ctx.request().getParam("format")).orElse("ndjson");
        if (!format.equals("ndjson") && !format.equals("json")) {
            sendError(ctx, 400, "Unsupported format '" + format + "': use ndjson or json", false);
            return;
        }
        boolean wait = "true".equalsIgnoreCase(ctx.request().getParam("wait"));
        String encoding = ctx.request().getHeader(HttpHeaders.CONTENT_ENCODING);
        blocking(ctx, false, () -> {
            byte[] body = RequestBodies.decoded(ctx.body().buffer(), encoding, maxDecompressedSize);
            return workspace.ingest(datasource, lines(body));
        }, (IngestResult result) -> sendJson(ctx, wait ? 200 : 202, json.createObjectNode()
                .put("successful_rows", result.successfulRows())
                .put("quarantined_rows", result.quarantinedRows()).toString()));
    }

    /** NDJSON lines, each decoded from the body's bytes once (not the whole body first, then each line again). */
    private static List<String> lines(byte[] body) {
        List<String> lines = new ArrayList<>();
        int start = 0;
        for (int i = 0; i <= body.length; i++) {
            if (i == body.length || body[i] == '\n') {
                if (i > start) {
                    lines.add(new String(body, start, i - start, StandardCharsets.UTF_8));
                }
                start = i + 1;
            }
        }
        return lines;
    }

    private void pipe(RoutingContext ctx) {
        String file = ctx.pathParam("file");
        int dot = file.lastIndexOf('.');
        String name = dot < 0 ? file : file.substring(0, dot);
        String format = dot < 0 ? "" : PIPE_FORMATS.get(file.substring(dot + 1));
        if (format == null || format.isEmpty()) {
            sendError(ctx, 400, "Unsupported format for " + file + ": use .json, .csv or .ndjson", true);
            return;
        }
        Map<String, String> params;
        try {
            params = parameters(ctx);
        } catch (IllegalArgumentException e) {
            sendError(ctx, 400, e.getMessage(), true);
            return;
        }
        Optional<String> q = Optional.ofNullable(params.remove("q"));
        blocking(ctx, true, () -> workspace.runPipe(name, params, q, format),
                (ChdbResult result) -> send(ctx, 200, contentType(format), result.output()));
    }

    private void sql(RoutingContext ctx) {
        Map<String, String> params;
        String sql;
        try {
            params = parameters(ctx);
            sql = params.remove("q");
            if (sql == null && ctx.request().method() == HttpMethod.POST && !isJson(ctx)) {
                sql = ctx.body().asString();
            }
        } catch (IllegalArgumentException e) {
            sendError(ctx, 400, e.getMessage(), true);
            return;
        }
        String query = sql;
        blocking(ctx, true, () -> workspace.querySql(query, params),
                (EmbeddedWorkspace.SqlResult result) -> send(ctx, 200, contentType(result.format()), result.result().output()));
    }

    /**
     * The Delete API: the job (201), which deletes the rows after the answer; with {@code dry_run=true} (that exact
     * value, as on Tinybird) the number of rows the condition matches (200). Parameters come in the query string or
     * a form body.
     */
    private void deleteRows(RoutingContext ctx) {
        String datasource = ctx.pathParam("name");
        String condition = Optional.ofNullable(ctx.request().getParam("delete_condition")).map(String::strip).orElse("");
        DeleteJobs deletes = workspace.deleteJobs();
        if (!"true".equals(ctx.request().getParam("dry_run"))) {
            blocking(ctx, true, () -> deletes.submit(datasource, condition), (DeleteJobs.Job job) ->
                    sendJson(ctx, 201, job.acceptedJson(json, jobUrl(ctx, job.id())).toString()));
            return;
        }
        vertx.executeBlocking(() -> deletes.countMatching(datasource, condition), false).onComplete(ar -> {
            if (ar.succeeded()) {
                sendJson(ctx, 200, json.createObjectNode().put("rows_to_be_deleted", ar.result()).toString());
            } else if (ar.cause() instanceof DeleteJobs.CountFailedException e) {
                sendError(ctx, 500, e.getMessage(), true);
            } else {
                failure(ctx, ar.cause(), true);
            }
        });
    }

    /** The Jobs API's list, filtered by {@code kind} and {@code status} when given. */
    private void jobs(RoutingContext ctx) {
        ObjectNode list = json.createObjectNode();
        ArrayNode entries = list.putArray("jobs");
        workspace.deleteJobs().recent(Optional.ofNullable(ctx.request().getParam("kind")),
                        Optional.ofNullable(ctx.request().getParam("status")))
                .forEach(job -> entries.add(job.summaryJson(json, jobUrl(ctx, job.id()))));
        sendJson(ctx, 200, list.toString());
    }

    private void job(RoutingContext ctx) {
        String id = ctx.pathParam("id");
        workspace.deleteJobs().job(id).ifPresentOrElse(job -> sendJson(ctx, 200, job.toJson(json).toString()),
                () -> sendError(ctx, 404, "Job with id \"" + id + "\" not found", true));
    }

    /** Where a job is followed: on the host the request came to, as Tinybird answers with its own API host. */
    private static String jobUrl(RoutingContext ctx, String id) {
        return URI.create(ctx.request().absoluteURI()).resolve("/v0/jobs/" + id).toString();
    }

    /**
     * Query-string parameters (first value wins), merged with a POSTed JSON object's fields; {@code q}
     * stays in for the caller to take out, the token and format do not.
     */
    private Map<String, String> parameters(RoutingContext ctx) {
        Map<String, String> params = new LinkedHashMap<>();
        if (ctx.request().method() == HttpMethod.POST && isJson(ctx) && ctx.body().length() > 0) {
            JsonNode body;
            try {
                body = json.readTree(ctx.body().buffer().getBytes());
            } catch (java.io.IOException e) {
                throw new IllegalArgumentException("The body is not valid JSON");
            }
            if (body == null || !body.isObject()) {
                throw new IllegalArgumentException("The JSON body must be an object of parameters");
            }
            body.properties().forEach(e -> {
                JsonNode v = e.getValue();
                if (v.isArray()) {
                    List<String> items = new java.util.ArrayList<>();
                    v.forEach(item -> items.add(item.asText()));
                    params.put(e.getKey(), String.join(",", items));
                } else if (!v.isNull()) {
                    params.put(e.getKey(), v.isTextual() ? v.textValue() : v.toString());
                }
            });
        }
        for (String name : ctx.queryParams().names()) {
            params.putIfAbsent(name, ctx.queryParams().get(name));
        }
        NOT_TEMPLATE_PARAMS.forEach(params::remove);
        return params;
    }

    private static boolean isJson(RoutingContext ctx) {
        String type = ctx.request().getHeader(HttpHeaders.CONTENT_TYPE);
        return type != null && type.toLowerCase(java.util.Locale.ROOT).startsWith("application/json");
    }

    /** {@code ?token=} wins over the Authorization header, as on Tinybird. */
    private boolean authorized(RoutingContext ctx) {
        String token = ctx.queryParams().get("token");
        if (token == null) {
            String header = ctx.request().getHeader(HttpHeaders.AUTHORIZATION);
            if (header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)) {
                token = header.substring(7).strip();
            }
        }
        return tokens.accepts(token);
    }

    private void authorizeText(RoutingContext ctx) {
        authorize(ctx, false);
    }

    private void authorizeJson(RoutingContext ctx) {
        authorize(ctx, true);
    }

    private void authorize(RoutingContext ctx, boolean jsonErrors) {
        if (authorized(ctx)) {
            ctx.next();
        } else {
            sendError(ctx, 403, "Invalid token: use a token of this workspace (GET /tokens lists them)", jsonErrors);
        }
    }

    private void bodyFailure(RoutingContext ctx) {
        boolean jsonErrors = !ctx.request().path().startsWith("/v0/events");
        if (ctx.statusCode() == 413) {
            sendError(ctx, 413, "The body is larger than " + maxBodySize + " bytes", jsonErrors);
        } else {
            LOG.error("Embedded Tinybird request failed", ctx.failure());
            sendError(ctx, ctx.statusCode() > 0 ? ctx.statusCode() : 500, "Internal error", jsonErrors);
        }
    }

    private <T> void blocking(RoutingContext ctx, boolean jsonErrors, Callable<T> work, java.util.function.Consumer<T> onSuccess) {
        vertx.executeBlocking(work, false).onComplete(ar -> {
            if (ar.succeeded()) {
                onSuccess.accept(ar.result());
            } else {
                failure(ctx, ar.cause(), jsonErrors);
            }
        });
    }

    private void failure(RoutingContext ctx, Throwable error, boolean jsonErrors) {
        switch (error) {
            case TemplateCustomErrorException e -> send(ctx, e.status(), e.contentType(), e.body().getBytes(StandardCharsets.UTF_8));
            case TemplateException e -> sendJson(ctx, 400,
                    json.createObjectNode().put("error", e.getMessage()).put("documentation", e.documentation()).toString());
            case IllegalArgumentException e -> sendError(ctx, 400, e.getMessage(), jsonErrors);
            case UnknownResourceException e -> sendError(ctx, 404, e.getMessage(), jsonErrors);
            case RequestBodies.TooLargeException e -> sendError(ctx, 413, e.getMessage(), jsonErrors);
            case ChdbException e -> {
                ctx.response().putHeader("X-DB-Exception-Code", Integer.toString(e.code()));
                int status = switch (e.code()) {
                    case DB_TIMEOUT -> 408;
                    case DB_MEMORY_LIMIT -> 500;
                    default -> 400;
                };
                sendError(ctx, status, e.getMessage(), jsonErrors);
            }
            default -> {
                LOG.error("Embedded Tinybird request failed", error);
                sendError(ctx, 500, "Internal error: " + error.getClass().getSimpleName(), jsonErrors);
            }
        }
    }

    private void sendError(RoutingContext ctx, int status, String message, boolean jsonErrors) {
        if (jsonErrors) {
            sendJson(ctx, status, json.createObjectNode().put("error", message).put("documentation", DOCS).toString());
        } else {
            send(ctx, status, "text/plain; charset=utf-8", message.getBytes(StandardCharsets.UTF_8));
        }
    }

    private static void sendJson(RoutingContext ctx, int status, String body) {
        send(ctx, status, "application/json", body.getBytes(StandardCharsets.UTF_8));
    }

    private static void send(RoutingContext ctx, int status, String contentType, byte[] body) {
        if (ctx.response().ended()) {
            return;
        }
        ctx.response().setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, contentType)
                .end(io.vertx.core.buffer.Buffer.buffer(body));
    }

    private static String contentType(String clickHouseFormat) {
        if (clickHouseFormat.equals("JSONEachRow")) {
            return "application/x-ndjson";
        }
        if (clickHouseFormat.startsWith("JSON")) {
            return "application/json";
        }
        if (clickHouseFormat.startsWith("CSV")) {
            return "text/csv";
        }
        if (clickHouseFormat.startsWith("TabSeparated") || clickHouseFormat.startsWith("TSV")) {
            return "text/tab-separated-values";
        }
        return "text/plain";
    }
}

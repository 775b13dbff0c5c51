package com.emitkit.events.web;

import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.MDC;

import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;

/**
 * Every response carries {@code X-Request-ID}: the client's own when it sent a sane one, else a new one.
 * Runs before every route, error pages included.
 */
@ApplicationScoped
public class RequestIds {

    public static final String HEADER = "X-Request-ID";
    private static final String KEY = "emitkit.request-id";
    private static final HexFormat HEX = HexFormat.of();
    private static final Pattern SANE = Pattern.compile("[A-Za-z0-9._:-]{1,128}");

    void install(@Observes Router router) {
        router.route().order(Integer.MIN_VALUE).handler(RequestIds::assign);
    }

    private static void assign(RoutingContext context) {
        String sent = context.request().getHeader(HEADER);
        String id = sent != null && SANE.matcher(sent).matches() ? sent : generate();
        context.put(KEY, id);
        // On the request's own Vert.x context: every log line of this request carries it (JSON logs: mdc.requestId).
        MDC.put("requestId", id);
        context.response().putHeader(HEADER, id);
        context.next();
    }

    /**
     * 128 random bits in hex. Unique, not secret: ThreadLocalRandom, not the SecureRandom behind
     * UUID.randomUUID, which every request would otherwise queue on.
     */
    private static String generate() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        return "req_" + HEX.toHexDigits(random.nextLong()) + HEX.toHexDigits(random.nextLong());
    }

    /** The current request's id. */
    public static String of(RoutingContext context) {
        String id = context.get(KEY);
        return id != null ? id : "unknown";
    }
}

package com.emitkit.events.web;

import io.vertx.ext.web.RoutingContext;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ResourceInfo;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * Checks with {@link Texts} every path and query parameter of every request, from the raw, percent-encoded
 * request line (decoded strictly here: the framework decodes leniently), before any resource or later filter
 * reads them. After authentication, so an anonymous caller learns nothing from it; before the stream's opening
 * filter, which looks its channel up. Headers need no check: the HTTP server refuses a NUL in one, and reads
 * their bytes as ISO-8859-1, which has no invalid text.
 */
public class RequestTexts {

    @ServerRequestFilter(priority = Priorities.AUTHORIZATION)
    public void check(ResourceInfo resource, RoutingContext context) {
        checkPath(context.request().path(), template(resource));
        String query = context.request().query();
        if (query != null && !query.isEmpty()) {
            for (String parameter : query.split("&")) {
                int equals = parameter.indexOf('=');
                String name = Texts.decodedComponent("query", equals < 0 ? parameter : parameter.substring(0, equals), true);
                if (equals >= 0) {
                    Texts.decodedComponent(name, parameter.substring(equals + 1), true);
                }
            }
        }
    }

    /** Each segment of the path, named by the parameter of the matched template in its place ({@code {channel}}). */
    private static void checkPath(String rawPath, String[] template) {
        String[] segments = rawPath.split("/", -1);
        for (int i = 0; i < segments.length; i++) {
            String field = "path";
            if (segments.length == template.length && template[i].startsWith("{")) {
                field = template[i].substring(1, template[i].length() - 1).split(":")[0].strip();
            }
            Texts.decodedComponent(field, segments[i], false);
        }
    }

    private static String[] template(ResourceInfo resource) {
        Path type = resource.getResourceClass() == null ? null : resource.getResourceClass().getAnnotation(Path.class);
        Path method = resource.getResourceMethod() == null ? null : resource.getResourceMethod().getAnnotation(Path.class);
        String path = (type == null ? "" : "/" + type.value()) + (method == null ? "" : "/" + method.value());
        return path.replaceAll("/+", "/").replaceAll("(.)/$", "$1").split("/", -1);
    }
}

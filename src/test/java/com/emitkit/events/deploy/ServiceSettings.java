package com.emitkit.events.deploy;

import com.emitkit.events.config.EmitKitConfig;
import com.emitkit.events.tinybird.TinybirdEventsSender;
import io.quarkus.runtime.configuration.DurationConverter;
import io.smallrye.config.WithName;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * What the service reads, taken from its own sources rather than restated: the environment variables
 * behind its settings, its HTTP port, and its health and metrics paths.
 */
final class ServiceSettings {

    private static final Pattern EXPRESSION = Pattern.compile("\\$\\{([A-Za-z0-9_.-]+)");
    private static final Pattern GETENV = Pattern.compile("System\\.getenv\\(\"([A-Za-z0-9_]+)\"\\)");
    private static final Pattern DOCKERFILE_ENV = Pattern.compile("^ENV\\s+([A-Za-z_][A-Za-z0-9_]*)=", Pattern.MULTILINE);

    /** Quarkus properties that application.properties leaves to each deployment: PostgreSQL's URLs. */
    static final List<String> DEPLOYMENT_PROPERTIES = List.of("quarkus.datasource.reactive.url", "quarkus.datasource.jdbc.url");

    private final Properties properties;
    private final Set<String> envNames;

    private ServiceSettings(Properties properties, Set<String> envNames) {
        this.properties = properties;
        this.envNames = envNames;
    }

    /**
     * From the project at {@code root}: the env form of every {@link EmitKitConfig} property and of every
     * property in application.properties, the variables its values refer to ({@code ${TINYBIRD_TOKEN:}}), those
     * the code reads itself ({@code System.getenv}), and those the JVM image's launcher reads (its {@code ENV}).
     */
    static ServiceSettings load(Path root) {
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(root.resolve("src/main/resources/application.properties"))) {
            properties.load(reader);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Set<String> envNames = new TreeSet<>();
        List<String> names = new ArrayList<>(emitKitProperties());
        names.addAll(DEPLOYMENT_PROPERTIES);
        for (String key : properties.stringPropertyNames()) {
            names.add(key.startsWith("%") ? key.substring(key.indexOf('.') + 1) : key);
            Matcher expression = EXPRESSION.matcher(properties.getProperty(key));
            while (expression.find()) {
                envNames.add(expression.group(1));
            }
        }
        names.forEach(name -> envNames.add(envName(name)));
        envNames.addAll(readByCode(root));
        envNames.addAll(matches(DOCKERFILE_ENV, List.of(root.resolve("src/main/docker/Dockerfile.jvm"))));
        return new ServiceSettings(properties, envNames);
    }

    /** MicroProfile Config's environment form of a property name: each non-alphanumeric character to _, upper case. */
    static String envName(String property) {
        return property.replaceAll("[^A-Za-z0-9]", "_").toUpperCase(Locale.ROOT);
    }

    /** Every property of {@link EmitKitConfig}, named as SmallRye Config names them (kebab-case, groups nested). */
    static List<String> emitKitProperties() {
        List<String> names = new ArrayList<>();
        collect(EmitKitConfig.class, "emitkit", names);
        return names;
    }

    private static void collect(Class<?> group, String prefix, List<String> names) {
        for (Method method : group.getDeclaredMethods()) {
            if (method.getParameterCount() != 0 || method.isDefault() || method.isSynthetic()) {
                continue;
            }
            WithName named = method.getAnnotation(WithName.class);
            String name = prefix + "." + (named != null ? named.value() : kebab(method.getName()));
            Class<?> type = method.getReturnType();
            if (type.isInterface() && type.getEnclosingClass() == EmitKitConfig.class) {
                collect(type, name, names);
            } else {
                names.add(name);
            }
        }
    }

    private static String kebab(String camel) {
        return camel.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(Locale.ROOT);
    }

    /** The variables the code reads itself, with {@code System.getenv}. */
    static Set<String> readByCode(Path root) {
        return matches(GETENV, javaSources(root.resolve("src/main/java")));
    }

    /** Whether the service (or its image's launcher) reads this environment variable. */
    boolean reads(String envName) {
        return envNames.contains(envName);
    }

    /** The environment variables that an application.properties value refers to, by property name. */
    List<String> referencedVariables(String property) {
        String value = properties.getProperty(property);
        if (value == null) {
            return List.of();
        }
        List<String> variables = new ArrayList<>();
        Matcher expression = EXPRESSION.matcher(value);
        while (expression.find()) {
            variables.add(expression.group(1));
        }
        return variables;
    }

    int httpPort() {
        return Integer.parseInt(property("quarkus.http.port", "8080"));
    }

    /** SmallRye Health's path of one kind of check: {@code live}, {@code ready} or {@code started}. */
    String healthPath(String kind) {
        String root = nested(nonApplicationRoot(), property("quarkus.smallrye-health.root-path", "health"));
        String path = switch (kind) {
            case "live" -> property("quarkus.smallrye-health.liveness-path", "live");
            case "ready" -> property("quarkus.smallrye-health.readiness-path", "ready");
            case "started" -> property("quarkus.smallrye-health.startup-path", "started");
            default -> throw new IllegalArgumentException(kind);
        };
        return nested(root, path);
    }

    /** Where Micrometer serves the Prometheus scrape. */
    String metricsPath() {
        return nested(nonApplicationRoot(), property("quarkus.micrometer.export.prometheus.path", "metrics"));
    }

    /**
     * The longest a graceful shutdown takes in production: the pre-shutdown delay (when enabled), the shutdown
     * timeout, and the sender's final drain of waiting rows.
     */
    Duration shutdownBudget() {
        DurationConverter durations = new DurationConverter();
        Duration timeout = durations.convert(productionValue("quarkus.shutdown.timeout", "0s"));
        Duration delay = Boolean.parseBoolean(property("quarkus.shutdown.delay-enabled", "false"))
                ? durations.convert(productionValue("quarkus.shutdown.delay", "0s")) : Duration.ZERO;
        return timeout.plus(delay).plus(TinybirdEventsSender.SHUTDOWN_DRAIN);
    }

    /** A property as production sees it: its %prod value if any, with a {@code ${VAR:default}} taken at its default. */
    private String productionValue(String key, String fallback) {
        String value = properties.getProperty("%prod." + key, property(key, fallback));
        Matcher reference = Pattern.compile("^\\$\\{[A-Za-z0-9_.-]+:([^}]*)}$").matcher(value);
        return reference.matches() ? reference.group(1) : value;
    }

    private String nonApplicationRoot() {
        return nested(property("quarkus.http.root-path", "/"), property("quarkus.http.non-application-root-path", "q"));
    }

    /** Quarkus' rule for its paths: an absolute one stands alone, a relative one goes under its parent. */
    private static String nested(String parent, String path) {
        if (path.startsWith("/")) {
            return path;
        }
        return (parent.endsWith("/") ? parent : parent + "/") + path;
    }

    private String property(String name, String defaultValue) {
        return properties.getProperty(name, defaultValue);
    }

    private static List<Path> javaSources(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(f -> f.toString().endsWith(".java")).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Set<String> matches(Pattern pattern, List<Path> files) {
        Set<String> found = new TreeSet<>();
        for (Path file : files) {
            try {
                Matcher matcher = pattern.matcher(Files.readString(file));
                while (matcher.find()) {
                    found.add(matcher.group(1));
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return found;
    }
}

package com.emitkit.events.local.postgres;

import io.quarkus.runtime.ImageMode;
import io.quarkus.runtime.LaunchMode;
import org.eclipse.microprofile.config.spi.ConfigSource;

import java.nio.file.Path;
import java.util.Map;
import java.util.Set;

/**
 * The embedded-PostgreSQL default: in dev and test, when no other configuration names the datasource,
 * the datasource URLs come from here, and the first one asked for starts the embedded server (its
 * credentials are the defaults of {@code quarkus.datasource.username/password}).
 * Its ordinal is the lowest, so any {@code QUARKUS_DATASOURCE_*} setting (set both the reactive and the
 * JDBC URL) wins and nothing is started. In production it provides nothing unless
 * {@code EMITKIT_EMBEDDED_POSTGRES=true} asks for it (with {@code java -jar}, for a self-contained demo; a native
 * executable refuses it).
 */
public class EmbeddedPostgresConfigSource implements ConfigSource {

    private static final String REACTIVE_URL = "quarkus.datasource.reactive.url";
    private static final String JDBC_URL = "quarkus.datasource.jdbc.url";
    private static final Set<String> PROVIDED = Set.of(REACTIVE_URL, JDBC_URL);

    /** JVM-wide, because Quarkus loads this class in more than one class loader (build, tests, dev reloads). */
    private static final String PORT_PROPERTY = "com.emitkit.embedded-postgres.port";

    @Override
    public Set<String> getPropertyNames() {
        return Set.of();
    }

    @Override
    public Map<String, String> getProperties() {
        return Map.of();
    }

    @Override
    public String getValue(String name) {
        if (!PROVIDED.contains(name)) {
            return null;
        }
        LaunchMode mode = LaunchMode.current();
        boolean asked = "true".equalsIgnoreCase(System.getenv("EMITKIT_EMBEDDED_POSTGRES"));
        if (mode != LaunchMode.DEVELOPMENT && mode != LaunchMode.TEST && !asked) {
            return null;
        }
        // A constant in a native executable, so the embedded server and its binaries are left out of it.
        if (ImageMode.current() == ImageMode.NATIVE_RUN) {
            throw new IllegalStateException("EMITKIT_EMBEDDED_POSTGRES=true is not available in the native executable,"
                    + " which leaves the embedded PostgreSQL out: set QUARKUS_DATASOURCE_REACTIVE_URL,"
                    + " QUARKUS_DATASOURCE_JDBC_URL, QUARKUS_DATASOURCE_USERNAME and QUARKUS_DATASOURCE_PASSWORD");
        }
        int port = port(mode);
        return name.equals(REACTIVE_URL) ? EmbeddedPostgresServer.reactiveUrl(port) : EmbeddedPostgresServer.jdbcUrl(port);
    }

    /**
     * Restarts the server started in this JVM, for tests of a database outage. It may have been started by
     * this class in another class loader (Quarkus' build and runtime loaders): it is found by its port.
     */
    public static void restartServer() {
        synchronized (System.getProperties()) {
            String started = System.getProperty(PORT_PROPERTY);
            if (started == null) {
                throw new IllegalStateException("no embedded PostgreSQL was started in this JVM");
            }
            EmbeddedPostgresServer.running(dataDir(LaunchMode.current()), Integer.parseInt(started)).restart();
        }
    }

    /** One server per JVM, kept across dev-mode reloads; it stops with the JVM. */
    private static int port(LaunchMode mode) {
        synchronized (System.getProperties()) {
            String started = System.getProperty(PORT_PROPERTY);
            if (started != null) {
                return Integer.parseInt(started);
            }
            int port = EmbeddedPostgresServer.start(dataDir(mode), 0).port();
            System.setProperty(PORT_PROPERTY, Integer.toString(port));
            return port;
        }
    }

    /**
     * {@code EMITKIT_EMBEDDED_POSTGRES_DIR}, else under {@code target/}, one folder per launch mode. As root, PostgreSQL runs as
     * {@code nobody}, who may not be able to enter the project's folders (a clone under /root): the data
     * then lives under /var/tmp, one folder per project path.
     */
    private static Path dataDir(LaunchMode mode) {
        String configured = System.getenv("EMITKIT_EMBEDDED_POSTGRES_DIR");
        if (configured != null && !configured.isBlank()) {
            return Path.of(configured);
        }
        // One folder per launch mode: the packaged application's runs (integration tests, a java -jar demo) must
        // not add organizations to dev mode's database.
        String name = switch (mode) {
            case DEVELOPMENT -> "emitkit-postgres";
            case TEST -> "emitkit-postgres-test";
            default -> "emitkit-postgres-packaged";
        };
        if (!"root".equals(System.getProperty("user.name"))) {
            return Path.of("target", name);
        }
        String project = Integer.toHexString(Path.of("").toAbsolutePath().toString().hashCode());
        return Path.of("/var/tmp/emitkit", name + "-" + project);
    }

    @Override
    public int getOrdinal() {
        return 1;
    }

    @Override
    public String getName() {
        return "emitkit-embedded-postgres";
    }
}

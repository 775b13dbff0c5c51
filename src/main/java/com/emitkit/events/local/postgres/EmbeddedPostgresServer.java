package com.emitkit.events.local.postgres;

import com.sun.security.auth.module.UnixSystem;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.postgresql.Driver;

/**
 * A real PostgreSQL server for dev mode and tests, run from the binaries that zonky publishes on Maven Central.
 *
 * <p>The cluster lives in a caller-chosen folder and survives restarts. The server listens on 127.0.0.1 only, has no
 * Unix socket, and asks for a password (SCRAM) like a production server would.
 *
 * <p>PostgreSQL refuses to run as root. When the JVM is root (as on CI), every PostgreSQL program is started through
 * {@code setpriv} as {@code nobody} (uid/gid 65534), which then owns the data folder; so every folder above the data
 * folder must be searchable by others (it is under {@code /tmp}, not under {@code /root}).
 */
public final class EmbeddedPostgresServer implements AutoCloseable {

    private static final String DATABASE = "emitkit";
    private static final String USERNAME = "emitkit";
    private static final String PASSWORD = "emitkit";
    /** nobody/nogroup: exists on every Debian, Ubuntu and RHEL system and owns nothing else. */
    private static final int UNPRIVILEGED_ID = 65534;
    private static final int PG_CTL_TIMEOUT_SECONDS = 60;
    private static final int LOG_TAIL_LINES = 40;

    private final Path installDir;
    private final Path dataDir;
    private final boolean asRoot;
    private final int port;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Thread shutdownHook = new Thread(this::close, "embedded-postgres-shutdown");

    private EmbeddedPostgresServer(Path installDir, Path dataDir, boolean asRoot, int port) {
        this.installDir = installDir;
        this.dataDir = dataDir;
        this.asRoot = asRoot;
        this.port = port;
    }

    /**
     * Starts PostgreSQL on {@code dataDir}, creating the cluster and the {@code emitkit} database on first use.
     *
     * @param port the TCP port on 127.0.0.1, or 0 for a free one
     * @throws IllegalStateException if PostgreSQL cannot be set up or started; the message says why and includes the
     *                               end of the server log
     */
    public static EmbeddedPostgresServer start(Path dataDir, int port) {
        boolean asRoot = new UnixSystem().getUid() == 0;
        Path data = dataDir.toAbsolutePath().normalize();
        try {
            Path installDir = PostgresBinaries.install(asRoot);
            PostgresBinaries.createSearchableDirectories(data.getParent());
            if (asRoot) {
                requireSearchableByOthers(installDir);
                requireSearchableByOthers(data.getParent());
            }
            EmbeddedPostgresServer server =
                    new EmbeddedPostgresServer(installDir, data, asRoot, port == 0 ? freePort() : port);
            if (!Files.exists(data.resolve("PG_VERSION"))) {
                server.initCluster();
            }
            server.startServer();
            Runtime.getRuntime().addShutdownHook(server.shutdownHook);
            return server;
        } catch (IOException e) {
            throw new IllegalStateException("cannot start PostgreSQL in " + data + ": " + e, e);
        }
    }

    /** The server already running on {@code dataDir} and {@code port}, started by this process. */
    static EmbeddedPostgresServer running(Path dataDir, int port) {
        boolean asRoot = new UnixSystem().getUid() == 0;
        try {
            return new EmbeddedPostgresServer(PostgresBinaries.install(asRoot), dataDir.toAbsolutePath().normalize(), asRoot, port);
        } catch (IOException e) {
            throw new IllegalStateException("cannot find PostgreSQL's binaries: " + e, e);
        }
    }

    public String jdbcUrl() {
        return jdbcUrl(port);
    }

    /** The URL form that the Vert.x / Quarkus reactive PostgreSQL client takes. */
    public String reactiveUrl() {
        return reactiveUrl(port);
    }

    static String jdbcUrl(int port) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + DATABASE;
    }

    static String reactiveUrl(int port) {
        return "postgresql://127.0.0.1:" + port + "/" + DATABASE;
    }

    public String username() {
        return USERNAME;
    }

    public String password() {
        return PASSWORD;
    }

    public int port() {
        return port;
    }

    /** Stops the server with {@code pg_ctl stop -m fast} (open sessions are rolled back); later calls do nothing. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException jvmShuttingDown) {
            // Called from the hook itself, or while the JVM exits: the hook is running or about to, nothing to remove.
        }
        try {
            stopServer();
        } catch (IOException e) {
            throw new IllegalStateException("cannot stop PostgreSQL in " + dataDir + ": " + e + logTail(), e);
        }
    }

    /** Stops the server (fast: open sessions are rolled back) and starts it again on the same port. */
    public void restart() {
        try {
            stopServer();
            startServer();
        } catch (IOException e) {
            throw new IllegalStateException("cannot restart PostgreSQL in " + dataDir + ": " + e + logTail(), e);
        }
    }

    private void initCluster() throws IOException {
        if (Files.exists(dataDir)) {
            try (Stream<Path> entries = Files.list(dataDir)) {
                if (entries.findAny().isPresent()) {
                    throw new IllegalStateException(dataDir + " is neither empty nor a PostgreSQL data folder");
                }
            }
        }
        // initdb runs in a staging folder that is renamed into place at the end, so a run killed half-way never
        // leaves a half-initialised cluster behind: the next start just begins again.
        Path staging = dataDir.resolveSibling("." + dataDir.getFileName() + ".initdb");
        PostgresBinaries.deleteRecursively(staging);
        Files.createDirectories(staging);
        Files.setPosixFilePermissions(staging, PosixFilePermissions.fromString("rwx------"));
        Path passwordFile = Files.writeString(staging.resolve("password"), PASSWORD, StandardCharsets.UTF_8);
        if (asRoot) {
            giveToUnprivilegedUser(staging);
            giveToUnprivilegedUser(passwordFile);
        }
        Path stagedData = staging.resolve("data");
        Result initdb = run(List.of(binary("initdb"),
                "--pgdata=" + stagedData,
                "--username=" + USERNAME,
                "--pwfile=" + passwordFile,
                "--auth=scram-sha-256",
                "--encoding=UTF8",
                // C collation for all messages and sorting, but Unicode-aware upper()/lower() through PostgreSQL's
                // own provider: the same result on every machine, without depending on the OS locales installed.
                "--locale=C",
                "--locale-provider=builtin",
                "--builtin-locale=C.UTF-8",
                // The durability settings below make fsync pointless for a dev/test cluster.
                "--no-sync"));
        if (initdb.exitCode() != 0) {
            throw new IllegalStateException(initdb.describe());
        }
        Files.deleteIfExists(dataDir);
        Files.move(stagedData, dataDir, StandardCopyOption.ATOMIC_MOVE);
        PostgresBinaries.deleteRecursively(staging);
    }

    private void startServer() throws IOException {
        recoverFromPreviousRun();
        Files.writeString(ownerFile(), Long.toString(ProcessHandle.current().pid()));
        Files.deleteIfExists(logFile());
        // Settings go on the command line rather than into postgresql.conf so that they also apply to clusters
        // created by an older version of this class.
        String serverOptions = String.join(" ",
                "-p " + port,
                "-c listen_addresses=127.0.0.1",
                "-c unix_socket_directories=",
                // Skipping fsync risks the cluster only on an OS crash or power cut, acceptable for dev and test
                // data; a killed JVM or server loses no commit, as the OS still writes its page cache out.
                "-c fsync=off",
                "-c full_page_writes=off");
        // -w waits until the postmaster reports that it accepts connections.
        Result started = run(List.of(binary("pg_ctl"), "start", "-w", "-t", Integer.toString(PG_CTL_TIMEOUT_SECONDS),
                "-D", dataDir.toString(), "-l", logFile().toString(), "-o", serverOptions));
        if (started.exitCode() != 0) {
            throw new IllegalStateException(started.describe() + logTail());
        }
        try {
            createDatabaseIfAbsent();
        } catch (SQLException e) {
            IllegalStateException failure = new IllegalStateException(
                    "PostgreSQL started on port " + port + " but creating database " + DATABASE + " failed: " + e
                            + logTail(), e);
            try {
                stopServer();
            } catch (IOException | IllegalStateException stopFailure) {
                failure.addSuppressed(stopFailure);
            }
            throw failure;
        }
    }

    /**
     * Deals with a {@code postmaster.pid} left behind by a server that did not shut down cleanly. PostgreSQL copes by
     * itself when that PID is gone, but refuses to start when the file is garbled or the PID now belongs to another
     * process, and a server orphaned by a killed JVM (whose shutdown hook never ran) keeps the data folder locked.
     */
    private void recoverFromPreviousRun() throws IOException {
        if (!Files.exists(pidFile())) {
            return;
        }
        long serverPid = readPid(pidFile());
        Optional<ProcessHandle> process = processOf(serverPid);
        if (serverPid == 0 || process.isPresent() && !isServerOnThisDataDir(process.get())) {
            Files.delete(pidFile());
            return;
        }
        if (process.isEmpty()) {
            return;
        }
        long ownerPid = readPid(ownerFile());
        if (processOf(ownerPid).isPresent()) {
            throw new IllegalStateException("PostgreSQL is already running on " + dataDir + " (PID " + serverPid
                    + "), started by process " + ownerPid + ", which is still alive; if that process does not use it,"
                    + " delete " + ownerFile() + " and start again");
        }
        stopServer();
    }

    private void stopServer() throws IOException {
        Result result = run(List.of(binary("pg_ctl"), "stop", "-m", "fast", "-w",
                "-t", Integer.toString(PG_CTL_TIMEOUT_SECONDS), "-D", dataDir.toString()));
        // pg_ctl also fails when the server was already gone, e.g. killed from outside: that is no error.
        if (result.exitCode() != 0 && isServerRunning()) {
            throw new IllegalStateException(result.describe() + logTail());
        }
    }

    private void createDatabaseIfAbsent() throws SQLException {
        Properties credentials = new Properties();
        credentials.setProperty("user", USERNAME);
        credentials.setProperty("password", PASSWORD);
        // The driver is called directly rather than through DriverManager, which only sees drivers of the caller's
        // class loader and so misses it under some Quarkus class loaders.
        try (Connection connection = new Driver().connect(
                "jdbc:postgresql://127.0.0.1:" + port + "/postgres", credentials);
             PreparedStatement exists = connection.prepareStatement("SELECT 1 FROM pg_database WHERE datname = ?")) {
            exists.setString(1, DATABASE);
            try (ResultSet rows = exists.executeQuery()) {
                if (rows.next()) {
                    return;
                }
            }
            try (Statement create = connection.createStatement()) {
                create.execute("CREATE DATABASE " + DATABASE);
            }
        }
    }

    private Result run(List<String> command) throws IOException {
        List<String> fullCommand = new ArrayList<>();
        if (asRoot) {
            // --inh-caps=-all: without it, capabilities in root's inheritable set could survive the exec.
            fullCommand.addAll(List.of("setpriv", "--reuid=" + UNPRIVILEGED_ID, "--regid=" + UNPRIVILEGED_ID,
                    "--clear-groups", "--inh-caps=-all"));
        }
        fullCommand.addAll(command);
        ProcessBuilder builder = new ProcessBuilder(fullCommand).redirectErrorStream(true);
        // A clean environment, so that PGDATA, PGPORT, LANG and the like of the developer's shell cannot interfere.
        builder.environment().clear();
        builder.environment().put("PATH", "/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin");
        builder.environment().put("LC_ALL", "C");
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new IOException("cannot run " + fullCommand.getFirst()
                    + (asRoot ? " (as root, setpriv from util-linux is needed to run PostgreSQL as nobody)" : ""), e);
        }
        process.getOutputStream().close();
        // pg_ctl hands the server its own log file, so this output ends when the command does.
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            return new Result(fullCommand, process.waitFor(), output);
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while running " + fullCommand, e);
        }
    }

    private record Result(List<String> command, int exitCode, String output) {
        String describe() {
            String commandLine = command.stream()
                    .map(argument -> argument.contains(" ") ? "'" + argument + "'" : argument)
                    .collect(Collectors.joining(" "));
            return commandLine + " exited with " + exitCode + ":\n" + output.strip();
        }
    }

    private String binary(String name) {
        return installDir.resolve("bin").resolve(name).toString();
    }

    private boolean isServerRunning() throws IOException {
        return processOf(readPid(pidFile())).filter(this::isServerOnThisDataDir).isPresent();
    }

    /** Tells the server from a process that got the PID of a dead one (pg_ctl starts it as postgres -D dataDir). */
    private boolean isServerOnThisDataDir(ProcessHandle process) {
        return process.info().command().filter(command -> command.endsWith("/postgres")).isPresent()
                && process.info().arguments().map(List::of).orElse(List.of()).contains(dataDir.toString());
    }

    private Path pidFile() {
        return dataDir.resolve("postmaster.pid");
    }

    private Path logFile() {
        return dataDir.resolve("postgres.log");
    }

    /** The PID of the JVM that started the server, to tell a server in use from one orphaned by a killed JVM. */
    private Path ownerFile() {
        return dataDir.resolve("emitkit-owner.pid");
    }

    private String logTail() {
        try {
            List<String> lines = Files.readAllLines(logFile());
            return "\nLast lines of " + logFile() + ":\n"
                    + String.join("\n", lines.subList(Math.max(0, lines.size() - LOG_TAIL_LINES), lines.size()));
        } catch (IOException e) {
            return "\n(no server log at " + logFile() + ")";
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            return socket.getLocalPort();
        }
    }

    private static void giveToUnprivilegedUser(Path path) throws IOException {
        Files.setAttribute(path, "unix:uid", UNPRIVILEGED_ID);
        Files.setAttribute(path, "unix:gid", UNPRIVILEGED_ID);
    }

    /** The PID on the first line of {@code file}, or 0 if the file is missing or was cut short by a crash. */
    private static long readPid(Path file) throws IOException {
        if (!Files.exists(file)) {
            return 0;
        }
        try {
            return Long.parseLong(Files.readAllLines(file).stream().findFirst().orElse("").trim());
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static Optional<ProcessHandle> processOf(long pid) {
        return pid > 0 ? ProcessHandle.of(pid) : Optional.empty();
    }

    private static void requireSearchableByOthers(Path dir) throws IOException {
        for (Path p = dir; p != null; p = p.getParent()) {
            if (Files.exists(p) && !Files.getPosixFilePermissions(p).contains(PosixFilePermission.OTHERS_EXECUTE)) {
                throw new IllegalStateException("running as root, PostgreSQL runs as nobody (uid 65534), which "
                        + "cannot enter " + p + " (" + PosixFilePermissions.toString(Files.getPosixFilePermissions(p))
                        + "); use a folder outside it, or allow others to search it (chmod o+x)");
            }
        }
    }
}

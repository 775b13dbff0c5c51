package com.emitkit.events.local.chdb;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPInputStream;

/**
 * Finds libchdb.so: an explicit path, else the cache, else a one-time download of the pinned npm
 * package, checked against its pinned integrity hash before anything is extracted.
 */
public final class ChdbLibraryFetcher {

    public static final String PACKAGE = "@chdb/lib-linux-x64-gnu";
    public static final String VERSION = "26.5.3";
    /** The npm registry's {@code dist.integrity} for {@link #VERSION}. */
    static final String INTEGRITY =
            "sha512-fPrLmRt5Moor9yGz4mazbrNje4t7X9KB2mTGkXFWRxRBs2iKy8yh6jx11xsa0Qr3iDFMU/yHqd+bVdYJXu3QaQ==";
    private static final String LIBRARY_ENTRY = "package/libchdb.so";

    private static final Logger LOG = Logger.getLogger(ChdbLibraryFetcher.class);

    private ChdbLibraryFetcher() {
    }

    /** The library to load: {@code explicit} when given, else the cached copy, fetched first if absent. */
    public static Path resolve(java.util.Optional<Path> explicit, Path cacheDir) {
        if (explicit.isPresent()) {
            Path lib = explicit.get();
            if (!Files.isRegularFile(lib)) {
                throw new IllegalStateException("EMITKIT_CHDB_LIB points at " + lib + ", which is not a file");
            }
            return lib;
        }
        Path versionDir = cacheDir.resolve(VERSION);
        Path lib = versionDir.resolve("libchdb.so");
        if (Files.isRegularFile(lib)) {
            return lib;
        }
        try {
            Files.createDirectories(versionDir);
            // Several processes (a dev service and a test run) may start at once: one fetches, the others wait.
            try (FileChannel lockChannel = FileChannel.open(versionDir.resolve(".lock"),
                    StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                 FileLock ignored = lockChannel.lock()) {
                if (!Files.isRegularFile(lib)) {
                    fetch(versionDir, lib);
                }
            }
            return lib;
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException("Could not fetch chDB (" + PACKAGE + "@" + VERSION + "): " + e.getMessage()
                    + ". Fetch it by hand and point EMITKIT_CHDB_LIB at it: `npm pack " + PACKAGE + "@" + VERSION
                    + " && tar xzf chdb-lib-linux-x64-gnu-" + VERSION + ".tgz package/libchdb.so"
                    + " && export EMITKIT_CHDB_LIB=$PWD/package/libchdb.so`", e);
        }
    }

    private static void fetch(Path versionDir, Path lib) throws IOException {
        URI tarball = URI.create(npm("view", PACKAGE + "@" + VERSION, "dist.tarball"));
        Path archive = versionDir.resolve("package.tgz.part");
        LOG.infof("Fetching chDB %s (about 170 MB, once) into %s", VERSION, versionDir);
        download(tarball, archive);
        Path extracted = versionDir.resolve("libchdb.so.part");
        extract(archive, extracted);
        Files.move(extracted, lib, StandardCopyOption.ATOMIC_MOVE);
        Files.delete(archive);
        LOG.infof("chDB %s is ready at %s", VERSION, lib);
    }

    /** Asks the machine's own npm client, so the registry it is configured for is used. */
    private static String npm(String... args) throws IOException {
        String[] command = new String[args.length + 1];
        command[0] = "npm";
        System.arraycopy(args, 0, command, 1, args.length);
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        try {
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (!process.waitFor(2, TimeUnit.MINUTES) || process.exitValue() != 0) {
                throw new IOException("`npm " + String.join(" ", args) + "` failed: " + output);
            }
            return output;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while asking npm", e);
        }
    }

    private static void download(URI tarball, Path archive) throws IOException {
        HttpClient client = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL)
                .connectTimeout(Duration.ofSeconds(30)).build();
        HttpRequest request = HttpRequest.newBuilder(tarball).timeout(Duration.ofMinutes(20)).GET().build();
        MessageDigest sha512 = sha512();
        try {
            HttpResponse<InputStream> response = client.send(request, HttpResponse.BodyHandlers.ofInputStream());
            if (response.statusCode() != 200) {
                throw new IOException("HTTP " + response.statusCode() + " for the package tarball");
            }
            long total = response.headers().firstValueAsLong("content-length").orElse(-1);
            try (InputStream in = new DigestInputStream(response.body(), sha512);
                 OutputStream out = Files.newOutputStream(archive)) {
                byte[] buffer = new byte[1 << 16];
                long done = 0;
                int lastDecile = -1;
                for (int n; (n = in.read(buffer)) > 0; ) {
                    out.write(buffer, 0, n);
                    done += n;
                    int decile = total > 0 ? (int) (done * 10 / total) : (int) (done >> 24);
                    if (decile != lastDecile) {
                        lastDecile = decile;
                        LOG.infof("chDB download: %d MB%s", done >> 20, total > 0 ? " of " + (total >> 20) + " MB" : "");
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while downloading", e);
        }
        String actual = "sha512-" + Base64.getEncoder().encodeToString(sha512.digest());
        if (!actual.equals(INTEGRITY)) {
            Files.deleteIfExists(archive);
            throw new IOException("integrity check failed: expected " + INTEGRITY + ", got " + actual);
        }
    }

    private static void extract(Path archive, Path target) throws IOException {
        try (TarArchiveInputStream tar = new TarArchiveInputStream(new GZIPInputStream(Files.newInputStream(archive), 1 << 16))) {
            for (TarArchiveEntry entry; (entry = tar.getNextEntry()) != null; ) {
                if (entry.getName().equals(LIBRARY_ENTRY)) {
                    Files.copy(tar, target, StandardCopyOption.REPLACE_EXISTING);
                    return;
                }
            }
        }
        throw new IOException(LIBRARY_ENTRY + " is missing from the package");
    }

    private static MessageDigest sha512() {
        try {
            return MessageDigest.getInstance("SHA-512");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Fetches into the cache folder given as the argument (the service's default when none), so that
     * CI shows the download once in its log, before the tests.
     */
    public static void main(String[] args) {
        Path cacheDir = args.length > 0 ? Path.of(args[0])
                : Path.of(System.getProperty("user.home"), ".cache", "emitkit", "chdb");
        System.out.println(resolve(java.util.Optional.empty(), cacheDir));
    }
}

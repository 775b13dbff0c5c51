package com.emitkit.events.local.chdb;

import org.jboss.logging.Logger;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;

/**
 * The process's one chDB session. chDB allows a single connection per process and runs one query
 * at a time on it, so callers are serialized here; each call blocks its (worker) thread. A caller
 * gives up after {@link #BUSY_LIMIT} in the queue, naming the statement that holds the session, so a
 * statement that never returns shows up as errors that say which one, not as a process that hangs.
 */
public final class ChdbConnection implements AutoCloseable {

    /** Far beyond any statement the service runs (reads time out after 10 s, as on Tinybird). */
    static final Duration BUSY_LIMIT = Duration.ofMinutes(2);
    private static final int SHOWN_STATEMENT = 200;
    private static final Logger LOG = Logger.getLogger(ChdbConnection.class);

    private final ChdbLibrary library;
    private final MemorySegment handlePointer;
    private final MemorySegment handle;
    private final ReentrantLock lock = new ReentrantLock(true);
    private boolean closed;
    private volatile Thread holder;
    private volatile String running = "";
    private volatile long runningSince;

    ChdbConnection(ChdbLibrary library, MemorySegment handlePointer) {
        this.library = library;
        this.handlePointer = handlePointer;
        // chdb_connect returns a pointer to the connection handle that chdb_query takes.
        this.handle = handlePointer.reinterpret(ADDRESS.byteSize()).get(ADDRESS, 0);
    }

    /** Runs one statement and returns its output in {@code format} (a ClickHouse output format name). */
    public ChdbResult query(String sql, String format) {
        return query(sql.getBytes(StandardCharsets.UTF_8), format);
    }

    /** The same with the statement already in UTF-8: an INSERT's megabytes of rows are not copied once more. */
    public ChdbResult query(byte[] sqlBytes, String format) {
        byte[] formatBytes = format.getBytes(StandardCharsets.US_ASCII);
        acquire();
        try (Arena arena = Arena.ofConfined()) {
            if (closed) {
                throw new ChdbException("the embedded engine is shut down");
            }
            running = new String(sqlBytes, 0, Math.min(sqlBytes.length, SHOWN_STATEMENT), StandardCharsets.UTF_8);
            runningSince = System.nanoTime();
            MemorySegment sqlSegment = arena.allocate(sqlBytes.length + 1L);
            MemorySegment.copy(sqlBytes, 0, sqlSegment, JAVA_BYTE, 0, sqlBytes.length);
            MemorySegment formatSegment = arena.allocate(formatBytes.length + 1L);
            MemorySegment.copy(formatBytes, 0, formatSegment, JAVA_BYTE, 0, formatBytes.length);
            MemorySegment result = library.query(handle, sqlSegment, sqlBytes.length, formatSegment, formatBytes.length);
            if (result.equals(MemorySegment.NULL)) {
                throw new ChdbException("chDB returned no result for the query");
            }
            try {
                String error = library.resultError(result);
                if (error != null) {
                    throw new ChdbException(error.strip());
                }
                return new ChdbResult(library.resultBytes(result), library.resultElapsed(result),
                        library.resultRowsRead(result), library.resultBytesRead(result));
            } finally {
                library.destroyResult(result);
            }
        } finally {
            holder = null;
            lock.unlock();
        }
    }

    private void acquire() {
        try {
            if (lock.tryLock(BUSY_LIMIT.toMillis(), TimeUnit.MILLISECONDS)) {
                holder = Thread.currentThread();
                return;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ChdbException("interrupted while waiting for the embedded engine");
        }
        Thread stuck = holder;
        String busy = "the embedded engine has been busy for " + BUSY_LIMIT.toSeconds() + " s; the statement holding it"
                + " has run for " + TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - runningSince) + " s: " + running;
        if (stuck != null) {
            Throwable where = new Throwable("held by " + stuck.getName());
            where.setStackTrace(stuck.getStackTrace());
            LOG.warn(busy, where);
        }
        throw new ChdbException(busy);
    }

    @Override
    public void close() {
        acquire();
        try {
            if (!closed) {
                closed = true;
                running = "(closing the session)";
                runningSince = System.nanoTime();
                library.close(handlePointer);
            }
        } finally {
            holder = null;
            lock.unlock();
        }
    }
}

package com.emitkit.events.local.chdb;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.locks.ReentrantLock;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;

/**
 * The process's one chDB session. chDB allows a single connection per process and runs one query
 * at a time on it, so callers are serialized here; each call blocks its (worker) thread.
 */
public final class ChdbConnection implements AutoCloseable {

    private final ChdbLibrary library;
    private final MemorySegment handlePointer;
    private final MemorySegment handle;
    private final ReentrantLock lock = new ReentrantLock(true);
    private boolean closed;

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
        lock.lock();
        try (Arena arena = Arena.ofConfined()) {
            if (closed) {
                throw new ChdbException("the embedded engine is shut down");
            }
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
            lock.unlock();
        }
    }

    @Override
    public void close() {
        lock.lock();
        try {
            if (!closed) {
                closed = true;
                library.close(handlePointer);
            }
        } finally {
            lock.unlock();
        }
    }
}

package com.emitkit.events.local.chdb;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.nio.file.Path;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_DOUBLE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/** {@code libchdb.so}'s C API, bound through the FFM API. */
public final class ChdbLibrary {

    /*
     * Linux x86_64 numbers of the signals chDB resets or claims on connect (SIGABRT, SIGSEGV, SIGILL,
     * SIGBUS, SIGSYS, SIGFPE, SIGTSTP, SIGTRAP). HotSpot needs its own SIGSEGV/SIGBUS/SIGILL/SIGFPE
     * handlers (implicit null checks, safepoints): losing them kills the JVM on the next NPE.
     */
    private static final int[] GUARDED_SIGNALS = {6, 11, 4, 7, 31, 8, 20, 5};
    /** Larger than glibc's struct sigaction (152 bytes on x86_64); only copied back, never read. */
    private static final long SIGACTION_SIZE = 256;

    private final MethodHandle connect;
    private final MethodHandle closeConn;
    private final MethodHandle queryN;
    private final MethodHandle destroyResult;
    private final MethodHandle resultBuffer;
    private final MethodHandle resultLength;
    private final MethodHandle resultError;
    private final MethodHandle resultElapsed;
    private final MethodHandle resultRowsRead;
    private final MethodHandle resultBytesRead;
    private final MethodHandle setSignalHandlersEnabled;
    private final MethodHandle sigaction;

    private ChdbLibrary(SymbolLookup chdb) {
        Linker linker = Linker.nativeLinker();
        connect = bind(linker, chdb, "chdb_connect", FunctionDescriptor.of(ADDRESS, JAVA_INT, ADDRESS));
        closeConn = bind(linker, chdb, "chdb_close_conn", FunctionDescriptor.ofVoid(ADDRESS));
        queryN = bind(linker, chdb, "chdb_query_n",
                FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS, JAVA_LONG, ADDRESS, JAVA_LONG));
        destroyResult = bind(linker, chdb, "chdb_destroy_query_result", FunctionDescriptor.ofVoid(ADDRESS));
        resultBuffer = bind(linker, chdb, "chdb_result_buffer", FunctionDescriptor.of(ADDRESS, ADDRESS));
        resultLength = bind(linker, chdb, "chdb_result_length", FunctionDescriptor.of(JAVA_LONG, ADDRESS));
        resultError = bind(linker, chdb, "chdb_result_error", FunctionDescriptor.of(ADDRESS, ADDRESS));
        resultElapsed = bind(linker, chdb, "chdb_result_elapsed", FunctionDescriptor.of(JAVA_DOUBLE, ADDRESS));
        resultRowsRead = bind(linker, chdb, "chdb_result_rows_read", FunctionDescriptor.of(JAVA_LONG, ADDRESS));
        resultBytesRead = bind(linker, chdb, "chdb_result_bytes_read", FunctionDescriptor.of(JAVA_LONG, ADDRESS));
        setSignalHandlersEnabled = bind(linker, chdb, "chdb_set_signal_handlers_enabled",
                FunctionDescriptor.ofVoid(JAVA_INT));
        sigaction = bind(linker, linker.defaultLookup(), "sigaction",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
    }

    /** Loads the library for the life of the process (a shared library cannot be unloaded safely). */
    public static ChdbLibrary load(Path libchdb) {
        return new ChdbLibrary(SymbolLookup.libraryLookup(libchdb, Arena.global()));
    }

    /** Opens the session on a data directory, keeping the JVM's signal handlers in place. */
    public ChdbConnection connect(Path dataDir) {
        Arena arena = Arena.global();
        String[] args = {"clickhouse", "--path=" + dataDir.toAbsolutePath()};
        MemorySegment argv = arena.allocate(ADDRESS, args.length);
        for (int i = 0; i < args.length; i++) {
            argv.setAtIndex(ADDRESS, i, arena.allocateFrom(args[i]));
        }
        MemorySegment saved = arena.allocate(SIGACTION_SIZE * GUARDED_SIGNALS.length);
        MemorySegment handlePointer;
        synchronized (ChdbLibrary.class) {
            saveSignalHandlers(saved);
            try {
                // Opting out keeps chDB from installing crash handlers over the JVM's, but the call
                // (and connect) resets the signals to SIG_DFL: the saved handlers are put back below.
                setSignalHandlersEnabled.invokeExact(0);
                handlePointer = (MemorySegment) connect.invokeExact(args.length, argv);
            } catch (Throwable t) {
                throw new ChdbException("chdb_connect failed: " + t);
            } finally {
                restoreSignalHandlers(saved);
            }
        }
        if (handlePointer.equals(MemorySegment.NULL)) {
            throw new ChdbException("chdb_connect refused the data directory " + dataDir.toAbsolutePath()
                    + " (is another process using it, or is it not writable?)");
        }
        return new ChdbConnection(this, handlePointer);
    }

    private void saveSignalHandlers(MemorySegment saved) {
        for (int i = 0; i < GUARDED_SIGNALS.length; i++) {
            callSigaction(GUARDED_SIGNALS[i], MemorySegment.NULL, saved.asSlice(SIGACTION_SIZE * i, SIGACTION_SIZE));
        }
    }

    private void restoreSignalHandlers(MemorySegment saved) {
        for (int i = 0; i < GUARDED_SIGNALS.length; i++) {
            callSigaction(GUARDED_SIGNALS[i], saved.asSlice(SIGACTION_SIZE * i, SIGACTION_SIZE), MemorySegment.NULL);
        }
    }

    private void callSigaction(int signal, MemorySegment act, MemorySegment oldAct) {
        try {
            int rc = (int) sigaction.invokeExact(signal, act, oldAct);
            if (rc != 0) {
                throw new ChdbException("sigaction(" + signal + ") failed");
            }
        } catch (ChdbException e) {
            throw e;
        } catch (Throwable t) {
            throw new ChdbException("sigaction(" + signal + ") failed: " + t);
        }
    }

    MemorySegment query(MemorySegment conn, MemorySegment sql, long sqlLength, MemorySegment format, long formatLength) {
        try {
            return (MemorySegment) queryN.invokeExact(conn, sql, sqlLength, format, formatLength);
        } catch (Throwable t) {
            throw new ChdbException("chdb_query_n failed: " + t);
        }
    }

    String resultError(MemorySegment result) {
        try {
            MemorySegment error = (MemorySegment) resultError.invokeExact(result);
            return error.equals(MemorySegment.NULL) ? null : error.reinterpret(Integer.MAX_VALUE).getString(0);
        } catch (Throwable t) {
            throw new ChdbException("chdb_result_error failed: " + t);
        }
    }

    byte[] resultBytes(MemorySegment result) {
        try {
            long length = (long) resultLength.invokeExact(result);
            if (length == 0) {
                return new byte[0];
            }
            MemorySegment buffer = (MemorySegment) resultBuffer.invokeExact(result);
            return buffer.reinterpret(length).toArray(JAVA_BYTE);
        } catch (Throwable t) {
            throw new ChdbException("reading a chDB result failed: " + t);
        }
    }

    double resultElapsed(MemorySegment result) {
        try {
            return (double) resultElapsed.invokeExact(result);
        } catch (Throwable t) {
            throw new ChdbException("chdb_result_elapsed failed: " + t);
        }
    }

    long resultRowsRead(MemorySegment result) {
        try {
            return (long) resultRowsRead.invokeExact(result);
        } catch (Throwable t) {
            throw new ChdbException("chdb_result_rows_read failed: " + t);
        }
    }

    long resultBytesRead(MemorySegment result) {
        try {
            return (long) resultBytesRead.invokeExact(result);
        } catch (Throwable t) {
            throw new ChdbException("chdb_result_bytes_read failed: " + t);
        }
    }

    void destroyResult(MemorySegment result) {
        try {
            destroyResult.invokeExact(result);
        } catch (Throwable t) {
            throw new ChdbException("chdb_destroy_query_result failed: " + t);
        }
    }

    void close(MemorySegment handlePointer) {
        try {
            closeConn.invokeExact(handlePointer);
        } catch (Throwable t) {
            throw new ChdbException("chdb_close_conn failed: " + t);
        }
    }

    private static MethodHandle bind(Linker linker, SymbolLookup lookup, String name, FunctionDescriptor descriptor) {
        MemorySegment symbol = lookup.find(name)
                .orElseThrow(() -> new ChdbException("symbol " + name + " not found: is this a chDB 26.x libchdb.so?"));
        return linker.downcallHandle(symbol, descriptor);
    }
}

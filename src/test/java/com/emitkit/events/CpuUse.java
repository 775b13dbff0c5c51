package com.emitkit.events;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * CPU used from a mark on: by the whole machine (its busy share, from {@code /proc/stat}) and by one process (in
 * cores, from {@code /proc/<pid>/stat}). Benchmarks print it next to a figure to show what bounded it: a saturated
 * machine, or waiting.
 */
public record CpuUse(long pid, long machineBusy, long machineTotal, long processTicks, long atNanos) {

    /** Linux's clock ticks per second for /proc figures (USER_HZ). */
    private static final double TICKS_PER_SECOND = 100.0;

    public static CpuUse mark(long pid) throws IOException {
        String[] cpu = Files.readAllLines(Path.of("/proc/stat")).getFirst().trim().split("\\s+");
        long total = 0;
        for (int i = 1; i < cpu.length; i++) {
            total += Long.parseLong(cpu[i]);
        }
        long idle = Long.parseLong(cpu[4]) + Long.parseLong(cpu[5]);
        String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return new CpuUse(pid, total - idle, total, Long.parseLong(fields[11]) + Long.parseLong(fields[12]), System.nanoTime());
    }

    /** "machine N% busy, service N.NN cores" since this mark. */
    public String since() throws IOException {
        CpuUse end = mark(pid);
        double seconds = (end.atNanos() - atNanos) / 1e9;
        return String.format("machine %.0f%% busy, service %.2f cores",
                100.0 * (end.machineBusy() - machineBusy) / Math.max(1, end.machineTotal() - machineTotal),
                (end.processTicks() - processTicks) / TICKS_PER_SECOND / seconds);
    }
}

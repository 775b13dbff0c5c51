package com.emitkit.events.web;

import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/** Records the ERROR (and worse) lines the application logs while open, from any logger. */
final class ErrorLogs extends Handler implements AutoCloseable {

    private final Logger root = Logger.getLogger("");
    private final List<String> lines = new ArrayList<>();

    static ErrorLogs capture() {
        ErrorLogs logs = new ErrorLogs();
        logs.setLevel(Level.SEVERE);
        logs.root.addHandler(logs);
        return logs;
    }

    @Override
    public synchronized void publish(LogRecord record) {
        if (record.getLevel().intValue() >= Level.SEVERE.intValue()) {
            lines.add(record.getLoggerName() + ": " + record.getMessage()
                    + (record.getThrown() == null ? "" : " (" + record.getThrown() + ")"));
        }
    }

    synchronized List<String> lines() {
        return List.copyOf(lines);
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
        root.removeHandler(this);
    }
}

package com.emitkit.events.config;

/** Which Tinybird backend the service uses. */
public enum TinybirdMode {
    /** Remote when {@code TINYBIRD_TOKEN} is set; embedded in dev and test without it; otherwise a start-up error. */
    AUTO,
    /** Tinybird Cloud (or any Tinybird-compatible API) at {@code TINYBIRD_API_URL}. */
    REMOTE,
    /** The embedded engine, started in-process and reached over loopback HTTP. JVM only: a native executable refuses it. */
    EMBEDDED
}

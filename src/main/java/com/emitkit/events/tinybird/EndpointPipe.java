package com.emitkit.events.tinybird;

/** The endpoint pipes of the Tinybird project ({@code tinybird/endpoints}) this service calls. */
public enum EndpointPipe {
    GET_EVENTS_PAGINATED("get_events_paginated"),
    GET_EVENTS_STATS("get_events_stats"),
    STREAM_EVENTS("stream_events");

    private final String fileName;

    EndpointPipe(String fileName) {
        this.fileName = fileName;
    }

    /** The pipe's name in the project and in the API's path ({@code /v0/pipes/<name>.json}). */
    public String fileName() {
        return fileName;
    }
}

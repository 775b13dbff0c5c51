package com.emitkit.events.ingest;

import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.List;

/** A validated {@code POST /v1/events} body; {@code notification} is the contract's {@code notify}. */
public record EventInput(String channelName, String title, String description, String icon, List<String> tags,
                         ObjectNode metadata, String userId, boolean notification, String displayAs, String source) {
}

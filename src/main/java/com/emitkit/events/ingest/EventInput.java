package com.emitkit.events.ingest;

import java.util.List;

/**
 * A validated {@code POST /v1/events} body; {@code notification} is the contract's {@code notify}, {@code metadata}
 * its compact JSON text or null.
 */
public record EventInput(String channelName, String title, String description, String icon, List<String> tags,
                         String metadata, String userId, boolean notification, String displayAs, String source) {
}
